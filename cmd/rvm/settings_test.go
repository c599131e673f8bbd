package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// settingsReport is `rvm settings --json` as a test reads it.
type settingsReport struct {
	Machine map[string]struct {
		Value  any
		Source string
	}
	DesktopOwnerSettings struct {
		Source   string
		Settings json.RawMessage
		Notices  []string
	} `json:"desktopOwnerSettings"`
	Errors  []string
	Notices []string
}

// readSettingsReport parses stdout as `rvm settings --json`, checking that
// it has exactly the members of SPEC 1.
func readSettingsReport(t *testing.T, stdout string) settingsReport {
	t.Helper()
	var shape struct {
		Top     map[string]json.RawMessage
		Machine map[string]map[string]json.RawMessage
		Owner   map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(stdout), &shape.Top); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, stdout)
	}
	json.Unmarshal(shape.Top["machine"], &shape.Machine)
	json.Unmarshal(shape.Top["desktopOwnerSettings"], &shape.Owner)
	keys := func(m any) []string {
		var out []string
		switch m := m.(type) {
		case map[string]json.RawMessage:
			for k := range m {
				out = append(out, k)
			}
		case map[string]map[string]json.RawMessage:
			for k := range m {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return out
	}
	if got, want := keys(shape.Top), []string{"desktopOwnerSettings", "errors", "machine", "notices"}; !slices.Equal(got, want) {
		t.Errorf("got members %q, want %q", got, want)
	}
	if got, want := keys(shape.Owner), []string{"notices", "settings", "source"}; !slices.Equal(got, want) {
		t.Errorf("got desktopOwnerSettings members %q, want %q", got, want)
	}
	names := []string{"CachedManifestMaxAgeDays", "DesktopOwnerSettings", "RevocationMode", "RuntimeDirectory", "RuntimeRepository",
		"RuntimeRepositoryRoot", "TrustRootsFile", "allowHttpToHttpsNetworkRedirects", "allowHttpsToHttpNetworkRedirects", "allowInvalidNetworkCertificates"}
	if got := keys(shape.Machine); !slices.Equal(got, names) {
		t.Errorf("got machine settings %q, want every one: %q", got, names)
	}
	for name, v := range shape.Machine {
		if got := keys(v); !slices.Equal(got, []string{"source", "value"}) {
			t.Errorf("%s: got members %q, want source and value", name, got)
		}
	}
	var r settingsReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSettingsCommand runs `rvm settings` with a settings file in place of
// the per-user sources (no owner source exists on the test machine).
func TestSettingsCommand(t *testing.T) {
	s := newServer(t, nil)
	dir := t.TempDir()
	withSettings := func(js string) []string {
		path := filepath.Join(dir, "settings.json")
		if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
			t.Fatal(err)
		}
		return append(append([]string{}, s.env...), "RVM_MACHINE_SETTINGS="+path)
	}
	settingsFile := filepath.Join(dir, "settings.json")

	t.Run("defaults", func(t *testing.T) {
		code, stdout, stderr := rvm(t, withSettings(`{}`), "settings", "--json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		r := readSettingsReport(t, stdout)
		want := map[string]any{
			"DesktopOwnerSettings": nil, "TrustRootsFile": nil, "RuntimeRepository": nil, "RuntimeRepositoryRoot": nil,
			"allowInvalidNetworkCertificates": float64(1), "allowHttpsToHttpNetworkRedirects": float64(1), "allowHttpToHttpsNetworkRedirects": float64(1),
			"RevocationMode": "cached", "CachedManifestMaxAgeDays": float64(30), "RuntimeDirectory": filepath.Join(s.home, "runtime"),
		}
		for name, value := range want {
			if v := r.Machine[name]; v.Value != value || v.Source != "default" {
				t.Errorf("%s: got %v from %q, want %v from default", name, v.Value, v.Source, value)
			}
		}
		if o := r.DesktopOwnerSettings; o.Source != "default" || string(o.Settings) != "null" || o.Notices == nil {
			t.Errorf("desktopOwnerSettings: got %+v, want none, from default", o)
		}
		if r.Errors == nil || r.Notices == nil || len(r.Errors)+len(r.Notices) > 0 {
			t.Errorf("got errors %q, notices %q, want two empty lists", r.Errors, r.Notices)
		}
	})
	t.Run("per-user-only-tightens", func(t *testing.T) {
		code, stdout, stderr := rvm(t, withSettings(`{"RevocationMode": "off", "allowInvalidNetworkCertificates": 0, "TrustRootsFile": "/tmp/mine.pem", "CachedManifestMaxAgeDays": 2}`), "settings", "--json")
		if code != 0 {
			t.Fatalf("exit %d, want 0: notices are no error: %s", code, stderr)
		}
		r := readSettingsReport(t, stdout)
		for name, want := range map[string]struct {
			value  any
			source string
		}{
			"RevocationMode":                  {"cached", "default"},
			"TrustRootsFile":                  {nil, "default"},
			"allowInvalidNetworkCertificates": {float64(0), settingsFile},
			"CachedManifestMaxAgeDays":        {float64(2), settingsFile},
		} {
			if v := r.Machine[name]; v.Value != want.value || v.Source != want.source {
				t.Errorf("%s: got %v from %q, want %v from %q", name, v.Value, v.Source, want.value, want.source)
			}
		}
		notices := strings.Join(r.Notices, "\n")
		for _, want := range []string{
			`settings: RevocationMode "off" in ` + settingsFile + ` ignored: a per-user source may only make it stricter than "cached" (the default)`,
			"settings: TrustRootsFile in " + settingsFile + " ignored: it is read only from owner sources",
		} {
			if !strings.Contains(notices, want) {
				t.Errorf("got notices %q, want one holding %q", r.Notices, want)
			}
		}
	})
	t.Run("error-exits-1", func(t *testing.T) {
		code, stdout, _ := rvm(t, withSettings(`{"RuntimeDirectory": 7, "RevocationMode": "never"}`), "settings", "--json")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		r := readSettingsReport(t, stdout)
		if v := r.Machine["RevocationMode"]; v.Value != "online" || v.Source != settingsFile {
			t.Errorf("RevocationMode: got %v from %q, want its strictest, online, from %s", v.Value, v.Source, settingsFile)
		}
		if v := r.Machine["RuntimeDirectory"]; v.Value != filepath.Join(s.home, "runtime") || v.Source != settingsFile {
			t.Errorf("RuntimeDirectory: got %v from %q, want its default from %s, failed closed", v.Value, v.Source, settingsFile)
		}
		text := strings.Join(r.Errors, "\n")
		for _, want := range []string{"settings: setting RuntimeDirectory in " + settingsFile + ", line 1, column 22: want a string, got the number 7", `want off, cached or online, got "never"`} {
			if !strings.Contains(text, want) {
				t.Errorf("got errors %q, want one holding %q", r.Errors, want)
			}
		}
	})
	t.Run("owner-settings-from-their-last-good-copy-is-an-error", func(t *testing.T) {
		dos := filepath.Join(dir, "owner.json")
		os.WriteFile(dos, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`), 0o644)
		env := withSettings(`{"DesktopOwnerSettings": "` + dos + `"}`)
		if code, stdout, stderr := rvm(t, env, "settings", "--json"); code != 0 || !strings.Contains(stdout, `"securedAPIDefaultPermission": "deny"`) {
			t.Fatalf("exit %d, stdout %s, stderr %s; want 0 and the owner settings", code, stdout, stderr)
		}
		os.WriteFile(dos, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"},}`), 0o644)
		code, stdout, _ := rvm(t, env, "settings", "--json")
		r := readSettingsReport(t, stdout)
		if code != 1 || r.DesktopOwnerSettings.Source != dos || !strings.Contains(string(r.DesktopOwnerSettings.Settings), "deny") ||
			!strings.Contains(strings.Join(r.Errors, "\n"), "using the copy from") {
			t.Errorf("exit %d, desktopOwnerSettings %+v, errors %q; want 1, the last good copy, and an error saying so", code, r.DesktopOwnerSettings, r.Errors)
		}
	})
	t.Run("text", func(t *testing.T) {
		code, stdout, _ := rvm(t, withSettings(`{"RevocationMode": "online", "RuntimeDirectory": 7}`), "settings")
		for _, want := range []string{
			"machine settings:\n",
			`  RevocationMode                     "online"  (` + settingsFile + ")\n",
			"  TrustRootsFile                     none  (default)\n",
			"  allowInvalidNetworkCertificates    1  (default)\n",
			`  RuntimeDirectory                   "` + filepath.Join(s.home, "runtime") + `"  (` + settingsFile + ": failed closed)\n",
			"desktop owner settings:\n  none configured\n",
			// As every error reads: without the package prefix.
			"error: setting RuntimeDirectory in " + settingsFile,
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("got\n%s\nwant it to hold %q", stdout, want)
			}
		}
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
	})
}
