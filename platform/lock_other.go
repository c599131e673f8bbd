//go:build !unix && !windows

package platform

import (
	"errors"
	"os"
)

// lockFile: this system has no file locks that rvm knows how to take.
func lockFile(f *os.File) error { return errors.ErrUnsupported }

func unlockFile(f *os.File) error { return errors.ErrUnsupported }
