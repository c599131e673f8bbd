//go:build !windows

package platform

import "os"

func chmodSocket(path string, mode os.FileMode) error { return os.Chmod(path, mode) }
