package settings

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// The tests write real registry keys (under Wine in CI: see
// .ci/test-windows) below a scratch key, never in rvm's real locations, so
// that running them on a real desktop leaves its settings alone.

func TestRegistrySourceNames(t *testing.T) {
	srcs := PlatformSources(os.Getenv)
	want := []string{
		`HKLM\Software\Policies\RVM`, `HKLM\Software\Policies\RVM (32-bit view)`,
		`HKLM\Software\RVM\Settings`, `HKLM\Software\RVM\Settings (32-bit view)`,
		`HKLM\Software\OpenFin\RVM\Settings`, `HKLM\Software\OpenFin\RVM\Settings (32-bit view)`,
	}
	if got := names(srcs.Owner); !slices.Equal(got, want) {
		t.Errorf("got owner sources %q, want %q", got, want)
	}
	want = []string{`HKCU\Software\Policies\RVM`, `HKCU\Software\RVM\Settings`, `HKCU\Software\OpenFin\RVM\Settings`}
	if got := names(srcs.User); !slices.Equal(got, want) {
		t.Errorf("got per-user sources %q, want %q", got, want)
	}
}

// view is where a scratch key is written: HKLM in the 64-bit or the
// 32-bit view, or HKCU.
type view struct {
	root  registry.Key
	flags uint32
}

var (
	hklm64 = view{registry.LOCAL_MACHINE, registry.WOW64_64KEY}
	hklm32 = view{registry.LOCAL_MACHINE, registry.WOW64_32KEY}
	hkcu   = view{registry.CURRENT_USER, registry.WOW64_64KEY}
)

// scratch makes a fresh base key below Software in each view and removes
// the trees when the test ends.
func scratch(t *testing.T) string {
	t.Helper()
	base := fmt.Sprintf(`Software\RVMTest-%d-%s`, os.Getpid(), strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()))
	for _, v := range []view{hklm64, hklm32, hkcu} {
		k, _, err := registry.CreateKey(v.root, base, registry.ALL_ACCESS|v.flags)
		if err != nil {
			t.Skipf("cannot write the registry (HKLM needs an administrator): %v", err)
		}
		k.Close()
		t.Cleanup(func() {
			if err := deleteTree(v, base); err != nil {
				t.Errorf("cleanup of %s: %v", base, err)
			}
		})
	}
	return base
}

// regDeleteKeyEx is RegDeleteKeyExW, which deletes a key in a given view
// of the registry (registry.DeleteKey always works in this program's).
var regDeleteKeyEx = windows.NewLazySystemDLL("advapi32.dll").NewProc("RegDeleteKeyExW")

// deleteTree deletes the key at path in the view v with everything below
// it.
func deleteTree(v view, path string) error {
	k, err := registry.OpenKey(v.root, path, registry.ENUMERATE_SUB_KEYS|v.flags)
	if err != nil {
		return err
	}
	subs, err := k.ReadSubKeyNames(0)
	k.Close()
	if err != nil {
		return err
	}
	for _, s := range subs {
		if err := deleteTree(v, path+`\`+s); err != nil {
			return err
		}
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	if r, _, _ := regDeleteKeyEx.Call(uintptr(v.root), uintptr(unsafe.Pointer(p)), uintptr(v.flags), 0); r != 0 {
		return windows.Errno(r)
	}
	return nil
}

// regValue is one value to write: typ is a registry type and v its data (a
// string, a uint32 or uint64, []string or []byte).
type regValue struct {
	typ uint32
	v   any
}

func writeKey(t *testing.T, v view, path string, values map[string]regValue) {
	t.Helper()
	k, _, err := registry.CreateKey(v.root, path, registry.ALL_ACCESS|v.flags)
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

func sz(s string) regValue       { return regValue{registry.SZ, s} }
func expandSZ(s string) regValue { return regValue{registry.EXPAND_SZ, s} }
func dword(n uint32) regValue    { return regValue{registry.DWORD, n} }

// TestRegistryPrecedence: the owner's keys first (Policies, Settings,
// OpenFin), then the user's, which only tighten, or set what the owner
// leaves to them.
func TestRegistryPrecedence(t *testing.T) {
	base := scratch(t)
	hklmPolicies, hklmSettings, hklmOpenFin := `HKLM\`+base+`\Policies\RVM`, `HKLM\`+base+`\RVM\Settings`, `HKLM\`+base+`\OpenFin\RVM\Settings`
	hkcuPolicies, hkcuSettings := `HKCU\`+base+`\Policies\RVM`, `HKCU\`+base+`\RVM\Settings`
	writeKey(t, hklm64, base+`\Policies\RVM`, map[string]regValue{
		RevocationMode:                  sz("cached"),
		AllowInvalidNetworkCertificates: dword(1),
		CachedManifestMaxAgeDays:        dword(5),
	})
	writeKey(t, hklm64, base+`\RVM\Settings`, map[string]regValue{
		RevocationMode:            sz("off"),
		TrustRootsFile:            sz(`C:\ProgramData\RVM\roots.pem`),
		AllowHTTPSToHTTPRedirects: dword(1),
	})
	writeKey(t, hklm64, base+`\OpenFin\RVM\Settings`, map[string]regValue{
		DesktopOwnerSettings: sz(`C:\ProgramData\OpenFin\dos.json`),
		RuntimeDirectory:     sz(`C:\openfin`),
		"assetsUrl":          sz("https://assets.test/"),
	})
	writeKey(t, hkcu, base+`\Policies\RVM`, map[string]regValue{
		RevocationMode:                  sz("online"),
		DesktopOwnerSettings:            sz(`C:\Users\u\dos.json`),
		TrustRootsFile:                  sz(`C:\Users\u\roots.pem`),
		AllowInvalidNetworkCertificates: sz("0"),
	})
	writeKey(t, hkcu, base+`\RVM\Settings`, map[string]regValue{
		RuntimeDirectory:          sz(`C:\Users\u\rt`),
		AllowHTTPSToHTTPRedirects: dword(1),
		AllowHTTPToHTTPSRedirects: dword(0),
	})

	m := registrySources(base).Load("")
	checkValues(t, m, map[string]wantSetting{
		RevocationMode:                  {"online", hkcuPolicies, false},
		AllowInvalidNetworkCertificates: {0, hkcuPolicies, false},
		TrustRootsFile:                  {`C:\ProgramData\RVM\roots.pem`, hklmSettings, false},
		AllowHTTPSToHTTPRedirects:       {1, hklmSettings, false},
		DesktopOwnerSettings:            {`C:\ProgramData\OpenFin\dos.json`, hklmOpenFin, false},
		RuntimeDirectory:                {`C:\Users\u\rt`, hkcuSettings, false},
		AllowHTTPToHTTPSRedirects:       {0, hkcuSettings, false},
		CachedManifestMaxAgeDays:        {5, hklmPolicies, false},
	})
	if len(m.Errors) > 0 {
		t.Errorf("got errors %q, want none", errorText(m.Errors))
	}
	notices := strings.Join(m.Notices, "\n")
	for _, n := range []string{
		"settings: RuntimeDirectory in " + hklmOpenFin + " ignored: OpenFin's keys and files supply only",
		`settings: DesktopOwnerSettings "C:\\Users\\u\\dos.json" in ` + hkcuPolicies + " ignored: the owner source " + hklmOpenFin + " sets it",
		"settings: TrustRootsFile in " + hkcuPolicies + " ignored: it is read only from owner sources",
	} {
		if !strings.Contains(notices, n) {
			t.Errorf("got notices %q, want one holding %q", notices, n)
		}
	}
}

// TestRegistryViews: what 32-bit programs write (the 32-bit view) is an
// owner source too, after the 64-bit view of the same key.
func TestRegistryViews(t *testing.T) {
	base := scratch(t)
	writeKey(t, hklm64, base+`\Policies\RVM`, map[string]regValue{RevocationMode: sz("online")})
	writeKey(t, hklm32, base+`\Policies\RVM`, map[string]regValue{RevocationMode: sz("off"), AllowInvalidNetworkCertificates: dword(0)})
	m := registrySources(base).Load("")
	checkValues(t, m, map[string]wantSetting{
		RevocationMode:                  {"online", `HKLM\` + base + `\Policies\RVM`, false},
		AllowInvalidNetworkCertificates: {0, `HKLM\` + base + `\Policies\RVM (32-bit view)`, false},
	})
}

// TestRegistryExpandsOwnerValuesWithTheSystemEnvironment: a REG_EXPAND_SZ
// in an owner key means what the owner's machine says its %VARIABLES% are,
// never what the calling user set them to; in the user's keys the user's
// environment applies.
func TestRegistryExpandsOwnerValuesWithTheSystemEnvironment(t *testing.T) {
	windir, err := windows.GetSystemWindowsDirectory()
	if err != nil {
		t.Fatal(err)
	}
	programData, err := windows.KnownFolderPath(windows.FOLDERID_ProgramData, 0)
	if err != nil {
		t.Fatal(err)
	}
	base := scratch(t)
	writeKey(t, hklm64, base+`\Policies\RVM`, map[string]regValue{
		TrustRootsFile:       expandSZ(`%SystemRoot%\RVM\roots.pem`),
		DesktopOwnerSettings: expandSZ(`%ProgramData%\RVM\owner.json`),
		RuntimeDirectory:     expandSZ(`%RVMTEST_USER_DIR%\rt`),
	})
	writeKey(t, hkcu, base+`\RVM\Settings`, map[string]regValue{RevocationMode: expandSZ(`%RVMTEST_MODE%`)})
	t.Setenv("SystemRoot", `C:\users\attacker`)
	t.Setenv("ProgramData", `C:\users\attacker\data`)
	t.Setenv("RVMTEST_USER_DIR", `C:\users\attacker\rt`)
	t.Setenv("RVMTEST_MODE", "online")

	key := `HKLM\` + base + `\Policies\RVM`
	m := registrySources(base).Load("")
	checkValues(t, m, map[string]wantSetting{
		TrustRootsFile:       {filepath.Join(windir, `RVM\roots.pem`), key, false},
		DesktopOwnerSettings: {filepath.Join(programData, `RVM\owner.json`), key, false},
		RuntimeDirectory:     {nil, key, true},
		RevocationMode:       {"online", `HKCU\` + base + `\RVM\Settings`, false},
	})
	if want := `settings: setting RuntimeDirectory in ` + key + `: want an absolute path, got "%RVMTEST_USER_DIR%\\rt"`; errorText(m.Errors) != want+"\n" {
		t.Errorf("got errors %q, want only %q", errorText(m.Errors), want)
	}
}

func TestRegistryValueTypes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setting string
		value   regValue
		want    any    // the value loaded, nil where it fails closed
		err     string // what the error holds after "setting <name> in <key>"
	}{
		{"flag-dword-0", AllowInvalidNetworkCertificates, dword(0), 0, ""},
		{"flag-dword-1", AllowInvalidNetworkCertificates, dword(1), 1, ""},
		{"flag-sz-0", AllowInvalidNetworkCertificates, sz("0"), 0, ""},
		{"flag-sz-1", AllowInvalidNetworkCertificates, sz("1"), 1, ""},
		{"flag-dword-2", AllowInvalidNetworkCertificates, dword(2), nil, "want 0 or 1, got the number 2"},
		{"flag-sz-yes", AllowInvalidNetworkCertificates, sz("yes"), nil, `want REG_DWORD 0 or 1 (or REG_SZ "0" or "1"), got REG_SZ "yes"`},
		{"flag-sz-space", AllowInvalidNetworkCertificates, sz(" 1"), nil, `got REG_SZ " 1"`},
		{"flag-qword", AllowInvalidNetworkCertificates, regValue{registry.QWORD, uint64(1)}, nil, "want a REG_DWORD, got REG_QWORD"},
		{"flag-binary", AllowInvalidNetworkCertificates, regValue{registry.BINARY, []byte{1, 0, 0, 0}}, nil, "want a REG_DWORD, got REG_BINARY"},
		{"flag-multi-sz", AllowInvalidNetworkCertificates, regValue{registry.MULTI_SZ, []string{"1"}}, nil, "want a REG_DWORD, got REG_MULTI_SZ"},
		{"flag-expand-sz", AllowInvalidNetworkCertificates, expandSZ("1"), nil, "want a REG_DWORD, got REG_EXPAND_SZ"},
		{"number-dword", CachedManifestMaxAgeDays, dword(7), 7, ""},
		{"number-sz", CachedManifestMaxAgeDays, sz("14"), 14, ""},
		{"number-dword-too-many", CachedManifestMaxAgeDays, dword(36501), nil, "want a whole number from 0 to 36500, got the number 36501"},
		{"number-sz-words", CachedManifestMaxAgeDays, sz("a week"), nil, `want a REG_DWORD (or a REG_SZ of decimal digits), got REG_SZ "a week"`},
		{"number-sz-empty", CachedManifestMaxAgeDays, sz(""), nil, `got REG_SZ ""`},
		{"number-qword", CachedManifestMaxAgeDays, regValue{registry.QWORD, uint64(7)}, nil, "want a REG_DWORD, got REG_QWORD"},
		{"string-sz", RevocationMode, sz("cached"), "cached", ""},
		{"string-sz-out-of-range", RevocationMode, sz("sometimes"), nil, `want off, cached or online, got "sometimes"`},
		{"string-sz-empty", RevocationMode, sz(""), nil, "empty"},
		{"string-dword", RevocationMode, dword(1), nil, "want REG_SZ or REG_EXPAND_SZ, got REG_DWORD"},
		{"string-multi-sz", RevocationMode, regValue{registry.MULTI_SZ, []string{"off"}}, nil, "want REG_SZ or REG_EXPAND_SZ, got REG_MULTI_SZ"},
		{"string-binary", RevocationMode, regValue{registry.BINARY, []byte("off")}, nil, "want REG_SZ or REG_EXPAND_SZ, got REG_BINARY"},
		{"path-relative", TrustRootsFile, sz(`roots.pem`), nil, `want an absolute path, got "roots.pem"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := scratch(t)
			key := `HKLM\` + base + `\Policies\RVM`
			writeKey(t, hklm64, base+`\Policies\RVM`, map[string]regValue{
				tc.setting:       tc.value,
				RuntimeDirectory: sz(`C:\rt`),
			})
			m := registrySources(base).Load("")
			want := map[string]wantSetting{RuntimeDirectory: {`C:\rt`, key, false}}
			if tc.want != nil {
				want[tc.setting] = wantSetting{tc.want, key, false}
			} else {
				want[tc.setting] = wantSetting{lookup(tc.setting).strictest(), key, true}
			}
			checkValues(t, m, want)
			text := errorText(m.Errors)
			if tc.err == "" {
				if text != "" {
					t.Errorf("got errors %q, want none", text)
				}
				return
			}
			if prefix := "settings: setting " + tc.setting + " in " + key + ": "; !strings.HasPrefix(text, prefix) || !strings.Contains(text, tc.err) {
				t.Errorf("got errors %q, want one starting %q and holding %q", text, prefix, tc.err)
			}
		})
	}
}

func TestRegistryNames(t *testing.T) {
	base := scratch(t)
	key := `HKLM\` + base + `\Policies\RVM`
	writeKey(t, hklm64, base+`\Policies\RVM`, map[string]regValue{
		"revocationmode":  sz("online"),
		"ALLOWEVERYTHING": dword(1),
	})
	writeKey(t, hklm64, base+`\OpenFin\RVM\Settings`, map[string]regValue{"OpenFinOwnThing": dword(1)})
	m := registrySources(base).Load("")
	checkValues(t, m, map[string]wantSetting{RevocationMode: {"online", key, false}})
	if text := errorText(m.Errors); text != `settings: unknown setting "ALLOWEVERYTHING" in `+key+"\n" {
		t.Errorf("got errors %q, want only one naming ALLOWEVERYTHING and %s: names ignore case, and OpenFin's own names are no error in its key", text, key)
	}
}

// An invalid value in an owner key fails closed, and the user's key may
// not stand in for it.
func TestRegistryBadOwnerValueKeepsUsersOut(t *testing.T) {
	base := scratch(t)
	key := `HKLM\` + base + `\Policies\RVM`
	writeKey(t, hklm64, base+`\Policies\RVM`, map[string]regValue{DesktopOwnerSettings: dword(1)})
	writeKey(t, hkcu, base+`\Policies\RVM`, map[string]regValue{DesktopOwnerSettings: sz(`C:\Users\u\dos.json`)})
	m := registrySources(base).Load("")
	checkValues(t, m, map[string]wantSetting{DesktopOwnerSettings: {nil, key, true}})
	if _, _, invalid := m.OwnerLocation(); invalid != key {
		t.Errorf("got the owner settings invalid %q, want them unavailable, from %s", invalid, key)
	}
}

func TestRegistryBounds(t *testing.T) {
	for _, n := range []int{maxRegistryValues, maxRegistryValues + 1} {
		t.Run(fmt.Sprintf("values-%d", n), func(t *testing.T) {
			base := scratch(t)
			key := `HKLM\` + base + `\Policies\RVM`
			values := map[string]regValue{RuntimeDirectory: sz(`C:\rt`)}
			for i := 1; i < n; i++ {
				values[fmt.Sprintf("extra%d", i)] = dword(0)
			}
			writeKey(t, hklm64, base+`\Policies\RVM`, values)
			m := registrySources(base).Load("")
			got := m.Values[RuntimeDirectory]
			text := errorText(m.Errors)
			if n > maxRegistryValues {
				if !got.FailedClosed || got.Source != key || !strings.Contains(text, fmt.Sprintf("holds more than %d values", maxRegistryValues)) {
					t.Errorf("got RuntimeDirectory %+v, errors %q, want it failed closed and a count error", got, text)
				}
				return
			}
			if got.Value != `C:\rt` || strings.Contains(text, "more than") {
				t.Errorf("got RuntimeDirectory %+v, errors %q, want it set", got, text)
			}
		})
	}
	for _, size := range []int{maxRegistryValueSize, maxRegistryValueSize + 2} {
		t.Run(fmt.Sprintf("bytes-%d", size), func(t *testing.T) {
			base := scratch(t)
			// A REG_SZ holds UTF-16 and a terminating NUL: chars+1 units.
			long := `C:\` + strings.Repeat("a", size/2-1-3)
			writeKey(t, hklm64, base+`\Policies\RVM`, map[string]regValue{RuntimeDirectory: sz(long)})
			m := registrySources(base).Load("")
			got := m.Values[RuntimeDirectory]
			if size > maxRegistryValueSize {
				if !got.FailedClosed || !strings.Contains(errorText(m.Errors), "larger than") {
					t.Errorf("got RuntimeDirectory failed closed %v, errors %q, want it failed closed and a size error", got.FailedClosed, errorText(m.Errors))
				}
				return
			}
			if got.Value != long {
				t.Errorf("got RuntimeDirectory of %d chars, errors %q, want %d", len(fmt.Sprint(got.Value)), errorText(m.Errors), len(long))
			}
		})
	}
}

func TestRegistryMissingKeys(t *testing.T) {
	base := scratch(t)
	m := registrySources(base).Load("")
	checkValues(t, m, nil)
	if len(m.Errors) != 0 || len(m.Notices) != 0 {
		t.Errorf("got errors %q, notices %q, want none: missing keys are no error", errorText(m.Errors), m.Notices)
	}
}

func TestExpandWith(t *testing.T) {
	vars := map[string]string{"A": "x", "PROGRAMFILES(X86)": `C:\pf86`}
	for _, tc := range []struct{ in, want string }{
		{`%A%\b`, `x\b`},
		{`%a%%A%`, `xx`},
		{`%ProgramFiles(x86)%\rvm`, `C:\pf86\rvm`},
		{`%NOPE%\b`, `%NOPE%\b`},
		{`%NOPE%A%`, `%NOPEx`},
		{`100%`, `100%`},
		{`%%A%`, `%x`},
		{`plain`, `plain`},
	} {
		if got := expandWith(tc.in, vars); got != tc.want {
			t.Errorf("expandWith(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}
