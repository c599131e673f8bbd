package syslog

import (
	"crypto/rand"
	"errors"
	"testing"

	"golang.org/x/sys/windows/registry"
)

func TestEventSource(t *testing.T) {
	name := "rvm-test-" + rand.Text()
	path := sourcesKey + `\` + name
	t.Cleanup(func() { UnregisterSource(name) })
	for range 2 { // a second registration writes the source anew
		if err := RegisterSource(name); err != nil {
			t.Fatal(err)
		}
	}
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE)
	if err != nil {
		t.Fatalf(`HKLM\%s: %v`, path, err)
	}
	file, typ, err := k.GetStringValue("EventMessageFile")
	if err != nil || typ != registry.EXPAND_SZ || file != `%SystemRoot%\System32\EventCreate.exe` {
		t.Errorf("EventMessageFile: got %q of type %d (%v), want EventCreate.exe as REG_EXPAND_SZ", file, typ, err)
	}
	for value, want := range map[string]uint64{"TypesSupported": 7, "CustomSource": 1} {
		if got, typ, err := k.GetIntegerValue(value); err != nil || typ != registry.DWORD || got != want {
			t.Errorf("%s: got %d of type %d (%v), want REG_DWORD %d", value, got, typ, err, want)
		}
	}
	k.Close()
	for range 2 { // what is gone already is no error
		if err := UnregisterSource(name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE); !errors.Is(err, registry.ErrNotExist) {
		t.Errorf(`HKLM\%s after UnregisterSource: got %v, want it gone`, path, err)
	}
	for _, bad := range []string{"", `rvm\..\Security`} {
		if err := RegisterSource(bad); err == nil {
			t.Errorf("RegisterSource(%q): got no error, want one", bad)
		}
	}
}

// TestEventLog writes eventLogEvents to the Event Log, source rvm. Under
// Wine, whose ReportEvent keeps nothing, TestEventLogUnderWine reads them
// from Wine's debug channel.
func TestEventLog(t *testing.T) {
	l, err := Open(Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range eventLogEvents {
		if err := l.Event(e.level, e.message, e.fields); err != nil {
			t.Errorf("%s: %v", e.message, err)
		}
	}
	if err := l.Close(); err != nil {
		t.Error(err)
	}
}
