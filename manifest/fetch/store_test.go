package fetch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// clock is a settable clock for a Store.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// folderBytes is what the files in dir take.
func folderBytes(t *testing.T, dir string) (total int64, files int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range entries {
		fi, err := de.Info()
		if err != nil {
			t.Fatal(err)
		}
		total += fi.Size()
		files++
	}
	return total, files
}

func entry(key string, size int) *Entry {
	return &Entry{Key: key, FinalURL: "https://apps.acme.test/" + key, Body: bytes.Repeat([]byte("x"), size)}
}

// 300 different documents of 1 MiB (as 300 requests for different
// manifests bring) stay within the default bound of 256 MiB; the oldest
// go out first.
func TestStoreDefaultBound(t *testing.T) {
	dir := t.TempDir()
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := &Store{Dir: dir, Now: c.now}
	for i := range 300 {
		c.t = c.t.Add(time.Second)
		if err := s.Save(entry(fmt.Sprint(i), MaxStoredBody)); err != nil {
			t.Fatal(err)
		}
	}
	if total, files := folderBytes(t, dir); total > DefaultMaxBytes || files == 0 {
		t.Errorf("got %d MiB in %d files after 300 saves of 1 MiB, want at most %d MiB", total>>20, files, DefaultMaxBytes>>20)
	}
	if _, err := s.Load("299"); err != nil {
		t.Errorf("the last document saved: got %v, want it kept", err)
	}
	if _, err := s.Load("0"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the first document saved: got %v, want it gone", err)
	}
}

func TestStoreEvictsLeastRecentlyUsed(t *testing.T) {
	for _, tt := range []struct {
		name     string
		loadA    time.Duration // after a was saved, when it is loaded again
		wantGone string
	}{
		{name: "loaded-copy-stays", loadA: 5 * time.Minute, wantGone: "b"},
		{name: "copy-loaded-within-a-minute-not-marked", loadA: 30 * time.Second, wantGone: "a"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			c := &clock{start}
			one, err := json.Marshal(entry("a", 10<<10))
			if err != nil {
				t.Fatal(err)
			}
			// Room for three documents, not four.
			s := &Store{Dir: dir, MaxBytes: int64(len(one))*3 + 100, Now: c.now}
			for i, key := range []string{"a", "b", "c"} {
				c.t = start.Add(time.Duration(i) * 20 * time.Second)
				if err := s.Save(entry(key, 10<<10)); err != nil {
					t.Fatal(err)
				}
			}
			c.t = start.Add(tt.loadA)
			if _, err := s.Load("a"); err != nil {
				t.Fatal(err)
			}
			c.t = start.Add(10 * time.Minute)
			if err := s.Save(entry("d", 10<<10)); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"a", "b", "c", "d"} {
				_, err := s.Load(key)
				if gone := errors.Is(err, os.ErrNotExist); gone != (key == tt.wantGone) {
					t.Errorf("%s: got %v, want only %s gone", key, err, tt.wantGone)
				}
			}
		})
	}
}

// What another process (another Store on the folder) stored counts too,
// once a minute has passed since the last count.
func TestStoreCountsOtherProcessesFiles(t *testing.T) {
	dir := t.TempDir()
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	mine := &Store{Dir: dir, MaxBytes: 1 << 20, Now: c.now}
	theirs := &Store{Dir: dir, MaxBytes: 1 << 20, Now: c.now}
	for i := range 100 {
		c.t = c.t.Add(2 * time.Second)
		s := mine
		if i%2 == 1 {
			s = theirs
		}
		if err := s.Save(entry(fmt.Sprint(i), 60<<10)); err != nil {
			t.Fatal(err)
		}
	}
	// Each may have stored a minute's worth before counting the other's.
	if total, _ := folderBytes(t, dir); total > 2<<20 {
		t.Errorf("got %d bytes after 100 saves of 60 KiB by two processes, want at most 2 MiB", total)
	}
	c.t = c.t.Add(2 * time.Minute)
	if err := mine.Save(entry("last", 60<<10)); err != nil {
		t.Fatal(err)
	}
	if total, _ := folderBytes(t, dir); total > 1<<20 {
		t.Errorf("got %d bytes after a save a minute later, want at most 1 MiB", total)
	}
}

// TestStoreWalk: Walk passes each entry of a kind (a key prefix) once,
// whole, and passes over the other kinds, damaged files, a file that
// holds another key than its name stands for, and temporary files.
func TestStoreWalk(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Dir: dir}
	for _, key := range []string{"manifest\x00a", "manifest\x00b", "owner\x00c"} {
		if err := s.Save(entry(key, 10)); err != nil {
			t.Fatal(err)
		}
	}
	// A damaged entry, an entry under another key's name, and a save in
	// progress.
	if err := os.WriteFile(s.path("manifest\x00damaged"), []byte(`{"key": "manifest`), 0o600); err != nil {
		t.Fatal(err)
	}
	moved, err := os.ReadFile(s.path("manifest\x00a"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path("manifest\x00elsewhere"), moved, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/.tmp-123", moved, 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := s.Walk("manifest\x00", func(e *Entry) bool {
		if len(e.Body) != 10 || e.FinalURL != "https://apps.acme.test/"+e.Key {
			t.Errorf("entry %q: got body of %d bytes and final URL %q, want it whole", e.Key, len(e.Body), e.FinalURL)
		}
		got = append(got, e.Key)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if want := []string{"manifest\x00a", "manifest\x00b"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	n := 0
	s.Walk("", func(*Entry) bool { n++; return false })
	if n != 1 {
		t.Errorf("fn returned false: got %d calls, want 1", n)
	}
	for _, empty := range []*Store{nil, {}, {Dir: dir + "/none"}} {
		if err := empty.Walk("", func(*Entry) bool { t.Error("an entry in a store that holds none"); return true }); err != nil {
			t.Errorf("got %v, want no entries and no error", err)
		}
	}
}

// TestJitter: a data directory's fraction for a kind is in [0, 1), the
// same for every Store of that folder, different for another kind and for
// another folder; a damaged seed is made anew.
func TestJitter(t *testing.T) {
	dir := t.TempDir()
	a := (&Store{Dir: dir}).Jitter("repo")
	if a < 0 || a >= 1 {
		t.Fatalf("got %v, want a fraction in [0, 1)", a)
	}
	if again := (&Store{Dir: dir}).Jitter("repo"); again != a {
		t.Fatalf("got %v from a second Store of the folder, want %v", again, a)
	}
	if other := (&Store{Dir: dir}).Jitter("crl"); other == a {
		t.Fatalf("got %v for another kind, want another fraction", other)
	}
	if other := (&Store{Dir: t.TempDir()}).Jitter("repo"); other == a {
		t.Fatalf("got %v for another folder, want another fraction", other)
	}
	if err := os.WriteFile(filepath.Join(dir, seedFile), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	remade := (&Store{Dir: dir}).Jitter("repo")
	if seed, err := os.ReadFile(filepath.Join(dir, seedFile)); err != nil || len(seed) != seedSize {
		t.Fatalf("got a seed of %d bytes (%v), want one of %d made anew", len(seed), err, seedSize)
	}
	if again := (&Store{Dir: dir}).Jitter("repo"); again != remade {
		t.Fatalf("got %v after the seed was made anew, want %v", again, remade)
	}
	if got := (&Store{}).Jitter("repo"); got != 0 {
		t.Fatalf("got %v from a Store without a folder, want 0", got)
	}
}
