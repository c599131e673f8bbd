package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// settingsFileSource is the source for a settings file of either format.
func settingsFileSource(path string) Source {
	if strings.HasSuffix(path, ".plist") {
		return plistFile(path, false)
	}
	return JSONFile(path)
}

func errorText(errs []error) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintln(&b, e)
	}
	return b.String()
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	platformtest.Must(t, err)
	return string(b)
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	platformtest.Must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	platformtest.Must(t, os.WriteFile(path, []byte(osPaths(content)), 0o644))
	return path
}

// wantSetting is what one setting must be after a load: its value, the
// source it came from, and whether it failed closed.
type wantSetting struct {
	value  any
	source string
	failed bool
}

// checkValues checks every setting of the table in m: those in want as
// given, every other one at its default.
func checkValues(t *testing.T, m *Machine, want map[string]wantSetting) {
	t.Helper()
	for _, s := range Table {
		w, ok := want[s.Name]
		if !ok {
			w = wantSetting{value: s.Default, source: SourceDefault}
		}
		if p, ok := w.value.(string); ok {
			w.value = osPath(p)
		}
		got := m.Values[s.Name]
		if jsonText(t, got.Value) != jsonText(t, w.value) || got.Source != w.source || got.FailedClosed != w.failed {
			t.Errorf("%s: got %s from %q (failed closed %v), want %s from %q (failed closed %v)",
				s.Name, jsonText(t, got.Value), got.Source, got.FailedClosed, jsonText(t, w.value), w.source, w.failed)
		}
	}
	if len(m.Values) != len(Table) {
		t.Errorf("got %d values, want one for each of the %d settings", len(m.Values), len(Table))
	}
}

// TestSettingsFiles runs every vector of testdata/settings as an owner
// source: each file X has a companion X.want.json with the values it sets,
// the settings that fail closed ("*" for every one) and strings its errors
// must hold; good_ files yield no error, bad_ files at least one.
func TestSettingsFiles(t *testing.T) {
	files, err := filepath.Glob("../../testdata/settings/*_*")
	platformtest.Must(t, err)
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, ".want.json") {
			continue
		}
		n++
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path + ".want.json")
			platformtest.Must(t, err)
			var vector struct {
				Values       map[string]any
				FailedClosed []string
				Errors       []string
			}
			platformtest.Must(t, json.Unmarshal(data, &vector))
			want := map[string]wantSetting{}
			for name, v := range vector.Values {
				if p, ok := v.(string); ok && osPath(p) != p {
					t.Skipf("%s holds the Unix path %q, which is not absolute here", name, p)
				}
				want[name] = wantSetting{value: v, source: path}
			}
			for _, s := range Table {
				if slices.Contains(vector.FailedClosed, s.Name) || slices.Contains(vector.FailedClosed, "*") {
					want[s.Name] = wantSetting{value: s.strictest(), source: path, failed: true}
				}
			}
			m := Sources{Owner: []Source{settingsFileSource(path)}}.Load("")
			checkValues(t, m, want)
			text := errorText(m.Errors)
			switch {
			case strings.HasPrefix(name, "good_") && len(m.Errors) > 0:
				t.Errorf("got errors %q, want none", text)
			case strings.HasPrefix(name, "bad_") && len(m.Errors) == 0:
				t.Errorf("got no error, want one")
			}
			for _, e := range m.Errors {
				if !strings.HasPrefix(e.Error(), "settings: ") || !strings.Contains(e.Error(), path) {
					t.Errorf("got error %q, want it to start with settings: and name %s", e, path)
				}
			}
			for _, w := range vector.Errors {
				if !strings.Contains(text, w) {
					t.Errorf("got errors %q, want one holding %q", text, w)
				}
			}
		})
	}
	if n < 30 {
		t.Fatalf("got %d vectors in testdata/settings, want at least 30", n)
	}
}

// TestSettingsFileBounds feeds each format one byte more than a settings
// file may hold, and exactly as much.
func TestSettingsFileBounds(t *testing.T) {
	dir := platformtest.TempDir(t)
	pad := func(head, tail string, size int) string {
		return head + strings.Repeat(" ", size-len(head)-len(tail)) + tail
	}
	for _, tc := range []struct {
		name, file, head, tail string
	}{
		{"json", "s.json", `{"RevocationMode": "online"`, "}"},
		{"xml-plist", "s.plist", `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>RevocationMode</key><string>online</string></dict>`, "</plist>"},
	} {
		for _, size := range []int{maxSettingsFile, maxSettingsFile + 1} {
			t.Run(fmt.Sprintf("%s-%d", tc.name, size), func(t *testing.T) {
				path := writeFile(t, filepath.Join(dir, tc.file), pad(tc.head, tc.tail, size))
				m := Sources{Owner: []Source{settingsFileSource(path)}}.Load("")
				got := m.Values[RevocationMode]
				if size > maxSettingsFile {
					if !got.FailedClosed || !strings.Contains(errorText(m.Errors), "larger than 65536 bytes") {
						t.Errorf("got %+v, errors %q, want RevocationMode failed closed and a size error", got, errorText(m.Errors))
					}
					return
				}
				if got.FailedClosed || got.Value != "online" || len(m.Errors) > 0 {
					t.Errorf("got %+v, errors %q, want online and no error", got, errorText(m.Errors))
				}
			})
		}
	}
}

// TestPrecedence: owner sources, then per-user sources, each a JSON file
// ("" absent, "<dir>" a folder that cannot be read as one). Sources are
// named o0, o1, ... and u0, u1, ... in the wants.
func TestPrecedence(t *testing.T) {
	type want = map[string]wantSetting
	for _, tc := range []struct {
		name        string
		owner, user []string
		want        want
		errs        []string
		notices     []string
	}{
		{
			name:  "first-owner-source-wins",
			owner: []string{`{"RevocationMode": "cached"}`, `{"RevocationMode": "online", "RuntimeDirectory": "/m2"}`},
			want:  want{RevocationMode: {"cached", "o0", false}, RuntimeDirectory: {"/m2", "o1", false}},
		},
		{
			name: "first-per-user-source-wins",
			user: []string{`{"RevocationMode": "online", "RuntimeDirectory": "/u0"}`, `{"RevocationMode": "cached", "RuntimeDirectory": "/u1"}`},
			want: want{RevocationMode: {"online", "u0", false}, RuntimeDirectory: {"/u0", "u0", false}},
		},
		{
			name:  "per-user-flag-only-tightens",
			owner: []string{`{"allowInvalidNetworkCertificates": 1, "allowHttpsToHttpNetworkRedirects": 0}`},
			user:  []string{`{"allowInvalidNetworkCertificates": 0, "allowHttpsToHttpNetworkRedirects": 1, "allowHttpToHttpsNetworkRedirects": 0}`},
			want: want{
				AllowInvalidNetworkCertificates: {0, "u0", false},
				AllowHTTPSToHTTPRedirects:       {0, "o0", false},
				AllowHTTPToHTTPSRedirects:       {0, "u0", false},
			},
			notices: []string{"settings: allowHttpsToHttpNetworkRedirects 1 in u0 ignored: a per-user source may only make it stricter than 0 (set by the owner source o0)"},
		},
		{
			name:    "per-user-revocation-only-tightens",
			owner:   []string{`{"RevocationMode": "cached"}`},
			user:    []string{`{"RevocationMode": "off"}`},
			want:    want{RevocationMode: {"cached", "o0", false}},
			notices: []string{`settings: RevocationMode "off" in u0 ignored: a per-user source may only make it stricter than "cached" (set by the owner source o0)`},
		},
		{
			name:    "per-user-may-not-loosen-the-default",
			user:    []string{`{"RevocationMode": "off", "CachedManifestMaxAgeDays": 60}`},
			notices: []string{`settings: RevocationMode "off" in u0 ignored: a per-user source may only make it stricter than "cached" (the default)`, "settings: CachedManifestMaxAgeDays 60 in u0 ignored"},
		},
		{
			name: "per-user-tightens-the-default",
			user: []string{`{"RevocationMode": "online", "CachedManifestMaxAgeDays": 0, "allowInvalidNetworkCertificates": 1}`},
			want: want{RevocationMode: {"online", "u0", false}, CachedManifestMaxAgeDays: {0, "u0", false}, AllowInvalidNetworkCertificates: {1, "u0", false}},
		},
		{
			name:    "per-user-days-only-lower",
			owner:   []string{`{"CachedManifestMaxAgeDays": 10, "RevocationMode": "off"}`},
			user:    []string{`{"CachedManifestMaxAgeDays": 20, "RevocationMode": "cached"}`},
			want:    want{CachedManifestMaxAgeDays: {10, "o0", false}, RevocationMode: {"cached", "u0", false}},
			notices: []string{"settings: CachedManifestMaxAgeDays 20 in u0 ignored: a per-user source may only make it stricter than 10 (set by the owner source o0)"},
		},
		{
			name:  "per-user-equal-to-the-owner-keeps-the-owner",
			owner: []string{`{"RevocationMode": "online"}`},
			user:  []string{`{"RevocationMode": "online"}`},
			want:  want{RevocationMode: {"online", "o0", false}},
		},
		{
			name:    "owner-settings-location-is-the-owners",
			owner:   []string{`{"DesktopOwnerSettings": "/etc/rvm/owner.json", "RuntimeDirectory": "/opt/rvm"}`},
			user:    []string{`{"DesktopOwnerSettings": "/home/u/lax.json", "RuntimeDirectory": "/home/u/rt"}`},
			want:    want{DesktopOwnerSettings: {"/etc/rvm/owner.json", "o0", false}, RuntimeDirectory: {"/opt/rvm", "o0", false}},
			notices: []string{`settings: DesktopOwnerSettings "/home/u/lax.json" in u0 ignored: the owner source o0 sets it`, `settings: RuntimeDirectory "/home/u/rt" in u0 ignored: the owner source o0 sets it`},
		},
		{
			name: "owner-settings-location-from-a-user-where-no-owner-sets-it",
			user: []string{`{"DesktopOwnerSettings": "/home/u/dos.json"}`},
			want: want{DesktopOwnerSettings: {"/home/u/dos.json", "u0", false}},
		},
		{
			name:    "empty-owner-settings-location-means-none-and-keeps-users-out",
			owner:   []string{`{"DesktopOwnerSettings": ""}`},
			user:    []string{`{"DesktopOwnerSettings": "/home/u/dos.json"}`},
			want:    want{DesktopOwnerSettings: {"", "o0", false}},
			notices: []string{`settings: DesktopOwnerSettings "/home/u/dos.json" in u0 ignored: the owner source o0 sets it`},
		},
		{
			name: "owner-only-names-never-from-a-user",
			user: []string{`{"TrustRootsFile": "/home/u/roots.pem", "RuntimeRepository": "https://evil.test/", "RuntimeRepositoryRoot": "/home/u/1.root.json", "RuntimeDirectory": "/u"}`},
			want: want{RuntimeDirectory: {"/u", "u0", false}},
			notices: []string{
				"settings: TrustRootsFile in u0 ignored: it is read only from owner sources",
				"settings: RuntimeRepository in u0 ignored: it is read only from owner sources",
				"settings: RuntimeRepositoryRoot in u0 ignored: it is read only from owner sources",
			},
		},
		{
			name:  "owner-only-names-from-the-owner",
			owner: []string{`{"TrustRootsFile": "/etc/rvm/roots.pem", "RuntimeRepository": "https://runtimes.test/", "RuntimeRepositoryRoot": "/etc/rvm/1.root.json"}`},
			user:  []string{`{"TrustRootsFile": "/home/u/roots.pem"}`},
			want: want{TrustRootsFile: {"/etc/rvm/roots.pem", "o0", false}, RuntimeRepository: {"https://runtimes.test/", "o0", false},
				RuntimeRepositoryRoot: {"/etc/rvm/1.root.json", "o0", false}},
			notices: []string{"settings: TrustRootsFile in u0 ignored: it is read only from owner sources"},
		},
		{
			// A trailing comma: every setting the file could hold counts
			// as its strictest, and no per-user source may stand in.
			name:  "broken-owner-source-fails-closed",
			owner: []string{"{\n  \"DesktopOwnerSettings\": \"/etc/rvm/owner.json\",\n}"},
			user:  []string{`{"DesktopOwnerSettings": "/home/u/dos.json", "RevocationMode": "off", "allowInvalidNetworkCertificates": 1, "RuntimeDirectory": "/u"}`},
			want:  failedAll("o0"),
			errs:  []string{"settings: settings file o0: not JSON: line 3, column 1: invalid character '}'"},
			notices: []string{
				`settings: DesktopOwnerSettings "/home/u/dos.json" in u0 ignored: the owner source o0 could not be read or holds an invalid value for it, which fails closed`,
				`settings: RuntimeDirectory "/u" in u0 ignored: the owner source o0 could not be read`,
				`settings: RevocationMode "off" in u0 ignored: a per-user source may only make it stricter than "online" (the strictest, as the owner source o0 could not be read or holds an invalid value for it)`,
			},
		},
		{
			name:    "unreadable-owner-source-fails-closed",
			owner:   []string{"<dir>"},
			user:    []string{`{"DesktopOwnerSettings": "/home/u/dos.json"}`},
			want:    failedAll("o0"),
			errs:    []string{"settings: settings file o0: "},
			notices: []string{`settings: DesktopOwnerSettings "/home/u/dos.json" in u0 ignored: the owner source o0 could not be read`},
		},
		{
			name:  "broken-later-owner-source-leaves-the-first-owners-values",
			owner: []string{`{"RevocationMode": "off", "RuntimeDirectory": "/m"}`, `{"RevocationMode": "online",}`},
			want: func() want {
				w := failedAll("o1")
				w[RevocationMode] = wantSetting{"off", "o0", false}
				w[RuntimeDirectory] = wantSetting{"/m", "o0", false}
				return w
			}(),
			errs: []string{"settings file o1: not JSON"},
		},
		{
			// An invalid value sets its name where it stands: a later owner
			// source does not loosen it.
			name:  "invalid-owner-value-fails-closed-first",
			owner: []string{`{"RevocationMode": "never", "RuntimeDirectory": "/m"}`, `{"RevocationMode": "off"}`},
			want:  want{RevocationMode: {"online", "o0", true}, RuntimeDirectory: {"/m", "o0", false}},
			errs:  []string{`settings: setting RevocationMode in o0, line 1, column 20: want off, cached or online, got "never"`},
		},
		{
			name:    "invalid-owner-value-keeps-users-out",
			owner:   []string{`{"DesktopOwnerSettings": 7}`},
			user:    []string{`{"DesktopOwnerSettings": "/home/u/dos.json", "RevocationMode": "online"}`},
			want:    want{DesktopOwnerSettings: {nil, "o0", true}, RevocationMode: {"online", "u0", false}},
			errs:    []string{"setting DesktopOwnerSettings in o0, line 1, column 26: want a string, got the number 7"},
			notices: []string{`settings: DesktopOwnerSettings "/home/u/dos.json" in u0 ignored: the owner source o0 could not be read or holds an invalid value for it`},
		},
		{
			name: "invalid-per-user-value-fails-closed-for-the-user",
			user: []string{`{"RevocationMode": "never", "allowInvalidNetworkCertificates": "1"}`, `{"RevocationMode": "off"}`},
			want: want{RevocationMode: {"online", "u0", true}, AllowInvalidNetworkCertificates: {0, "u0", true}},
			errs: []string{`got "never"`, `want 0 or 1, got the string "1"`},
		},
		{
			name:  "broken-per-user-source-fails-closed-for-the-user",
			owner: []string{`{"RevocationMode": "cached", "DesktopOwnerSettings": "/etc/rvm/owner.json"}`},
			user:  []string{`[]`, `{"RuntimeDirectory": "/u1"}`},
			want: want{
				DesktopOwnerSettings:            {"/etc/rvm/owner.json", "o0", false},
				AllowInvalidNetworkCertificates: {0, "u0", true},
				AllowHTTPSToHTTPRedirects:       {0, "u0", true},
				AllowHTTPToHTTPSRedirects:       {0, "u0", true},
				RevocationMode:                  {"online", "u0", true},
				RuntimeDirectory:                {nil, "u0", true},
				CachedManifestMaxAgeDays:        {0, "u0", true},
			},
			errs: []string{"settings: settings file u0: line 1, column 1: want a JSON object, got an array"},
		},
		{
			name:  "missing-sources-are-no-error",
			owner: []string{""},
			user:  []string{""},
		},
		{
			name:  "runtime-repository-half-set",
			owner: []string{`{"RuntimeRepositoryRoot": "/etc/rvm/1.root.json"}`},
			want:  want{RuntimeRepositoryRoot: {"/etc/rvm/1.root.json", "o0", false}},
			errs:  []string{"settings: no runtime repository: RuntimeRepositoryRoot is set (in o0) but RuntimeRepository is not; both are set or neither"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := platformtest.TempDir(t)
			var names []string
			sources := func(prefix string, contents []string) []Source {
				var srcs []Source
				for i, c := range contents {
					path := filepath.Join(dir, fmt.Sprintf("%s%d.json", prefix, i))
					switch c {
					case "":
					case "<dir>":
						platformtest.Must(t, os.Mkdir(path, 0o700))
					default:
						writeFile(t, path, c)
					}
					srcs = append(srcs, JSONFile(path))
					names = append(names, fmt.Sprintf("%s%d", prefix, i), path)
				}
				return srcs
			}
			srcs := Sources{Owner: sources("o", tc.owner), User: sources("u", tc.user)}
			named := strings.NewReplacer(names...)
			m := srcs.Load("")
			want := map[string]wantSetting{}
			for name, w := range tc.want {
				w.source = named.Replace(w.source)
				want[name] = w
			}
			checkValues(t, m, want)
			text := errorText(m.Errors)
			if len(tc.errs) == 0 && text != "" {
				t.Errorf("got errors %q, want none", text)
			}
			for _, e := range tc.errs {
				if e = osPaths(named.Replace(e)); !strings.Contains(text, e) {
					t.Errorf("got errors %q, want one holding %q", text, e)
				}
			}
			notices := strings.Join(m.Notices, "\n")
			if len(tc.notices) == 0 && notices != "" {
				t.Errorf("got notices %q, want none", notices)
			}
			for _, n := range tc.notices {
				if n = osPaths(named.Replace(n)); !strings.Contains(notices, n) {
					t.Errorf("got notices %q, want one holding %q", notices, n)
				}
			}
		})
	}
}

// failedAll is every setting failed closed in source.
func failedAll(source string) map[string]wantSetting {
	w := map[string]wantSetting{}
	for _, s := range Table {
		w[s.Name] = wantSetting{s.strictest(), source, true}
	}
	return w
}

// TestOverrideReplacesPerUserSources: the file named for one call stands in
// for the per-user sources, and for nothing else: the owner's values win,
// and names only owner sources set are ignored in it.
func TestOverrideReplacesPerUserSources(t *testing.T) {
	dir := platformtest.TempDir(t)
	owner := writeFile(t, filepath.Join(dir, "etc", "settings.json"),
		`{"DesktopOwnerSettings": "/etc/rvm/owner.json", "RevocationMode": "cached", "allowInvalidNetworkCertificates": 0}`)
	user := writeFile(t, filepath.Join(dir, "config", "settings.json"), `{"RuntimeDirectory": "/home/u/rt", "CachedManifestMaxAgeDays": 3}`)
	override := writeFile(t, filepath.Join(dir, "override.json"),
		`{"DesktopOwnerSettings": "/tmp/lax.json", "RevocationMode": "off", "allowInvalidNetworkCertificates": 1, "TrustRootsFile": "/tmp/roots.pem", "CachedManifestMaxAgeDays": 7}`)
	srcs := Sources{Owner: []Source{JSONFile(owner)}, User: []Source{JSONFile(user)}}

	m := srcs.Load(override)
	checkValues(t, m, map[string]wantSetting{
		DesktopOwnerSettings:            {"/etc/rvm/owner.json", owner, false},
		RevocationMode:                  {"cached", owner, false},
		AllowInvalidNetworkCertificates: {0, owner, false},
		CachedManifestMaxAgeDays:        {7, override, false},
	})
	if len(m.Errors) > 0 {
		t.Errorf("got errors %q, want none", errorText(m.Errors))
	}
	notices := strings.Join(m.Notices, "\n")
	for _, n := range []string{
		osPaths(`DesktopOwnerSettings "/tmp/lax.json" in `) + override + " ignored",
		`RevocationMode "off" in ` + override + " ignored",
		"allowInvalidNetworkCertificates 1 in " + override + " ignored",
		"TrustRootsFile in " + override + " ignored: it is read only from owner sources",
	} {
		if !strings.Contains(notices, n) {
			t.Errorf("got notices %q, want one holding %q", notices, n)
		}
	}

	// Without it, the per-user sources are read.
	checkValues(t, srcs.Load(""), map[string]wantSetting{
		DesktopOwnerSettings:            {"/etc/rvm/owner.json", owner, false},
		RevocationMode:                  {"cached", owner, false},
		AllowInvalidNetworkCertificates: {0, owner, false},
		RuntimeDirectory:                {"/home/u/rt", user, false},
		CachedManifestMaxAgeDays:        {3, user, false},
	})
}

// A settings file named for a call that is not there is an error naming
// it, and fails closed for the per-user part it stands for.
func TestOverrideFileMustExist(t *testing.T) {
	missing := filepath.Join(platformtest.TempDir(t), "nope.json")
	m := Sources{}.Load(missing)
	if text := errorText(m.Errors); !strings.Contains(text, "settings: settings file "+missing+" (--machine-settings or RVM_MACHINE_SETTINGS) does not exist") {
		t.Fatalf("got errors %q, want one saying %s does not exist", text, missing)
	}
	if h := m.HTTPS(); h.InvalidCertificates.Allowed {
		t.Errorf("got invalid certificates allowed by a missing settings file, want them refused")
	}
	if _, _, invalid := m.OwnerLocation(); invalid != missing {
		t.Errorf("got owner settings invalid %q, want them unavailable, from %s", invalid, missing)
	}
}

func TestAccessors(t *testing.T) {
	dir := platformtest.TempDir(t)
	owner := writeFile(t, filepath.Join(dir, "owner.json"), `{"DesktopOwnerSettings": "https://it.test/owner.json", "allowInvalidNetworkCertificates": 0,
		"TrustRootsFile": "/etc/rvm/roots.pem", "RuntimeRepository": "https://runtimes.test/", "RuntimeRepositoryRoot": "/etc/rvm/1.root.json",
		"CachedManifestMaxAgeDays": 2, "RevocationMode": "online", "RuntimeDirectory": "/opt/rt"}`)
	broken := writeFile(t, filepath.Join(dir, "broken.json"), `{`)
	loaded := Sources{Owner: []Source{JSONFile(owner)}}.Load("")
	empty := Sources{}.Load("")
	failed := Sources{Owner: []Source{JSONFile(broken)}}.Load("")
	flagFailed := " (which could not be read or held an invalid value, so it counts as 0)"
	for _, tc := range []struct {
		name string
		m    *Machine
		want string
	}{
		{"set", loaded, `https={false ` + owner + ` true  true } revocation=online maxAge=48h0m0s runtimeDir=` + osPath("/opt/rt") + ` ` +
			`owner=https://it.test/owner.json,` + owner + `, roots=` + osPath("/etc/rvm/roots.pem") + `,` + owner + `,true repo=https://runtimes.test/,` + osPath("/etc/rvm/1.root.json") + `,<nil>`},
		{"defaults", empty, `https={true  true  true } revocation=cached maxAge=720h0m0s runtimeDir=/data/runtime owner=,, roots=,,false repo=,,<nil>`},
		{"failed-closed", failed, `https={false ` + broken + flagFailed + ` false ` + broken + flagFailed + ` false ` + broken + flagFailed + `} revocation=online maxAge=0s runtimeDir=/data/runtime ` +
			`owner=,,` + broken + ` roots=,` + broken + `,true repo=,,settings: no runtime repository: RuntimeRepository in ` + broken + ` could not be read or holds an invalid value`},
		{"zero-machine-fails-closed", &Machine{}, `https={false ` + noSettings + flagFailed + ` false ` + noSettings + flagFailed + ` false ` + noSettings + flagFailed + `} revocation=online maxAge=0s runtimeDir=/data/runtime ` +
			`owner=,,` + noSettings + ` roots=,` + noSettings + `,true repo=,,settings: no runtime repository: RuntimeRepository in ` + noSettings + ` could not be read or holds an invalid value`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.m.HTTPS()
			value, setBy, invalid := tc.m.OwnerLocation()
			roots, rootsFrom, rootsSet := tc.m.TrustRootsFile()
			repo, root, err := tc.m.RuntimeRepository()
			got := fmt.Sprintf("https={%v %s %v %s %v %s} revocation=%s maxAge=%v runtimeDir=%s owner=%s,%s,%s roots=%s,%s,%v repo=%s,%s,%v",
				h.InvalidCertificates.Allowed, h.InvalidCertificates.Source, h.HTTPSToHTTP.Allowed, h.HTTPSToHTTP.Source, h.HTTPStart.Allowed, h.HTTPStart.Source,
				tc.m.Revocation(), tc.m.CachedManifestMaxAge(), filepath.ToSlash(tc.m.RuntimeDir("/data")),
				value, setBy, invalid, roots, rootsFrom, rootsSet, repo, root, err)
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	if got := loaded.CachedManifestMaxAge(); got != 2*24*time.Hour {
		t.Errorf("got CachedManifestMaxAge %v, want 48h", got)
	}
	b, err := json.Marshal(loaded.Values[RevocationMode])
	if err != nil || string(b) != `{"value":"online","source":"`+strings.ReplaceAll(owner, `\`, `\\`)+`"}` {
		t.Errorf("got JSON %s (%v), want the SPEC 1 shape", b, err)
	}
}

// TestTable: every row is complete enough for the templates and schemas
// made from it, and its strictest value is one a source could set.
func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Table {
		t.Run(s.Name, func(t *testing.T) {
			if seen[s.Name] {
				t.Fatalf("got %s twice", s.Name)
			}
			seen[s.Name] = true
			if s.Kind == 0 || s.Scope == 0 || s.Description == "" || strings.Contains(s.Description, "\n") {
				t.Errorf("got kind %d, scope %d, description %q, want all three (one line)", s.Kind, s.Scope, s.Description)
			}
			if s.Scope == ScopeStricter && s.Default == nil {
				t.Errorf("got no default for a per-user-only-stricter setting, want one to compare with")
			}
			if s.Kind == KindNumber && s.Max == 0 {
				t.Errorf("got no bound for a number")
			}
			if strict := s.strictest(); strict != nil {
				if _, err := checkValue(&s, strict, "test"); err != nil {
					t.Errorf("got strictest value %v that the check refuses: %v", strict, err)
				}
			}
		})
	}
	if len(Table) != 10 {
		t.Errorf("got %d settings, want the 10 of SPEC 4", len(Table))
	}
}

func TestPlistSources(t *testing.T) {
	root, home := platformtest.TempDir(t), platformtest.TempDir(t)
	dict := func(body string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>` + body + `</dict></plist>`
	}
	managed := writeFile(t, filepath.Join(root, "Library", "Managed Preferences", "RVM.plist"),
		dict(`<key>allowInvalidNetworkCertificates</key><false/>`))
	machine := writeFile(t, filepath.Join(root, "Library", "Application Support", "RVM", "Settings.plist"),
		dict(`<key>allowInvalidNetworkCertificates</key><true/><key>TrustRootsFile</key><string>/Library/roots.pem</string>`))
	managedUser := writeFile(t, filepath.Join(root, "Library", "Managed Preferences", "alice", "RVM.plist"),
		dict(`<key>RevocationMode</key><string>online</string>`))
	user := writeFile(t, filepath.Join(home, "Library", "Application Support", "RVM", "Settings.plist"),
		dict(`<key>TrustRootsFile</key><string>/Users/u/roots.pem</string><key>RuntimeDirectory</key><string>/Users/u/rt</string><key>RevocationMode</key><string>cached</string>`))
	openFin := writeFile(t, filepath.Join(home, "Library", "Application Support", "OpenFin", "rvm", "FileRegistry.plist"),
		dict(`<key>allowHttpToHttpsNetworkRedirects</key><false/><key>DesktopOwnerSettings</key><string>/Users/u/dos.json</string>`+
			`<key>RuntimeDirectory</key><string>/Users/u/openfin</string><key>assetsUrl</key><string>https://assets.test/</string>`))

	srcs := plistSources(root, home, "alice")
	var got []string
	for _, s := range srcs.Owner {
		got = append(got, "owner "+s.Name)
	}
	for _, s := range srcs.User {
		got = append(got, fmt.Sprintf("user %s openFin=%v", s.Name, s.openFin))
	}
	want := []string{"owner " + managed, "owner " + machine, "user " + managedUser + " openFin=false", "user " + user + " openFin=false", "user " + openFin + " openFin=true"}
	if !slices.Equal(got, want) {
		t.Errorf("got sources %q, want %q", got, want)
	}

	m := srcs.Load("")
	checkValues(t, m, map[string]wantSetting{
		AllowInvalidNetworkCertificates: {0, managed, false},
		TrustRootsFile:                  {"/Library/roots.pem", machine, false},
		RevocationMode:                  {"online", managedUser, false},
		RuntimeDirectory:                {"/Users/u/rt", user, false},
		AllowHTTPToHTTPSRedirects:       {0, openFin, false},
		DesktopOwnerSettings:            {"/Users/u/dos.json", openFin, false},
	})
	if len(m.Errors) > 0 {
		t.Errorf("got errors %q, want none: OpenFin's own names in its file are no error", errorText(m.Errors))
	}
	notices := strings.Join(m.Notices, "\n")
	for _, n := range []string{
		"settings: TrustRootsFile in " + user + " ignored: it is read only from owner sources",
		"settings: RuntimeDirectory in " + openFin + " ignored: OpenFin's keys and files supply only DesktopOwnerSettings and the three HTTPS settings",
	} {
		if !strings.Contains(notices, n) {
			t.Errorf("got notices %q, want one holding %q", notices, n)
		}
	}

	for _, tc := range []struct {
		name, home, user string
		n                int
	}{
		{"no-home", "", "alice", 1},
		{"relative-home", "rel", "alice", 1},
		{"no-user", home, "", 2},
		{"user-with-a-slash", home, "../alice", 2},
		{"user-dot-dot", home, "..", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := plistSources(root, tc.home, tc.user); len(got.Owner) != 2 || len(got.User) != tc.n {
				t.Errorf("got %d owner and %d per-user sources, want 2 and %d", len(got.Owner), len(got.User), tc.n)
			}
		})
	}
}

// A broken OpenFin file fails closed only for the names it could hold.
func TestBrokenOpenFinSourceFailsClosedForItsNames(t *testing.T) {
	path := writeFile(t, filepath.Join(platformtest.TempDir(t), "FileRegistry.plist"), "<plist><dict><key>")
	m := Sources{Owner: []Source{plistFile(path, true)}}.Load("")
	want := map[string]wantSetting{}
	for _, s := range Table {
		if s.OpenFin {
			want[s.Name] = wantSetting{s.strictest(), path, true}
		}
	}
	checkValues(t, m, want)
}

func FuzzSettingsFile(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/settings/*_*")
	for _, path := range files {
		if data, err := os.ReadFile(path); err == nil && !strings.HasSuffix(path, ".want.json") {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte, string) (rawSettings, error){parseJSONSettings, parsePlistSettings} {
			raw, err := parse(data, "fuzz")
			if err != nil {
				if !strings.HasPrefix(err.Error(), "settings: ") {
					t.Errorf("got error %q, want it to start with settings:", err)
				}
				continue
			}
			for name, v := range raw.values {
				if _, err := checkValue(lookup(name), v, "fuzz"); err != nil {
					t.Errorf("got value %s = %v that its own check refuses: %v", name, v, err)
				}
			}
			for _, err := range append(slices.Collect(maps.Values(raw.bad)), raw.unknown...) {
				if !strings.HasPrefix(err.Error(), "settings: ") {
					t.Errorf("got error %q, want it to start with settings:", err)
				}
			}
		}
	})
}

func TestNotExistIsSilent(t *testing.T) {
	_, err := JSONFile(filepath.Join(platformtest.TempDir(t), "none.json")).load()
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want an os.ErrNotExist", err)
	}
}

// TestSettingsFilePositions: every fault of a JSON settings file, in its
// syntax or in one of its values, names the file and the line and column.
func TestSettingsFilePositions(t *testing.T) {
	dir := platformtest.TempDir(t)
	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"values", "{\n  \"RuntimeDirectory\": \"/opt/rvm\",\n  \"RevocationMode\": \"never\",\n\t\"allowInvalidNetworkCertificates\": true,\n  \"Other\": 1\n}\n", []string{
			"setting RevocationMode in %s, line 3, column 21: want off, cached or online, got \"never\"",
			"setting allowInvalidNetworkCertificates in %s, line 4, column 37: want 0 or 1, got a boolean",
			"unknown setting \"Other\" in %s, line 5, column 12",
		}},
		{"syntax", "{\n  \"RevocationMode\": \"off\"\n  \"RuntimeDirectory\": \"/r\"\n}", []string{"settings file %s: not JSON: line 3, column 3: invalid character '\"' after object value"}},
		{"trailing-comma", "{\n  \"DesktopOwnerSettings\": \"/etc/rvm/owner.json\",\n}\n", []string{"settings file %s: not JSON: line 3, column 1: invalid character '}'"}},
		{"duplicate", "{\"RevocationMode\": \"off\",\n \"Revocation\\u004dode\": \"off\"}", []string{"settings file %s: line 2, column 2 (at /RevocationMode): duplicate key \"RevocationMode\""}},
		{"not-utf-8", "{\"RevocationMode\":\n \"off\xff\"}", []string{"settings file %s: line 2, column 6: not valid UTF-8"}},
		{"byte-order-mark", "\xef\xbb\xbf{}", []string{"settings file %s: line 1, column 1: starts with a byte-order mark"}},
		{"top-level-after-space", "\n\n  [\"RevocationMode\"]", []string{"settings file %s: line 3, column 3: want a JSON object, got an array"}},
		{"empty", "", []string{"settings file %s: not JSON: line 1, column 1: empty input"}},
		{"truncated", "{\"RevocationMode\":\n", []string{"settings file %s: not JSON: line 2, column 1 (at /RevocationMode): unexpected end of input"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(dir, tc.name+".json"), tc.content)
			text := errorText(Sources{Owner: []Source{JSONFile(path)}}.Load("").Errors)
			for _, w := range tc.want {
				if w = "settings: " + fmt.Sprintf(w, path); !strings.Contains(text, w) {
					t.Errorf("got errors %q, want one holding %q", text, w)
				}
			}
		})
	}
}
