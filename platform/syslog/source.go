package syslog

// RegisterSource registers name as a source of the Windows Event Log, as
// rvm's msi does: the key
// HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\<name> with
// EventMessageFile %SystemRoot%\System32\EventCreate.exe (REG_EXPAND_SZ),
// TypesSupported 7 (error, warning, information) and CustomSource 1, the
// values golang.org/x/sys/windows/svc/eventlog's InstallAsEventCreate
// writes. A source registered before is written anew. It needs an
// administrator. Elsewhere there is nothing to register, and it does
// nothing.
func RegisterSource(name string) error { return registerSource(name) }

// UnregisterSource removes what RegisterSource made; a source that is not
// registered is no error.
func UnregisterSource(name string) error { return unregisterSource(name) }
