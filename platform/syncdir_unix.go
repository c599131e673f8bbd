//go:build !windows

package platform

import "os"

// syncDir makes a rename in dir durable. A failure only weakens durability
// after a power cut, never correctness, so it is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
