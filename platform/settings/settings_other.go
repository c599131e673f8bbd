//go:build !linux && !windows && !darwin

package settings

// machineSettingsSources: SPEC section 4 names no sources for this system;
// only the override file (--machine-settings, RVM_MACHINE_SETTINGS) is read.
func machineSettingsSources(getenv func(string) string) []Source { return nil }
