//go:build !windows

package settings

import "context"

// settingsFiles lists the files of the machine settings sources.
func settingsFiles(getenv func(string) string) []string {
	var out []string
	for _, s := range machineSettingsSources(getenv) {
		out = append(out, s.Name)
	}
	return out
}

// watchRegistry is Windows only: elsewhere settings live in files.
func watchRegistry(ctx context.Context, onChange func()) error { return nil }
