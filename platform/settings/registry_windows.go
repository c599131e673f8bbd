package settings

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// Bounds on a settings key: it holds a handful of values in practice.
const (
	maxRegistryValues    = 64
	maxRegistryValueSize = maxSettingsFile
)

// registrySettingsSources lists the four registry keys of SPEC section 4
// below base ("Software" in production, a scratch key in tests), in the
// spec's order: HKLM\<base>\Policies\RVM, HKCU\<base>\Policies\RVM,
// HKLM\<base>\RVM\Settings, HKCU\<base>\RVM\Settings. The HKLM keys are
// machine-wide; the HKCU keys belong to the user.
func registrySettingsSources(base string) []Source {
	policies := base + `\Policies\RVM`
	settings := base + `\RVM\Settings`
	return []Source{
		registrySource(registry.LOCAL_MACHINE, "HKLM", policies, true),
		registrySource(registry.CURRENT_USER, "HKCU", policies, false),
		registrySource(registry.LOCAL_MACHINE, "HKLM", settings, true),
		registrySource(registry.CURRENT_USER, "HKCU", settings, false),
	}
}

// registrySource is a settings source read from the values of one key.
// Value names are matched to setting names case-insensitively, as the
// registry does. A string setting is a REG_SZ, or a REG_EXPAND_SZ whose
// %VARIABLES% are expanded. A flag is a REG_DWORD 0 or 1, or a REG_SZ
// holding exactly "0" or "1", since `reg add` writes REG_SZ unless told
// otherwise and refusing it would leave the flag at its permissive default.
// Any other type is an error naming the value and the key. The 64-bit view
// of the registry is read, as policy tools write it, even from a 32-bit
// build.
func registrySource(root registry.Key, rootName, path string, machineWide bool) Source {
	name := rootName + `\` + path
	return Source{Name: name, MachineWide: machineWide, load: func() (rawSettings, error) {
		k, err := registry.OpenKey(root, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
		if err != nil {
			if errors.Is(err, registry.ErrNotExist) {
				return rawSettings{}, fmt.Errorf("platform: %s: %w", name, os.ErrNotExist)
			}
			return rawSettings{}, fmt.Errorf("platform: open %s: %w", name, err)
		}
		defer k.Close()
		return readRegistrySettings(k, name)
	}}
}

func readRegistrySettings(k registry.Key, source string) (rawSettings, error) {
	// One name more than allowed tells that there are too many; io.EOF
	// means there were fewer.
	names, err := k.ReadValueNames(maxRegistryValues + 1)
	if err != nil && err != io.EOF {
		return rawSettings{}, fmt.Errorf("platform: read %s: %w", source, err)
	}
	if len(names) > maxRegistryValues {
		return rawSettings{}, fmt.Errorf("platform: %s holds more than %d values", source, maxRegistryValues)
	}
	raw := rawSettings{values: map[string]any{}, bad: map[string]error{}}
	for _, valueName := range names {
		name, v, err := readRegistryValue(k, valueName, source)
		if err == nil {
			v, err = checkValue(name, v, source)
		}
		if err != nil {
			raw.bad[name] = err
			continue
		}
		raw.values[name] = v
	}
	return raw, nil
}

// readRegistryValue reads one value and returns the setting name it stands
// for and its Go value (string, uint64 or int), ready for checkValue.
func readRegistryValue(k registry.Key, valueName, source string) (string, any, error) {
	name := valueName
	for known := range settingKinds {
		if strings.EqualFold(known, valueName) {
			name = known
		}
	}
	flag, known := settingKinds[name]
	if !known {
		return name, nil, fmt.Errorf("platform: unknown setting %q in %s", valueName, source)
	}
	size, typ, err := k.GetValue(valueName, nil)
	if err != nil {
		return name, nil, fmt.Errorf("platform: setting %s in %s: %w", name, source, err)
	}
	if size > maxRegistryValueSize {
		return name, nil, fmt.Errorf("platform: setting %s in %s: larger than %d bytes", name, source, maxRegistryValueSize)
	}
	switch {
	case typ == registry.DWORD && flag:
		v, _, err := k.GetIntegerValue(valueName)
		if err != nil {
			return name, nil, fmt.Errorf("platform: setting %s in %s: %w", name, source, err)
		}
		return name, v, nil
	case typ == registry.SZ && flag:
		s, _, err := k.GetStringValue(valueName)
		if err != nil {
			return name, nil, fmt.Errorf("platform: setting %s in %s: %w", name, source, err)
		}
		if s != "0" && s != "1" {
			return name, nil, fmt.Errorf("platform: setting %s in %s: want REG_DWORD 0 or 1 (or REG_SZ \"0\" or \"1\"), got REG_SZ %q", name, source, s)
		}
		return name, int(s[0] - '0'), nil
	case flag:
		return name, nil, fmt.Errorf("platform: setting %s in %s: want REG_DWORD 0 or 1, got %s", name, source, registryTypeName(typ))
	case typ == registry.SZ || typ == registry.EXPAND_SZ:
		s, _, err := k.GetStringValue(valueName)
		if err == nil && typ == registry.EXPAND_SZ {
			s, err = registry.ExpandString(s)
		}
		if err != nil {
			return name, nil, fmt.Errorf("platform: setting %s in %s: %w", name, source, err)
		}
		return name, s, nil
	}
	return name, nil, fmt.Errorf("platform: setting %s in %s: want REG_SZ or REG_EXPAND_SZ, got %s", name, source, registryTypeName(typ))
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
