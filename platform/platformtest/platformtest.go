// Package platformtest is the test kit of rvm's packages: temporary
// directories that Wine can clean up, and one way for a test binary to run
// itself as a child process (another process, another user, a stand-in
// runtime). Only tests import it.
package platformtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TempDir is t.TempDir for tests that also run under Wine, whose files
// Go 1.26's os.RemoveAll cannot delete ("Invalid function": Wine lacks
// FileDispositionInformationEx): it removes the directory bottom-up with
// os.Remove, which uses DeleteFileW and RemoveDirectoryW.
func TempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rvm-test-")
	Must(t, err)
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
			paths = append(paths, path)
			return nil
		})
		for _, p := range slices.Backward(paths) {
			if err := os.Remove(p); err != nil {
				t.Errorf("cleaning up: %v", err)
			}
		}
	})
	return dir
}

// Must ends the test when err is not nil.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
