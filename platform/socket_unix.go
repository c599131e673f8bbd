//go:build !windows

package platform

import "os"

func secureSocket(path string, private bool) error {
	mode := os.FileMode(0o666)
	if private {
		mode = 0o600
	}
	return os.Chmod(path, mode)
}
