package platform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// TestRemoveAll removes a tree with files, folders, a read-only file and
// a link to a folder outside it, which stays; a path that is not there is
// no error.
func TestRemoveAll(t *testing.T) {
	base := platformtest.TempDir(t)
	outside := filepath.Join(base, "outside")
	platformtest.Must(t, os.MkdirAll(outside, 0o755))
	platformtest.Must(t, os.WriteFile(filepath.Join(outside, "kept"), nil, 0o644))
	tree := filepath.Join(base, "tree")
	platformtest.Must(t, os.MkdirAll(filepath.Join(tree, "a", "b"), 0o755))
	platformtest.Must(t, os.WriteFile(filepath.Join(tree, "a", "b", "c"), []byte("x"), 0o644))
	platformtest.Must(t, os.WriteFile(filepath.Join(tree, "a", "ro"), []byte("x"), 0o444))
	os.Symlink(outside, filepath.Join(tree, "link")) // where links can be made
	platformtest.Must(t, RemoveAll(tree))
	if _, err := os.Lstat(tree); !os.IsNotExist(err) {
		t.Errorf("the tree is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "kept")); err != nil {
		t.Errorf("a link's target was removed: %v", err)
	}
	platformtest.Must(t, RemoveAll(tree))
}
