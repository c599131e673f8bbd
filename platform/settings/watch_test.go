package settings

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// waitChange waits for a report on changed, for at most ten seconds: the
// watcher runs on its own time, and a slow machine is not a failure.
func waitChange(t *testing.T, changed <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatalf("no change reported after %s", what)
	}
}

func TestWatchSettingsFile(t *testing.T) {
	dir := platformtest.TempDir(t)
	path := filepath.Join(dir, "settings.json")
	other := filepath.Join(dir, "unrelated.json")
	changed := make(chan struct{}, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	platformtest.Must(t, Watch(ctx, path, os.Getenv, nil, func() { changed <- struct{}{} }))

	// A file created where none was, then replaced by rename as editors save.
	platformtest.Must(t, os.WriteFile(path, []byte(`{}`), 0o644))
	waitChange(t, changed, "creating the file")
	platformtest.Must(t, os.WriteFile(path+".new", []byte(`{"RevocationMode": "off"}`), 0o644))
	platformtest.Must(t, os.Rename(path+".new", path))
	waitChange(t, changed, "replacing the file by rename")

	// Another file in the same folder is not a change.
	platformtest.Must(t, os.WriteFile(other, []byte(`{}`), 0o644))
	select {
	case <-changed:
		t.Fatal("a change was reported for an unrelated file")
	case <-time.After(4 * SettingsDebounce):
	}
}

// contents is a reader of files for a Watch's onChange: each call sends
// what the files hold now, joined by "|" ("-" for a missing one).
func contents(paths ...func() string) (onChange func(), seen chan string) {
	seen = make(chan string, 64)
	return func() {
		var parts []string
		for _, p := range paths {
			data, err := os.ReadFile(p())
			if err != nil {
				data = []byte("-")
			}
			parts = append(parts, string(data))
		}
		select {
		case seen <- strings.Join(parts, "|"):
		default:
		}
	}, seen
}

// waitSeen waits, for at most ten seconds, until a change reports want.
func waitSeen(t *testing.T, seen <-chan string, what, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	var got []string
	for {
		select {
		case s := <-seen:
			if s == want {
				return
			}
			got = append(got, s)
		case <-deadline:
			t.Fatalf("after %s: got changes %q, want one that sees %q", what, got, want)
		}
	}
}

// write makes path's folders and writes js to it.
func write(t *testing.T, path, js string) {
	t.Helper()
	platformtest.Must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	platformtest.Must(t, os.WriteFile(path, []byte(js), 0o644))
}

// A settings file whose folder is made after the watch began is seen,
// and so is one whose folder is removed and made again.
func TestWatchFolderMadeLater(t *testing.T) {
	dir := platformtest.TempDir(t)
	path := filepath.Join(dir, "config", "rvm", "settings.json")
	onChange, seen := contents(func() string { return path })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	platformtest.Must(t, Watch(ctx, path, os.Getenv, nil, onChange))

	write(t, path, `{"RevocationMode": "off"}`)
	waitSeen(t, seen, "making the folders and the file", `{"RevocationMode": "off"}`)
	// One by one: Wine's files defeat os.RemoveAll (see platformtest.TempDir).
	platformtest.Must(t, os.Remove(path))
	platformtest.Must(t, os.Remove(filepath.Dir(path)))
	waitSeen(t, seen, "removing the file's folder", "-")
	write(t, path, `{"RevocationMode": "online"}`)
	waitSeen(t, seen, "making them again", `{"RevocationMode": "online"}`)
	write(t, path, `{"RevocationMode": "cached"}`)
	waitSeen(t, seen, "writing the file again", `{"RevocationMode": "cached"}`)
}

// The files that extra names are asked for again after each change: when
// the settings name another desktop owner settings file, in a folder
// made later, its changes are seen.
func TestWatchExtraRechosen(t *testing.T) {
	dir := platformtest.TempDir(t)
	path := filepath.Join(dir, "settings.json")
	dos1 := filepath.Join(dir, "one", "dos.json")
	dos2 := filepath.Join(dir, "two", "later", "dos.json")
	write(t, path, dos1)
	write(t, dos1, "1")
	dos := func() string {
		data, _ := os.ReadFile(path)
		return string(data)
	}
	onChange, seen := contents(dos)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	platformtest.Must(t, Watch(ctx, path, os.Getenv, func() []string { return []string{dos()} }, onChange))

	write(t, dos1, "1 changed")
	waitSeen(t, seen, "changing the first file", "1 changed")
	write(t, path, dos2)
	waitSeen(t, seen, "naming a second file, not there yet", "-")
	write(t, dos2, "2")
	waitSeen(t, seen, "making the second file and its folders", "2")
	write(t, dos2, "2 changed")
	waitSeen(t, seen, "changing the second file", "2 changed")
}
