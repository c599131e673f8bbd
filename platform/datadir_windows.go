package platform

import (
	"os"
	"path/filepath"
)

func userDataDir(getenv func(string) string) (string, error) {
	if d := getenv("LOCALAPPDATA"); d != "" {
		return filepath.Join(d, "RVM"), nil
	}
	return "", nil
}

func systemDataDir() string {
	if d := os.Getenv("ProgramData"); d != "" {
		return filepath.Join(d, "RVM")
	}
	return `C:\ProgramData\RVM`
}
