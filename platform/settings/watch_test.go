package settings

import (
	"context"
	"os"
	"path/filepath"
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
