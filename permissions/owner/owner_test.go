package owner

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/pattern"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// TestOwnerSettingsFiles runs every vector of testdata/owner, and of
// testdata/owner/http read as if over plain http:// (deny-only): good_
// files parse, bad_ files are refused with an *InvalidError that names the
// file. Where a .want file stands beside a vector, its lines are what the
// vector must produce, one a line and in order: every notice of a good_
// file (none where there is no .want), every problem of a bad_ one.
func TestOwnerSettingsFiles(t *testing.T) {
	var files []string
	for _, glob := range []string{"../../testdata/owner/*.json", "../../testdata/owner/http/*.json"} {
		found, err := filepath.Glob(glob)
		platformtest.Must(t, err)
		files = append(files, found...)
	}
	if len(files) < 60 {
		t.Fatalf("got %d vectors in testdata/owner, want at least 60", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		denyOnly := filepath.Base(filepath.Dir(path)) == "http"
		test := strings.TrimSuffix(name, ".json")
		if denyOnly {
			test = "http/" + test
		}
		t.Run(test, func(t *testing.T) {
			data, err := os.ReadFile(path)
			platformtest.Must(t, err)
			parse := Parse
			if denyOnly {
				parse = ParseDenyOnly
			}
			s, err := parse(data, path)
			var got []string // the notices, or the problems
			var invalid *InvalidError
			switch {
			case strings.HasPrefix(name, "good_") && err != nil:
				t.Fatalf("got %v, want no error", err)
			case strings.HasPrefix(name, "good_"):
				if s.Source != path || s.DenyOnly != denyOnly {
					t.Errorf("got source %q, deny-only %v, want %q, %v", s.Source, s.DenyOnly, path, denyOnly)
				}
				got = s.Notices
				if denyOnly {
					got = got[1:] // the notice that the file is deny-only
				}
			case err == nil:
				t.Fatalf("got no error, want one")
			case !errors.As(err, &invalid) || !strings.HasPrefix(err.Error(), "owner: desktop owner settings "+path+": "):
				t.Fatalf("got error %q, want an *InvalidError naming %s", err, path)
			default:
				for _, p := range invalid.Problems {
					got = append(got, p.Error())
				}
			}
			want, err := os.ReadFile(strings.TrimSuffix(path, ".json") + ".want")
			if errors.Is(err, fs.ErrNotExist) && strings.HasPrefix(name, "bad_") {
				return
			}
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
			wantLines := strings.FieldsFunc(string(want), func(r rune) bool { return r == '\n' })
			if len(got) != len(wantLines) {
				t.Fatalf("got %d lines:\n%s\nwant %d:\n%s", len(got), strings.Join(got, "\n"), len(wantLines), want)
			}
			for i, w := range wantLines {
				if !strings.Contains(got[i], w) {
					t.Errorf("line %d: got %q, want it to hold %q", i+1, got[i], w)
				}
			}
		})
	}
}

func TestOwnerSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"default-permission", `{"desktopSettings": {"securedAPIDefaultPermission": "Deny"}}`, `dos.json: line 1, column 53: desktopSettings.securedAPIDefaultPermission: want allow, deny or prompt, got "Deny"`},
		{"default-permission-null", `{"desktopSettings": {"securedAPIDefaultPermission": null}}`, `desktopSettings.securedAPIDefaultPermission: want a string (allow, deny or prompt), got null`},
		{"trusted-app-configs", `{"desktopSettings": {"trustedAppConfigs": "no"}}`, `desktopSettings.trustedAppConfigs: want enabled or disabled, got "no"`},
		{"allowed-urls-null", `{"desktopSettings": {"allowedManifestUrls": null}}`, `desktopSettings.allowedManifestUrls: want an array of strings, got null`},
		{"allowed-urls-pattern", `{"desktopSettings": {"allowedManifestUrls": ["https://a.example.com/*", "https://x@a.example.com/*"]}}`, `line 1, column 73: desktopSettings.allowedManifestUrls[1]: pattern: "https://x@a.example.com/*"`},
		{"revoked-short", `{"desktopSettings": {"revokedCertificates": ["abcd"]}}`, `desktopSettings.revokedCertificates[0]: want 64 hex digits (a SHA-256 digest), got "abcd"`},
		{"revoked-not-hex", `{"desktopSettings": {"revokedCertificates": ["` + strings.Repeat("z", 64) + `"]}}`, `revokedCertificates[0]: want 64 hex digits`},
		{"duplicate-policy", `{"applicationSettings": {"a": {"urls": ["https://a.example.com/*"]}, "a": {}}}`, `dos.json: line 1, column 70 (at /applicationSettings/a): duplicate key "a"`},
		{"policy-no-urls", `{"applicationSettings": {"a": {}}}`, `applicationSettings.a: a named policy needs urls (at least one pattern), or a name that is an http:// or https:// URL`},
		{"policy-empty-urls", `{"applicationSettings": {"https://a.example.com/x.json": {"urls": []}}}`, `applicationSettings["https://a.example.com/x.json"].urls: a named policy needs urls (at least one pattern)`},
		{"policy-url-name-not-a-pattern", `{"applicationSettings": {"https://*.com/x.json": {}}}`, `applicationSettings["https://*.com/x.json"]: the policy's name, a URL, is its pattern (it has no urls), and it does not parse: pattern: "https://*.com/x.json"`},
		{"policy-other-scheme-name", `{"applicationSettings": {"ftp://a.example.com/x.json": {}}}`, `applicationSettings["ftp://a.example.com/x.json"]: a named policy needs urls`},
		{"default-urls", `{"applicationSettings": {"default": {"urls": []}}}`, `applicationSettings.default.urls: the default policy has no urls`},
		{"policy-pattern", `{"applicationSettings": {"a": {"urls": ["https://*.com/*"]}}}`, `applicationSettings.a.urls[0]: pattern: "https://*.com/*"`},
		{"link-handler-not-object", `{"desktopSettings": {"linkHandler": false}}`, `desktopSettings.linkHandler: want an object, got a boolean`},
		{"runtime-arguments-string", `{"desktopSettings": {"allowedRuntimeArguments": "--inspect"}}`, `desktopSettings.allowedRuntimeArguments: want an array of strings, got a string`},
		{"whitelist", `{"whitelist": []}`, `line 1, column 15: whitelist: OpenFin's list of allowed apps (by license key, uuid or domain) is not something rvm can honour, and a restriction must not be left out: list the manifest URLs that may launch in desktopSettings.allowedManifestUrls instead`},
		{"rvm-controls", `{"deployment": {"rvmControls": {}}}`, `deployment.rvmControls: OpenFin's RVM controls are not something rvm can honour, and a restriction must not be left out: restrict the runtimes that may start with desktopSettings.allowedRuntimeVersions, blockedRuntimeVersions and minimumRuntimeVersion instead`},
		{"two-problems", `{"desktopSettings": {"trustedAppConfigs": "no", "whitelist": []}}`, `owner: desktop owner settings dos.json: 2 problems: line 1, column 43: desktopSettings.trustedAppConfigs: want enabled or disabled, got "no"; line 1, column 62: desktopSettings.whitelist:`},
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
		{"link-urls", MaxPatterns, func(n int) string {
			return `{"desktopSettings": {"linkHandler": {"allowedManifestUrls": [` + list(n, func(i int) string {
				return fmt.Sprintf(`"https://a%d.example.com/*"`, i)
			}) + `]}}}`
		}, fmt.Sprintf("linkHandler.allowedManifestUrls: more than %d entries", MaxPatterns)},
		{"runtime-arguments", MaxRuntimeArguments, func(n int) string {
			return `{"desktopSettings": {"allowedRuntimeArguments": [` + list(n, func(i int) string {
				return fmt.Sprintf(`"--switch-%d"`, i)
			}) + `]}}`
		}, fmt.Sprintf("allowedRuntimeArguments: more than %d entries", MaxRuntimeArguments)},
		{"permissions-of-a-policy", permissions.MaxPermissions, func(n int) string {
			// Spread over groups, each well within its own bound.
			return `{"applicationSettings": {"default": {"permissions": {` + list((n+99)/100, func(g int) string {
				return fmt.Sprintf(`"G%d": {`, g) + list(min(100, n-100*g), func(i int) string {
					return fmt.Sprintf(`"p%d": false`, i)
				}) + `}`
			}) + `}}}}`
		}, fmt.Sprintf("applicationSettings.default.permissions: more than %d permissions", permissions.MaxPermissions)},
		{"revoked", MaxRevokedCertificates, func(n int) string {
			return `{"desktopSettings": {"revokedCertificates": [` + list(n, func(i int) string {
				return fmt.Sprintf(`"%064x"`, i)
			}) + `]}}`
		}, fmt.Sprintf("revokedCertificates: more than %d entries", MaxRevokedCertificates)},
		{"trusted-signers", MaxTrustedSigners, func(n int) string {
			return `{"desktopSettings": {"trustedSigners": [` + list(n, func(i int) string {
				return fmt.Sprintf(`{"spki": "%064x"}`, i)
			}) + `]}}`
		}, fmt.Sprintf("trustedSigners: more than %d entries", MaxTrustedSigners)},
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

// TestProblemAndNoticeBounds: a file lists at most MaxProblems problems
// and MaxNotices notices, and counts the rest in a last line.
func TestProblemAndNoticeBounds(t *testing.T) {
	keys := func(n int, value string) string {
		items := make([]string, n)
		for i := range items {
			items[i] = fmt.Sprintf(`"k%d": %s`, i, value)
		}
		return "{" + strings.Join(items, ", ") + "}"
	}
	for _, n := range []int{MaxProblems, MaxProblems + 1} {
		_, err := Parse([]byte(`{"applicationSettings": `+keys(n, "{}")+`}`), "dos.json")
		var invalid *InvalidError
		if !errors.As(err, &invalid) || len(invalid.Problems) != min(n, MaxProblems) || invalid.More != n-len(invalid.Problems) {
			t.Fatalf("%d problems: got %v, want the first %d listed and the rest counted", n, err, MaxProblems)
		}
		lines := invalid.Lines()
		last := lines[len(lines)-1]
		if more := n > MaxProblems; more != strings.HasSuffix(last, "and 1 more problems (rvm lists the first 100)") || len(lines) != MaxProblems+btoi(more) {
			t.Errorf("%d problems: got %d lines ending %q", n, len(lines), last)
		}
	}
	for _, n := range []int{MaxNotices, MaxNotices + 1} {
		s, err := Parse([]byte(keys(n, "1")), "dos.json")
		platformtest.Must(t, err)
		last := s.Notices[len(s.Notices)-1]
		if more := n > MaxNotices; more != strings.HasSuffix(last, "and 1 more notices (rvm lists the first 100)") || len(s.Notices) != MaxNotices+btoi(more) {
			t.Errorf("%d notices: got %d ending %q", n, len(s.Notices), last)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
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
	if v := none.For(mustURL(t, "https://apps.acme.com/a.json"), true); v.TrustDisabled() || v.DefaultPermission() != permissions.Ask {
		t.Errorf("got a restriction from nil owner settings for a URL, want none")
	}
	if _, ok := none.For(mustURL(t, "https://apps.acme.com/a.json"), true).Policy(permissions.Entry{Name: "System.getCookies", Enabled: true}); ok {
		t.Errorf("got a policy from nil owner settings, want none")
	}
}

// TestURLNamedPolicies: a policy whose name is an http(s):// URL and that
// has no urls applies to that URL, as an owner-mode pattern (OpenFin's
// form); one that has urls applies to those alone.
func TestURLNamedPolicies(t *testing.T) {
	data, err := os.ReadFile("../../testdata/owner/good_openfin_url_keyed_policies.json")
	platformtest.Must(t, err)
	s, err := Parse(data, "dos.json")
	platformtest.Must(t, err)
	const hkcu = `{"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"]}`
	for _, tc := range []struct {
		name, url, permission string
		want                  permissions.Decision
	}{
		{"name-is-the-url", "https://apps.acme.com/blotter/app.json", "System.launchExternalProcess",
			permissions.Decision{Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings, Policy: "https://apps.acme.com/blotter/app.json"}},
		{"name-is-the-url-object-form", "https://apps.acme.com/blotter/app.json", "System.readRegistryValue",
			permissions.Decision{Verdict: permissions.Granted, Source: permissions.SourceOwnerSettings, Policy: "https://apps.acme.com/blotter/app.json", Constraints: jsontext.Value(hkcu)}},
		{"query-is-not-part-of-the-match", "https://apps.acme.com/blotter/app.json?env=prod", "Window.getSnapshot",
			permissions.Decision{Verdict: permissions.Granted, Source: permissions.SourceOwnerSettings, Policy: "https://apps.acme.com/blotter/app.json"}},
		{"other-path-gets-the-default", "https://apps.acme.com/blotter/other.json", "System.getEnvironmentVariable",
			permissions.Decision{Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings, Policy: "default"}},
		{"other-path-not-the-policy", "https://apps.acme.com/blotter/other.json", "System.launchExternalProcess", permissions.Decision{}},
		{"name-normalized-wildcard", "https://apps.acme.com/tools/x/app.json", "System.getProcessList",
			permissions.Decision{Verdict: permissions.Granted, Source: permissions.SourceOwnerSettings, Policy: "HTTPS://Apps.Acme.com/tools/*"}},
		{"http-localhost-name", "http://localhost:8080/dev/app.json", "System.getCookies",
			permissions.Decision{Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings, Policy: "http://localhost:8080/dev/app.json"}},
		{"http-name-not-https", "https://localhost:8080/dev/app.json", "System.getCookies", permissions.Decision{}},
		{"urls-beat-the-name", "https://other.acme.com/app.json", "System.clearCache",
			permissions.Decision{Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings, Policy: "https://apps.acme.com/named-with-urls.json"}},
		{"the-name-is-not-a-pattern-where-urls-are-given", "https://apps.acme.com/named-with-urls.json", "System.clearCache", permissions.Decision{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, set := s.For(mustURL(t, tc.url), true).Policy(permissions.Entry{Name: tc.permission, Enabled: true})
			if set != (tc.want.Source != "") {
				t.Fatalf("got %+v (set %v), want %+v", got, set, tc.want)
			}
			if got.Verdict != tc.want.Verdict || got.Source != tc.want.Source || got.Policy != tc.want.Policy || !permissions.SameConstraints(got.Constraints, tc.want.Constraints) {
				t.Errorf("got %s (%s, policy %q) with %s, want %s (%s, policy %q) with %s", got.Verdict, got.Source, got.Policy, got.Constraints, tc.want.Verdict, tc.want.Source, tc.want.Policy, tc.want.Constraints)
			}
		})
	}
}

// TestLinkHandlerAndRuntimeArguments reads linkHandler and
// allowedRuntimeArguments, from a file and from one that came over plain
// http://, where only what restricts applies.
func TestLinkHandlerAndRuntimeArguments(t *testing.T) {
	restricted := mustOwner(t, `{"desktopSettings": {"linkHandler": {"allowedManifestUrls": ["https://*.acme.com/links/*", "*://intranet.acme.com/*"]}, "allowedRuntimeArguments": ["--remote-debugging-port", "--inspect=9229"]}}`)
	off := mustOwner(t, `{"desktopSettings": {"linkHandler": {"enabled": false}}}`)
	on := mustOwner(t, `{"desktopSettings": {"linkHandler": {"enabled": true}}}`)
	overHTTP, err := ParseDenyOnly([]byte(`{"desktopSettings": {"linkHandler": {"enabled": true, "allowedManifestUrls": ["https://*.acme.com/links/*"]}, "allowedRuntimeArguments": ["--no-sandbox"]}}`), "http://owner.example.com/dos.json")
	platformtest.Must(t, err)
	offOverHTTP, err := ParseDenyOnly([]byte(`{"desktopSettings": {"linkHandler": {"enabled": false}}}`), "http://owner.example.com/dos.json")
	platformtest.Must(t, err)
	var none *Settings
	for _, tc := range []struct {
		name            string
		s               *Settings
		url             string
		unauthenticated bool
		want            bool
		cause           string
	}{
		{name: "allowed", s: restricted, url: "https://apps.acme.com/links/app.json", want: true},
		{name: "not-on-the-list", s: restricted, url: "https://apps.acme.com/other/app.json", cause: `"https://apps.acme.com/other/app.json" matches none of the linkHandler.allowedManifestUrls of the desktop owner settings "https://owner.example.com/dos.json"`},
		{name: "https-pattern-refuses-unauthenticated", s: restricted, url: "https://apps.acme.com/links/app.json", unauthenticated: true, cause: "matches only https patterns of the linkHandler.allowedManifestUrls"},
		{name: "star-pattern-admits-unauthenticated", s: restricted, url: "http://intranet.acme.com/app.json", unauthenticated: true, want: true},
		{name: "links-off", s: off, url: "https://apps.acme.com/links/app.json", cause: `the desktop owner settings "https://owner.example.com/dos.json" turn links off (linkHandler.enabled is false)`},
		{name: "links-on", s: on, url: "https://anything.example.org/app.json", want: true},
		{name: "http-list-applies", s: overHTTP, url: "https://apps.acme.com/other/app.json", cause: "matches none of the linkHandler.allowedManifestUrls"},
		{name: "http-off-applies", s: offOverHTTP, url: "https://apps.acme.com/links/app.json", cause: "turn links off"},
		{name: "no-settings", s: none, url: "https://anything.example.org/app.json", unauthenticated: true, want: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, reason := tc.s.AllowedLinkLaunch(mustURL(t, tc.url), !tc.unauthenticated)
			if got != tc.want || !strings.Contains(reason, tc.cause) || (tc.want && reason != "") {
				t.Errorf("got %v %q, want %v and a reason holding %q", got, reason, tc.want, tc.cause)
			}
		})
	}
	for _, tc := range []struct {
		name     string
		s        *Settings
		disabled bool
		args     []string
	}{
		{"listed", restricted, false, []string{"--remote-debugging-port", "--inspect=9229"}},
		{"off", off, true, nil},
		{"over-http-no-arguments", overHTTP, false, nil},
		{"over-http-off", offOverHTTP, true, nil},
		{"none", none, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.LinksDisabled(); got != tc.disabled {
				t.Errorf("got links disabled %v, want %v", got, tc.disabled)
			}
			if got := tc.s.RuntimeArguments(); !slices.Equal(got, tc.args) {
				t.Errorf("got allowed runtime arguments %q, want %q", got, tc.args)
			}
		})
	}
}

// TestOwnerSignerKeys: trustedSigners trust each key (given in either
// case) for every user, userSignerTrust disabled and
// promptsRequireTrustedBlock true say so; over plain http:// the signers
// are left out, since they could only loosen, and the two restrictions
// apply.
func TestOwnerSignerKeys(t *testing.T) {
	const key = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	upper := strings.ToLower("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")
	read := func(path string, parse func([]byte, string) (*Settings, error)) *Settings {
		data, err := os.ReadFile(path)
		platformtest.Must(t, err)
		s, err := parse(data, path)
		platformtest.Must(t, err)
		return s
	}
	s := read("../../testdata/owner/good_signer_keys.json", Parse)
	if name, ok := s.TrustedSigner(key); !ok || name != "Acme Corp" {
		t.Errorf("got %q, %v for the first signer, want Acme Corp", name, ok)
	}
	if name, ok := s.TrustedSigner(upper); !ok || name != "" {
		t.Errorf("got %q, %v for the signer written in upper case, want it trusted without a name", name, ok)
	}
	if _, ok := s.TrustedSigner(strings.Repeat("0", 64)); ok {
		t.Error("a key the owner did not list is trusted")
	}
	v := s.For(mustURL(t, "https://apps.acme.com/a.json"), true)
	if !v.TrustedSigner(key) || !v.UserSignerTrustDisabled() || !v.PromptsRequireTrustedBlock() {
		t.Errorf("got signer %v, user signer trust disabled %v, prompts require a trusted block %v, want all true", v.TrustedSigner(key), v.UserSignerTrustDisabled(), v.PromptsRequireTrustedBlock())
	}
	http := read("../../testdata/owner/http/good_signer_keys_deny_only.json", ParseDenyOnly)
	if _, ok := http.TrustedSigner(key); ok {
		t.Error("a deny-only file trusts a signer, want its trustedSigners ignored")
	}
	if !http.UserSignerTrustDisabled() || !http.PromptsRequireTrustedBlock() {
		t.Errorf("deny-only: got user signer trust disabled %v, prompts require a trusted block %v, want both to apply", http.UserSignerTrustDisabled(), http.PromptsRequireTrustedBlock())
	}
	var none *Settings
	if _, ok := none.TrustedSigner(key); ok || none.UserSignerTrustDisabled() || none.PromptsRequireTrustedBlock() {
		t.Error("no settings say something of signers, want nothing")
	}
}
