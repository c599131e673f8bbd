//go:build unix

package platform

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes an flock(2) lock, which the kernel drops when the process
// dies.
func lockFile(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			return err
		}
	}
}

func unlockFile(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}
