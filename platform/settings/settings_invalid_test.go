package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// An invalid security setting counts as its strictest value, never as
// unset: an owner who writes "0" as a string must not allow what 0 forbids.
func TestInvalidSettingsFailClosed(t *testing.T) {
	dir := platformtest.TempDir(t)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		platformtest.Must(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	tests := []struct {
		name     string
		sources  []Source
		setting  string
		allowed  bool
		invalid  bool
		fromFile string
	}{
		{name: "flag-as-string", sources: []Source{JSONFile(write("a.json", `{"allowInvalidNetworkCertificates": "0"}`), true)},
			setting: AllowInvalidNetworkCertificates, allowed: false, invalid: true, fromFile: "a.json"},
		{name: "flag-out-of-range", sources: []Source{JSONFile(write("b.json", `{"allowHttpsToHttpNetworkRedirects": 2}`), true)},
			setting: AllowHTTPSToHTTPRedirects, allowed: false, invalid: true, fromFile: "b.json"},
		{name: "unreadable-source-forbids-flags", sources: []Source{JSONFile(write("c.json", `{"allowHttpToHttpsNetworkRedirects": 1`), true)},
			setting: AllowHTTPToHTTPSRedirects, allowed: false, invalid: true, fromFile: "c.json"},
		{name: "owner-settings-of-wrong-type", sources: []Source{JSONFile(write("d.json", `{"DesktopOwnerSettings": ["/x"]}`), true)},
			setting: DesktopOwnerSettings, invalid: true, fromFile: "d.json"},
		{name: "machine-wide-invalid-beats-per-user-valid", sources: []Source{
			JSONFile(write("e.json", `{"allowInvalidNetworkCertificates": 1}`), false),
			JSONFile(write("f.json", `{"allowInvalidNetworkCertificates": "yes"}`), true)},
			setting: AllowInvalidNetworkCertificates, allowed: false, invalid: true, fromFile: "f.json"},
		{name: "unset-is-allowed", sources: []Source{JSONFile(write("g.json", `{}`), true)},
			setting: AllowInvalidNetworkCertificates, allowed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := loadFrom(tt.sources)
			src, invalid := s.Invalid(tt.setting)
			if invalid != tt.invalid || (invalid && !strings.HasSuffix(src, tt.fromFile)) {
				t.Fatalf("Invalid(%s): got %q %v, want %v from %s", tt.setting, src, invalid, tt.invalid, tt.fromFile)
			}
			if settingKinds[tt.setting] {
				allowed, source, _ := s.Allowed(tt.setting)
				if allowed != tt.allowed {
					t.Errorf("Allowed(%s): got %v (%s), want %v", tt.setting, allowed, source, tt.allowed)
				}
			}
		})
	}
}

func TestOverrideFileMustExist(t *testing.T) {
	missing := filepath.Join(platformtest.TempDir(t), "nope.json")
	s := Load(missing, func(string) string { return "" })
	if !strings.Contains(errorText(s.Errors), "does not exist") {
		t.Fatalf("errors %q, want one saying %s does not exist", errorText(s.Errors), missing)
	}
	if allowed, _, _ := s.Allowed(AllowInvalidNetworkCertificates); allowed {
		t.Errorf("a missing settings file allowed invalid certificates")
	}
}

func TestSettingsFileNotUTF8(t *testing.T) {
	p := filepath.Join(platformtest.TempDir(t), "s.json")
	platformtest.Must(t, os.WriteFile(p, []byte("{\"RuntimeDirectory\": \"/opt/\xff\"}"), 0o644))
	s := Load(p, func(string) string { return "" })
	if _, ok := s.Values[RuntimeDirectory]; ok || !strings.Contains(errorText(s.Errors), "UTF-8") {
		t.Fatalf("got values %v errors %q, want nothing and an error naming UTF-8", s.Values, errorText(s.Errors))
	}
}
