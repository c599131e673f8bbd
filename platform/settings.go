package platform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// Names of the machine settings (SPEC section 4). They are the same on every
// platform: registry value names, plist keys and JSON keys.
const (
	SettingDesktopOwnerSettings            = "DesktopOwnerSettings"
	SettingAllowInvalidNetworkCertificates = "allowInvalidNetworkCertificates"
	SettingAllowHTTPSToHTTPRedirects       = "allowHttpsToHttpNetworkRedirects"
	SettingAllowHTTPToHTTPSRedirects       = "allowHttpToHttpsNetworkRedirects"
	SettingTrustRootsFile                  = "TrustRootsFile"
	SettingRevocationMode                  = "RevocationMode"
	SettingRuntimeDirectory                = "RuntimeDirectory"
)

// settingKinds tells, for every machine setting, whether it is a 0/1 flag
// (true) or a string (false). It is the one table of known names.
var settingKinds = map[string]bool{
	SettingDesktopOwnerSettings:            false,
	SettingAllowInvalidNetworkCertificates: true,
	SettingAllowHTTPSToHTTPRedirects:       true,
	SettingAllowHTTPToHTTPSRedirects:       true,
	SettingTrustRootsFile:                  false,
	SettingRevocationMode:                  false,
	SettingRuntimeDirectory:                false,
}

// machineWideOnly lists the settings that a per-user source may not set.
var machineWideOnly = map[string]bool{SettingTrustRootsFile: true}

// Value is one machine setting as it was read: Value holds a string for a
// string setting and an int (0 or 1) for a flag; Source names where it came
// from (a file path or a registry key).
type Value struct {
	Value  any    `json:"value"`
	Source string `json:"source"`
}

// MachineSettings are the effective machine settings: for every name that
// some source set, the value of the first source that holds it. Errors
// lists every problem met while reading; a bad value never stops the others
// from loading. The zero value has nothing set.
type MachineSettings struct {
	Values map[string]Value
	Errors []error
}

// String reports the string setting name, where it was set, and whether it
// was set at all.
func (s *MachineSettings) String(name string) (value, source string, ok bool) {
	v, ok := s.Values[name]
	if !ok {
		return "", "", false
	}
	str, ok := v.Value.(string)
	return str, v.Source, ok
}

// Allowed reports the 0/1 setting name: unset counts as allowed (SPEC 3), set
// reports whether it is 1, with the source that set it.
func (s *MachineSettings) Allowed(name string) (allowed bool, source string, set bool) {
	v, ok := s.Values[name]
	if !ok {
		return true, "", false
	}
	n, _ := v.Value.(int)
	return n == 1, v.Source, true
}

// AnySet reports whether any of the named settings has a value.
func (s *MachineSettings) AnySet(names ...string) bool {
	for _, n := range names {
		if _, ok := s.Values[n]; ok {
			return true
		}
	}
	return false
}

// SettingsSource is one place machine settings are read from.
type SettingsSource struct {
	// Name is what a user sees as the source: a file path or registry key.
	Name string
	// MachineWide is false for a per-user source.
	MachineWide bool
	// load returns the raw values found (string or int), errors for the bad
	// ones, and os.ErrNotExist (wrapped) when the source does not exist.
	load func() (map[string]any, []error, error)
}

// LoadMachineSettings reads the machine settings. A non-empty override is the
// path of a JSON settings file (--machine-settings or RVM_MACHINE_SETTINGS)
// that replaces every other source and counts as machine-wide; otherwise the
// platform's sources are read in the order of SPEC section 4.
func LoadMachineSettings(override string, getenv func(string) string) *MachineSettings {
	var sources []SettingsSource
	if override != "" {
		sources = []SettingsSource{JSONSettingsFile(override, true)}
	} else {
		sources = machineSettingsSources(getenv)
	}
	return loadFrom(sources)
}

func loadFrom(sources []SettingsSource) *MachineSettings {
	s := &MachineSettings{Values: map[string]Value{}}
	for _, src := range sources {
		vals, errs, err := src.load()
		s.Errors = append(s.Errors, errs...)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				s.Errors = append(s.Errors, err)
			}
			continue
		}
		names := make([]string, 0, len(vals))
		for n := range vals {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			if !src.MachineWide && machineWideOnly[name] {
				s.Errors = append(s.Errors, fmt.Errorf("platform: setting %s in %s ignored: it is read only from machine-wide sources", name, src.Name))
				continue
			}
			if _, done := s.Values[name]; done {
				continue
			}
			s.Values[name] = Value{Value: vals[name], Source: src.Name}
		}
	}
	return s
}

// checkValue validates one raw value read from a source. It returns the
// normalized value (string, or int 0/1) or an error naming the value and
// its source.
func checkValue(name string, raw any, source string) (any, error) {
	flag, known := settingKinds[name]
	if !known {
		return nil, fmt.Errorf("platform: unknown setting %q in %s", name, source)
	}
	if flag {
		var n int
		switch v := raw.(type) {
		case int:
			n = v
		case uint32:
			n = int(v)
		case uint64:
			if v > 1 {
				n = 2
			} else {
				n = int(v)
			}
		case json.Number:
			if v.String() == "0" || v.String() == "1" {
				n = int(v.String()[0] - '0')
			} else {
				n = 2
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
	if name == SettingRevocationMode && str != "online" && str != "cached" && str != "off" {
		return nil, fmt.Errorf("platform: setting %s in %s: want online, cached or off, got %q", name, source, str)
	}
	return str, nil
}

func describe(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number, int, uint32, uint64:
		return "a number"
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
	}
	return fmt.Sprintf("a value of type %T", v)
}

// maxSettingsFile bounds a settings file; real ones are a few hundred bytes.
const maxSettingsFile = 64 << 10

// JSONSettingsFile is a settings source read from a JSON object file.
func JSONSettingsFile(path string, machineWide bool) SettingsSource {
	return SettingsSource{Name: path, MachineWide: machineWide, load: func() (map[string]any, []error, error) {
		data, err := readBounded(path, maxSettingsFile)
		if err != nil {
			return nil, nil, err
		}
		return parseJSONSettings(data, path)
	}}
}

func parseJSONSettings(data []byte, source string) (map[string]any, []error, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, nil, fmt.Errorf("platform: settings file %s: %w", source, err)
	}
	if obj == nil {
		return nil, nil, fmt.Errorf("platform: settings file %s: want a JSON object", source)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("platform: settings file %s: data after the JSON object", source)
	}
	vals := map[string]any{}
	var errs []error
	for name, raw := range obj {
		v, err := checkValue(name, raw, source)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		vals[name] = v
	}
	return vals, errs, nil
}

// readBounded reads a file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("platform: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("platform: read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("platform: %s is larger than %d bytes", path, limit)
	}
	return data, nil
}
