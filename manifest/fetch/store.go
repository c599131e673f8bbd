package fetch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rvm-launcher/rvm/platform"
)

// Store keeps fetched documents on disk, one file per key, with the
// validators of the response that brought them: the one disk cache of rvm
// (manifests, desktop owner settings, CRLs). A later fetch sends the
// validators back so that an unchanged document costs its server a 304, and
// a failed one can fall back on the stored copy. Files are written
// atomically (temporary file, sync, rename) and read within a bound; a file
// that is damaged, or that holds another key, counts as absent.
//
// The zero Store, or one with an empty Dir, stores nothing.
type Store struct {
	// Dir holds the files; "" stores nothing.
	Dir string
}

// Entry is one stored document.
type Entry struct {
	// Key identifies the document; callers put in it everything that
	// must not be confused (the kind, the URL, the per-call inputs).
	Key string `json:"key"`
	// FinalURL is the URL after redirects.
	FinalURL string `json:"finalUrl,omitempty"`
	// Redirects is how many redirects the fetch followed.
	Redirects int `json:"redirects,omitempty"`
	// Validators are the response's, to send next time.
	Validators Validators `json:"validators"`
	// FetchedAt is when this content was first stored.
	FetchedAt time.Time `json:"fetchedAt"`
	// CheckedAt, set by Load, is when a fetch last brought this content:
	// the FetchedAt of the last Save of it (kept as the file's
	// modification time, so that an unchanged entry is not rewritten).
	CheckedAt time.Time `json:"-"`
	// Body is the document.
	Body []byte `json:"body"`
}

// MaxStoredBody bounds the body of one entry; the envelope (base64 and the
// fields around it) is bounded accordingly.
const MaxStoredBody = 1 << 20

// maxEntryFile bounds an entry's file: base64 of MaxStoredBody and its
// envelope.
const maxEntryFile = MaxStoredBody/3*4 + 64<<10

func (s *Store) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(s.Dir, hex.EncodeToString(sum[:])+".json")
}

// Load returns the entry stored for key; an error wrapping os.ErrNotExist
// when there is none (or the file is damaged or holds another key).
func (s *Store) Load(key string) (*Entry, error) {
	if s == nil || s.Dir == "" {
		return nil, os.ErrNotExist
	}
	path := s.path(key)
	data, err := platform.ReadFileLimit(path, maxEntryFile)
	if err != nil {
		return nil, err
	}
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil || e.Key != key {
		return nil, fmt.Errorf("fetch: stored copy of %q is damaged or another's: %w", key, os.ErrNotExist)
	}
	e.CheckedAt = e.FetchedAt
	if info, err := os.Stat(path); err == nil && info.ModTime().After(e.CheckedAt) {
		e.CheckedAt = info.ModTime()
	}
	return &e, nil
}

// Save stores e under e.Key. An entry that says the same as the stored one
// (body, final URL, redirects, validators) is left as it is but for its
// file's modification time, set to e.FetchedAt (see CheckedAt): most
// fetches bring back an unchanged document, and rewriting it costs two
// fsyncs; the stored FetchedAt then says when that content was first
// stored.
func (s *Store) Save(e *Entry) error {
	if s == nil || s.Dir == "" {
		return nil
	}
	if len(e.Body) > MaxStoredBody {
		return fmt.Errorf("fetch: store %q: body of %d bytes is more than the %d stored", e.Key, len(e.Body), MaxStoredBody)
	}
	path := s.path(e.Key)
	if old, err := s.Load(e.Key); err == nil && old.FinalURL == e.FinalURL && old.Redirects == e.Redirects &&
		old.Validators == e.Validators && bytes.Equal(old.Body, e.Body) {
		return os.Chtimes(path, time.Time{}, e.FetchedAt)
	}
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := platform.WriteFileAtomic(path, data, 0o600); err != nil {
		return err
	}
	return os.Chtimes(path, time.Time{}, e.FetchedAt)
}
