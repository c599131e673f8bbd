//go:build !linux && !darwin && !windows

package platform

import "path/filepath"

func userDataDir(getenv func(string) string) (string, error) {
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".rvm"), nil
	}
	return "", nil
}

func systemDataDir() string { return "/var/lib/rvm" }
