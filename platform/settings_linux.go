package platform

import "path/filepath"

// machineSettingsSources: /etc/rvm/settings.json (machine-wide), then
// $XDG_CONFIG_HOME/rvm/settings.json (per user, ~/.config when unset).
func machineSettingsSources(getenv func(string) string) []SettingsSource {
	srcs := []SettingsSource{JSONSettingsFile("/etc/rvm/settings.json", true)}
	cfg := getenv("XDG_CONFIG_HOME")
	if cfg == "" || !filepath.IsAbs(cfg) {
		if h := getenv("HOME"); h != "" {
			cfg = filepath.Join(h, ".config")
		}
	}
	if cfg != "" {
		srcs = append(srcs, JSONSettingsFile(filepath.Join(cfg, "rvm", "settings.json"), false))
	}
	return srcs
}
