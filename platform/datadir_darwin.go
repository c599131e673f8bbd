package platform

import "path/filepath"

func userDataDir(getenv func(string) string) (string, error) {
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, "Library", "Application Support", "RVM"), nil
	}
	return "", nil
}

func systemDataDir() string { return "/Library/Application Support/RVM" }
