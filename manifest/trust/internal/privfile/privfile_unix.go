//go:build !windows

package privfile

import (
	"fmt"
	"os"
)

// notPrivate says why fi is not private to its owner, or "".
func notPrivate(fi os.FileInfo) string {
	if fi.Mode().Perm() != 0o600 {
		return fmt.Sprintf("got mode %v, want 0600", fi.Mode().Perm())
	}
	return ""
}
