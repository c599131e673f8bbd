package platform

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// DataDir reports rvm's data directory: RVM_HOME when it is set, otherwise
// the per-user location of the platform (%LOCALAPPDATA%\RVM on Windows,
// ~/Library/Application Support/RVM on macOS, $XDG_DATA_HOME/rvm on Linux,
// ~/.local/share/rvm when XDG_DATA_HOME is unset). getenv is os.Getenv in
// production and a map in tests.
func DataDir(getenv func(string) string) (string, error) {
	if home := getenv("RVM_HOME"); home != "" {
		abs, err := filepath.Abs(home)
		if err != nil {
			return "", fmt.Errorf("platform: RVM_HOME %q: %w", home, err)
		}
		return abs, nil
	}
	dir, err := userDataDir(getenv)
	if err != nil {
		return "", err
	}
	if dir == "" {
		return "", errors.New("platform: no data directory: set RVM_HOME")
	}
	return dir, nil
}

// EnsureDir creates dir (and its parents) with mode 0700 when it is missing.
func EnsureDir(dir string) error {
	return os.MkdirAll(dir, 0o700)
}

// SystemDataDir reports the data directory of a system-wide service:
// /var/lib/rvm on Linux, %ProgramData%\RVM on Windows and
// /Library/Application Support/RVM on macOS.
func SystemDataDir() string { return systemDataDir() }
