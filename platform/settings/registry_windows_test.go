package settings

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// The tests write real registry keys (under Wine in CI: see
// .ci/test-windows) below a scratch key, never in rvm's real locations, so
// that running them on a real desktop leaves its settings alone.

func TestRegistrySourceNames(t *testing.T) {
	want := []string{
		`HKLM\Software\Policies\RVM machineWide=true`,
		`HKCU\Software\Policies\RVM machineWide=false`,
		`HKLM\Software\RVM\Settings machineWide=true`,
		`HKCU\Software\RVM\Settings machineWide=false`,
	}
	var got []string
	for _, s := range machineSettingsSources(os.Getenv) {
		got = append(got, fmt.Sprintf("%s machineWide=%v", s.Name, s.MachineWide))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got sources %q, want %q", got, want)
	}
}

// scratch makes a fresh base key below Software in HKLM and HKCU and
// removes both trees when the test ends.
func scratch(t *testing.T) string {
	t.Helper()
	base := fmt.Sprintf(`Software\RVMTest-%d-%s`, os.Getpid(), strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()))
	for _, root := range []registry.Key{registry.LOCAL_MACHINE, registry.CURRENT_USER} {
		k, _, err := registry.CreateKey(root, base, registry.ALL_ACCESS|registry.WOW64_64KEY)
		if err != nil {
			t.Skipf("cannot write the registry (HKLM needs an administrator): %v", err)
		}
		k.Close()
		t.Cleanup(func() {
			if err := deleteTree(root, base); err != nil {
				t.Errorf("cleanup of %s: %v", base, err)
			}
		})
	}
	return base
}

func deleteTree(root registry.Key, path string) error {
	k, err := registry.OpenKey(root, path, registry.ENUMERATE_SUB_KEYS|registry.WOW64_64KEY)
	if err != nil {
		return err
	}
	subs, err := k.ReadSubKeyNames(0)
	k.Close()
	if err != nil {
		return err
	}
	for _, s := range subs {
		if err := deleteTree(root, path+`\`+s); err != nil {
			return err
		}
	}
	return registry.DeleteKey(root, path)
}

// regValue is one value to write: typ is a registry type and v its data (a
// string, a uint32 or uint64, []string or []byte).
type regValue struct {
	typ uint32
	v   any
}

func writeKey(t *testing.T, root registry.Key, path string, values map[string]regValue) {
	t.Helper()
	k, _, err := registry.CreateKey(root, path, registry.ALL_ACCESS|registry.WOW64_64KEY)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for name, rv := range values {
		switch rv.typ {
		case registry.SZ:
			err = k.SetStringValue(name, rv.v.(string))
		case registry.EXPAND_SZ:
			err = k.SetExpandStringValue(name, rv.v.(string))
		case registry.DWORD:
			err = k.SetDWordValue(name, rv.v.(uint32))
		case registry.QWORD:
			err = k.SetQWordValue(name, rv.v.(uint64))
		case registry.MULTI_SZ:
			err = k.SetStringsValue(name, rv.v.([]string))
		case registry.BINARY:
			err = k.SetBinaryValue(name, rv.v.([]byte))
		default:
			t.Fatalf("no writer for type %d", rv.typ)
		}
		if err != nil {
			t.Fatalf("write %s: %v", name, err)
		}
	}
}

func sz(s string) regValue    { return regValue{registry.SZ, s} }
func dword(n uint32) regValue { return regValue{registry.DWORD, n} }

func TestRegistryPrecedence(t *testing.T) {
	base := scratch(t)
	hklmPolicies, hkcuPolicies := `HKLM\`+base+`\Policies\RVM`, `HKCU\`+base+`\Policies\RVM`
	hklmSettings, hkcuSettings := `HKLM\`+base+`\RVM\Settings`, `HKCU\`+base+`\RVM\Settings`
	writeKey(t, registry.LOCAL_MACHINE, base+`\Policies\RVM`, map[string]regValue{
		RevocationMode:                  sz("online"),
		AllowInvalidNetworkCertificates: dword(0),
	})
	writeKey(t, registry.CURRENT_USER, base+`\Policies\RVM`, map[string]regValue{
		RevocationMode:            sz("off"),
		DesktopOwnerSettings:      sz(`C:\hkcu-policies\dos.json`),
		TrustRootsFile:            sz(`C:\hkcu\roots.pem`),
		AllowHTTPToHTTPSRedirects: sz("1"),
	})
	writeKey(t, registry.LOCAL_MACHINE, base+`\RVM\Settings`, map[string]regValue{
		DesktopOwnerSettings:      sz(`C:\hklm-settings\dos.json`),
		TrustRootsFile:            regValue{registry.EXPAND_SZ, `%SystemRoot%\roots.pem`},
		AllowHTTPSToHTTPRedirects: dword(1),
	})
	writeKey(t, registry.CURRENT_USER, base+`\RVM\Settings`, map[string]regValue{
		RuntimeDirectory:          sz(`C:\hkcu-settings`),
		AllowHTTPSToHTTPRedirects: dword(0),
		AllowHTTPToHTTPSRedirects: dword(0),
	})

	s := loadFrom(registrySettingsSources(base))
	root := os.Getenv("SystemRoot")
	if root == "" {
		t.Fatal("SystemRoot is not set")
	}
	for _, tc := range []struct {
		name   string
		value  any
		source string
	}{
		{RevocationMode, "online", hklmPolicies},
		{AllowInvalidNetworkCertificates, 0, hklmPolicies},
		{RuntimeDirectory, `C:\hkcu-settings`, hkcuSettings},
		{DesktopOwnerSettings, `C:\hklm-settings\dos.json`, hklmSettings},
		{TrustRootsFile, root + `\roots.pem`, hklmSettings},
		{AllowHTTPSToHTTPRedirects, 1, hklmSettings},
		{AllowHTTPToHTTPSRedirects, 1, hkcuPolicies},
	} {
		got, ok := s.Values[tc.name]
		if !ok || got.Value != tc.value || got.Source != tc.source {
			t.Errorf("got %s = %v from %q (set %v), want %v from %q", tc.name, got.Value, got.Source, ok, tc.value, tc.source)
		}
	}
	if len(s.Values) != 7 {
		t.Errorf("got %d values, want 7", len(s.Values))
	}
	text := errorText(s.Errors)
	if want := `setting TrustRootsFile in ` + hkcuPolicies + ` ignored`; !strings.Contains(text, want) || len(s.Errors) != 1 {
		t.Errorf("got errors %q, want only one holding %q", text, want)
	}
}

func TestRegistryValueTypes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value regValue
		want  any    // the value loaded, nil for none
		err   string // what the error holds after "setting <name> in <key>"
	}{
		{"dword-flag-0", dword(0), 0, ""},
		{"dword-flag-1", dword(1), 1, ""},
		{"sz-flag-0", sz("0"), 0, ""},
		{"sz-flag-1", sz("1"), 1, ""},
		{"dword-flag-2", dword(2), nil, "want 0 or 1, got 2"},
		{"sz-flag-yes", sz("yes"), nil, `want REG_DWORD 0 or 1 (or REG_SZ "0" or "1"), got REG_SZ "yes"`},
		{"sz-flag-space", sz(" 1"), nil, `got REG_SZ " 1"`},
		{"qword-flag", regValue{registry.QWORD, uint64(1)}, nil, "want REG_DWORD 0 or 1, got REG_QWORD"},
		{"binary-flag", regValue{registry.BINARY, []byte{1, 0, 0, 0}}, nil, "want REG_DWORD 0 or 1, got REG_BINARY"},
		{"multi-sz-flag", regValue{registry.MULTI_SZ, []string{"1"}}, nil, "want REG_DWORD 0 or 1, got REG_MULTI_SZ"},
		{"expand-sz-flag", regValue{registry.EXPAND_SZ, "1"}, nil, "want REG_DWORD 0 or 1, got REG_EXPAND_SZ"},
	} {
		t.Run("flag-"+tc.name, func(t *testing.T) {
			checkRegistryValue(t, AllowInvalidNetworkCertificates, tc.value, tc.want, tc.err)
		})
	}
	for _, tc := range []struct {
		name  string
		value regValue
		want  any
		err   string
	}{
		{"sz", sz("cached"), "cached", ""},
		{"sz-out-of-range", sz("sometimes"), nil, `want online, cached or off, got "sometimes"`},
		{"sz-empty", sz(""), nil, "empty"},
		{"dword", dword(1), nil, "want REG_SZ or REG_EXPAND_SZ, got REG_DWORD"},
		{"multi-sz", regValue{registry.MULTI_SZ, []string{"off"}}, nil, "want REG_SZ or REG_EXPAND_SZ, got REG_MULTI_SZ"},
		{"binary", regValue{registry.BINARY, []byte("off")}, nil, "want REG_SZ or REG_EXPAND_SZ, got REG_BINARY"},
	} {
		t.Run("string-"+tc.name, func(t *testing.T) {
			checkRegistryValue(t, RevocationMode, tc.value, tc.want, tc.err)
		})
	}
}

// checkRegistryValue writes name = value in a machine-wide key beside a
// good RuntimeDirectory and checks what loads and the error.
func checkRegistryValue(t *testing.T, name string, value regValue, want any, wantErr string) {
	t.Helper()
	base := scratch(t)
	key := `HKLM\` + base + `\Policies\RVM`
	writeKey(t, registry.LOCAL_MACHINE, base+`\Policies\RVM`, map[string]regValue{
		name:             value,
		RuntimeDirectory: sz(`C:\rt`),
	})
	s := loadFrom(registrySettingsSources(base))
	got, ok := s.Values[name]
	switch {
	case want == nil && ok:
		t.Errorf("got %s = %v, want it unset", name, got.Value)
	case want != nil && (!ok || got.Value != want || got.Source != key):
		t.Errorf("got %s = %v from %q (set %v), want %v from %s", name, got.Value, got.Source, ok, want, key)
	}
	if v, _, _ := s.String(RuntimeDirectory); v != `C:\rt` {
		t.Errorf("got RuntimeDirectory %q, want C:\\rt: a bad value must not stop the others", v)
	}
	text := errorText(s.Errors)
	if wantErr == "" {
		if text != "" {
			t.Errorf("got errors %q, want none", text)
		}
		return
	}
	if prefix := "platform: setting " + name + " in " + key + ": "; !strings.HasPrefix(text, prefix) || !strings.Contains(text, wantErr) {
		t.Errorf("got errors %q, want one starting %q and holding %q", text, prefix, wantErr)
	}
}

func TestRegistryNames(t *testing.T) {
	base := scratch(t)
	key := `HKLM\` + base + `\Policies\RVM`
	writeKey(t, registry.LOCAL_MACHINE, base+`\Policies\RVM`, map[string]regValue{
		"revocationmode":  sz("off"),
		"ALLOWEVERYTHING": dword(1),
	})
	s := loadFrom(registrySettingsSources(base))
	if v, src, _ := s.String(RevocationMode); v != "off" || src != key {
		t.Errorf("got RevocationMode %q from %q, want off from %s: registry names ignore case", v, src, key)
	}
	if text := errorText(s.Errors); !strings.Contains(text, `unknown setting "ALLOWEVERYTHING" in `+key) {
		t.Errorf("got errors %q, want one naming ALLOWEVERYTHING and %s", text, key)
	}
}

func TestRegistryBadMachineValueBlocksUser(t *testing.T) {
	base := scratch(t)
	writeKey(t, registry.LOCAL_MACHINE, base+`\Policies\RVM`, map[string]regValue{
		DesktopOwnerSettings: dword(1),
	})
	writeKey(t, registry.CURRENT_USER, base+`\Policies\RVM`, map[string]regValue{
		DesktopOwnerSettings: sz(`C:\Users\u\dos.json`),
	})
	s := loadFrom(registrySettingsSources(base))
	if v, src, ok := s.String(DesktopOwnerSettings); ok {
		t.Errorf("got DesktopOwnerSettings %q from %q, want unset: the machine's value is invalid and the user's may not stand in", v, src)
	}
	if text := errorText(s.Errors); !strings.Contains(text, "holds an invalid value for it") {
		t.Errorf("got errors %q, want one saying the user's value is ignored", text)
	}
}

func TestRegistryBounds(t *testing.T) {
	for _, n := range []int{maxRegistryValues, maxRegistryValues + 1} {
		t.Run(fmt.Sprintf("values-%d", n), func(t *testing.T) {
			base := scratch(t)
			values := map[string]regValue{RuntimeDirectory: sz(`C:\rt`)}
			for i := 1; i < n; i++ {
				values[fmt.Sprintf("extra%d", i)] = dword(0)
			}
			writeKey(t, registry.LOCAL_MACHINE, base+`\Policies\RVM`, values)
			s := loadFrom(registrySettingsSources(base))
			_, _, ok := s.String(RuntimeDirectory)
			text := errorText(s.Errors)
			if n > maxRegistryValues {
				if ok || !strings.Contains(text, fmt.Sprintf("holds more than %d values", maxRegistryValues)) {
					t.Errorf("got RuntimeDirectory set %v, errors %q, want unset and a count error", ok, text)
				}
				return
			}
			if !ok || strings.Contains(text, "more than") {
				t.Errorf("got RuntimeDirectory set %v, errors %q, want it set", ok, text)
			}
		})
	}
	for _, size := range []int{maxRegistryValueSize, maxRegistryValueSize + 2} {
		t.Run(fmt.Sprintf("bytes-%d", size), func(t *testing.T) {
			base := scratch(t)
			// A REG_SZ holds UTF-16 and a terminating NUL: chars+1 units.
			long := `C:\` + strings.Repeat("a", size/2-1-3)
			writeKey(t, registry.LOCAL_MACHINE, base+`\Policies\RVM`, map[string]regValue{RuntimeDirectory: sz(long)})
			s := loadFrom(registrySettingsSources(base))
			v, _, _ := s.String(RuntimeDirectory)
			if size > maxRegistryValueSize {
				if v != "" || !strings.Contains(errorText(s.Errors), "larger than") {
					t.Errorf("got RuntimeDirectory of %d chars, errors %q, want unset and a size error", len(v), errorText(s.Errors))
				}
				return
			}
			if v != long {
				t.Errorf("got RuntimeDirectory of %d chars, errors %q, want %d", len(v), errorText(s.Errors), len(long))
			}
		})
	}
}

func TestRegistryMissingKeys(t *testing.T) {
	base := scratch(t)
	s := loadFrom(registrySettingsSources(base))
	if len(s.Values) != 0 || len(s.Errors) != 0 {
		t.Errorf("got values %v, errors %q, want none: missing keys are no error", s.Values, errorText(s.Errors))
	}
}
