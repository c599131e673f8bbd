package settings

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/rvm-launcher/rvm/platform"
	"howett.net/plist"
)

// plistSettingsSources lists the macOS settings sources in the order of SPEC
// section 4: /Library/Managed Preferences/RVM.plist (configuration
// profiles) and /Library/Application Support/RVM/Settings.plist, both
// machine-wide, then ~/Library/Application Support/RVM/Settings.plist. root
// is "/" on a Mac and a temporary directory in tests; with no home there is
// no per-user source.
func plistSettingsSources(root, home string) []Source {
	srcs := []Source{
		plistSettingsFile(filepath.Join(root, "Library", "Managed Preferences", "RVM.plist"), true),
		plistSettingsFile(filepath.Join(root, "Library", "Application Support", "RVM", "Settings.plist"), true),
	}
	if home != "" && filepath.IsAbs(home) {
		srcs = append(srcs, plistSettingsFile(filepath.Join(home, "Library", "Application Support", "RVM", "Settings.plist"), false))
	}
	return srcs
}

// plistSettingsFile is a settings source read from a property list file (at
// most 64 KiB, XML or binary) whose top level is a dictionary of the values
// of SPEC section 4: a string for a string setting; for a flag an integer
// 0 or 1, or a boolean (false is 0, true is 1), since `defaults write
// -bool` and configuration profiles write booleans.
func plistSettingsFile(path string, machineWide bool) Source {
	return Source{Name: path, MachineWide: machineWide, load: func() (rawSettings, error) {
		data, err := platform.ReadFileLimit(path, maxSettingsFile)
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
		return rawSettings{}, fmt.Errorf("platform: settings file %s: %w", source, err)
	}
	if dec.Format != plist.XMLFormat && dec.Format != plist.BinaryFormat {
		return rawSettings{}, fmt.Errorf("platform: settings file %s: want an XML or binary property list, got %s", source, plist.FormatNames[dec.Format])
	}
	if vals == nil {
		return rawSettings{}, fmt.Errorf("platform: settings file %s: want a dictionary", source)
	}
	for name, v := range vals {
		if b, ok := v.(bool); ok && settingKinds[name] {
			vals[name] = 0
			if b {
				vals[name] = 1
			}
		}
	}
	return checkAll(vals, source), nil
}
