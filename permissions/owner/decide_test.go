package owner

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/permissions"
)

const acmeDOS = `{
  "desktopSettings": {"securedAPIDefaultPermission": "deny"},
  "applicationSettings": {
    "acme-tools": {
      "urls": ["https://*.acme.com/tools/*"],
      "permissions": {"System": {"launchExternalProcess": false, "getProcessList": true}}
    },
    "acme-all": {
      "urls": ["https://*.acme.com/*"],
      "permissions": {"System": {"launchExternalProcess": true, "getProcessList": true, "clearCache": true}}
    },
    "shield": {"urls": ["https://shielded.example.com/*"]},
    "default": {"permissions": {"System": {"readRegistryValue": false}, "Window": {"getSnapshot": true}}}
  }
}`

// requested builds the entries a manifest requests: "name" or "name=false"
// for an entry that is present but not enabled.
func requested(names ...string) []permissions.Entry {
	var out []permissions.Entry
	for _, n := range names {
		name, off := strings.CutSuffix(n, "=false")
		out = append(out, permissions.Entry{Name: name, Enabled: !off})
	}
	return out
}

// grants builds a trusted block's entries, as requested does.
func grants(names ...string) map[string]permissions.Entry {
	out := map[string]permissions.Entry{}
	for _, e := range requested(names...) {
		out[e.Name] = e
	}
	return out
}

// show renders decisions as "name=decision/source" in name order.
func show(ds map[string]permissions.Decision) string {
	var out []string
	for n, d := range ds {
		out = append(out, n+"="+d.Verdict.String()+"/"+string(d.Source))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// knownNames are the names of permissions.Known, for the benchmark.
var knownNames = []string{
	"Application.setShortcuts", "System.clearCache", "System.downloadAsset", "System.getCookies",
	"System.getDeviceUserId", "System.getEnvironmentVariable", "System.getProcessList",
	"System.launchExternalProcess", "System.readRegistryValue", "System.terminateExternalProcess",
	"Window.executeJavaScript", "Window.getSnapshot", "webAPIs.clipboard-read", "webAPIs.geolocation",
	"webAPIs.notifications",
}

// TestDecide runs Decide on what desktop owner settings files say (see
// Settings.For), with trusted blocks and stored answers.
func TestDecide(t *testing.T) {
	acme := mustOwner(t, acmeDOS)
	prompts := mustOwner(t, `{"applicationSettings": {"default": {"permissions": {"System": {"getCookies": false}}}}}`)
	allow := mustOwner(t, `{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`)
	noTrust := mustOwner(t, `{"desktopSettings": {"trustedAppConfigs": "disabled"}}`)
	ownerGrantsUnknown := mustOwner(t, `{"desktopSettings": {"securedAPIDefaultPermission": "allow"}, "applicationSettings": {"default": {"permissions": {"System": {"getCookies": true}}}}}`)
	for _, tc := range []struct {
		name        string
		url         string
		req         []permissions.Entry
		owner       *Settings
		unavailable bool
		trusted     map[string]permissions.Entry
		user        permissions.Answers
		want        string
	}{
		{
			name: "no-settings-prompts",
			url:  "https://apps.example.com/app.json",
			req:  requested("System.getCookies", "Window.getSnapshot"),
			want: "System.getCookies=prompt/default Window.getSnapshot=prompt/default",
		},
		{
			name:  "named-policies-false-wins",
			url:   "https://www.acme.com/tools/app.json",
			req:   requested("System.launchExternalProcess", "System.getProcessList", "System.clearCache"),
			owner: acme,
			want:  "System.clearCache=granted/desktop-owner-settings System.getProcessList=granted/desktop-owner-settings System.launchExternalProcess=denied/desktop-owner-settings",
		},
		{
			name:  "one-named-policy-grants",
			url:   "https://acme.com/blotter/app.json",
			req:   requested("System.launchExternalProcess"),
			owner: acme,
			want:  "System.launchExternalProcess=granted/desktop-owner-settings",
		},
		{
			name:    "named-policy-beats-trust-and-user",
			url:     "https://www.acme.com/tools/app.json",
			req:     requested("System.launchExternalProcess"),
			owner:   acme,
			trusted: grants("System.launchExternalProcess"),
			user:    map[string]bool{"System.launchExternalProcess": true},
			want:    "System.launchExternalProcess=denied/desktop-owner-settings",
		},
		{
			name:  "default-policy-where-no-named-matches",
			url:   "https://apps.example.com/app.json",
			req:   requested("System.readRegistryValue", "Window.getSnapshot", "System.getCookies"),
			owner: acme,
			want:  "System.getCookies=denied/desktop-owner-default System.readRegistryValue=denied/desktop-owner-settings Window.getSnapshot=granted/desktop-owner-settings",
		},
		{
			name:  "default-policy-not-where-a-named-matches",
			url:   "https://www.acme.com/tools/app.json",
			req:   requested("System.readRegistryValue", "Window.getSnapshot"),
			owner: acme,
			want:  "System.readRegistryValue=denied/desktop-owner-default Window.getSnapshot=denied/desktop-owner-default",
		},
		{
			name:    "shielding-policy-lets-trust-decide",
			url:     "https://shielded.example.com/app.json",
			req:     requested("System.readRegistryValue", "Window.getSnapshot"),
			owner:   acme,
			trusted: grants("System.readRegistryValue"),
			want:    "System.readRegistryValue=granted/trusted-app-configs Window.getSnapshot=denied/desktop-owner-default",
		},
		{
			name:    "trust-grants",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.getCookies", "Window.getSnapshot"),
			trusted: grants("System.getCookies"),
			want:    "System.getCookies=granted/trusted-app-configs Window.getSnapshot=prompt/default",
		},
		{
			name:    "trust-false-does-not-decide",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.getCookies"),
			trusted: grants("System.getCookies=false"),
			user:    map[string]bool{"System.getCookies": true},
			want:    "System.getCookies=granted/user",
		},
		{
			name:    "trust-beats-user",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.getCookies"),
			trusted: grants("System.getCookies"),
			user:    map[string]bool{"System.getCookies": false},
			want:    "System.getCookies=granted/trusted-app-configs",
		},
		{
			name:    "trust-grants-only-what-is-requested",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.getCookies", "System.clearCache=false"),
			trusted: grants("System.getCookies", "System.clearCache", "Window.getSnapshot"),
			want:    "System.getCookies=granted/trusted-app-configs",
		},
		{
			name:    "owner-disabled-trust",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.getCookies"),
			owner:   noTrust,
			trusted: grants("System.getCookies"),
			want:    "System.getCookies=prompt/default",
		},
		{
			name:  "user-answers",
			url:   "https://apps.example.com/app.json",
			req:   requested("System.getCookies", "Window.getSnapshot", "webAPIs.geolocation"),
			owner: allow,
			user:  map[string]bool{"System.getCookies": true, "Window.getSnapshot": false},
			want:  "System.getCookies=granted/user Window.getSnapshot=denied/user webAPIs.geolocation=granted/desktop-owner-default",
		},
		{
			name:  "owner-default-deny",
			url:   "https://apps.example.com/app.json",
			req:   requested("webAPIs.notifications"),
			owner: acme,
			want:  "webAPIs.notifications=denied/desktop-owner-default",
		},
		{
			name:  "owner-without-default-prompts",
			url:   "https://apps.example.com/app.json",
			req:   requested("webAPIs.notifications", "System.getCookies"),
			owner: prompts,
			want:  "System.getCookies=denied/desktop-owner-settings webAPIs.notifications=prompt/default",
		},
		{
			name:    "unknown-never-granted",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.formatDisk", "System.getCookies"),
			owner:   ownerGrantsUnknown,
			trusted: grants("System.formatDisk"),
			user:    map[string]bool{"System.formatDisk": true},
			want:    "System.formatDisk=denied/unknown-permission System.getCookies=granted/desktop-owner-settings",
		},
		{
			name:        "unavailable-denies-everything",
			url:         "https://www.acme.com/tools/app.json",
			req:         requested("System.getProcessList", "System.getCookies", "System.formatDisk"),
			unavailable: true,
			trusted:     grants("System.getCookies"),
			user:        map[string]bool{"System.getProcessList": true},
			want:        "System.formatDisk=denied/desktop-owner-settings-unavailable System.getCookies=denied/desktop-owner-settings-unavailable System.getProcessList=denied/desktop-owner-settings-unavailable",
		},
		{
			name:  "not-requested-not-decided",
			url:   "https://acme.com/x.json",
			req:   requested("System.clearCache=false"),
			owner: acme,
			want:  "",
		},
		{
			name:  "http-owner-url",
			url:   "http://acme.com/tools/x.json",
			req:   requested("System.launchExternalProcess"),
			owner: acme,
			want:  "System.launchExternalProcess=denied/desktop-owner-default",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := permissions.Decide(permissions.Input{
				Requested:        tc.req,
				URL:              tc.url,
				Owner:            tc.owner.For(mustURL(t, tc.url)),
				OwnerUnavailable: tc.unavailable,
				Trusted:          tc.trusted,
				Answers:          tc.user,
			})
			if s := show(got); s != tc.want {
				t.Errorf("got  %s\nwant %s", s, tc.want)
			}
		})
	}
}

// benchOwner builds owner settings of n named policies, each for its own
// host, and one for apps.example.com that matches the benchmark's URL.
func benchOwner(b *testing.B, n int) *Settings {
	var policies []string
	for i := 0; i < n-1; i++ {
		policies = append(policies, fmt.Sprintf(`"p%d": {"urls": ["https://*.host%d.example.org/*", "https://app%d.example.net/x/*"], "permissions": {"System": {"getCookies": false}}}`, i, i, i))
	}
	policies = append(policies, `"apps": {"urls": ["https://*.example.com/apps/*"], "permissions": {"System": {"launchExternalProcess": true, "getCookies": false}}}`)
	doc := `{"desktopSettings": {"securedAPIDefaultPermission": "deny"}, "applicationSettings": {` + strings.Join(policies, ",") +
		`, "default": {"permissions": {"Window": {"getSnapshot": false}}}}}`
	s, err := Parse([]byte(doc), "bench")
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkDecide(b *testing.B) {
	names := slices.Clone(knownNames)
	for len(names) < 20 {
		names = append(names, fmt.Sprintf("Future.permission%d", len(names)))
	}
	req := requested(names...)
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("policies=%d", n), func(b *testing.B) {
			const url = "https://www.example.com/apps/blotter/app.json"
			in := permissions.Input{
				Requested: req,
				URL:       url,
				Owner:     benchOwner(b, n).For(mustURL(b, url)),
				Trusted:   grants("System.readRegistryValue", "Window.getSnapshot"),
				Answers:   permissions.Answers{"webAPIs.notifications": true},
			}
			if got := permissions.Decide(in); len(got) != 20 || got["System.launchExternalProcess"].Source != permissions.SourceOwnerSettings {
				b.Fatalf("got %s, want 20 decisions, one from the apps policy", show(got))
			}
			b.ReportAllocs()
			for b.Loop() {
				permissions.Decide(in)
			}
		})
	}
}

// FuzzOwnerSettings: no desktop owner settings file makes the parser or
// the decision panic, or grants a permission that the manifest did not
// request or that rvm does not know.
func FuzzOwnerSettings(f *testing.F) {
	f.Add([]byte(acmeDOS))
	f.Add([]byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow", "allowedManifestUrls": ["*://*.example.com/*"]}}`))
	f.Add([]byte(`{"applicationSettings": {"default": {"permissions": {"System": {"getCookies": true, "clearCache": true}}}}}`))
	f.Add([]byte(`{"applicationSettings": {"a": {"urls": ["http://127.0.0.1/*"], "permissions": {"Window": {"getSnapshot": true}}}}}`))
	req := []permissions.Entry{
		{Name: "System.getCookies", Enabled: true},
		{Name: "System.formatDisk", Enabled: true},
		{Name: "Window.getSnapshot", Enabled: false},
	}
	urls := []string{"https://www.example.com/apps/x.json", "http://127.0.0.1/a", "https://www.acme.com/tools/a.json"}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, "fuzz")
		if err != nil {
			if s != nil || !strings.HasPrefix(err.Error(), "owner: ") {
				t.Fatalf("got %v and settings %v, want an owner: error and no settings", err, s)
			}
			return
		}
		for _, raw := range urls {
			u := mustURL(t, raw)
			s.AllowedToLaunch(u)
			got := permissions.Decide(permissions.Input{Requested: req, URL: raw, Owner: s.For(u), Trusted: grants("Window.getSnapshot", "System.clearCache")})
			for name, d := range got {
				if name != "System.getCookies" && name != "System.formatDisk" {
					t.Errorf("got a decision for %s, which the manifest did not request", name)
				}
				if d.Granted() && name != "System.getCookies" {
					t.Errorf("got %s granted (%s), want it never granted", name, d.Source)
				}
			}
		}
	})
}
