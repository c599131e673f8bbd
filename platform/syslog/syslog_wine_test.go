//go:build linux

package syslog

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// TestEventLogUnderWine runs TestEventLog, this package's Windows test of
// the Event Log, under Wine with Wine's eventlog debug channel on, and
// reads each event there: Wine's ReportEvent writes an event's text to
// that channel (at trace for information, warn and err for the others)
// and keeps nothing that ReadEventLog could give back.
func TestEventLogUnderWine(t *testing.T) {
	wrapper := platformtest.Wine(t, "")
	exe := filepath.Join(t.TempDir(), "syslog.test.exe")
	build := exec.Command("go", "test", "-c", "-o", exe, ".")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the Windows tests: %v\n%s", err, out)
	}
	// The channel is read from WINEDEBUG when a process starts: cmd sets
	// it for the test binary, whose debug output goes to this stderr.
	out, stderr, ok := platformtest.WineRun(t, wrapper, "cmd", "/c",
		"set WINEDEBUG=-all,trace+eventlog,warn+eventlog,err+eventlog&& "+platformtest.WinePath(exe)+" -test.run=TestEventLog$")
	if !ok || !strings.Contains(out, "PASS") {
		t.Fatalf("TestEventLog under Wine failed:\n%s%s", out, stderr)
	}
	for _, e := range eventLogEvents {
		if !strings.Contains(stderr, e.wine) {
			t.Errorf("Wine's event log channel lacks %s\ngot:\n%s", e.wine, stderr)
		}
	}
}
