package settings

import "path/filepath"

// machineSettingsSources: the JSON files of SPEC section 4.
func machineSettingsSources(getenv func(string) string) []Source {
	return xdgSettingsSources("/", getenv)
}

// xdgSettingsSources lists root/etc/rvm/settings.json (machine-wide), then
// $XDG_CONFIG_HOME/rvm/settings.json (per user; ~/.config when
// XDG_CONFIG_HOME is unset or not absolute, as the XDG spec says). root is
// "/" in production and a temporary directory in tests.
func xdgSettingsSources(root string, getenv func(string) string) []Source {
	srcs := []Source{JSONFile(filepath.Join(root, "etc", "rvm", "settings.json"), true)}
	cfg := getenv("XDG_CONFIG_HOME")
	if cfg == "" || !filepath.IsAbs(cfg) {
		cfg = ""
		if h := getenv("HOME"); h != "" && filepath.IsAbs(h) {
			cfg = filepath.Join(h, ".config")
		}
	}
	if cfg != "" {
		srcs = append(srcs, JSONFile(filepath.Join(cfg, "rvm", "settings.json"), false))
	}
	return srcs
}
