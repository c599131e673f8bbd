package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLaunchRuntimeFails: `rvm launch` of a runtime that exits with a
// non-zero status at its start fails (exit 1), quoting the end of the
// runtime's output, and says where the whole of it is.
func TestLaunchRuntimeFails(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the test runtime is a shell script")
	}
	s := newServer(t, map[string]string{"/app.json": appManifest})
	rtDir := t.TempDir()
	exe := filepath.Join(rtDir, "38.1.2.3", "runtime")
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho 'starting'\necho 'runtime: cannot open display :0' >&2\nexit 3\n"
	if err := os.WriteFile(exe, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	settings := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(settings, []byte(fmt.Sprintf(`{"RuntimeDirectory": %q}`, rtDir)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := rvm(t, s.env, "launch", "--machine-settings", settings, s.resolve(), "--", s.url("/app.json"))
	if code != 1 {
		t.Fatalf("got exit %d, stdout %q, stderr %q, want 1", code, stdout, stderr)
	}
	if want := `"starting", "runtime: cannot open display :0"`; !strings.Contains(stderr, want) || !strings.Contains(stderr, "status 3") {
		t.Errorf("got stderr %q, want the status and the runtime's last lines, %s", stderr, want)
	}
	if !strings.Contains(stderr, filepath.Join(s.home, "decisions")) || strings.Contains(stdout, "started") {
		t.Errorf("got stdout %q, stderr %q, want no start and the output's file named", stdout, stderr)
	}
}
