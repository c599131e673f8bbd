package settings

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// Bounds on a settings key: it holds a handful of values in practice.
const (
	maxRegistryValues    = 64
	maxRegistryValueSize = maxSettingsFile
)

// registrySources lists the registry keys of SPEC section 4 below base
// ("Software" in production, a scratch key in tests): the owner's
// HKLM\<base>\Policies\RVM, HKLM\<base>\RVM\Settings and
// HKLM\<base>\OpenFin\RVM\Settings, each in the 64-bit view of the
// registry and then in the 32-bit one (where 32-bit programs and
// installers write), then the user's keys of the same names in HKCU. The
// REG_EXPAND_SZ values of the HKLM keys are expanded with the system's
// environment (see systemEnvironment), those of HKCU with the user's.
func registrySources(base string) Sources {
	keys := []struct {
		path    string
		openFin bool
	}{
		{base + `\Policies\RVM`, false},
		{base + `\RVM\Settings`, false},
		{base + `\OpenFin\RVM\Settings`, true},
	}
	system := sync.OnceValue(systemEnvironment)
	expandSystem := func(s string) (string, error) { return expandWith(s, system()), nil }
	var srcs Sources
	for _, k := range keys {
		srcs.Owner = append(srcs.Owner,
			registrySource(registry.LOCAL_MACHINE, `HKLM\`+k.path, k.path, k.openFin, registry.WOW64_64KEY, expandSystem),
			registrySource(registry.LOCAL_MACHINE, `HKLM\`+k.path+` (32-bit view)`, k.path, k.openFin, registry.WOW64_32KEY, expandSystem))
	}
	for _, k := range keys {
		srcs.User = append(srcs.User, registrySource(registry.CURRENT_USER, `HKCU\`+k.path, k.path, k.openFin, registry.WOW64_64KEY, registry.ExpandString))
	}
	return srcs
}

// registrySource is a settings source read from the values of one key in
// one view, named name. Value names are matched to setting names
// case-insensitively, as the registry does. A string setting is a REG_SZ,
// or a REG_EXPAND_SZ whose %VARIABLES% expand expands. A flag is a
// REG_DWORD 0 or 1, or a REG_SZ holding exactly "0" or "1", and a number a
// REG_DWORD or a REG_SZ of decimal digits, since `reg add` writes REG_SZ
// unless told otherwise. Any other type is an error naming the value and
// the key.
func registrySource(root registry.Key, name, path string, openFin bool, view uint32, expand func(string) (string, error)) Source {
	return Source{Name: name, openFin: openFin, load: func() (rawSettings, error) {
		k, err := registry.OpenKey(root, path, registry.QUERY_VALUE|view)
		if err != nil {
			if errors.Is(err, registry.ErrNotExist) {
				return rawSettings{}, fmt.Errorf("settings: %s: %w", name, os.ErrNotExist)
			}
			return rawSettings{}, fmt.Errorf("settings: open %s: %w", name, err)
		}
		defer k.Close()
		return readRegistrySettings(k, name, expand)
	}}
}

func readRegistrySettings(k registry.Key, source string, expand func(string) (string, error)) (rawSettings, error) {
	// One name more than allowed tells that there are too many; io.EOF
	// means there were fewer.
	names, err := k.ReadValueNames(maxRegistryValues + 1)
	if err != nil && err != io.EOF {
		return rawSettings{}, fmt.Errorf("settings: read %s: %w", source, err)
	}
	if len(names) > maxRegistryValues {
		return rawSettings{}, fmt.Errorf("settings: %s holds more than %d values", source, maxRegistryValues)
	}
	raw := newRawSettings()
	for _, valueName := range names {
		s := lookupFold(valueName)
		if s == nil {
			raw.add(valueName, nil, source) // unknown
			continue
		}
		v, err := readRegistryValue(k, valueName, s, source, expand)
		if err != nil {
			raw.bad[s.Name] = err
			continue
		}
		raw.add(s.Name, v, source)
	}
	return raw, nil
}

// lookupFold is lookup without regard to case, as registry names compare.
func lookupFold(name string) *Setting {
	for i := range Table {
		if strings.EqualFold(Table[i].Name, name) {
			return &Table[i]
		}
	}
	return nil
}

// readRegistryValue reads the value valueName of the setting s as a Go
// value for checkValue: a string, a uint64 (a REG_DWORD) or a number (a
// REG_SZ of digits).
func readRegistryValue(k registry.Key, valueName string, s *Setting, source string, expand func(string) (string, error)) (any, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("settings: setting %s in %s: %s", s.Name, source, fmt.Sprintf(format, args...))
	}
	size, typ, err := k.GetValue(valueName, nil)
	if err != nil {
		return nil, fail("%v", err)
	}
	if size > maxRegistryValueSize {
		return nil, fail("larger than %d bytes", maxRegistryValueSize)
	}
	numeric := s.Kind == KindFlag || s.Kind == KindNumber
	switch {
	case typ == registry.DWORD && numeric:
		v, _, err := k.GetIntegerValue(valueName)
		if err != nil {
			return nil, fail("%v", err)
		}
		return v, nil
	case typ == registry.SZ && numeric:
		str, _, err := k.GetStringValue(valueName)
		if err != nil {
			return nil, fail("%v", err)
		}
		if s.Kind == KindFlag && str != "0" && str != "1" {
			return nil, fail("want REG_DWORD 0 or 1 (or REG_SZ \"0\" or \"1\"), got REG_SZ %q", str)
		}
		if str == "" || strings.Trim(str, "0123456789") != "" {
			return nil, fail("want a REG_DWORD (or a REG_SZ of decimal digits), got REG_SZ %q", str)
		}
		return number(str), nil
	case numeric:
		return nil, fail("want a REG_DWORD, got %s", registryTypeName(typ))
	case typ == registry.SZ || typ == registry.EXPAND_SZ:
		str, _, err := k.GetStringValue(valueName)
		if err == nil && typ == registry.EXPAND_SZ {
			str, err = expand(str)
		}
		if err != nil {
			return nil, fail("%v", err)
		}
		return str, nil
	}
	return nil, fail("want REG_SZ or REG_EXPAND_SZ, got %s", registryTypeName(typ))
}

// systemEnvironment is the environment that the system gives every
// process, as the machine's own registry and kernel hold it, never as the
// calling user may have changed it: SystemRoot (and windir, SystemDrive)
// from the kernel; ProgramData, ALLUSERSPROFILE and PUBLIC from the
// profile list; ProgramFiles and CommonProgramFiles (and their (x86) and
// W6432 forms) from HKLM\Software\Microsoft\Windows\CurrentVersion; and
// every variable of HKLM\SYSTEM\CurrentControlSet\Control\Session
// Manager\Environment. Names are upper-cased, since they compare without
// regard to case. A variable it cannot read is left out (and a
// %VARIABLE% of it stays as it is written).
func systemEnvironment() map[string]string {
	vars := map[string]string{}
	if root, err := windows.GetSystemWindowsDirectory(); err == nil {
		vars["SYSTEMROOT"], vars["WINDIR"] = root, root
		vars["SYSTEMDRIVE"] = filepath.VolumeName(root)
	}
	fromKey := func(path string, names map[string][]string) {
		k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
		if err != nil {
			return
		}
		defer k.Close()
		for value, vs := range names {
			s, typ, err := k.GetStringValue(value)
			if err != nil {
				continue
			}
			if typ == registry.EXPAND_SZ {
				s = expandWith(s, vars)
			}
			for _, v := range vs {
				vars[v] = s
			}
		}
	}
	fromKey(`SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList`, map[string][]string{
		"ProgramData": {"PROGRAMDATA", "ALLUSERSPROFILE"},
		"Public":      {"PUBLIC"},
	})
	fromKey(`SOFTWARE\Microsoft\Windows\CurrentVersion`, map[string][]string{
		"ProgramFilesDir":       {"PROGRAMFILES", "PROGRAMW6432"},
		"ProgramFilesDir (x86)": {"PROGRAMFILES(X86)"},
		"CommonFilesDir":        {"COMMONPROGRAMFILES", "COMMONPROGRAMW6432"},
		"CommonFilesDir (x86)":  {"COMMONPROGRAMFILES(X86)"},
	})
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Control\Session Manager\Environment`, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		return vars
	}
	defer k.Close()
	names, _ := k.ReadValueNames(0)
	// The plain strings first, then the ones that expand, which may use
	// them.
	expanding := map[string]string{}
	for _, name := range names {
		s, typ, err := k.GetStringValue(name)
		switch {
		case err != nil:
		case typ == registry.EXPAND_SZ:
			expanding[strings.ToUpper(name)] = s
		default:
			vars[strings.ToUpper(name)] = s
		}
	}
	for name, s := range expanding {
		vars[name] = expandWith(s, vars)
	}
	return vars
}

// expandWith expands the %VARIABLES% of s with vars (upper-cased names),
// as ExpandEnvironmentStrings does: one that vars lacks stays as written,
// and its closing % may open the next.
func expandWith(s string, vars map[string]string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '%')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open+1:], '%')
		if end < 0 {
			break
		}
		end += open + 1
		if v, ok := vars[strings.ToUpper(s[open+1:end])]; ok && end > open+1 {
			b.WriteString(s[:open])
			b.WriteString(v)
			s = s[end+1:]
			continue
		}
		b.WriteString(s[:end])
		s = s[end:]
	}
	b.WriteString(s)
	return b.String()
}

func registryTypeName(typ uint32) string {
	names := map[uint32]string{
		registry.NONE:                       "REG_NONE",
		registry.SZ:                         "REG_SZ",
		registry.EXPAND_SZ:                  "REG_EXPAND_SZ",
		registry.BINARY:                     "REG_BINARY",
		registry.DWORD:                      "REG_DWORD",
		registry.DWORD_BIG_ENDIAN:           "REG_DWORD_BIG_ENDIAN",
		registry.LINK:                       "REG_LINK",
		registry.MULTI_SZ:                   "REG_MULTI_SZ",
		registry.RESOURCE_LIST:              "REG_RESOURCE_LIST",
		registry.FULL_RESOURCE_DESCRIPTOR:   "REG_FULL_RESOURCE_DESCRIPTOR",
		registry.RESOURCE_REQUIREMENTS_LIST: "REG_RESOURCE_REQUIREMENTS_LIST",
		registry.QWORD:                      "REG_QWORD",
	}
	if n, ok := names[typ]; ok {
		return n
	}
	return fmt.Sprintf("registry type %d", typ)
}
