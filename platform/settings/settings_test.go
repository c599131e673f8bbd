package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// settingsFileSource is the source for a settings file of either format.
func settingsFileSource(path string, machineWide bool) Source {
	if strings.HasSuffix(path, ".plist") {
		return plistSettingsFile(path, machineWide)
	}
	return JSONFile(path, machineWide)
}

func errorText(errs []error) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintln(&b, e)
	}
	return b.String()
}

func valuesJSON(t *testing.T, s *Machine) string {
	t.Helper()
	vals := map[string]any{}
	for name, v := range s.Values {
		vals[name] = v.Value
	}
	b, err := json.Marshal(vals)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSettingsFiles runs every vector of testdata/settings: each file
// X has a companion X.want.json with the values it must yield and strings
// its errors must hold; good_ files yield no error, bad_ files at least one.
func TestSettingsFiles(t *testing.T) {
	files, err := filepath.Glob("../../testdata/settings/*_*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, ".want.json") {
			continue
		}
		n++
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			wantData, err := os.ReadFile(path + ".want.json")
			if err != nil {
				t.Fatal(err)
			}
			var want struct {
				Values json.RawMessage `json:"values"`
				Errors []string        `json:"errors"`
			}
			if err := json.Unmarshal(wantData, &want); err != nil {
				t.Fatal(err)
			}
			var wantValues map[string]any
			json.Unmarshal(want.Values, &wantValues)
			wantJSON, _ := json.Marshal(wantValues)

			s := loadFrom([]Source{settingsFileSource(path, true)})
			if got := valuesJSON(t, s); got != string(wantJSON) {
				t.Errorf("got values %s, want %s", got, wantJSON)
			}
			text := errorText(s.Errors)
			switch {
			case strings.HasPrefix(name, "good_") && len(s.Errors) > 0:
				t.Errorf("got errors %q, want none", text)
			case strings.HasPrefix(name, "bad_") && len(s.Errors) == 0:
				t.Errorf("got no error, want one")
			}
			for _, e := range s.Errors {
				if !strings.HasPrefix(e.Error(), "platform: ") || !strings.Contains(e.Error(), path) {
					t.Errorf("got error %q, want it to start with platform: and name %s", e, path)
				}
			}
			for _, w := range want.Errors {
				if !strings.Contains(text, w) {
					t.Errorf("got errors %q, want one holding %q", text, w)
				}
			}
		})
	}
	if n < 10 {
		t.Fatalf("got %d vectors in testdata/settings, want at least 10", n)
	}
}

// TestSettingsFileBounds feeds each format one byte more than a settings
// file may hold, and exactly as much.
func TestSettingsFileBounds(t *testing.T) {
	dir := platformtest.TempDir(t)
	pad := func(head, tail string, size int) []byte {
		return []byte(head + strings.Repeat(" ", size-len(head)-len(tail)) + tail)
	}
	for _, tc := range []struct {
		name, file, head, tail string
	}{
		{"json", "s.json", `{"RevocationMode": "off"`, "}"},
		{"xml-plist", "s.plist", `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>RevocationMode</key><string>off</string></dict>`, "</plist>"},
	} {
		for _, size := range []int{maxSettingsFile, maxSettingsFile + 1} {
			t.Run(fmt.Sprintf("%s-%d", tc.name, size), func(t *testing.T) {
				path := filepath.Join(dir, tc.file)
				if err := os.WriteFile(path, pad(tc.head, tc.tail, size), 0o600); err != nil {
					t.Fatal(err)
				}
				s := loadFrom([]Source{settingsFileSource(path, true)})
				_, _, ok := s.String(RevocationMode)
				if size > maxSettingsFile {
					if ok || !strings.Contains(errorText(s.Errors), "larger than") {
						t.Errorf("got value set %v, errors %q, want unset and a size error", ok, errorText(s.Errors))
					}
					return
				}
				if !ok || len(s.Errors) > 0 {
					t.Errorf("got value set %v, errors %q, want it set and no error", ok, errorText(s.Errors))
				}
			})
		}
	}
}

// source is one settings file of a precedence case: content "" means the
// file is absent, "<dir>" that a directory stands where the file should be
// (it exists but cannot be read).
type source struct {
	machineWide bool
	content     string
}

func TestPrecedence(t *testing.T) {
	type want struct {
		value  any
		source int // index into the sources
	}
	for _, tc := range []struct {
		name    string
		sources []source
		want    map[string]want
		errs    []string
	}{
		{
			name:    "first-machine-wide-wins",
			sources: []source{{true, `{"RevocationMode": "online"}`}, {true, `{"RevocationMode": "off", "RuntimeDirectory": "/m2"}`}},
			want:    map[string]want{RevocationMode: {"online", 0}, RuntimeDirectory: {"/m2", 1}},
		},
		{
			name:    "first-per-user-wins",
			sources: []source{{false, `{"RevocationMode": "online"}`}, {false, `{"RevocationMode": "off"}`}},
			want:    map[string]want{RevocationMode: {"online", 0}},
		},
		{
			name:    "per-user-fills-what-machine-leaves-unset",
			sources: []source{{true, `{"RevocationMode": "online"}`}, {false, `{"RevocationMode": "off", "allowInvalidNetworkCertificates": 0}`}},
			want:    map[string]want{RevocationMode: {"online", 0}, AllowInvalidNetworkCertificates: {0, 1}},
		},
		{
			// Windows order: HKLM policies, HKCU policies, HKLM settings,
			// HKCU settings. The user's key never beats the machine's.
			name: "machine-wide-beats-earlier-per-user",
			sources: []source{
				{true, `{"RuntimeDirectory": "/hklm-policies"}`},
				{false, `{"RuntimeDirectory": "/hkcu-policies", "DesktopOwnerSettings": "/hkcu-dos", "allowHttpToHttpsNetworkRedirects": 1}`},
				{true, `{"DesktopOwnerSettings": "/hklm-dos"}`},
				{false, `{"DesktopOwnerSettings": "/hkcu-settings-dos", "allowHttpToHttpsNetworkRedirects": 0, "RevocationMode": "off"}`},
			},
			want: map[string]want{
				RuntimeDirectory:          {"/hklm-policies", 0},
				DesktopOwnerSettings:      {"/hklm-dos", 2},
				AllowHTTPToHTTPSRedirects: {1, 1},
				RevocationMode:            {"off", 3},
			},
		},
		{
			name:    "trust-roots-only-machine-wide",
			sources: []source{{false, `{"TrustRootsFile": "/home/u/roots.pem", "RuntimeDirectory": "/u"}`}},
			want:    map[string]want{RuntimeDirectory: {"/u", 0}},
			errs:    []string{"setting TrustRootsFile in ", "ignored: it is read only from machine-wide sources"},
		},
		{
			name:    "trust-roots-from-machine-wide",
			sources: []source{{false, `{"TrustRootsFile": "/home/u/roots.pem"}`}, {true, `{"TrustRootsFile": "/etc/roots.pem"}`}},
			want:    map[string]want{TrustRootsFile: {"/etc/roots.pem", 1}},
			errs:    []string{"setting TrustRootsFile in ", "ignored: it is read only from machine-wide sources"},
		},
		{
			name:    "missing-sources-are-no-error",
			sources: []source{{true, ""}, {false, ""}},
			want:    map[string]want{},
		},
		{
			name:    "bad-value-others-load",
			sources: []source{{true, `{"RevocationMode": "never", "RuntimeDirectory": "/m"}`}, {true, `{"RevocationMode": "off"}`}},
			want:    map[string]want{RuntimeDirectory: {"/m", 0}, RevocationMode: {"off", 1}},
			errs:    []string{`want online, cached or off, got "never"`},
		},
		{
			name:    "bad-machine-value-blocks-per-user",
			sources: []source{{true, `{"DesktopOwnerSettings": 7}`}, {false, `{"DesktopOwnerSettings": "/home/u/dos.json", "RevocationMode": "off"}`}},
			want:    map[string]want{RevocationMode: {"off", 1}},
			errs:    []string{"want a string, got a number", "setting DesktopOwnerSettings in ", "ignored: the machine-wide source ", "holds an invalid value for it"},
		},
		{
			name:    "bad-per-user-value-falls-through",
			sources: []source{{false, `{"RevocationMode": "never"}`}, {false, `{"RevocationMode": "off"}`}},
			want:    map[string]want{RevocationMode: {"off", 1}},
			errs:    []string{`got "never"`},
		},
		{
			name:    "broken-machine-source-hides-per-user",
			sources: []source{{true, `{"RevocationMode": "off",}`}, {true, `{"RuntimeDirectory": "/m"}`}, {false, `{"DesktopOwnerSettings": "/home/u/dos.json"}`}},
			want:    map[string]want{RuntimeDirectory: {"/m", 1}},
			errs:    []string{"invalid character", "ignored: the machine-wide source ", "could not be read, and a per-user source may not stand in for it"},
		},
		{
			name:    "unreadable-machine-source-hides-per-user",
			sources: []source{{true, "<dir>"}, {false, `{"DesktopOwnerSettings": "/home/u/dos.json"}`}},
			want:    map[string]want{},
			errs:    []string{"could not be read"},
		},
		{
			name:    "broken-per-user-source-others-load",
			sources: []source{{false, `[]`}, {false, `{"RevocationMode": "off"}`}},
			want:    map[string]want{RevocationMode: {"off", 1}},
			errs:    []string{"want a JSON object"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := platformtest.TempDir(t)
			var srcs []Source
			var names []string
			for i, s := range tc.sources {
				path := filepath.Join(dir, fmt.Sprintf("source%d.json", i))
				switch s.content {
				case "":
				case "<dir>":
					if err := os.Mkdir(path, 0o700); err != nil {
						t.Fatal(err)
					}
				default:
					if err := os.WriteFile(path, []byte(s.content), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				srcs = append(srcs, JSONFile(path, s.machineWide))
				names = append(names, path)
			}
			got := loadFrom(srcs)
			if len(got.Values) != len(tc.want) {
				t.Errorf("got %d values %v, want %d", len(got.Values), got.Values, len(tc.want))
			}
			for name, w := range tc.want {
				v, ok := got.Values[name]
				if !ok || v.Value != w.value || v.Source != names[w.source] {
					t.Errorf("got %s = %v from %q (set %v), want %v from %q", name, v.Value, v.Source, ok, w.value, names[w.source])
				}
			}
			text := errorText(got.Errors)
			if len(tc.errs) == 0 && text != "" {
				t.Errorf("got errors %q, want none", text)
			}
			for _, e := range tc.errs {
				if !strings.Contains(text, e) {
					t.Errorf("got errors %q, want one holding %q", text, e)
				}
			}
		})
	}
}

func TestLoadMachineSettingsOverride(t *testing.T) {
	dir := platformtest.TempDir(t)
	path := filepath.Join(dir, "override.json")
	if err := os.WriteFile(path, []byte(`{"TrustRootsFile": "/r.pem", "allowInvalidNetworkCertificates": 0}`), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		return map[string]string{"HOME": dir, "XDG_CONFIG_HOME": dir}[k]
	}
	s := Load(path, getenv)
	if v, src, ok := s.String(TrustRootsFile); !ok || v != "/r.pem" || src != path {
		t.Errorf("got TrustRootsFile %q from %q (set %v), want /r.pem from %s: the override counts as machine-wide", v, src, ok, path)
	}
	if allowed, src, set := s.Allowed(AllowInvalidNetworkCertificates); allowed || !set || src != path {
		t.Errorf("got allowInvalidNetworkCertificates allowed %v set %v from %q, want denied, set, from %s", allowed, set, src, path)
	}
	if len(s.Errors) > 0 {
		t.Errorf("got errors %q, want none", errorText(s.Errors))
	}

	s = Load(filepath.Join(dir, "missing.json"), getenv)
	if len(s.Values) != 0 {
		t.Errorf("got values %v from a missing override, want none", s.Values)
	}
}

func TestAccessors(t *testing.T) {
	s := &Machine{Values: map[string]Value{
		RevocationMode:                  {Value: "off", Source: "/etc/rvm/settings.json"},
		AllowInvalidNetworkCertificates: {Value: 0, Source: "/etc/rvm/settings.json"},
		AllowHTTPSToHTTPRedirects:       {Value: 1, Source: "/x.json"},
	}}
	if v, src, ok := s.String(RevocationMode); v != "off" || src != "/etc/rvm/settings.json" || !ok {
		t.Errorf("got %q %q %v, want off from /etc/rvm/settings.json", v, src, ok)
	}
	if _, _, ok := s.String(RuntimeDirectory); ok {
		t.Errorf("got RuntimeDirectory set, want unset")
	}
	if allowed, _, set := s.Allowed(AllowInvalidNetworkCertificates); allowed || !set {
		t.Errorf("got allowed %v set %v, want denied and set", allowed, set)
	}
	if allowed, _, set := s.Allowed(AllowHTTPSToHTTPRedirects); !allowed || !set {
		t.Errorf("got allowed %v set %v, want allowed and set", allowed, set)
	}
	if allowed, _, set := s.Allowed(AllowHTTPToHTTPSRedirects); !allowed || set {
		t.Errorf("got allowed %v set %v, want allowed (the default) and unset", allowed, set)
	}
	var zero Machine
	_, _, ownerSet := zero.String(DesktopOwnerSettings)
	if _, _, modeSet := zero.String(RevocationMode); ownerSet || modeSet {
		t.Errorf("got a value from the zero Machine, want none")
	}
	b, err := json.Marshal(s.Values)
	if err != nil || !bytes.Contains(b, []byte(`"RevocationMode":{"value":"off","source":"/etc/rvm/settings.json"}`)) {
		t.Errorf("got JSON %s (%v), want the SPEC 1 shape", b, err)
	}
}

func TestPlistSettingsSources(t *testing.T) {
	root, home := platformtest.TempDir(t), platformtest.TempDir(t)
	write := func(path, content string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	dict := func(body string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>` + body + `</dict></plist>`
	}
	managed := write(filepath.Join(root, "Library", "Managed Preferences", "RVM.plist"),
		dict(`<key>allowInvalidNetworkCertificates</key><false/>`))
	machine := write(filepath.Join(root, "Library", "Application Support", "RVM", "Settings.plist"),
		dict(`<key>allowInvalidNetworkCertificates</key><true/><key>TrustRootsFile</key><string>/Library/roots.pem</string>`))
	user := write(filepath.Join(home, "Library", "Application Support", "RVM", "Settings.plist"),
		dict(`<key>TrustRootsFile</key><string>/Users/u/roots.pem</string><key>RuntimeDirectory</key><string>/Users/u/rt</string>`))

	srcs := plistSettingsSources(root, home)
	gotNames := []string{}
	for _, s := range srcs {
		gotNames = append(gotNames, fmt.Sprintf("%s machineWide=%v", s.Name, s.MachineWide))
	}
	wantNames := []string{managed + " machineWide=true", machine + " machineWide=true", user + " machineWide=false"}
	if strings.Join(gotNames, "\n") != strings.Join(wantNames, "\n") {
		t.Errorf("got sources %q, want %q", gotNames, wantNames)
	}

	s := loadFrom(srcs)
	if allowed, src, _ := s.Allowed(AllowInvalidNetworkCertificates); allowed || src != managed {
		t.Errorf("got allowInvalidNetworkCertificates allowed %v from %q, want denied from %s", allowed, src, managed)
	}
	if v, src, _ := s.String(TrustRootsFile); v != "/Library/roots.pem" || src != machine {
		t.Errorf("got TrustRootsFile %q from %q, want /Library/roots.pem from %s", v, src, machine)
	}
	if v, src, _ := s.String(RuntimeDirectory); v != "/Users/u/rt" || src != user {
		t.Errorf("got RuntimeDirectory %q from %q, want /Users/u/rt from %s", v, src, user)
	}
	if text, want := errorText(s.Errors), "platform: setting TrustRootsFile in "+user+" ignored: it is read only from machine-wide sources\n"; text != want {
		t.Errorf("got errors %q, want %q", text, want)
	}

	if got := plistSettingsSources(root, ""); len(got) != 2 {
		t.Errorf("got %d sources without a home, want the 2 machine-wide ones", len(got))
	}
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
				if !strings.HasPrefix(err.Error(), "platform: ") {
					t.Errorf("got error %q, want it to start with platform:", err)
				}
				continue
			}
			for name, v := range raw.values {
				if _, err := checkValue(name, v, "fuzz"); err != nil {
					t.Errorf("got value %s = %v that its own check refuses: %v", name, v, err)
				}
			}
		}
	})
}

func TestNotExistIsSilent(t *testing.T) {
	_, err := JSONFile(filepath.Join(platformtest.TempDir(t), "none.json"), true).load()
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
			"setting RevocationMode in %s, line 3, column 21: want online, cached or off, got \"never\"",
			"setting allowInvalidNetworkCertificates in %s, line 4, column 37: want 0 or 1, got a boolean",
			"unknown setting \"Other\" in %s, line 5, column 12",
		}},
		{"syntax", "{\n  \"RevocationMode\": \"off\"\n  \"RuntimeDirectory\": \"/r\"\n}", []string{"settings file %s: not JSON: line 3, column 3: invalid character '\"' after object value"}},
		{"duplicate", "{\"RevocationMode\": \"off\",\n \"Revocation\\u004dode\": \"off\"}", []string{"settings file %s: line 2, column 2 (at /RevocationMode): duplicate key \"RevocationMode\""}},
		{"not-utf-8", "{\"RuntimeDirectory\":\n \"/opt/\xff\"}", []string{"settings file %s: line 2, column 8: not valid UTF-8"}},
		{"byte-order-mark", "\xef\xbb\xbf{}", []string{"settings file %s: line 1, column 1: starts with a byte-order mark"}},
		{"top-level-after-space", "\n\n  [\"RevocationMode\"]", []string{"settings file %s: line 3, column 3: want a JSON object, got an array"}},
		{"empty", "", []string{"settings file %s: not JSON: line 1, column 1: empty input"}},
		{"truncated", "{\"RevocationMode\":\n", []string{"settings file %s: not JSON: line 2, column 1 (at /RevocationMode): unexpected end of input"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".json")
			platformtest.Must(t, os.WriteFile(path, []byte(tc.content), 0o600))
			text := errorText(loadFrom([]Source{JSONFile(path, true)}).Errors)
			for _, w := range tc.want {
				if w = "platform: " + fmt.Sprintf(w, path); !strings.Contains(text, w) {
					t.Errorf("got errors %q, want one holding %q", text, w)
				}
			}
		})
	}
}
