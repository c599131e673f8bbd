package permissions

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

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
	MaxStoreSize = 32 << 20
	// MaxStoreChoices is the most answers the store holds.
	MaxStoreChoices = 50000
	// MaxStoreSigners is the most signer trusts and distrusts the store
	// holds: a request to the service carries the distrusts, well within
	// its 64 KiB.
	MaxStoreSigners = 256
	// MaxSignerName is the longest signer name stored, in bytes.
	MaxSignerName = 1024
)

// Question is what a stored answer answers: a permission, and the hex
// SHA-256 of the constraints that the user was shown with it (see
// ConstraintsSHA256). An answer holds only for the question it answered: a
// manifest that asks for the same permission with other constraints is
// asked again.
type Question struct {
	Permission        string
	ConstraintsSHA256 string
}

// QuestionOf is the question about the permission name with constraints
// (nil for none).
func QuestionOf(name string, constraints jsontext.Value) Question {
	return Question{Permission: name, ConstraintsSHA256: ConstraintsSHA256(constraints)}
}

// ConstraintsSHA256 is the hex SHA-256 of the canonical JSON (RFC 8785) of
// constraints, so that spacing and key order do not count; of no bytes
// where there are none.
func ConstraintsSHA256(constraints jsontext.Value) string {
	c := canonical(constraints)
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:])
}

// canonical is constraints in canonical JSON (RFC 8785); nil for none.
// Constraints are strict JSON (see Parse), which always canonicalizes; the
// bytes as given stand in for any that would not.
func canonical(constraints jsontext.Value) []byte {
	if len(constraints) == 0 {
		return nil
	}
	c := constraints.Clone()
	if c.Canonicalize() != nil {
		return constraints
	}
	return c
}

// SameConstraints reports whether a and b are the same constraints, in
// canonical JSON.
func SameConstraints(a, b jsontext.Value) bool {
	return bytes.Equal(canonical(a), canonical(b))
}

// Answers are one user's stored answers for one manifest URL, by question:
// true for granted (see Store.ForURL).
type Answers map[Question]bool

// Choice is one stored answer of a user: whether the app at the manifest
// URL may use the permission with the constraints whose SHA-256 is
// ConstraintsSHA256. Decision is Granted or Denied. SignerSPKI is the
// signing key (see Signer) of the manifest's trusted block when the user
// answered, "" where it had none: `rvm permissions distrust --signer`
// removes the answers given to that signer's apps.
type Choice struct {
	User              string  `json:"user"`
	URL               string  `json:"url"`
	Permission        string  `json:"permission"`
	ConstraintsSHA256 string  `json:"constraintsSha256"`
	Decision          Verdict `json:"decision"`
	SignerSPKI        string  `json:"signerSpki,omitempty"`
}

// Signer is a user's word on a signer of trusted blocks (SPEC 5.7): SPKI
// is the hex SHA-256 of the signing certificate's SubjectPublicKeyInfo
// (64 lower-case hex digits), Name the signer's name as the decision
// document's trust.signer showed it ("" where unknown). Trusted true is a
// signer trust: a prompt for a strictly fetched manifest whose trusted
// block has that key is answered yes. The zero value, Trusted false, is a
// distrust: the signer's blocks are revoked for the user.
type Signer struct {
	User    string `json:"user"`
	SPKI    string `json:"spki"`
	Name    string `json:"name"`
	Trusted bool   `json:"trusted"`
}

// storeVersion is the version of the store file that Store writes.
const storeVersion = 3

// storeDoc is the store file:
//
//	{"version": 3, "choices": [{"user": "1000",
//	  "url": "https://apps.acme.com/app.json", "permission": "Window.getSnapshot",
//	  "constraintsSha256": "e3b0c442...", "decision": "granted",
//	  "signerSpki": "9f86d081..."}],
//	 "signers": [{"user": "1000", "spki": "9f86d081...", "name": "Acme Corp", "trusted": true}]}
//
// with choices sorted by user, URL, permission and constraints, and
// signers by user and SPKI, no duplicates; signerSpki and signers may be
// absent. A file of version 2 is one without them. A file of version 1
// (before answers were kept by their constraints) has no user and no
// constraintsSha256: it is read as the answers of the store's user to
// questions without constraints, since version 1 showed no constraints.
// Either is written as version 3 at the next change.
type storeDoc struct {
	Version int      `json:"version"`
	Choices []Choice `json:"choices"`
	Signers []Signer `json:"signers,omitempty"`
}

// Store holds the answers of a user to prompts, per manifest URL,
// permission and constraints, in StoreFile of the user's data directory.
// Every operation holds an exclusive lock on StoreFile+".lock" and a change
// is a read, modify and atomic replace (temporary file, sync, rename) under
// that lock, so that processes writing at once never lose an answer and a
// crash never leaves a broken file. A store file that cannot be read is an
// error for every operation, never wiped: the user fixes or removes it.
type Store struct {
	path string
	user string
}

// OpenStore returns the store of the data directory dir for the user whose
// id is user (see platform.UserID): the answers it reads and changes are
// that user's. It touches no file until an operation needs one.
func OpenStore(dir, user string) *Store {
	return &Store{path: filepath.Join(dir, StoreFile), user: user}
}

// writeFile replaces the store file; tests replace it to kill a writer
// between writing and renaming.
var writeFile = platform.WriteFileAtomic

// Stored returns what the store user stored about a decision on the
// manifest URL whose trusted block has the signing key spki ("" for none):
// Snapshot, then its Stored. Where the store cannot be read, the answers
// are none.
func (s *Store) Stored(url, spki string) (Stored, error) {
	snap, err := s.Snapshot()
	if err != nil {
		return Stored{Answers: Answers{}}, err
	}
	return snap.Stored(url, spki), nil
}

// Snapshot is what a Store held for its user at one read: a decision's
// distrusted signers before it is made and its stored answers after, from
// one read of the file.
type Snapshot struct {
	doc  *storeDoc
	user string
}

// Snapshot reads the store once, under its lock.
func (s *Store) Snapshot() (*Snapshot, error) {
	snap := &Snapshot{user: s.user}
	err := s.locked(false, func(doc *storeDoc) (bool, error) {
		snap.doc = doc
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// Stored returns the user's answers for the manifest URL, by question,
// and whether the user trusts the signer whose key is spki ("" for none).
// SignerTrusted is then still to be applied only where the decider lets a
// user's signer trust apply (see Stored).
func (p *Snapshot) Stored(url, spki string) Stored {
	out := Stored{Answers: Answers{}}
	for _, c := range p.doc.Choices {
		if c.User == p.user && c.URL == url {
			out.Answers[Question{c.Permission, c.ConstraintsSHA256}] = c.Decision == Granted
		}
	}
	if i, ok := p.doc.signer(p.user, spki); ok && spki != "" {
		out.SignerTrusted = p.doc.Signers[i].Trusted
	}
	return out
}

// Distrusted returns the SPKIs of the signers the user distrusts, sorted.
func (p *Snapshot) Distrusted() []string {
	var out []string
	for _, g := range p.doc.Signers {
		if g.User == p.user && !g.Trusted {
			out = append(out, g.SPKI)
		}
	}
	return out
}

// List returns every stored answer, sorted by user, URL, permission and
// constraints.
func (s *Store) List() ([]Choice, error) {
	var out []Choice
	err := s.locked(false, func(doc *storeDoc) (bool, error) {
		out = doc.Choices
		return false, nil
	})
	return out, err
}

// Set stores the user's answer for the manifest URL and the permission
// with the constraints shown (nil for none), replacing an earlier one;
// signer is the SPKI of the manifest's trusted block ("" for none).
func (s *Store) Set(url, permission string, constraints jsontext.Value, granted bool, signer string) error {
	if url == "" {
		return errors.New("permissions: store: empty manifest URL")
	}
	if !Known(permission) {
		return fmt.Errorf("permissions: store: unknown permission %q", permission)
	}
	if signer != "" && !IsSPKI(signer) {
		return fmt.Errorf("permissions: store: signer %q: want 64 lower-case hex digits", signer)
	}
	c := Choice{User: s.user, URL: url, Permission: permission, ConstraintsSHA256: ConstraintsSHA256(constraints), Decision: grantedIf(granted), SignerSPKI: signer}
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

// Revoke removes the store user's answers for the manifest URL: those for
// permission (whatever their constraints), or all of them where
// permission is "". It reports how many it removed.
func (s *Store) Revoke(url, permission string) (int, error) {
	if url == "" {
		return 0, errors.New("permissions: store: empty manifest URL")
	}
	n := 0
	err := s.locked(true, func(doc *storeDoc) (bool, error) {
		kept := doc.Choices[:0]
		for _, c := range doc.Choices {
			if c.User == s.user && c.URL == url && (permission == "" || c.Permission == permission) {
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

// Signers returns every stored signer trust and distrust, sorted by user
// and SPKI.
func (s *Store) Signers() ([]Signer, error) {
	var out []Signer
	err := s.locked(false, func(doc *storeDoc) (bool, error) {
		out = doc.Signers
		return false, nil
	})
	return out, err
}

// SetSigner stores the user's trust (trusted true) or distrust of the
// signer whose key is spki (64 hex digits, in either case), with its name
// ("" where unknown; an earlier name is kept then), replacing an earlier
// word. A distrust also removes the user's answers given to that
// signer's apps; it reports how many.
func (s *Store) SetSigner(spki, name string, trusted bool) (removed int, err error) {
	spki = strings.ToLower(spki)
	switch {
	case !IsSPKI(spki):
		return 0, fmt.Errorf("permissions: store: signer %q: want 64 hex digits (the SHA-256 of a SubjectPublicKeyInfo)", spki)
	case len(name) > MaxSignerName:
		return 0, fmt.Errorf("permissions: store: signer name longer than %d bytes", MaxSignerName)
	}
	g := Signer{User: s.user, SPKI: spki, Name: name, Trusted: trusted}
	err = s.locked(true, func(doc *storeDoc) (bool, error) {
		changed := false
		if !trusted {
			kept := doc.Choices[:0]
			for _, c := range doc.Choices {
				if c.User == s.user && c.SignerSPKI == spki {
					removed++
					continue
				}
				kept = append(kept, c)
			}
			doc.Choices, changed = kept, removed > 0
		}
		i, ok := doc.signer(s.user, spki)
		switch {
		case ok:
			if g.Name == "" {
				g.Name = doc.Signers[i].Name
			}
			if doc.Signers[i] == g {
				return changed, nil
			}
			doc.Signers[i] = g
		case len(doc.Signers) >= MaxStoreSigners:
			return false, fmt.Errorf("permissions: store %s: full (%d signers); revoke some", s.path, MaxStoreSigners)
		default:
			doc.Signers = slices.Insert(doc.Signers, i, g)
		}
		return true, nil
	})
	if err != nil {
		return 0, err
	}
	return removed, nil
}

// RevokeSigner removes the store user's trust or distrust of the signer
// whose key is spki, and reports whether there was one.
func (s *Store) RevokeSigner(spki string) (bool, error) {
	spki = strings.ToLower(spki)
	if !IsSPKI(spki) {
		return false, fmt.Errorf("permissions: store: signer %q: want 64 hex digits (the SHA-256 of a SubjectPublicKeyInfo)", spki)
	}
	found := false
	err := s.locked(true, func(doc *storeDoc) (bool, error) {
		i, ok := doc.signer(s.user, spki)
		if ok {
			doc.Signers, found = slices.Delete(doc.Signers, i, i+1), true
		}
		return ok, nil
	})
	return found, err
}

// signer finds the signer entry of user and spki: its index, or where it
// would go.
func (doc *storeDoc) signer(user, spki string) (int, bool) {
	return slices.BinarySearchFunc(doc.Signers, Signer{User: user, SPKI: spki}, compareSigners)
}

// compareSigners orders signers by user, then SPKI.
func compareSigners(a, b Signer) int {
	if c := strings.Compare(a.User, b.User); c != 0 {
		return c
	}
	return strings.Compare(a.SPKI, b.SPKI)
}

// locked runs fn on the store's contents under the lock; where write is
// true and fn reports a change, the result replaces the file.
func (s *Store) locked(write bool, fn func(*storeDoc) (changed bool, err error)) error {
	// Most users never answer a prompt: a read of a store that does not
	// exist needs no lock (a writer creates the file whole, by rename).
	if _, err := os.Stat(s.path); !write && errors.Is(err, fs.ErrNotExist) {
		_, err := fn(&storeDoc{Version: storeVersion})
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
	doc.Version = storeVersion
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
		return &storeDoc{Version: storeVersion}, nil
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("permissions: store %s is damaged (fix or remove it): larger than %d bytes", s.path, MaxStoreSize)
	case err != nil:
		return nil, fmt.Errorf("permissions: store: %w", err)
	}
	doc, err := parseStore(data, s.user)
	if err != nil {
		return nil, fmt.Errorf("permissions: store %s is damaged (fix or remove it): %w", s.path, err)
	}
	return doc, nil
}

// parseStore parses the contents of a store file, which read has bounded
// to MaxStoreSize; the answers of a version-1 file become user's (see
// storeDoc).
func parseStore(data []byte, user string) (*storeDoc, error) {
	var doc storeDoc
	switch v, err := storeFileVersion(data); {
	case err != nil:
		return nil, err
	case v == 1:
		var old struct {
			Version int `json:"version"`
			Choices []struct {
				URL        string  `json:"url"`
				Permission string  `json:"permission"`
				Decision   Verdict `json:"decision"`
			} `json:"choices"`
		}
		if err := strictjson.Unmarshal(data, &old, true); err != nil {
			return nil, err
		}
		none := ConstraintsSHA256(nil)
		doc.Choices = make([]Choice, len(old.Choices))
		for i, c := range old.Choices {
			doc.Choices[i] = Choice{User: user, URL: c.URL, Permission: c.Permission, ConstraintsSHA256: none, Decision: c.Decision}
		}
	case v == 2 || v == storeVersion:
		if err := strictjson.Unmarshal(data, &doc, true); err != nil {
			return nil, err
		}
		if v == 2 && (len(doc.Signers) > 0 || slices.ContainsFunc(doc.Choices, func(c Choice) bool { return c.SignerSPKI != "" })) {
			return nil, errors.New("version 2 has no signers and no signerSpki")
		}
	default:
		return nil, fmt.Errorf("version %d, want %d (or 2 or 1)", v, storeVersion)
	}
	doc.Version = storeVersion
	if len(doc.Choices) > MaxStoreChoices {
		return nil, fmt.Errorf("more than %d answers", MaxStoreChoices)
	}
	for i, c := range doc.Choices {
		switch {
		case c.URL == "":
			return nil, fmt.Errorf("choices[%d]: empty url", i)
		case c.Permission == "":
			return nil, fmt.Errorf("choices[%d]: empty permission", i)
		case !isSHA256Hex(c.ConstraintsSHA256):
			return nil, fmt.Errorf("choices[%d]: constraintsSha256 %q, want 64 lower-case hex digits", i, c.ConstraintsSHA256)
		case c.Decision == Prompt:
			return nil, fmt.Errorf("choices[%d]: decision %q, want granted or denied", i, c.Decision)
		case c.SignerSPKI != "" && !IsSPKI(c.SignerSPKI):
			return nil, fmt.Errorf("choices[%d]: signerSpki %q, want 64 lower-case hex digits", i, c.SignerSPKI)
		case i > 0 && !less(doc.Choices[i-1], c):
			return nil, fmt.Errorf("choices[%d]: out of order or repeated", i)
		}
	}
	if len(doc.Signers) > MaxStoreSigners {
		return nil, fmt.Errorf("more than %d signers", MaxStoreSigners)
	}
	for i, g := range doc.Signers {
		switch {
		case !IsSPKI(g.SPKI):
			return nil, fmt.Errorf("signers[%d]: spki %q, want 64 lower-case hex digits", i, g.SPKI)
		case len(g.Name) > MaxSignerName:
			return nil, fmt.Errorf("signers[%d]: name longer than %d bytes", i, MaxSignerName)
		case i > 0 && compareSigners(doc.Signers[i-1], g) >= 0:
			return nil, fmt.Errorf("signers[%d]: out of order or repeated", i)
		}
	}
	return &doc, nil
}

// storeFileVersion reads the version of a store file, before the rest of
// it, whose form depends on it.
func storeFileVersion(data []byte) (int, error) {
	top, err := strictjson.Object(data)
	if err != nil {
		return 0, err
	}
	for _, m := range top {
		if m.Name == "version" {
			var v int
			if err := json.Unmarshal(m.Value, &v); err != nil {
				return 0, fmt.Errorf("version: want a number: %w", err)
			}
			return v, nil
		}
	}
	return 0, errors.New("no version")
}

// IsSPKI reports whether s is a signer's key as a store, a decision and
// the command line name it: the hex SHA-256 of a SubjectPublicKeyInfo, 64
// lower-case hex digits.
func IsSPKI(s string) bool { return isSHA256Hex(s) }

// isSHA256Hex reports whether s is 64 lower-case hex digits.
func isSHA256Hex(s string) bool {
	if len(s) != hex.EncodedLen(sha256.Size) {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// less orders choices by user, URL, permission, then constraints.
func less(a, b Choice) bool {
	switch {
	case a.User != b.User:
		return a.User < b.User
	case a.URL != b.URL:
		return a.URL < b.URL
	case a.Permission != b.Permission:
		return a.Permission < b.Permission
	}
	return a.ConstraintsSHA256 < b.ConstraintsSHA256
}
