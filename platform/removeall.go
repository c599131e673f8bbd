package platform

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// RemoveAll removes path and everything below it, as os.RemoveAll does;
// a path that does not exist is no error. On Windows it removes entry by
// entry, deepest first, with os.Remove (DeleteFileW, RemoveDirectoryW):
// Go's os.RemoveAll there deletes with POSIX semantics
// (FileDispositionInformationEx), which FAT and exFAT volumes, many SMB
// shares and Wine refuse ("Invalid function"), and a runtime directory
// may be on any of them. Links are removed, never followed.
func RemoveAll(path string) error {
	if !removeEntryByEntry {
		return os.RemoveAll(path)
	}
	var paths []string
	err := filepath.WalkDir(path, func(p string, _ fs.DirEntry, err error) error {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err == nil {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range slices.Backward(paths) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
