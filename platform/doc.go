// Package platform holds everything in rvm that differs from one operating
// system to another: where the data directory is, where machine settings
// live (the Windows registry, macOS property lists, Linux JSON files), the
// service manager, native dialogs, peer credentials on the local socket and
// how a runtime is started detached.
//
// Each capability has one door: an exported, documented function in a
// neutral file that calls a lower-case function in a file for the operating
// system (x_windows.go, x_darwin.go, x_linux.go, x_other.go). No code
// outside this package looks at runtime.GOOS.
package platform
