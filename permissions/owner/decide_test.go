package owner

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

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
	namedOverDefault := mustOwner(t, `{"applicationSettings": {
		"tools": {"urls": ["https://*.acme.com/tools/*"], "permissions": {"Window": {"getSnapshot": false}, "System": {"readRegistryValue": true}}},
		"default": {"permissions": {"Window": {"getSnapshot": true}, "System": {"readRegistryValue": false}}}}}`)
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
		// relaxed is what the same input decides for a manifest that was
		// not strictly fetched; "" where it is want.
		relaxed string
	}{
		{
			name: "no-settings-prompts",
			url:  "https://apps.example.com/app.json",
			req:  requested("System.getCookies", "Window.getSnapshot"),
			want: "System.getCookies=prompt/default Window.getSnapshot=prompt/default",
		},
		{
			name:    "named-policies-false-wins",
			url:     "https://www.acme.com/tools/app.json",
			req:     requested("System.launchExternalProcess", "System.getProcessList", "System.clearCache"),
			owner:   acme,
			want:    "System.clearCache=granted/desktop-owner-settings System.getProcessList=granted/desktop-owner-settings System.launchExternalProcess=denied/desktop-owner-settings",
			relaxed: "System.clearCache=denied/desktop-owner-default System.getProcessList=denied/desktop-owner-default System.launchExternalProcess=denied/desktop-owner-settings",
		},
		{
			name:    "one-named-policy-grants",
			url:     "https://acme.com/blotter/app.json",
			req:     requested("System.launchExternalProcess"),
			owner:   acme,
			want:    "System.launchExternalProcess=granted/desktop-owner-settings",
			relaxed: "System.launchExternalProcess=denied/desktop-owner-default",
		},
		{
			name:    "named-policy-beats-trust-and-user",
			url:     "https://www.acme.com/tools/app.json",
			req:     requested("System.launchExternalProcess"),
			owner:   acme,
			trusted: grants("System.launchExternalProcess"),
			user:    answers("System.launchExternalProcess"),
			want:    "System.launchExternalProcess=denied/desktop-owner-settings",
		},
		{
			name:    "default-policy-where-no-named-matches",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.readRegistryValue", "Window.getSnapshot", "System.getCookies"),
			owner:   acme,
			want:    "System.getCookies=denied/desktop-owner-default System.readRegistryValue=denied/desktop-owner-settings Window.getSnapshot=granted/desktop-owner-settings",
			relaxed: "System.getCookies=denied/desktop-owner-default System.readRegistryValue=denied/desktop-owner-settings Window.getSnapshot=denied/desktop-owner-default",
		},
		{
			// SPEC 4: default applies to a permission where no matching
			// named policy sets it, even though named policies match.
			name:    "default-policy-where-the-matching-named-are-silent",
			url:     "https://www.acme.com/tools/app.json",
			req:     requested("System.readRegistryValue", "Window.getSnapshot", "System.launchExternalProcess"),
			owner:   acme,
			want:    "System.launchExternalProcess=denied/desktop-owner-settings System.readRegistryValue=denied/desktop-owner-settings Window.getSnapshot=granted/desktop-owner-settings",
			relaxed: "System.launchExternalProcess=denied/desktop-owner-settings System.readRegistryValue=denied/desktop-owner-settings Window.getSnapshot=denied/desktop-owner-default",
		},
		{
			// A named policy without permissions shields nothing from
			// the default: the owner's default denial beats the block.
			name:    "named-policy-without-permissions-shields-nothing",
			url:     "https://shielded.example.com/app.json",
			req:     requested("System.readRegistryValue", "Window.getSnapshot", "System.getCookies"),
			owner:   acme,
			trusted: grants("System.readRegistryValue", "System.getCookies"),
			want:    "System.getCookies=granted/trusted-app-configs System.readRegistryValue=denied/desktop-owner-settings Window.getSnapshot=granted/desktop-owner-settings",
			relaxed: "System.getCookies=denied/desktop-owner-default System.readRegistryValue=denied/desktop-owner-settings Window.getSnapshot=denied/desktop-owner-default",
		},
		{
			// Unauthenticated, the named policy's grant of
			// readRegistryValue does not apply, and the default's denial
			// does (rule 2 applies where it denies).
			name:    "named-policy-beats-default",
			url:     "https://www.acme.com/tools/app.json",
			req:     requested("Window.getSnapshot", "System.readRegistryValue"),
			owner:   namedOverDefault,
			want:    "System.readRegistryValue=granted/desktop-owner-settings Window.getSnapshot=denied/desktop-owner-settings",
			relaxed: "System.readRegistryValue=denied/desktop-owner-settings Window.getSnapshot=denied/desktop-owner-settings",
		},
		{
			name:    "trust-grants",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.getCookies", "Window.getSnapshot"),
			trusted: grants("System.getCookies"),
			want:    "System.getCookies=granted/trusted-app-configs Window.getSnapshot=prompt/default",
			relaxed: "System.getCookies=prompt/default Window.getSnapshot=prompt/default",
		},
		{
			name:    "trust-false-does-not-decide",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.getCookies"),
			trusted: grants("System.getCookies=false"),
			user:    answers("System.getCookies"),
			want:    "System.getCookies=granted/user",
			relaxed: "System.getCookies=prompt/default",
		},
		{
			name:    "trust-beats-user",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.getCookies"),
			trusted: grants("System.getCookies"),
			user:    answers("System.getCookies=false"),
			want:    "System.getCookies=granted/trusted-app-configs",
			relaxed: "System.getCookies=denied/user",
		},
		{
			name:    "trust-grants-only-what-is-requested",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.getCookies", "System.clearCache=false"),
			trusted: grants("System.getCookies", "System.clearCache", "Window.getSnapshot"),
			want:    "System.getCookies=granted/trusted-app-configs",
			relaxed: "System.getCookies=prompt/default",
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
			name:    "user-answers",
			url:     "https://apps.example.com/app.json",
			req:     requested("System.getCookies", "Window.getSnapshot", "webAPIs.geolocation"),
			owner:   allow,
			user:    answers("System.getCookies", "Window.getSnapshot=false"),
			want:    "System.getCookies=granted/desktop-owner-default Window.getSnapshot=denied/user webAPIs.geolocation=granted/desktop-owner-default",
			relaxed: "System.getCookies=prompt/default Window.getSnapshot=denied/user webAPIs.geolocation=prompt/default",
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
			user:    answers("System.formatDisk"),
			want:    "System.formatDisk=denied/unknown-permission System.getCookies=granted/desktop-owner-settings",
			relaxed: "System.formatDisk=denied/unknown-permission System.getCookies=prompt/default",
		},
		{
			name:        "unavailable-denies-everything",
			url:         "https://www.acme.com/tools/app.json",
			req:         requested("System.getProcessList", "System.getCookies", "System.formatDisk"),
			unavailable: true,
			trusted:     grants("System.getCookies"),
			user:        answers("System.getProcessList"),
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
		for _, authenticated := range []bool{true, false} {
			name, want := tc.name, tc.want
			if !authenticated {
				name += "/unauthenticated"
				if tc.relaxed != "" {
					want = tc.relaxed
				}
			}
			t.Run(name, func(t *testing.T) {
				got := permissions.Decide(permissions.Input{
					Requested:        tc.req,
					URL:              tc.url,
					Authenticated:    authenticated,
					Owner:            tc.owner.For(mustURL(t, tc.url), authenticated),
					OwnerUnavailable: tc.unavailable,
					Trusted:          tc.trusted,
				})
				permissions.ApplyAnswers(got, permissions.Stored{Answers: tc.user}, authenticated)
				if s := show(got); s != want {
					t.Errorf("got  %s\nwant %s", s, want)
				}
			})
		}
	}
}

// answers builds stored answers to questions without constraints:
// "name" grants, "name=false" denies.
func answers(names ...string) permissions.Answers {
	out := permissions.Answers{}
	for _, e := range requested(names...) {
		out[permissions.QuestionOf(e.Name, nil)] = e.Enabled
	}
	return out
}

// TestDecidePolicyConstraints: an owner policy's grant carries the
// constraints of its object form, or for a bare true the manifest's;
// matching policies that grant with different constraints deny, naming
// both.
func TestDecidePolicyConstraints(t *testing.T) {
	const hkcu = `{"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"]}`
	const sam = `{"enabled": true, "registryKeys": ["HKEY_LOCAL_MACHINE\\SAM"]}`
	s := mustOwner(t, `{"applicationSettings": {
		"keys": {"urls": ["https://*.acme.com/*"], "permissions": {"System": {"readRegistryValue": `+hkcu+`}}},
		"same-keys-written-otherwise": {"urls": ["https://apps.acme.com/same/*"], "permissions": {"System": {"readRegistryValue": {"registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"], "enabled": true}}}},
		"other-keys": {"urls": ["https://apps.acme.com/other/*"], "permissions": {"System": {"readRegistryValue": `+sam+`}}},
		"bare": {"urls": ["https://apps.acme.com/bare/*", "https://bare.example.com/*"], "permissions": {"System": {"readRegistryValue": true}}},
		"off": {"urls": ["https://apps.acme.com/other/off/*"], "permissions": {"System": {"readRegistryValue": {"enabled": false, "registryKeys": []}}}},
		"default": {"permissions": {"System": {"readRegistryValue": `+hkcu+`}}}}}`)
	for _, tc := range []struct {
		name, url, requested string
		want                 permissions.Decision
	}{
		{"object-form-carries-its-own", "https://apps.acme.com/app.json", sam, permissions.Decision{Verdict: permissions.Granted, Source: permissions.SourceOwnerSettings, Policy: "keys", Constraints: jsontext.Value(hkcu)}},
		{"object-form-for-a-bare-request", "https://apps.acme.com/app.json", "", permissions.Decision{Verdict: permissions.Granted, Source: permissions.SourceOwnerSettings, Policy: "keys", Constraints: jsontext.Value(hkcu)}},
		{"same-constraints-agree", "https://apps.acme.com/same/app.json", sam, permissions.Decision{Verdict: permissions.Granted, Source: permissions.SourceOwnerSettings, Policy: "keys", Constraints: jsontext.Value(hkcu)}},
		{"different-constraints-deny", "https://apps.acme.com/other/app.json", hkcu, permissions.Decision{Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings, Policy: "keys, other-keys"}},
		{"false-wins-over-a-conflict", "https://apps.acme.com/other/off/app.json", hkcu, permissions.Decision{Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings, Policy: "off"}},
		{"bare-true-carries-the-manifests", "https://bare.example.com/app.json", sam, permissions.Decision{Verdict: permissions.Granted, Source: permissions.SourceOwnerSettings, Policy: "bare", Constraints: jsontext.Value(sam)}},
		{"bare-true-and-object-differ", "https://apps.acme.com/bare/app.json", sam, permissions.Decision{Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings, Policy: "keys, bare"}},
		{"bare-true-and-object-agree", "https://apps.acme.com/bare/app.json", hkcu, permissions.Decision{Verdict: permissions.Granted, Source: permissions.SourceOwnerSettings, Policy: "keys", Constraints: jsontext.Value(hkcu)}},
		{"default-policy-object-form", "https://other.example.org/app.json", sam, permissions.Decision{Verdict: permissions.Granted, Source: permissions.SourceOwnerSettings, Policy: "default", Constraints: jsontext.Value(hkcu)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := permissions.Entry{Name: "System.readRegistryValue", Enabled: true}
			if tc.requested != "" {
				e.Constraints = jsontext.Value(tc.requested)
			}
			got := permissions.Decide(permissions.Input{Requested: []permissions.Entry{e}, Authenticated: true, Owner: s.For(mustURL(t, tc.url), true)})["System.readRegistryValue"]
			if got.Verdict != tc.want.Verdict || got.Source != tc.want.Source || got.Policy != tc.want.Policy || !permissions.SameConstraints(got.Constraints, tc.want.Constraints) {
				t.Errorf("got %s (%s, policy %q) with %s, want %s (%s, policy %q) with %s", got.Verdict, got.Source, got.Policy, got.Constraints, tc.want.Verdict, tc.want.Source, tc.want.Policy, tc.want.Constraints)
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

// BenchmarkDecide decides a manifest's requested permissions under owner
// settings of one policy and of a thousand: 20 requested names, and 100
// (every name rvm knows, and unknown ones to make up the rest), as a
// Workspace-style platform requests.
func BenchmarkDecide(b *testing.B) {
	for _, bc := range []struct {
		name            string
		policies, names int
	}{
		{"policies=1", 1, 20},
		{"policies=1000", 1000, 20},
		{"policies=1000,requested=100", 1000, 100},
	} {
		b.Run(bc.name, func(b *testing.B) {
			names := slices.Clone(knownNames)
			if all := permissions.Names(); bc.names >= len(all) {
				names = all
			}
			for len(names) < bc.names {
				names = append(names, fmt.Sprintf("Future.permission%d", len(names)))
			}
			req := requested(names...)
			const url = "https://www.example.com/apps/blotter/app.json"
			in := permissions.Input{
				Requested:     req,
				URL:           url,
				Authenticated: true,
				Owner:         benchOwner(b, bc.policies).For(mustURL(b, url), true),
				Trusted:       grants("System.readRegistryValue", "Window.getSnapshot"),
			}
			if got := permissions.Decide(in); len(got) != bc.names || got["System.launchExternalProcess"].Source != permissions.SourceOwnerSettings {
				b.Fatalf("got %s, want %d decisions, one from the apps policy", show(got), bc.names)
			}
			b.ReportAllocs()
			for b.Loop() {
				permissions.Decide(in)
			}
		})
	}
}

// fuzzSigner is the signing key of the trusted block of FuzzOwnerSettings.
const fuzzSigner = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// FuzzOwnerSettings: no desktop owner settings file makes the parser or
// the decision panic, or grants a permission that the manifest did not
// request or that rvm does not know; every notice names the package and
// they stay within their bound; and read deny-only, no file grants
// anything.
func FuzzOwnerSettings(f *testing.F) {
	f.Add([]byte(acmeDOS))
	f.Add([]byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow", "allowedManifestUrls": ["*://*.example.com/*"]}}`))
	f.Add([]byte(`{"applicationSettings": {"default": {"permissions": {"System": {"getCookies": true, "clearCache": true}}}}}`))
	f.Add([]byte(`{"applicationSettings": {"a": {"urls": ["http://127.0.0.1/*"], "permissions": {"Window": {"getSnapshot": true}}}}}`))
	f.Add([]byte(`{"applicationSettings": {"https://www.example.com/apps/x.json": {"permissions": {"System": {"getCookies": {"enabled": true, "x": 1}}, "webAPIs": ["audio"]}}}}`))
	f.Add([]byte(`{"whitelist": [], "desktopSettings": {"systemApps": {}, "deployment": {"rvmControls": {}}, "linkHandler": {"enabled": true}}}`))
	f.Add([]byte(`{"desktopSettings": {"trustedSigners": [{"spki": "` + fuzzSigner + `", "name": "Acme Corp"}], "userSignerTrust": "disabled", "promptsRequireTrustedBlock": true}}`))
	req := []permissions.Entry{
		{Name: "System.getCookies", Enabled: true},
		{Name: "System.formatDisk", Enabled: true},
		{Name: "Window.getSnapshot", Enabled: false},
	}
	urls := []string{"https://www.example.com/apps/x.json", "http://127.0.0.1/a", "https://www.acme.com/tools/a.json"}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, denyOnly := range []bool{false, true} {
			parse := Parse
			if denyOnly {
				parse = ParseDenyOnly
			}
			s, err := parse(data, "fuzz")
			if err != nil {
				if s != nil || !strings.HasPrefix(err.Error(), "owner: ") {
					t.Fatalf("got %v and settings %v, want an owner: error and no settings", err, s)
				}
				continue
			}
			if len(s.Notices) > MaxNotices+1 {
				t.Errorf("got %d notices, want at most %d and a line for the rest", len(s.Notices), MaxNotices)
			}
			for _, n := range s.Notices {
				if !strings.HasPrefix(n, "owner: ") {
					t.Errorf("got notice %q, want it to start with owner:", n)
				}
			}
			if _, signer := s.TrustedSigner(fuzzSigner); denyOnly && (s.DefaultPermission() == permissions.Allow || s.RuntimeArguments() != nil || signer) {
				t.Errorf("deny-only: got default %v, runtime arguments %q, signer trusted %v, want none to loosen", s.DefaultPermission(), s.RuntimeArguments(), signer)
			}
			for _, raw := range urls {
				u := mustURL(t, raw)
				s.AllowedToLaunch(u, true)
				s.AllowedLinkLaunch(u, true)
				got := permissions.Decide(permissions.Input{Requested: req, URL: raw, Authenticated: true, Owner: s.For(u, true), Trusted: grants("Window.getSnapshot", "System.clearCache"), SignerSPKI: fuzzSigner})
				for name, d := range got {
					if name != "System.getCookies" && name != "System.formatDisk" {
						t.Errorf("got a decision for %s, which the manifest did not request", name)
					}
					if d.Granted() && (name != "System.getCookies" || denyOnly) {
						t.Errorf("deny-only %v: got %s granted (%s), want it never granted", denyOnly, name, d.Source)
					}
				}
			}
		}
	})
}
