package fetch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
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
