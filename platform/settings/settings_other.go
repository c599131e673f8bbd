//go:build !linux && !windows && !darwin

package settings

// platformSources: SPEC section 4 names no sources for this system; only
// the file named for a call (--machine-settings, RVM_MACHINE_SETTINGS) is
// read.
func platformSources(getenv func(string) string) Sources { return Sources{} }
