package settings

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"howett.net/plist"
)

// plistSources lists the macOS settings sources of SPEC section 4 (see the
// package doc). root is "/" on a Mac and a temporary directory in tests;
// home and user are the user's home folder and name. Without an absolute
// home there is no source in it, and without a user name (or with one
// that is not a plain file name) no managed preferences of the user.
func plistSources(root, home, user string) Sources {
	srcs := Sources{Owner: []Source{
		plistFile(filepath.Join(root, "Library", "Managed Preferences", "RVM.plist"), false),
		plistFile(filepath.Join(root, "Library", "Application Support", "RVM", "Settings.plist"), false),
	}}
	if user != "" && user != "." && user != ".." && !strings.ContainsAny(user, `/\`) {
		srcs.User = append(srcs.User, plistFile(filepath.Join(root, "Library", "Managed Preferences", user, "RVM.plist"), false))
	}
	if home != "" && filepath.IsAbs(home) {
		support := filepath.Join(home, "Library", "Application Support")
		srcs.User = append(srcs.User,
			plistFile(filepath.Join(support, "RVM", "Settings.plist"), false),
			plistFile(filepath.Join(support, "OpenFin", "rvm", "FileRegistry.plist"), true))
	}
	return srcs
}

// plistFile is a settings source read from a property list file (at most
// 64 KiB, XML or binary) whose top level is a dictionary of the values of
// SPEC section 4: a <string> for a string; for a flag an <integer> 0 or 1,
// or a boolean (false is 0, true is 1), since `defaults write -bool` and
// configuration profiles write booleans; an <integer> for a number.
// openFin marks OpenFin's own file.
func plistFile(path string, openFin bool) Source {
	return Source{Name: path, openFin: openFin, load: func() (rawSettings, error) {
		data, err := readSettingsFile(path)
		if err != nil {
			return rawSettings{}, err
		}
		return parsePlistSettings(data, path)
	}}
}

func parsePlistSettings(data []byte, source string) (rawSettings, error) {
	var vals map[string]any
	dec := plist.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&vals); err != nil {
		return rawSettings{}, fmt.Errorf("settings: settings file %s: %w", source, err)
	}
	if dec.Format != plist.XMLFormat && dec.Format != plist.BinaryFormat {
		return rawSettings{}, fmt.Errorf("settings: settings file %s: want an XML or binary property list, got %s", source, plist.FormatNames[dec.Format])
	}
	if vals == nil {
		return rawSettings{}, fmt.Errorf("settings: settings file %s: want a dictionary", source)
	}
	raw := newRawSettings()
	for name, v := range vals {
		if b, ok := v.(bool); ok {
			if s := lookup(name); s != nil && s.Kind == KindFlag {
				v = 0
				if b {
					v = 1
				}
			}
		}
		raw.add(name, v, source)
	}
	return raw, nil
}
