package settings

import "path/filepath"

// platformSources: the JSON files of SPEC section 4.
func platformSources(getenv func(string) string) Sources {
	return xdgSources("/", getenv)
}

// xdgSources lists root/etc/rvm/settings.json (the owner's), then
// $XDG_CONFIG_HOME/rvm/settings.json (the user's; ~/.config when
// XDG_CONFIG_HOME is unset or not absolute, as the XDG spec says). root is
// "/" in production and a temporary directory in tests.
func xdgSources(root string, getenv func(string) string) Sources {
	srcs := Sources{Owner: []Source{JSONFile(filepath.Join(root, "etc", "rvm", "settings.json"))}}
	cfg := getenv("XDG_CONFIG_HOME")
	if cfg == "" || !filepath.IsAbs(cfg) {
		cfg = ""
		if h := getenv("HOME"); h != "" && filepath.IsAbs(h) {
			cfg = filepath.Join(h, ".config")
		}
	}
	if cfg != "" {
		srcs.User = append(srcs.User, JSONFile(filepath.Join(cfg, "rvm", "settings.json")))
	}
	return srcs
}
