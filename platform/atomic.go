package platform

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFileAtomic replaces path with data so that a reader, or a crash at
// any moment, sees either the old file whole or the new one whole: the data
// goes to a temporary file in the same directory, is synced, gets perm, and
// is renamed over path. The directory is created (0700) when missing.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	if err := EnsureDir(dir); err != nil {
		return fmt.Errorf("platform: write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("platform: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("platform: write %s: %w", path, err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("platform: write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("platform: write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("platform: write %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("platform: write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}
