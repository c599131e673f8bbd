//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
)

// Text from a manifest server, a settings file or the answers' store
// reaches rvm's terminal output only escaped (issue 12, flaw 7): an OSC
// sequence (ESC ] 0 ; ... BEL, which retitles a terminal), CR LF and a
// forged "rvm:" line, and U+202E (which reverses what follows) in a key
// name and in values reach stdout, stderr (the errors, the -v log, a
// service's console) and rvm.log, and none of them holds a raw control
// or formatting character or starts a line of its own.
func TestNoRawControlCharactersReachTheTerminal(t *testing.T) {
	const (
		osc    = "\x1b]0;pwned\x07"
		forged = "\r\nrvm: forged line"
		bidi   = "\u202e"
	)
	evil := jsonText(t, map[string]any{
		"runtime": map[string]any{"version": "38" + osc + forged + bidi},
		"startup_app": map[string]any{"name": "app" + osc + forged, "permissions": map[string]any{
			"Ev" + bidi + "il": map[string]any{"x" + bidi: true},
			"Window":           map[string]any{"getSnapshot": map[string]any{"enabled": true, "note": "v" + osc + forged + bidi}},
		}},
	})
	evilKey := jsonText(t, map[string]any{"startup_app": map[string]any{"permissions": map[string]any{"K" + osc + forged + bidi: true}}})
	s := newServer(t, map[string]string{"/evil.json": evil, "/evil-key.json": evilKey})
	dir := t.TempDir()
	dos := filepath.Join(dir, "dos.json")
	os.WriteFile(dos, []byte(jsonText(t, map[string]any{
		"desktopSettings":     map[string]any{"k" + osc + forged + bidi: 1},
		"applicationSettings": map[string]any{"p" + osc + forged + bidi: map[string]any{"urls": []string{"https://*.acme.test/*"}}},
	})), 0o644)
	dosSettings := filepath.Join(dir, "settings.json")
	os.WriteFile(dosSettings, []byte(jsonText(t, map[string]any{"DesktopOwnerSettings": dos, "S" + osc + forged + bidi: 1})), 0o644)
	if err := permissions.OpenStore(s.home, platform.UserID()).Set("https://apps.acme.test/"+osc+forged+bidi, "Window.getSnapshot", nil, true, ""); err != nil {
		t.Fatal(err)
	}

	type run struct {
		name string
		env  []string
		args []string
	}
	runs := []run{
		{"verify", s.env, []string{"verify", s.resolve(), s.url("/evil.json")}},
		{"verify-json", s.env, []string{"verify", "--json", s.resolve(), s.url("/evil.json")}},
		{"verify-verbose", s.env, []string{"-v", "verify", s.resolve(), s.url("/evil.json")}},
		{"launch-verbose", s.env, []string{"launch", "-v", s.resolve(), s.url("/evil.json")}},
		{"error-naming-the-key", s.env, []string{"verify", s.resolve(), s.url("/evil-key.json")}},
		{"settings", setEnv(s.env, "RVM_MACHINE_SETTINGS", dosSettings), []string{"settings"}},
		{"settings-json", setEnv(s.env, "RVM_MACHINE_SETTINGS", dosSettings), []string{"settings", "--json"}},
		{"permissions-list", s.env, []string{"permissions", "list"}},
	}
	check := func(t *testing.T, what, out string) {
		t.Helper()
		if r, ok := hiddenRune(out); ok {
			t.Errorf("%s holds the raw character %U:\n%q", what, r, out)
		}
		if strings.Contains(out, "\nrvm: forged") || strings.HasPrefix(out, "rvm: forged") {
			t.Errorf("%s holds a forged line:\n%q", what, out)
		}
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			_, stdout, stderr := rvm(t, r.env, r.args...)
			if stdout+stderr == "" {
				t.Fatal("no output at all")
			}
			check(t, "stdout", stdout)
			check(t, "stderr", stderr)
		})
	}
	t.Run("service-console", func(t *testing.T) {
		svcHome := filepath.Join(t.TempDir(), "svc")
		_, console := serviceRun(t, svcHome, setEnv(setEnv(s.env, "RVM_HOME", svcHome), "RVM_MACHINE_SETTINGS", ""))
		code, stdout, stderr := rvm(t, setEnv(s.env, "RVM_HOME", svcHome), "-v", "verify", s.resolve(), s.url("/evil.json"))
		if code != 0 || !strings.Contains(stderr, "decided by the service") {
			t.Fatalf("exit %d, stderr %q: want a decision by the service", code, stderr)
		}
		check(t, "the client's stdout", stdout)
		check(t, "the client's stderr", stderr)
		if !strings.Contains(console.String(), "decision") {
			t.Fatalf("the service's console shows no decision: %q", console)
		}
		check(t, "the service's console", console.String())
		data, err := os.ReadFile(filepath.Join(svcHome, launcher.LogFileName))
		if err != nil {
			t.Fatal(err)
		}
		check(t, "the service's rvm.log", string(data))
	})
	data, err := os.ReadFile(filepath.Join(s.home, launcher.LogFileName))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `\u202e`) {
		t.Errorf("rvm.log lost the text it escapes: %s", data)
	}
	check(t, "rvm.log", string(data))
}

// jsonText is v as JSON, which escapes what %q would write as Go.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
