//go:build !windows

package trust

import (
	"os"
	"testing"
)

// checkPrivate checks that only the owner may read path. (Windows has no
// such mode bits: ACLs there are the platform's to set.)
func checkPrivate(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: got mode %v, want 0600", path, fi.Mode().Perm())
	}
}
