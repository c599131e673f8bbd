package platform

import (
	"fmt"
	"os"
	"path/filepath"
)

// FileLock is an exclusive lock on a file, held from LockFile until Unlock
// or until the process ends, however it ends. It is advisory: it excludes
// only those who take the same lock.
type FileLock struct {
	f *os.File
}

// LockFile takes the exclusive lock on the file at path, creating it
// (0600, and its directory 0700) when missing, and waits until no other
// process or FileLock holds it. The lock file is never removed: lock a
// file beside the data that you replace by renaming, not the data itself.
func LockFile(path string) (*FileLock, error) {
	if err := EnsureDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("platform: lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("platform: lock %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("platform: lock %s: %w", path, err)
	}
	return &FileLock{f: f}, nil
}

// Unlock releases the lock.
func (l *FileLock) Unlock() error {
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("platform: unlock %s: %w", l.f.Name(), err)
	}
	return nil
}
