package permissions

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// StoreFile is the name of the file, in the data directory, that holds the
// users' answers; StoreFile+".lock" is its lock file.
const StoreFile = "user-permissions.json"

// Bounds on the store file.
const (
	// MaxStoreSize is the largest store file, in bytes.
	MaxStoreSize = 8 << 20
	// MaxStoreChoices is the most answers the store holds.
	MaxStoreChoices = 50000
)

// Choice is one stored answer of a user: whether the app at the manifest
// URL may use the permission. Decision is Granted or Denied.
type Choice struct {
	URL        string  `json:"url"`
	Permission string  `json:"permission"`
	Decision   Verdict `json:"decision"`
}

// storeDoc is the store file:
//
//	{"version": 1, "choices": [{"url": "https://apps.acme.com/app.json",
//	  "permission": "Window.getSnapshot", "decision": "granted"}]}
//
// with choices sorted by URL and permission, no duplicates.
type storeDoc struct {
	Version int      `json:"version"`
	Choices []Choice `json:"choices"`
}

// Store holds the users' answers to prompts, per manifest URL and
// permission, in StoreFile of a data directory. Every operation holds an
// exclusive lock on StoreFile+".lock" and a change is a read, modify and
// atomic replace (temporary file, sync, rename) under that lock, so that
// processes writing at once never lose an answer and a crash never leaves
// a broken file. A store file that cannot be read is an error for every
// operation, never wiped: the user fixes or removes it.
type Store struct {
	path string
}

// OpenStore returns the store of the data directory dir. It touches no file
// until an operation needs one.
func OpenStore(dir string) *Store {
	return &Store{path: filepath.Join(dir, StoreFile)}
}

// writeFile replaces the store file; tests replace it to kill a writer
// between writing and renaming.
var writeFile = platform.WriteFileAtomic

// ForURL returns the stored answers for the manifest URL, by permission
// (true for granted): what Input.Answers and ApplyAnswers want.
func (s *Store) ForURL(url string) (Answers, error) {
	out := Answers{}
	err := s.locked(false, func(doc *storeDoc) (bool, error) {
		for _, c := range doc.Choices {
			if c.URL == url {
				out[c.Permission] = c.Decision == Granted
			}
		}
		return false, nil
	})
	return out, err
}

// List returns every stored answer, sorted by URL and permission.
func (s *Store) List() ([]Choice, error) {
	var out []Choice
	err := s.locked(false, func(doc *storeDoc) (bool, error) {
		out = doc.Choices
		return false, nil
	})
	return out, err
}

// Set stores the user's answer for the manifest URL and permission,
// replacing an earlier one.
func (s *Store) Set(url, permission string, granted bool) error {
	if url == "" {
		return errors.New("permissions: store: empty manifest URL")
	}
	if !Known(permission) {
		return fmt.Errorf("permissions: store: unknown permission %q", permission)
	}
	c := Choice{URL: url, Permission: permission, Decision: grantedIf(granted)}
	return s.locked(true, func(doc *storeDoc) (bool, error) {
		i := sort.Search(len(doc.Choices), func(i int) bool { return !less(doc.Choices[i], c) })
		if i < len(doc.Choices) && !less(c, doc.Choices[i]) {
			if doc.Choices[i] == c {
				return false, nil
			}
			doc.Choices[i] = c
			return true, nil
		}
		if len(doc.Choices) >= MaxStoreChoices {
			return false, fmt.Errorf("permissions: store %s: full (%d answers); revoke some", s.path, MaxStoreChoices)
		}
		doc.Choices = append(doc.Choices, Choice{})
		copy(doc.Choices[i+1:], doc.Choices[i:])
		doc.Choices[i] = c
		return true, nil
	})
}

// Revoke removes the stored answers for the manifest URL: the one for
// permission, or all of them where permission is "". It reports how many
// it removed.
func (s *Store) Revoke(url, permission string) (int, error) {
	if url == "" {
		return 0, errors.New("permissions: store: empty manifest URL")
	}
	n := 0
	err := s.locked(true, func(doc *storeDoc) (bool, error) {
		kept := doc.Choices[:0]
		for _, c := range doc.Choices {
			if c.URL == url && (permission == "" || c.Permission == permission) {
				n++
				continue
			}
			kept = append(kept, c)
		}
		doc.Choices = kept
		return n > 0, nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// locked runs fn on the store's contents under the lock; where write is
// true and fn reports a change, the result replaces the file.
func (s *Store) locked(write bool, fn func(*storeDoc) (changed bool, err error)) error {
	// Most users never answer a prompt: a read of a store that does not
	// exist needs no lock (a writer creates the file whole, by rename).
	if _, err := os.Stat(s.path); !write && errors.Is(err, fs.ErrNotExist) {
		_, err := fn(&storeDoc{Version: 1})
		return err
	}
	lock, err := platform.LockFile(s.path + ".lock")
	if err != nil {
		return fmt.Errorf("permissions: store: %w", err)
	}
	defer lock.Unlock()
	doc, err := s.read()
	if err != nil {
		return err
	}
	changed, err := fn(doc)
	if err != nil || !write || !changed {
		return err
	}
	data, err := json.Marshal(doc, jsontext.WithIndent("  "))
	if err != nil {
		return fmt.Errorf("permissions: store %s: %w", s.path, err)
	}
	if err := writeFile(s.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("permissions: store: %w", err)
	}
	return nil
}

// read parses the store file strictly; a missing file is an empty store.
func (s *Store) read() (*storeDoc, error) {
	data, err := platform.ReadFileLimit(s.path, MaxStoreSize)
	var tooLarge *platform.TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &storeDoc{Version: 1}, nil
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("permissions: store %s is damaged (fix or remove it): larger than %d bytes", s.path, MaxStoreSize)
	case err != nil:
		return nil, fmt.Errorf("permissions: store: %w", err)
	}
	doc, err := parseStore(data)
	if err != nil {
		return nil, fmt.Errorf("permissions: store %s is damaged (fix or remove it): %w", s.path, err)
	}
	return doc, nil
}

// parseStore parses the contents of a store file, which read has bounded
// to MaxStoreSize.
func parseStore(data []byte) (*storeDoc, error) {
	var doc storeDoc
	if err := strictjson.Unmarshal(data, &doc, true); err != nil {
		return nil, err
	}
	if doc.Version != 1 {
		return nil, fmt.Errorf("version %d, want 1", doc.Version)
	}
	if len(doc.Choices) > MaxStoreChoices {
		return nil, fmt.Errorf("more than %d answers", MaxStoreChoices)
	}
	for i, c := range doc.Choices {
		switch {
		case c.URL == "":
			return nil, fmt.Errorf("choices[%d]: empty url", i)
		case c.Permission == "":
			return nil, fmt.Errorf("choices[%d]: empty permission", i)
		case c.Decision == Prompt:
			return nil, fmt.Errorf("choices[%d]: decision %q, want granted or denied", i, c.Decision)
		case i > 0 && !less(doc.Choices[i-1], c):
			return nil, fmt.Errorf("choices[%d]: out of order or repeated", i)
		}
	}
	return &doc, nil
}

// less orders choices by URL, then permission.
func less(a, b Choice) bool {
	if a.URL != b.URL {
		return a.URL < b.URL
	}
	return a.Permission < b.Permission
}
