// Package settings reads rvm's machine settings (SPEC section 4) from their
// sources, the Windows registry, macOS property lists and Linux JSON files,
// applies precedence and fails closed on invalid values, and watches the
// sources for changes.
package settings

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// Names of the machine settings (SPEC section 4). They are the same on every
// platform: registry value names, plist keys and JSON keys.
const (
	DesktopOwnerSettings            = "DesktopOwnerSettings"
	AllowInvalidNetworkCertificates = "allowInvalidNetworkCertificates"
	AllowHTTPSToHTTPRedirects       = "allowHttpsToHttpNetworkRedirects"
	AllowHTTPToHTTPSRedirects       = "allowHttpToHttpsNetworkRedirects"
	TrustRootsFile                  = "TrustRootsFile"
	RevocationMode                  = "RevocationMode"
	RuntimeDirectory                = "RuntimeDirectory"
)

// settingKinds tells, for every machine setting, whether it is a 0/1 flag
// (true) or a string (false). It is the one table of known names.
var settingKinds = map[string]bool{
	DesktopOwnerSettings:            false,
	AllowInvalidNetworkCertificates: true,
	AllowHTTPSToHTTPRedirects:       true,
	AllowHTTPToHTTPSRedirects:       true,
	TrustRootsFile:                  false,
	RevocationMode:                  false,
	RuntimeDirectory:                false,
}

// machineWideOnly lists the settings that a per-user source may not set.
var machineWideOnly = map[string]bool{TrustRootsFile: true}

// Value is one machine setting as it was read: Value holds a string for a
// string setting and an int (0 or 1) for a flag; Source names where it came
// from (a file path or a registry key).
type Value struct {
	Value  any    `json:"value"`
	Source string `json:"source"`
}

// Machine are the effective machine settings: for every name that
// some source set, the value of the first source that holds it. Errors
// lists every problem met while reading; a bad value never stops the others
// from loading. The zero value has nothing set.
type Machine struct {
	Values map[string]Value
	Errors []error
	// invalid names, for a setting that no valid value sets, the first
	// source that held an invalid value for it (or, for a 0/1 flag, that
	// could not be read at all): such a setting counts as its strictest
	// value, never as unset.
	invalid map[string]string
}

// Invalid reports whether the setting name is unset only because a source
// held an invalid value for it (or, for a 0/1 flag, could not be read);
// source names the first such source. Callers treat such a setting as its
// strictest value: a desktop owner who got the type wrong must not get the
// opposite of what was meant.
func (s *Machine) Invalid(name string) (source string, invalid bool) {
	source, invalid = s.invalid[name]
	return source, invalid
}

// String reports the string setting name, where it was set, and whether it
// was set at all.
func (s *Machine) String(name string) (value, source string, ok bool) {
	v, ok := s.Values[name]
	if !ok {
		return "", "", false
	}
	str, ok := v.Value.(string)
	return str, v.Source, ok
}

// Allowed reports the 0/1 setting name: unset counts as allowed (SPEC 3), set
// reports whether it is 1, with the source that set it.
//
// A flag that is Invalid counts as 0, set, its source marked invalid.
func (s *Machine) Allowed(name string) (allowed bool, source string, set bool) {
	v, ok := s.Values[name]
	if !ok {
		if src, bad := s.invalid[name]; bad {
			return false, src + " (an invalid value, which counts as 0)", true
		}
		return true, "", false
	}
	n, _ := v.Value.(int)
	return n == 1, v.Source, true
}

// Source is one place machine settings are read from.
type Source struct {
	// Name is what a user sees as the source: a file path or registry key.
	Name string
	// MachineWide is false for a per-user source.
	MachineWide bool
	// load reads the source. It returns os.ErrNotExist (wrapped) when the
	// source does not exist, another error when it exists but cannot be
	// read as a whole.
	load func() (rawSettings, error)
}

// rawSettings is what one source holds: the valid values by setting name
// (a string, or an int 0/1 for a flag) and, by the name as written, an
// error for every value that is present but invalid (an unknown name, a
// wrong type, a value out of range).
type rawSettings struct {
	values map[string]any
	bad    map[string]error
}

// Load reads the machine settings. A non-empty override is the
// path of a JSON settings file (--machine-settings or RVM_MACHINE_SETTINGS)
// that replaces every other source and counts as machine-wide; otherwise the
// platform's sources are read (SPEC section 4):
//
//   - Windows: HKLM\Software\Policies\RVM, HKCU\Software\Policies\RVM,
//     HKLM\Software\RVM\Settings, HKCU\Software\RVM\Settings (REG_SZ,
//     REG_EXPAND_SZ and REG_DWORD values; see registry_windows.go);
//   - macOS: /Library/Managed Preferences/RVM.plist,
//     /Library/Application Support/RVM/Settings.plist,
//     ~/Library/Application Support/RVM/Settings.plist (see plist.go);
//   - Linux: /etc/rvm/settings.json, $XDG_CONFIG_HOME/rvm/settings.json.
//
// getenv is os.Getenv in production and a map in tests.
//
// Precedence: the first source that holds a value wins, except that a
// machine-wide source always wins over a per-user one: on Windows
// HKLM\Software\RVM\Settings is read before HKCU\Software\Policies\RVM,
// since HKCU is the user's. Two rules keep a user from slipping past the
// owner's mistakes: an invalid value in a machine-wide source keeps
// per-user sources from setting that name, and a machine-wide source that
// exists but cannot be read (bad syntax, access denied) hides every
// per-user source. TrustRootsFile is read only from machine-wide sources.
// Every problem is in Errors; it never stops the other values from loading.
func Load(override string, getenv func(string) string) *Machine {
	var sources []Source
	if override != "" {
		// A settings file asked for by name must be there.
		src := JSONFile(override, true)
		load := src.load
		src.load = func() (rawSettings, error) {
			raw, err := load()
			if errors.Is(err, os.ErrNotExist) {
				err = fmt.Errorf("platform: settings file %s does not exist", override)
			}
			return raw, err
		}
		sources = []Source{src}
	} else {
		sources = machineSettingsSources(getenv)
	}
	return loadFrom(sources)
}

// loadFrom applies the precedence rules of Load to sources,
// which are in the order of the spec: the machine-wide sources are read
// first, then the per-user ones.
func loadFrom(sources []Source) *Machine {
	s := &Machine{Values: map[string]Value{}, invalid: map[string]string{}}
	// brokenMachineSource names a machine-wide source that exists but
	// could not be read.
	brokenMachineSource := ""
	for _, src := range sources {
		if src.MachineWide && !s.load(src, nil) && brokenMachineSource == "" {
			brokenMachineSource = src.Name
		}
	}
	// What the machine-wide sources marked invalid, a per-user source may
	// not set.
	heldBy := maps.Clone(s.invalid)
	for _, src := range sources {
		switch {
		case src.MachineWide:
		case brokenMachineSource != "":
			s.Errors = append(s.Errors, fmt.Errorf("platform: settings in %s ignored: the machine-wide source %s could not be read, and a per-user source may not stand in for it", src.Name, brokenMachineSource))
		default:
			s.load(src, heldBy)
		}
	}
	for name := range s.Values {
		delete(s.invalid, name)
	}
	return s
}

// load reads one source into s: its values where no earlier source set
// them and heldBy does not name them, its problems into Errors and its
// invalid values into invalid. It reports false where the source exists but
// could not be read, which makes every flag invalid.
func (s *Machine) load(src Source, heldBy map[string]string) (readable bool) {
	raw, err := src.load()
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return true
		}
		s.Errors = append(s.Errors, err)
		for name, flag := range settingKinds {
			if flag {
				s.markInvalid(name, src.Name)
			}
		}
		return false
	}
	for _, name := range sortedKeys(raw.bad) {
		s.Errors = append(s.Errors, raw.bad[name])
		s.markInvalid(name, src.Name)
	}
	for _, name := range sortedKeys(raw.values) {
		if !src.MachineWide && machineWideOnly[name] {
			s.Errors = append(s.Errors, fmt.Errorf("platform: setting %s in %s ignored: it is read only from machine-wide sources", name, src.Name))
			continue
		}
		if _, done := s.Values[name]; done {
			continue
		}
		if held, ok := heldBy[name]; ok {
			s.Errors = append(s.Errors, fmt.Errorf("platform: setting %s in %s ignored: the machine-wide source %s holds an invalid value for it", name, src.Name, held))
			continue
		}
		s.Values[name] = Value{Value: raw.values[name], Source: src.Name}
	}
	return true
}

// markInvalid records src as the first source that held an invalid value
// for the known setting name.
func (s *Machine) markInvalid(name, src string) {
	if _, known := settingKinds[name]; !known {
		return
	}
	if _, done := s.invalid[name]; !done {
		s.invalid[name] = src
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkValue validates one value read from a source, as its format
// decoded it. It returns the normalized value (a non-empty string, or an
// int 0/1 for a flag) or an error naming the value and its source.
func checkValue(name string, raw any, source string) (any, error) {
	flag, known := settingKinds[name]
	if !known {
		return nil, fmt.Errorf("platform: unknown setting %q in %s", name, source)
	}
	if flag {
		n := -1
		switch v := raw.(type) {
		case int:
			n = v
		case int64:
			if v == 0 || v == 1 {
				n = int(v)
			}
		case uint64:
			if v <= 1 {
				n = int(v)
			}
		case number:
			if v == "0" || v == "1" {
				n = int(v[0] - '0')
			}
		default:
			return nil, fmt.Errorf("platform: setting %s in %s: want 0 or 1, got %s", name, source, describe(raw))
		}
		if n != 0 && n != 1 {
			return nil, fmt.Errorf("platform: setting %s in %s: want 0 or 1, got %v", name, source, raw)
		}
		return n, nil
	}
	str, ok := raw.(string)
	if !ok {
		return nil, fmt.Errorf("platform: setting %s in %s: want a string, got %s", name, source, describe(raw))
	}
	if str == "" {
		return nil, fmt.Errorf("platform: setting %s in %s: empty", name, source)
	}
	if name == RevocationMode && str != "online" && str != "cached" && str != "off" {
		return nil, fmt.Errorf("platform: setting %s in %s: want online, cached or off, got %q", name, source, str)
	}
	return str, nil
}

// checkAll validates every value of a decoded source.
func checkAll(vals map[string]any, source string) rawSettings {
	raw := rawSettings{values: map[string]any{}, bad: map[string]error{}}
	for name, v := range vals {
		checked, err := checkValue(name, v, source)
		if err != nil {
			raw.bad[name] = err
			continue
		}
		raw.values[name] = checked
	}
	return raw
}

func describe(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case number, int, int64, uint64:
		return "a number"
	case float32, float64:
		return "a real number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case []byte:
		return "binary data"
	case time.Time:
		return "a date"
	}
	return fmt.Sprintf("a value of type %T", v)
}

// maxSettingsFile bounds a settings file; real ones are a few hundred bytes.
const maxSettingsFile = 64 << 10

// JSONFile is a settings source read from a JSON object file (at most 64
// KiB, read strictly: no duplicate keys, valid UTF-8, nothing after the
// object) of the values of SPEC section 4: strings, and the numbers 0 or 1
// for the flags. Its errors give the line and column of the fault.
func JSONFile(path string, machineWide bool) Source {
	return Source{Name: path, MachineWide: machineWide, load: func() (rawSettings, error) {
		data, err := platform.ReadFileLimit(path, maxSettingsFile)
		if err != nil {
			return rawSettings{}, err
		}
		return parseJSONSettings(data, path)
	}}
}

// parseJSONSettings reads a settings file, strictly (package strictjson):
// a fault in the file, or in one of its values, is reported with its line
// and column.
func parseJSONSettings(data []byte, source string) (rawSettings, error) {
	if err := strictjson.Check(data); err != nil {
		return rawSettings{}, fmt.Errorf("platform: settings file %s: %w", source, err)
	}
	// One value, checked, with only JSON white space around it.
	top := jsontext.Value(bytes.Trim(data, " \t\r\n"))
	start := int64(len(data) - len(bytes.TrimLeft(data, " \t\r\n")))
	if top.Kind() != '{' {
		line, col := strictjson.Position(data, start)
		return rawSettings{}, fmt.Errorf("platform: settings file %s: line %d, column %d: want a JSON object, got %s", source, line, col, strictjson.Kind(top))
	}
	members, err := strictjson.Members(top)
	if err != nil {
		return rawSettings{}, fmt.Errorf("platform: settings file %s: %w", source, err)
	}
	raw := rawSettings{values: map[string]any{}, bad: map[string]error{}}
	for _, m := range members {
		line, col := strictjson.Position(data, start+m.Offset)
		checked, err := checkValue(m.Name, jsonValue(m.Value), fmt.Sprintf("%s, line %d, column %d", source, line, col))
		if err != nil {
			raw.bad[m.Name] = err
			continue
		}
		raw.values[m.Name] = checked
	}
	return raw, nil
}

// number is a JSON number as it stands in a settings file.
type number string

// jsonValue is the Go value that checkValue reads from v, one strict JSON
// value: a string, a number, a bool, nil, or for an array or object an
// empty one (its contents are never a valid setting).
func jsonValue(v jsontext.Value) any {
	switch v.Kind() {
	case '"':
		var s string
		json.Unmarshal(v, &s) // v is a checked string
		return s
	case '0':
		return number(v)
	case 't', 'f':
		return v.Kind() == 't'
	case '[':
		return []any{}
	case '{':
		return map[string]any{}
	}
	return nil
}

// Flag is a 0/1 HTTPS setting as a fetch applies it: whether the relaxed
// retry it governs is allowed, and where that was set ("" for the default).
type Flag struct {
	Allowed bool
	Source  string
}

// HTTPS is the three HTTPS security settings (SPEC 3).
type HTTPS struct {
	InvalidCertificates Flag // allowInvalidNetworkCertificates
	HTTPSToHTTP         Flag // allowHttpsToHttpNetworkRedirects
	HTTPStart           Flag // allowHttpToHttpsNetworkRedirects
}

// HTTPS reports the HTTPS security settings: unset counts as allowed, an
// invalid one as 0.
func (s *Machine) HTTPS() HTTPS {
	flag := func(name string) Flag {
		ok, src, _ := s.Allowed(name)
		return Flag{Allowed: ok, Source: src}
	}
	return HTTPS{
		InvalidCertificates: flag(AllowInvalidNetworkCertificates),
		HTTPSToHTTP:         flag(AllowHTTPSToHTTPRedirects),
		HTTPStart:           flag(AllowHTTPToHTTPSRedirects),
	}
}

// Revocation reports the RevocationMode in effect: "online", "cached" or
// "off" (already checked), "" where unset; an invalid value counts as
// "online", the strictest.
func (s *Machine) Revocation() string {
	if _, bad := s.Invalid(RevocationMode); bad {
		return "online"
	}
	mode, _, _ := s.String(RevocationMode)
	return mode
}

// RuntimeDir reports the RuntimeDirectory in effect: the setting, or
// <dataDir>/runtime where it is unset.
func (s *Machine) RuntimeDir(dataDir string) string {
	if dir, _, ok := s.String(RuntimeDirectory); ok && dir != "" {
		return dir
	}
	return filepath.Join(dataDir, "runtime")
}

// OwnerLocation reports DesktopOwnerSettings: its value and the source
// that set it, or, where a source held an invalid value for it, that
// source (the value is then empty, and the owner settings fail closed).
func (s *Machine) OwnerLocation() (value, setBy, invalid string) {
	if src, bad := s.Invalid(DesktopOwnerSettings); bad {
		return "", "", src
	}
	value, setBy, _ = s.String(DesktopOwnerSettings)
	return value, setBy, ""
}
