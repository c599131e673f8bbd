package fetch

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
// The files in Dir are bounded by MaxBytes in all, the least recently used
// out first: a file's modification time says when it was last saved or
// loaded (a load moves it on at most once every TouchEvery, so that reads
// cost no write), and a save that takes the total over the bound removes
// the oldest files until it is under. The total is counted from the folder
// at the first save, whenever it may be over, and a minute (TouchEvery)
// after the last count, so that what other processes sharing Dir (the
// command line and the service) stored counts too.
//
// The zero Store, or one with an empty Dir, stores nothing. A Store is
// safe for concurrent use.
type Store struct {
	// Dir holds the files; "" stores nothing.
	Dir string
	// MaxBytes bounds the files in Dir; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu sync.Mutex
	// total is what the files in Dir take, as counted at countedAt (zero:
	// never) and kept up to date since by this Store's saves.
	total     int64
	countedAt time.Time
	seed      []byte // see Jitter; nil until read
}

// DefaultMaxBytes is the bound of a Store's files where MaxBytes is 0.
const DefaultMaxBytes = 256 << 20

// TouchEvery is how often, at most, a load marks a file as used.
const TouchEvery = time.Minute

// CheckEvery is how often, at most, a save of unchanged content rewrites
// its entry to move CheckedAt on: the maximum age of a cached manifest is
// counted in days, and a rewrite costs two fsyncs.
const CheckEvery = time.Hour

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
	// CheckedAt is when a fetch last brought this content (at most
	// CheckEvery late: an unchanged entry is rewritten only that often,
	// and only for a caller that sets it); a new entry without it gets
	// FetchedAt.
	CheckedAt time.Time `json:"checkedAt"`
	// RetryAt, where set, is when the server may be asked again: it
	// answered 429 or 503 with Retry-After (at most MaxRetryAfter later).
	RetryAt time.Time `json:"retryAt,omitzero"`
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
	e, err := s.read(s.path(key))
	if err != nil {
		return nil, err
	}
	if e == nil || e.Key != key {
		return nil, fmt.Errorf("fetch: stored copy of %q is damaged or another's: %w", key, os.ErrNotExist)
	}
	s.touch(s.path(key))
	return e, nil
}

// read reads the entry file at path: nil where it is damaged or holds
// an entry whose key is not the one its name stands for.
func (s *Store) read(path string) (*Entry, error) {
	data, err := platform.ReadFileLimit(path, maxEntryFile)
	if err != nil {
		return nil, err
	}
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil || s.path(e.Key) != path {
		return nil, nil
	}
	if e.CheckedAt.Before(e.FetchedAt) {
		e.CheckedAt = e.FetchedAt // an entry written before CheckedAt was kept
	}
	return &e, nil
}

// Walk calls fn with each stored entry whose key begins with prefix, in
// no particular order, until fn returns false: for tools that look over
// what is stored (rvm doctor). It does not mark the entries used, and
// passes over damaged files and files that hold no entry. A Store that
// stores nothing, or whose folder does not exist yet, holds none.
func (s *Store) Walk(prefix string, fn func(*Entry) bool) error {
	if s == nil || s.Dir == "" {
		return nil
	}
	files, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fetch: store %s: %w", s.Dir, err)
	}
	for _, de := range files {
		if !de.Type().IsRegular() || strings.HasPrefix(de.Name(), ".") {
			continue
		}
		e, err := s.read(filepath.Join(s.Dir, de.Name()))
		if err != nil || e == nil || !strings.HasPrefix(e.Key, prefix) {
			continue
		}
		if !fn(e) {
			return nil
		}
	}
	return nil
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// touch marks path as used now, where it was last marked more than
// TouchEvery ago.
func (s *Store) touch(path string) {
	now := s.now()
	if fi, err := os.Stat(path); err == nil && now.Sub(fi.ModTime()) > TouchEvery {
		os.Chtimes(path, now, now) // at worst the copy goes out a little early
	}
}

// Save stores e under e.Key. An entry that says the same as the stored one
// (body, final URL, redirects, validators, RetryAt) is left as it is, unless its
// CheckedAt is more than CheckEvery behind e's: most fetches bring back an
// unchanged document, and rewriting it costs two fsyncs. The stored
// FetchedAt then says when that content was first stored.
func (s *Store) Save(e *Entry) error {
	if s == nil || s.Dir == "" {
		return nil
	}
	if len(e.Body) > MaxStoredBody {
		return fmt.Errorf("fetch: store %q: body of %d bytes is more than the %d stored", e.Key, len(e.Body), MaxStoredBody)
	}
	if old, err := s.Load(e.Key); err == nil && old.FinalURL == e.FinalURL && old.Redirects == e.Redirects &&
		old.Validators == e.Validators && old.RetryAt.Equal(e.RetryAt) && bytes.Equal(old.Body, e.Body) {
		if e.CheckedAt.Sub(old.CheckedAt) < CheckEvery {
			return nil
		}
		keep := *e
		keep.FetchedAt = old.FetchedAt
		e = &keep
	} else if e.CheckedAt.IsZero() {
		keep := *e
		keep.CheckedAt = e.FetchedAt
		e = &keep
	}
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	path := s.path(e.Key)
	var replaced int64
	if fi, err := os.Stat(path); err == nil {
		replaced = fi.Size()
	}
	if err := platform.WriteFileAtomic(path, data, 0o600); err != nil {
		return err
	}
	now := s.now()
	os.Chtimes(path, now, now) // the clock's time, which Load compares with
	return s.evict(int64(len(data))-replaced, now)
}

// storedFile is a file of a Store's folder, for eviction.
type storedFile struct {
	path  string
	size  int64
	mtime time.Time
}

// evict counts grown more bytes into the total and, where the total may
// be over the bound (or was counted more than TouchEvery before now),
// counts the folder again and removes its least recently used files
// until it is not over. Temporary files (a save in progress) are left
// alone.
func (s *Store) evict(grown int64, now time.Time) error {
	max := s.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total += grown
	if !s.countedAt.IsZero() && now.Sub(s.countedAt) <= TouchEvery && s.total <= max {
		return nil
	}
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return fmt.Errorf("fetch: store %s: %w", s.Dir, err)
	}
	var files []storedFile
	s.total, s.countedAt = 0, now
	for _, de := range entries {
		if !de.Type().IsRegular() || strings.HasPrefix(de.Name(), ".") {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue // removed meanwhile
		}
		files = append(files, storedFile{filepath.Join(s.Dir, de.Name()), fi.Size(), fi.ModTime()})
		s.total += fi.Size()
	}
	if s.total <= max {
		return nil
	}
	slices.SortFunc(files, func(a, b storedFile) int { return a.mtime.Compare(b.mtime) })
	for _, f := range files {
		if s.total <= max {
			break
		}
		if err := os.Remove(f.path); err == nil || errors.Is(err, fs.ErrNotExist) {
			s.total -= f.size
		}
	}
	return nil
}

// seedFile holds a Store's random seed, made once: what Jitter derives a
// desktop's own fractions from.
const seedFile = ".seed"

// seedSize is the length of the seed.
const seedSize = 32

// Jitter returns this Store's own fraction in [0, 1) for kind, the same
// at every call and in every process that shares Dir, and unrelated
// between kinds and between data directories: it comes from a random
// seed made once and kept in Dir (a seed file of the wrong size is made
// anew). Refreshes spread by it keep a fleet of desktops from asking a
// server at the same moment. A Store that stores nothing has no seed and
// returns 0.
func (s *Store) Jitter(kind string) float64 {
	if s == nil || s.Dir == "" {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seed == nil {
		s.seed = s.loadSeed()
	}
	sum := sha256.Sum256(append(append([]byte("rvm-jitter\x00"), s.seed...), kind...))
	return float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
}

// loadSeed reads the seed file, making it where it is absent or not a
// seed; where it cannot be kept, the seed lives as long as the Store.
func (s *Store) loadSeed() []byte {
	p := filepath.Join(s.Dir, seedFile)
	if seed, err := platform.ReadFileLimit(p, seedSize); err == nil && len(seed) == seedSize {
		return seed
	}
	seed := make([]byte, seedSize)
	rand.Read(seed)
	if err := platform.EnsureDir(s.Dir); err == nil {
		platform.WriteFileAtomic(p, seed, 0o600) // else the next process makes its own
	}
	return seed
}
