// Package platform holds the small doors of rvm through which what differs
// from one operating system to another is reached: the data directory, the
// platform's name for signatures, the system's TLS roots, files (atomic
// writes, bounded reads, locks, file:// URLs), the local socket and the
// credentials of its peer, the fins:// and fin:// URL schemes, and
// starting a runtime detached.
//
// Each capability has one door: an exported, documented function in a
// neutral file that calls a lower-case function in a file for the operating
// system (x_windows.go, x_darwin.go, x_linux.go, x_other.go). The larger
// capabilities have sub-packages: settings (the machine settings and their
// sources), prompt (native dialogs), service (the service manager),
// syslog (the system's log: journal, syslog, Event Log), strictjson (the
// one strict JSON reader) and platformtest (the test kit).
// No code outside platform/ looks at runtime.GOOS or imports
// github.com/kardianos/service; the layering test at the module's root
// checks it.
package platform
