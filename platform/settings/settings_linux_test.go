package settings

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

func TestXDGSources(t *testing.T) {
	root, home, cfg := platformtest.TempDir(t), platformtest.TempDir(t), platformtest.TempDir(t)
	etc := filepath.Join(root, "etc", "rvm", "settings.json")
	for _, tc := range []struct {
		name string
		env  map[string]string
		user []string
	}{
		{"xdg-config-home", map[string]string{"HOME": home, "XDG_CONFIG_HOME": cfg}, []string{filepath.Join(cfg, "rvm", "settings.json")}},
		{"home-config", map[string]string{"HOME": home}, []string{filepath.Join(home, ".config", "rvm", "settings.json")}},
		{"relative-xdg-ignored", map[string]string{"HOME": home, "XDG_CONFIG_HOME": "rel"}, []string{filepath.Join(home, ".config", "rvm", "settings.json")}},
		{"no-home", map[string]string{}, nil},
		{"relative-home", map[string]string{"HOME": "rel"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs := xdgSources(root, func(k string) string { return tc.env[k] })
			if got := names(srcs.Owner); !slices.Equal(got, []string{etc}) {
				t.Errorf("got owner sources %q, want %q", got, etc)
			}
			if got := names(srcs.User); !slices.Equal(got, tc.user) {
				t.Errorf("got per-user sources %q, want %q", got, tc.user)
			}
		})
	}

	// The owner's file wins; the user's only tightens, or sets what the
	// owner leaves to users.
	writeFile(t, etc, `{"RevocationMode": "cached"}`)
	user := writeFile(t, filepath.Join(cfg, "rvm", "settings.json"), `{"RevocationMode": "off", "RuntimeDirectory": "/u"}`)
	m := xdgSources(root, func(k string) string { return map[string]string{"XDG_CONFIG_HOME": cfg}[k] }).Load("")
	checkValues(t, m, map[string]wantSetting{
		RevocationMode:   {"cached", etc, false},
		RuntimeDirectory: {"/u", user, false},
	})
	if want := fmt.Sprintf(`settings: RevocationMode "off" in %s ignored: a per-user source may only make it stricter than "cached" (set by the owner source %s)`, user, etc); !slices.Contains(m.Notices, want) {
		t.Errorf("got notices %q, want %q", m.Notices, want)
	}
}

func TestPlatformSourcesLinux(t *testing.T) {
	srcs := PlatformSources(func(k string) string { return map[string]string{"XDG_CONFIG_HOME": "/x"}[k] })
	if got, want := fmt.Sprint(names(srcs.Owner), names(srcs.User)), "[/etc/rvm/settings.json] [/x/rvm/settings.json]"; got != want {
		t.Errorf("got sources %s, want %s", got, want)
	}
}
