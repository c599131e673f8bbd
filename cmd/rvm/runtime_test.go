package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeRuntime installs version in dir: an executable never run, its
// folder made at made.
func fakeRuntime(t *testing.T, dir, version string, made time.Time) string {
	t.Helper()
	folder := filepath.Join(dir, version)
	os.MkdirAll(folder, 0o755)
	exe := "runtime"
	if strings.HasSuffix(rvmBin, ".exe") {
		exe = "runtime.exe"
	}
	if err := os.WriteFile(filepath.Join(folder, exe), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(folder, made, made)
	return folder
}

func TestRuntimeCommands(t *testing.T) {
	s := newServer(t, nil)
	rtDir := t.TempDir()
	old, launched := time.Now().Add(-48*time.Hour), time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	fakeRuntime(t, rtDir, "37.0.0.0", old)
	recent := fakeRuntime(t, rtDir, "38.1.2.3", old)
	last := filepath.Join(recent, ".last-launch")
	os.WriteFile(last, nil, 0o644)
	os.Chtimes(last, launched, launched)
	fakeRuntime(t, rtDir, "36.0.0.0", old)
	settings := filepath.Join(t.TempDir(), "settings.json")
	os.WriteFile(settings, []byte(fmt.Sprintf(`{"RuntimeDirectory": %q}`, rtDir)), 0o644)
	ms := "--machine-settings=" + settings

	t.Run("list", func(t *testing.T) {
		code, stdout, stderr := rvm(t, s.env, "runtime", "list", "--json", ms)
		var got struct {
			Runtimes []struct{ Version, Path, LastUsed string }
		}
		if code != 0 || json.Unmarshal([]byte(stdout), &got) != nil {
			t.Fatalf("exit %d %q %q", code, stdout, stderr)
		}
		want := fmt.Sprintf("[{38.1.2.3 %s 2030-01-02T03:04:05Z} {37.0.0.0 %s } {36.0.0.0 %s }]", recent, filepath.Join(rtDir, "37.0.0.0"), filepath.Join(rtDir, "36.0.0.0"))
		if fmt.Sprint(got.Runtimes) != want {
			t.Errorf("got %v, want %s", got.Runtimes, want)
		}
		code, stdout, _ = rvm(t, s.env, "runtime", "list", ms)
		if code != 0 || !strings.Contains(stdout, "37.0.0.0         never launched") || !strings.Contains(stdout, "2030-01-02T03:04:05Z") {
			t.Errorf("list: exit %d %q", code, stdout)
		}
	})
	t.Run("remove", func(t *testing.T) {
		code, stdout, stderr := rvm(t, s.env, "runtime", "remove", ms, "36.0.0.0")
		if code != 0 || strings.TrimSpace(stdout) != "removed "+filepath.Join(rtDir, "36.0.0.0") {
			t.Fatalf("exit %d %q %q", code, stdout, stderr)
		}
		code, _, stderr = rvm(t, s.env, "runtime", "remove", ms, "36.0.0.0")
		if code != 1 || !strings.Contains(stderr, "runtime 36.0.0.0 is not installed (in "+rtDir+")") {
			t.Errorf("removing it again: exit %d %q", code, stderr)
		}
		code, _, stderr = rvm(t, s.env, "runtime", "remove", ms, "--", "../38.1.2.3")
		if code != 1 || !strings.Contains(stderr, `"../38.1.2.3" is not an exact runtime version`) {
			t.Errorf("removing ../38.1.2.3: exit %d %q", code, stderr)
		}
	})
	t.Run("prune-without-the-owner", func(t *testing.T) {
		code, stdout, _ := rvm(t, s.env, "runtime", "prune", ms)
		if code != 0 || !strings.Contains(stdout, "does not set cleanUnusedRuntimes: nothing removed") {
			t.Errorf("exit %d %q", code, stdout)
		}
	})
	t.Run("prune", func(t *testing.T) {
		dos := filepath.Join(t.TempDir(), "dos.json")
		os.WriteFile(dos, []byte(`{"desktopSettings": {"cleanUnusedRuntimes": true, "unusedRuntimeExpirationInMinutes": 60}}`), 0o644)
		owned := filepath.Join(t.TempDir(), "settings.json")
		os.WriteFile(owned, []byte(fmt.Sprintf(`{"RuntimeDirectory": %q, "DesktopOwnerSettings": %q}`, rtDir, dos)), 0o644)
		os.Chtimes(last, time.Now(), time.Now())
		code, stdout, stderr := rvm(t, s.env, "runtime", "prune", "--json", "--machine-settings", owned)
		var got struct {
			CleanUnusedRuntimes bool
			Removed             []struct{ Version, Path string }
		}
		if code != 0 || json.Unmarshal([]byte(stdout), &got) != nil {
			t.Fatalf("exit %d %q %q", code, stdout, stderr)
		}
		if !got.CleanUnusedRuntimes || len(got.Removed) != 1 || got.Removed[0].Version != "37.0.0.0" {
			t.Errorf("got %+v, want 37.0.0.0 (never launched, installed two days ago) removed, 38.1.2.3 (launched now) kept", got)
		}
	})
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no-action", []string{"runtime"}, 2, "runtime: want one of its commands: list, install, remove, prune"},
		{"unknown-action", []string{"runtime", "upgrade"}, 2, `runtime: unknown command "upgrade"`},
		{"install-without-version", []string{"runtime", "install"}, 2, "runtime install: want exactly one version"},
		{"list-with-argument", []string{"runtime", "list", "x"}, 2, `runtime list: want no arguments; unexpected argument "x"`},
		{"remove-json", []string{"runtime", "remove", "--json", "1.0"}, 2, "runtime remove: unknown flag --json"},
		{"install-bad-resolve", []string{"runtime", "install", "--resolve=x", "1.0"}, 2, "HOST:PORT:ADDR"},
		{"install-no-repository", []string{"runtime", "install", ms, "39.*"}, 1, `no runtime fits version "39.*"; installed: 38.1.2.3`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := rvm(t, s.env, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d %q, want %d with %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}
