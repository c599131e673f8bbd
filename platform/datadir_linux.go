package platform

import "path/filepath"

func userDataDir(getenv func(string) string) (string, error) {
	if x := getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "rvm"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "rvm"), nil
	}
	return "", nil
}

func systemDataDir() string { return "/var/lib/rvm" }
