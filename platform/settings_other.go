//go:build !linux

package platform

// machineSettingsSources: the registry (Windows) and property lists (macOS)
// come with the settings issue; until then only the override file is read.
func machineSettingsSources(getenv func(string) string) []SettingsSource { return nil }
