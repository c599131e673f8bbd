// Package settings reads rvm's machine settings (SPEC section 4) from their
// sources, the Windows registry, macOS property lists and Linux JSON files,
// applies precedence, fails closed on what it cannot read, and watches the
// sources for changes.
//
// # The settings
//
// Table lists every setting with its kind (a string, a 0/1 flag or a
// whole number), its scope and its default. The names are the same
// everywhere: registry value names (matched without regard to case), plist
// keys and JSON keys.
//
// # Sources
//
// Owner sources are machine-wide and only an administrator can write them:
//
//   - Windows: HKLM\Software\Policies\RVM, HKLM\Software\RVM\Settings and
//     HKLM\Software\OpenFin\RVM\Settings, each in the registry's 64-bit
//     view, then its 32-bit view (see registry_windows.go);
//   - macOS: /Library/Managed Preferences/RVM.plist, then
//     /Library/Application Support/RVM/Settings.plist (see plist.go);
//   - Linux: /etc/rvm/settings.json.
//
// Per-user sources belong to the user (or, for the Policies keys and the
// managed preferences of a user, to the user's administrator):
//
//   - Windows: HKCU\Software\Policies\RVM, HKCU\Software\RVM\Settings,
//     HKCU\Software\OpenFin\RVM\Settings;
//   - macOS: /Library/Managed Preferences/<user>/RVM.plist,
//     ~/Library/Application Support/RVM/Settings.plist,
//     ~/Library/Application Support/OpenFin/rvm/FileRegistry.plist;
//   - Linux: $XDG_CONFIG_HOME/rvm/settings.json (~/.config where
//     XDG_CONFIG_HOME is unset or not absolute).
//
// A settings file named for one call (--machine-settings,
// RVM_MACHINE_SETTINGS) replaces the per-user sources, never an owner
// source. OpenFin's keys and files supply only the names OpenFin shares
// with rvm (Setting.OpenFin); names rvm does not know are ignored there,
// since OpenFin keeps settings of its own in them.
//
// # Precedence
//
// The first owner source that sets a name wins, and among the per-user
// sources the first. A per-user value then applies only as the table's
// scope allows: a ScopeOwner name is never read from a per-user source; a
// ScopeAny name (DesktopOwnerSettings, RuntimeDirectory) applies only where
// no owner source sets it; a ScopeStricter name takes the stricter of the
// owner's value (or the default) and the per-user one. A per-user value
// that cannot apply is ignored with a notice (Machine.Notices).
//
// # Failing closed
//
// A source that exists but cannot be read or parsed, and a value of the
// wrong type or out of range, count as the strictest value of every name
// they could hold (Setting.strictest), at their place in the order: a 0/1
// flag as 0, RevocationMode as online, CachedManifestMaxAgeDays as 0,
// TrustRootsFile as a file that trusts nothing, DesktopOwnerSettings as
// unavailable (every permission denied, launches refused), no runtime
// repository and the default RuntimeDirectory. Such a value is marked
// FailedClosed; since it sets the name, no later source, and for an owner
// source no per-user source, may set it. The error names the source and,
// for a JSON file, the line and column of the fault. An empty
// DesktopOwnerSettings means "no desktop owner settings" and, from an
// owner source, keeps per-user sources from naming any.
package settings

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// SourceDefault is the Source of a setting that no source sets.
const SourceDefault = "default"

// noSettings is the Source of every setting of a Machine that was never
// loaded (the zero Machine), which fails closed.
const noSettings = "no machine settings (none were read)"

// Value is one machine setting in effect.
type Value struct {
	// Value is a string, an int (a flag or a number) or nil (no value:
	// unset without a default, or failed closed to none).
	Value any `json:"value"`
	// Source is where the value came from: a file path or registry key,
	// or SourceDefault.
	Source string `json:"source"`
	// FailedClosed reports that Value is the setting's strictest value
	// because Source could not be read or held an invalid value for it.
	FailedClosed bool `json:"-"`
}

// Machine are the machine settings in effect. The zero value fails
// closed: every setting counts as its strictest value.
type Machine struct {
	// Values holds every setting of Table by name.
	Values map[string]Value
	// Errors are the sources that could not be read and the values that
	// are invalid, each naming its source, and a runtime repository that is
	// only half set. None of them stops the other values from loading.
	Errors []error
	// Notices are the per-user values that could not apply, each saying
	// why: for `rvm settings` and the decision document.
	Notices []string
}

// Source is one place machine settings are read from.
type Source struct {
	// Name is what a user sees as the source: a file path or registry key.
	Name string
	// openFin marks one of OpenFin's keys or files, which supply only the
	// names that OpenFin shares with rvm.
	openFin bool
	// load reads the source. It returns an error wrapping os.ErrNotExist
	// where the source does not exist, another error where it exists but
	// cannot be read as a whole.
	load func() (rawSettings, error)
}

// Sources are the places machine settings are read from, each list in its
// order of precedence.
type Sources struct {
	Owner []Source
	User  []Source
}

// PlatformSources are the sources of SPEC section 4 on this system (see
// the package doc). getenv is os.Getenv in production: it gives the home
// and XDG folders of the per-user sources.
func PlatformSources(getenv func(string) string) Sources {
	return platformSources(getenv)
}

// machineSettingsSources lists every source of PlatformSources, owner
// sources first, for watching.
func machineSettingsSources(getenv func(string) string) []Source {
	s := platformSources(getenv)
	return append(s.Owner, s.User...)
}

// rawSettings is what one source holds: its valid values by setting name
// (a string, or an int for a flag or number), an error for every known
// name whose value is invalid, and one for every name rvm does not know.
type rawSettings struct {
	values  map[string]any
	bad     map[string]error
	unknown []error
}

func newRawSettings() rawSettings {
	return rawSettings{values: map[string]any{}, bad: map[string]error{}}
}

// add checks the value v of the setting named name, as its format decoded
// it, and files it; where names its place in errors.
func (raw *rawSettings) add(name string, v any, where string) {
	s := lookup(name)
	if s == nil {
		raw.unknown = append(raw.unknown, fmt.Errorf("settings: unknown setting %q in %s", name, where))
		return
	}
	checked, err := checkValue(s, v, where)
	if err != nil {
		raw.bad[name] = err
		return
	}
	raw.values[name] = checked
}

// Load reads the machine settings from srcs. A non-empty override is the
// path of a JSON settings file (--machine-settings, RVM_MACHINE_SETTINGS)
// that stands in for srcs.User; it must exist. Every problem is in Errors,
// every per-user value that cannot apply in Notices; see the package doc
// for the rules.
func (srcs Sources) Load(override string) *Machine {
	user := srcs.User
	if override != "" {
		user = []Source{overrideFile(override)}
	}
	m := &Machine{Values: map[string]Value{}}
	owner := m.read(srcs.Owner, true)
	perUser := m.read(user, false)
	for i := range Table {
		s := &Table[i]
		o, ownerSet := owner[s.Name]
		u, userSet := perUser[s.Name]
		m.Values[s.Name] = m.combine(s, o, ownerSet, u, userSet)
	}
	if _, _, err := m.RuntimeRepository(); err != nil && !m.Values[RuntimeRepository].FailedClosed && !m.Values[RuntimeRepositoryRoot].FailedClosed {
		m.Errors = append(m.Errors, err)
	}
	return m
}

// overrideFile is the settings file named for one call: one that does not
// exist is an error, since it was asked for by name.
func overrideFile(path string) Source {
	src := JSONFile(path)
	load := src.load
	src.load = func() (rawSettings, error) {
		raw, err := load()
		if errors.Is(err, os.ErrNotExist) {
			err = fmt.Errorf("settings: settings file %s (--machine-settings or RVM_MACHINE_SETTINGS) does not exist", path)
		}
		return raw, err
	}
	return src
}

// read reads srcs, first to last, into the value that each name takes
// from the first of them that sets it: a valid value or, where a source
// cannot be read or holds an invalid value for the name, the strictest
// value, FailedClosed. owner tells whether srcs are owner sources; from
// per-user sources ScopeOwner names are not read.
func (m *Machine) read(srcs []Source, owner bool) map[string]Value {
	got := map[string]Value{}
	set := func(s *Setting, v Value) {
		if _, done := got[s.Name]; !done {
			got[s.Name] = v
		}
	}
	failed := func(s *Setting, src Source) Value {
		return Value{Value: s.strictest(), Source: src.Name, FailedClosed: true}
	}
	for _, src := range srcs {
		raw, err := src.load()
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			m.Errors = append(m.Errors, err)
			for i := range Table {
				if s := &Table[i]; (!src.openFin || s.OpenFin) && (owner || s.Scope != ScopeOwner) {
					set(s, failed(s, src))
				}
			}
			continue
		}
		if !src.openFin {
			m.Errors = append(m.Errors, raw.unknown...)
		}
		for i := range Table {
			s := &Table[i]
			v, valid := raw.values[s.Name]
			bad, invalid := raw.bad[s.Name]
			switch {
			case !valid && !invalid:
			case src.openFin && !s.OpenFin:
				m.notice("settings: %s in %s ignored: OpenFin's keys and files supply only DesktopOwnerSettings and the three HTTPS settings", s.Name, src.Name)
			case !owner && s.Scope == ScopeOwner:
				m.notice("settings: %s in %s ignored: it is read only from owner sources", s.Name, src.Name)
			case invalid:
				m.Errors = append(m.Errors, bad)
				set(s, failed(s, src))
			default:
				set(s, Value{Value: v, Source: src.Name})
			}
		}
	}
	return got
}

func (m *Machine) notice(format string, args ...any) {
	m.Notices = append(m.Notices, fmt.Sprintf(format, args...))
}

// combine is the value in effect of the setting s, from the owner's value
// o (where ownerSet) and the per-user value u (where userSet), by the
// precedence of the package doc.
func (m *Machine) combine(s *Setting, o Value, ownerSet bool, u Value, userSet bool) Value {
	base := Value{Value: s.Default, Source: SourceDefault}
	if ownerSet {
		base = o
	}
	if !userSet {
		return base
	}
	if s.Scope == ScopeAny {
		if !ownerSet {
			return u
		}
		if !u.FailedClosed {
			why := "the owner source " + o.Source + " sets it"
			if o.FailedClosed {
				why = "the owner source " + o.Source + " could not be read or holds an invalid value for it, which fails closed"
			}
			m.notice("settings: %s %s in %s ignored: %s", s.Name, show(u.Value), u.Source, why)
		}
		return o
	}
	// ScopeStricter: read has left out per-user ScopeOwner values.
	switch got, have := s.rank(u.Value), s.rank(base.Value); {
	case got > have, got == have && !ownerSet:
		return u
	case got < have:
		from := "the default"
		switch {
		case o.FailedClosed && ownerSet:
			from = "the strictest, as the owner source " + o.Source + " could not be read or holds an invalid value for it"
		case ownerSet:
			from = "set by the owner source " + o.Source
		}
		m.notice("settings: %s %s in %s ignored: a per-user source may only make it stricter than %s (%s)", s.Name, show(u.Value), u.Source, show(base.Value), from)
	}
	return base
}

// show is a value as a message shows it: a string quoted, nil as none.
func show(v any) string {
	switch v := v.(type) {
	case nil:
		return "none"
	case string:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprint(v)
}

// value is the setting name in effect; in a Machine that was never loaded,
// its strictest value.
func (m *Machine) value(name string) Value {
	if v, ok := m.Values[name]; ok {
		return v
	}
	return Value{Value: lookup(name).strictest(), Source: noSettings, FailedClosed: true}
}

// checkValue validates one value as its format decoded it: a string, a
// number (an int, int64 or uint64, or a JSON number's text), or anything
// else, which is always wrong. It returns the value normalized (a string,
// or an int for a flag or number) or an error naming the setting and
// where, its place.
func checkValue(s *Setting, raw any, where string) (any, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("settings: setting %s in %s: %s", s.Name, where, fmt.Sprintf(format, args...))
	}
	switch s.Kind {
	case KindFlag:
		n, ok := wholeNumber(raw)
		if !ok || n > 1 {
			return nil, bad("want 0 or 1, got %s", describe(raw))
		}
		return n, nil
	case KindNumber:
		n, ok := wholeNumber(raw)
		if !ok || n > s.Max {
			return nil, bad("want a whole number from 0 to %d, got %s", s.Max, describe(raw))
		}
		return n, nil
	}
	str, ok := raw.(string)
	switch {
	case !ok:
		return nil, bad("want a string, got %s", describe(raw))
	case str == "" && s.Form == FormLocation:
		return str, nil // no desktop owner settings
	case str == "":
		return nil, bad("empty")
	case s.Values != nil && !contains(s.Values, str):
		last := len(s.Values) - 1
		return nil, bad("want %s or %s, got %q", strings.Join(s.Values[:last], ", "), s.Values[last], str)
	case s.Form == FormPath && !filepath.IsAbs(str):
		return nil, bad("want an absolute path, got %q", str)
	case s.Form == FormLocation && !isURL(str) && !filepath.IsAbs(str):
		return nil, bad("want a URL or an absolute path, got %q", str)
	case s.Form == FormHTTPSURL && !isHTTPSURL(str):
		return nil, bad("want an https:// URL with a host and no user info, query or fragment, got %q", str)
	}
	return str, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isURL reports whether s has the form of a URL (its scheme is checked
// where it is used): a scheme and ://, or file: (Windows' file:\\\C:\...).
func isURL(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(strings.ToLower(s), "file:")
}

func isHTTPSURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && u.RawQuery == "" && !u.ForceQuery && u.Fragment == ""
}

// wholeNumber is raw as an int where it is a whole number of at least 0
// and at most nine digits (which always fits an int); callers bound it
// further.
func wholeNumber(raw any) (int, bool) {
	const limit = 999_999_999
	switch v := raw.(type) {
	case int:
		return v, v >= 0 && v <= limit
	case int64:
		return int(v), v >= 0 && v <= limit
	case uint64:
		return int(v), v <= limit
	case number:
		if len(v) == 0 || len(v) > 9 || strings.Trim(string(v), "0123456789") != "" {
			return 0, false
		}
		n := 0
		for _, c := range v {
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	return 0, false
}

// describe is a value that checkValue refused, for its message.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case number:
		return "the number " + string(v)
	case int, int64, uint64:
		return fmt.Sprintf("the number %d", v)
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

// HTTPS reports the HTTPS security settings: unset, each counts as
// allowed; one that failed closed as 0, its source saying so.
func (m *Machine) HTTPS() HTTPS {
	flag := func(name string) Flag {
		v := m.value(name)
		f := Flag{Allowed: v.Value == 1, Source: v.Source}
		switch {
		case v.FailedClosed:
			f.Source += " (which could not be read or held an invalid value, so it counts as 0)"
		case v.Source == SourceDefault:
			f.Source = ""
		}
		return f
	}
	return HTTPS{
		InvalidCertificates: flag(AllowInvalidNetworkCertificates),
		HTTPSToHTTP:         flag(AllowHTTPSToHTTPRedirects),
		HTTPStart:           flag(AllowHTTPToHTTPSRedirects),
	}
}

// Revocation reports the RevocationMode in effect: "online", "cached" (the
// default) or "off".
func (m *Machine) Revocation() string {
	mode, _ := m.value(RevocationMode).Value.(string)
	return mode
}

// CachedManifestMaxAge reports how old a cached manifest may be to stand
// in when the network fails (CachedManifestMaxAgeDays; default 30 days);
// 0 turns that fallback off.
func (m *Machine) CachedManifestMaxAge() time.Duration {
	days, _ := m.value(CachedManifestMaxAgeDays).Value.(int)
	return time.Duration(days) * 24 * time.Hour
}

// RuntimeDir reports the RuntimeDirectory in effect: the setting, or
// <dataDir>/runtime where it is unset or failed closed.
func (m *Machine) RuntimeDir(dataDir string) string {
	if dir, _ := m.value(RuntimeDirectory).Value.(string); dir != "" {
		return dir
	}
	return filepath.Join(dataDir, "runtime")
}

// OwnerLocation reports DesktopOwnerSettings: its value and the source that
// set it (both empty where no source did; the value empty where a source
// set "", which means none), or, where the setting failed closed, the
// source at fault as invalid: the desktop owner settings are then
// unavailable and fail closed.
func (m *Machine) OwnerLocation() (value, setBy, invalid string) {
	v := m.value(DesktopOwnerSettings)
	switch {
	case v.FailedClosed:
		return "", "", v.Source
	case v.Source == SourceDefault:
		return "", "", ""
	}
	value, _ = v.Value.(string)
	return value, v.Source, ""
}

// TrustRootsFile reports the TrustRootsFile in effect: its path, the
// (owner) source that set it, and whether one did. A setting that failed
// closed is set, with an empty path: it trusts nothing.
func (m *Machine) TrustRootsFile() (path, source string, set bool) {
	v := m.value(TrustRootsFile)
	if v.Source == SourceDefault {
		return "", "", false
	}
	path, _ = v.Value.(string)
	return path, v.Source, true
}

// RuntimeRepository reports the runtime repository (SPEC 9): its base URL
// and the path of its trusted root metadata, both empty where neither is
// set. It is an error, and there is no repository, where only one of the
// two is set or either failed closed.
func (m *Machine) RuntimeRepository() (baseURL, root string, err error) {
	u, r := m.value(RuntimeRepository), m.value(RuntimeRepositoryRoot)
	for _, v := range []struct {
		name string
		Value
	}{{RuntimeRepository, u}, {RuntimeRepositoryRoot, r}} {
		if v.FailedClosed {
			return "", "", fmt.Errorf("settings: no runtime repository: %s in %s could not be read or holds an invalid value", v.name, v.Source)
		}
	}
	switch {
	case u.Source == SourceDefault && r.Source == SourceDefault:
		return "", "", nil
	case r.Source == SourceDefault:
		return "", "", fmt.Errorf("settings: no runtime repository: %s is set (in %s) but %s is not; both are set or neither", RuntimeRepository, u.Source, RuntimeRepositoryRoot)
	case u.Source == SourceDefault:
		return "", "", fmt.Errorf("settings: no runtime repository: %s is set (in %s) but %s is not; both are set or neither", RuntimeRepositoryRoot, r.Source, RuntimeRepository)
	}
	baseURL, _ = u.Value.(string)
	root, _ = r.Value.(string)
	return baseURL, root, nil
}
