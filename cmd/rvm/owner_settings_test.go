package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
)

// TestSettingsListsEveryOwnerProblem runs `rvm settings` as an owner
// would on an OpenFin desktop owner settings file: every problem of a
// broken file is listed at once, each with its line and column (exit 1),
// and a file with notices only is in use (exit 0), its notices shown.
func TestSettingsListsEveryOwnerProblem(t *testing.T) {
	s := newServer(t, nil)
	dir := t.TempDir()
	dos := filepath.Join(dir, "owner.json")
	settings := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(settings, []byte(`{"DesktopOwnerSettings": "`+dos+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(append([]string{}, s.env...), "RVM_MACHINE_SETTINGS="+settings)
	write := func(js string) {
		if err := os.WriteFile(dos, []byte(js), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	at := "owner: desktop owner settings " + dos + ": "

	t.Run("several-problems", func(t *testing.T) {
		write(`{
  "desktopSettings": {
    "securedAPIDefaultPermission": "Deny",
    "systemApps": {},
    "whitelist": [{"licenseKey": "acme"}],
    "allowedManifestUrls": ["https://*.com/*"]
  },
  "applicationSettings": {
    "tools": {"permissions": {"System": {"getCookies": "no"}}}
  }
}`)
		want := []string{
			"desktop owner settings " + dos + " unusable (5 problems, each listed after this) and no good copy: every permission denied",
			at + `line 3, column 36: desktopSettings.securedAPIDefaultPermission: want allow, deny or prompt, got "Deny"`,
			at + "line 5, column 18: desktopSettings.whitelist: OpenFin's list of allowed apps (by license key, uuid or domain) is not something rvm can honour, and a restriction must not be left out: list the manifest URLs that may launch in desktopSettings.allowedManifestUrls instead",
			at + `line 6, column 29: desktopSettings.allowedManifestUrls[0]: pattern: "https://*.com/*": *.com is a public suffix`,
			at + "line 9, column 14: applicationSettings.tools: a named policy needs urls (at least one pattern), or a name that is an http:// or https:// URL",
			at + "line 9, column 41: permissions: applicationSettings.tools.permissions.System.getCookies: want true, false or an object",
		}
		code, stdout, stderr := rvm(t, env, "settings", "--json")
		if code != 1 {
			t.Errorf("exit %d, want 1: %s", code, stderr)
		}
		r := readSettingsReport(t, stdout)
		if len(r.Errors) != len(want) {
			t.Fatalf("got errors\n%s\nwant %d", strings.Join(r.Errors, "\n"), len(want))
		}
		for i, w := range want {
			if !strings.HasPrefix(r.Errors[i], w) {
				t.Errorf("error %d: got %q, want it to start with %q", i+1, r.Errors[i], w)
			}
		}
		if string(r.DesktopOwnerSettings.Settings) != "null" {
			t.Errorf("got settings %s in use, want none", r.DesktopOwnerSettings.Settings)
		}
		code, text, _ := rvm(t, env, "settings")
		for _, w := range want {
			// The text is in words: without the package prefixes.
			if !strings.Contains(text, "error: "+launcher.Words(w)) {
				t.Errorf("text: got\n%s\nwant a line holding %q", text, "error: "+launcher.Words(w))
			}
		}
		if code != 1 {
			t.Errorf("text: exit %d, want 1", code)
		}
	})
	t.Run("a-json-error-with-line-and-column", func(t *testing.T) {
		write("{\n  \"desktopSettings\": {\"securedAPIDefaultPermission\": \"deny\"},\n}\n")
		code, stdout, _ := rvm(t, env, "settings", "--json")
		r := readSettingsReport(t, stdout)
		want := at + "not JSON: line 3, column 1: invalid character '}' at start of string (expecting '\"')"
		if code != 1 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0], want) {
			t.Errorf("exit %d, errors %q; want 1 and one error holding %q", code, r.Errors, want)
		}
	})
	t.Run("notices-only", func(t *testing.T) {
		write(`{
  "desktopSettings": {"assetsUrl": "https://assets.acme.com/", "securedAPIDefaultPermission": "prompt"},
  "applicationSettings": {
    "https://apps.acme.com/blotter/app.json": {"permissions": {"System": {"launchExternalProcess": false, "teleport": true}}}
  }
}`)
		want := []string{
			at + "line 2, column 36: desktopSettings.assetsUrl: ignored: rvm does not act on this key",
			at + `line 4, column 63: applicationSettings["https://apps.acme.com/blotter/app.json"].permissions: permissions rvm does not know, kept but never granted (a manifest that requests one gets unknown-permission): "System.teleport"`,
		}
		code, stdout, stderr := rvm(t, env, "settings", "--json")
		if code != 0 {
			t.Errorf("exit %d, want 0: notices are no error: %s", code, stderr)
		}
		r := readSettingsReport(t, stdout)
		if len(r.Errors) > 0 || !strings.Contains(string(r.DesktopOwnerSettings.Settings), "teleport") {
			t.Errorf("got errors %q, settings %s; want none and the file in use", r.Errors, r.DesktopOwnerSettings.Settings)
		}
		if strings.Join(r.DesktopOwnerSettings.Notices, "\n") != strings.Join(want, "\n") {
			t.Errorf("got notices\n%s\nwant\n%s", strings.Join(r.DesktopOwnerSettings.Notices, "\n"), strings.Join(want, "\n"))
		}
		code, text, _ := rvm(t, env, "settings")
		for _, w := range want {
			if !strings.Contains(text, "  notice: "+launcher.Words(w)+"\n") {
				t.Errorf("text: got\n%s\nwant a line holding %q", text, w)
			}
		}
		if code != 0 {
			t.Errorf("text: exit %d, want 0", code)
		}
	})
}
