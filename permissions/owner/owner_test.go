package owner

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// TestOwnerSettingsFiles runs every vector of testdata/owner: good_ files
// parse, bad_ files are refused with an error that names the file.
func TestOwnerSettingsFiles(t *testing.T) {
	files, err := filepath.Glob("../../testdata/owner/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("got %d vectors in testdata/owner, want at least 20", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(data, path)
			switch {
			case strings.HasPrefix(name, "good_") && err != nil:
				t.Errorf("got %v, want no error", err)
			case strings.HasPrefix(name, "good_") && s.Source != path:
				t.Errorf("got source %q, want %q", s.Source, path)
			case strings.HasPrefix(name, "bad_") && err == nil:
				t.Errorf("got no error, want one")
			case strings.HasPrefix(name, "bad_") && (!strings.HasPrefix(err.Error(), "owner: ") || !strings.Contains(err.Error(), path)):
				t.Errorf("got error %q, want it to start with owner: and name %s", err, path)
			}
		})
	}
}

func TestOwnerSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"unknown-top-key", `{"desktopSetings": {}}`, `desktop owner settings dos.json: unknown key "desktopSetings"`},
		{"unknown-desktop-key", `{"desktopSettings": {"x": 1}}`, `dos.json: desktopSettings: unknown key "x"`},
		{"default-permission", `{"desktopSettings": {"securedAPIDefaultPermission": "Deny"}}`, `desktopSettings.securedAPIDefaultPermission: want allow or deny or prompt, got "Deny"`},
		{"default-permission-null", `{"desktopSettings": {"securedAPIDefaultPermission": null}}`, `desktopSettings.securedAPIDefaultPermission: want a string`},
		{"trusted-app-configs", `{"desktopSettings": {"trustedAppConfigs": "no"}}`, `desktopSettings.trustedAppConfigs: want enabled or disabled, got "no"`},
		{"allowed-urls-null", `{"desktopSettings": {"allowedManifestUrls": null}}`, `desktopSettings.allowedManifestUrls: want an array of strings`},
		{"allowed-urls-pattern", `{"desktopSettings": {"allowedManifestUrls": ["https://a.example.com/*", "https://x@a.example.com/*"]}}`, `desktopSettings.allowedManifestUrls[1]: pattern: "https://x@a.example.com/*"`},
		{"revoked-short", `{"desktopSettings": {"revokedCertificates": ["abcd"]}}`, `desktopSettings.revokedCertificates[0]: want 64 hex digits (a SHA-256 digest), got "abcd"`},
		{"revoked-not-hex", `{"desktopSettings": {"revokedCertificates": ["` + strings.Repeat("z", 64) + `"]}}`, `revokedCertificates[0]: want 64 hex digits`},
		{"duplicate-policy", `{"applicationSettings": {"a": {"urls": ["https://a.example.com/*"]}, "a": {}}}`, `dos.json: line 1, column 70 (at /applicationSettings/a): duplicate key "a"`},
		{"policy-no-urls", `{"applicationSettings": {"a": {}}}`, `applicationSettings.a: a named policy needs urls`},
		{"default-urls", `{"applicationSettings": {"default": {"urls": []}}}`, `applicationSettings.default: the default policy has no urls`},
		{"unknown-policy-key", `{"applicationSettings": {"a": {"url": []}}}`, `applicationSettings.a: unknown key "url"`},
		{"policy-pattern", `{"applicationSettings": {"a": {"urls": ["https://*.com/*"]}}}`, `applicationSettings.a.urls[0]: pattern: "https://*.com/*"`},
		{"unknown-permission", `{"applicationSettings": {"default": {"permissions": {"System": {"launchExternalProces": false}}}}}`, `applicationSettings.default.permissions: unknown permission "System.launchExternalProces"`},
		{"constraints-enabled-not-boolean", `{"applicationSettings": {"default": {"permissions": {"System": {"readRegistryValue": {"enabled": 1, "registryKeys": []}}}}}}`, `System.readRegistryValue.enabled: want true or false`},
		{"not-object", `[]`, `desktop owner settings dos.json: line 1, column 1: the top level is an array, want an object`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), "dos.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "owner: ") {
				t.Errorf("got error %v, want one holding %q", err, tc.want)
			}
		})
	}
}

// TestOwnerSettingsBounds feeds each bound exactly what it allows and one
// more.
func TestOwnerSettingsBounds(t *testing.T) {
	list := func(n int, item func(i int) string) string {
		items := make([]string, n)
		for i := range items {
			items[i] = item(i)
		}
		return strings.Join(items, ",")
	}
	for _, tc := range []struct {
		name  string
		limit int
		doc   func(n int) string
		want  string
	}{
		{"size", MaxSize, func(n int) string {
			head := `{"desktopSettings": {}}`
			return head + strings.Repeat(" ", n-len(head))
		}, fmt.Sprintf("larger than %d bytes", MaxSize)},
		{"policies", MaxPolicies, func(n int) string {
			return `{"applicationSettings": {` + list(n, func(i int) string {
				return fmt.Sprintf(`"p%d": {"urls": ["https://a%d.example.com/*"]}`, i, i)
			}) + `}}`
		}, fmt.Sprintf("more than %d policies", MaxPolicies)},
		{"allowed-urls", MaxPatterns, func(n int) string {
			return `{"desktopSettings": {"allowedManifestUrls": [` + list(n, func(i int) string {
				return fmt.Sprintf(`"https://a%d.example.com/*"`, i)
			}) + `]}}`
		}, fmt.Sprintf("allowedManifestUrls: more than %d entries", MaxPatterns)},
		{"policy-urls", MaxPatterns, func(n int) string {
			return `{"applicationSettings": {"p": {"urls": [` + list(n, func(i int) string {
				return fmt.Sprintf(`"https://a%d.example.com/*"`, i)
			}) + `]}}}`
		}, fmt.Sprintf("applicationSettings.p.urls: more than %d entries", MaxPatterns)},
		{"revoked", MaxRevokedCertificates, func(n int) string {
			return `{"desktopSettings": {"revokedCertificates": [` + list(n, func(i int) string {
				return fmt.Sprintf(`"%064x"`, i)
			}) + `]}}`
		}, fmt.Sprintf("revokedCertificates: more than %d entries", MaxRevokedCertificates)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse([]byte(tc.doc(tc.limit)), "dos.json"); err != nil {
				t.Errorf("at the limit %d: got %v, want no error", tc.limit, err)
			}
			_, err := Parse([]byte(tc.doc(tc.limit+1)), "dos.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("one over the limit %d: got %v, want an error holding %q", tc.limit, err, tc.want)
			}
		})
	}
}

func mustURL(t testing.TB, raw string) pattern.URL {
	t.Helper()
	u, err := pattern.ParseURL(raw, pattern.Owner)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustOwner(t testing.TB, doc string) *Settings {
	t.Helper()
	s, err := Parse([]byte(doc), "https://owner.example.com/dos.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAllowedToLaunch(t *testing.T) {
	restricted := mustOwner(t, `{"desktopSettings": {"allowedManifestUrls": ["https://*.acme.com/apps/*", "http://localhost:8080/*", "*://intranet.acme.com/*"]}}`)
	none := mustOwner(t, `{"desktopSettings": {"allowedManifestUrls": []}}`)
	open := mustOwner(t, `{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
	for _, tc := range []struct {
		name string
		s    *Settings
		url  string
		// unauthenticated is a manifest that was not strictly fetched.
		unauthenticated bool
		want            bool
		cause           string
	}{
		{name: "matching", s: restricted, url: "https://apps.acme.com/apps/a.json", want: true},
		{name: "matching-localhost", s: restricted, url: "http://localhost:8080/x.json", want: true},
		{name: "https-pattern-refuses-unauthenticated", s: restricted, url: "https://apps.acme.com/apps/a.json", unauthenticated: true, cause: `"https://apps.acme.com/apps/a.json" matches only https patterns of the allowedManifestUrls of the desktop owner settings "https://owner.example.com/dos.json", and the manifest is unauthenticated`},
		{name: "http-pattern-admits-unauthenticated", s: restricted, url: "http://localhost:8080/x.json", unauthenticated: true, want: true},
		{name: "star-pattern-admits-unauthenticated", s: restricted, url: "https://intranet.acme.com/x.json", unauthenticated: true, want: true},
		{name: "other-path", s: restricted, url: "https://apps.acme.com/other/a.json", cause: `"https://apps.acme.com/other/a.json" matches none of the allowedManifestUrls of the desktop owner settings "https://owner.example.com/dos.json"`},
		{name: "other-host", s: restricted, url: "https://evil-acme.com/apps/a.json", cause: "matches none"},
		{name: "other-port", s: restricted, url: "http://localhost:8081/x.json", cause: "matches none"},
		{name: "empty-list", s: none, url: "https://apps.acme.com/apps/a.json", cause: "matches none"},
		{name: "no-list", s: open, url: "https://anything.example.org/a.json", unauthenticated: true, want: true},
		{name: "no-settings", url: "https://anything.example.org/a.json", unauthenticated: true, want: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, reason := tc.s.AllowedToLaunch(mustURL(t, tc.url), !tc.unauthenticated)
			if got != tc.want || !strings.Contains(reason, tc.cause) || (tc.want && reason != "") {
				t.Errorf("got %v %q, want %v and a reason holding %q", got, reason, tc.want, tc.cause)
			}
		})
	}
}

func TestOwnerAccessors(t *testing.T) {
	cert := sha256.Sum256([]byte("a certificate"))
	other := sha256.Sum256([]byte("another certificate"))
	doc := fmt.Sprintf(`{"desktopSettings": {"securedAPIDefaultPermission": "deny", "trustedAppConfigs": "disabled", "revokedCertificates": [%q]}}`,
		strings.ToUpper(fmt.Sprintf("%x", cert)))
	s := mustOwner(t, doc)
	if !s.Revoked(cert) || s.Revoked(other) {
		t.Errorf("got revoked %v %v, want the listed certificate (listed in upper case) only", s.Revoked(cert), s.Revoked(other))
	}
	if !s.TrustDisabled() || s.DefaultPermission() != permissions.Deny {
		t.Errorf("got trust disabled %v, default %v, want true and deny", s.TrustDisabled(), s.DefaultPermission())
	}

	enabled := mustOwner(t, `{"desktopSettings": {"trustedAppConfigs": "enabled", "securedAPIDefaultPermission": "allow"}}`)
	if enabled.TrustDisabled() || enabled.DefaultPermission() != permissions.Allow {
		t.Errorf("got trust disabled %v, default %v, want false and allow", enabled.TrustDisabled(), enabled.DefaultPermission())
	}
	if ask := mustOwner(t, `{"desktopSettings": {"securedAPIDefaultPermission": "prompt"}}`); ask.DefaultPermission() != permissions.Ask {
		t.Errorf("got default %v from prompt, want ask", ask.DefaultPermission())
	}
	if empty := mustOwner(t, `{}`); empty.DefaultPermission() != permissions.Ask {
		t.Errorf("got default %v from an empty file, want ask", empty.DefaultPermission())
	}

	var none *Settings
	if none.Revoked(cert) || none.TrustDisabled() || none.DefaultPermission() != permissions.Ask {
		t.Errorf("got a restriction from nil owner settings, want none")
	}
	if v := none.For(mustURL(t, "https://apps.acme.com/a.json")); v.TrustDisabled() || v.DefaultPermission() != permissions.Ask {
		t.Errorf("got a restriction from nil owner settings for a URL, want none")
	}
	if _, ok := none.For(mustURL(t, "https://apps.acme.com/a.json")).Policy(permissions.Entry{Name: "System.getCookies", Enabled: true}); ok {
		t.Errorf("got a policy from nil owner settings, want none")
	}
}
