package settings

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

func TestXDGSettingsSources(t *testing.T) {
	root, home, cfg := platformtest.TempDir(t), platformtest.TempDir(t), platformtest.TempDir(t)
	etc := filepath.Join(root, "etc", "rvm", "settings.json")
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"xdg-config-home", map[string]string{"HOME": home, "XDG_CONFIG_HOME": cfg}, []string{etc, filepath.Join(cfg, "rvm", "settings.json")}},
		{"home-config", map[string]string{"HOME": home}, []string{etc, filepath.Join(home, ".config", "rvm", "settings.json")}},
		{"relative-xdg-ignored", map[string]string{"HOME": home, "XDG_CONFIG_HOME": "rel"}, []string{etc, filepath.Join(home, ".config", "rvm", "settings.json")}},
		{"no-home", map[string]string{}, []string{etc}},
		{"relative-home", map[string]string{"HOME": "rel"}, []string{etc}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs := xdgSettingsSources(root, func(k string) string { return tc.env[k] })
			if len(srcs) != len(tc.want) {
				t.Fatalf("got %d sources, want %d", len(srcs), len(tc.want))
			}
			for i, s := range srcs {
				if s.Name != tc.want[i] || s.MachineWide != (i == 0) {
					t.Errorf("got source %d %q machineWide=%v, want %q machineWide=%v", i, s.Name, s.MachineWide, tc.want[i], i == 0)
				}
			}
		})
	}

	if err := os.MkdirAll(filepath.Dir(etc), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(etc, []byte(`{"RevocationMode": "off"}`), 0o600)
	user := filepath.Join(cfg, "rvm", "settings.json")
	os.MkdirAll(filepath.Dir(user), 0o700)
	os.WriteFile(user, []byte(`{"RevocationMode": "online", "RuntimeDirectory": "/u"}`), 0o600)
	s := loadFrom(xdgSettingsSources(root, func(k string) string { return map[string]string{"XDG_CONFIG_HOME": cfg}[k] }))
	if v, src, _ := s.String(RevocationMode); v != "off" || src != etc {
		t.Errorf("got RevocationMode %q from %q, want off from %s", v, src, etc)
	}
	if v, src, _ := s.String(RuntimeDirectory); v != "/u" || src != user {
		t.Errorf("got RuntimeDirectory %q from %q, want /u from %s", v, src, user)
	}
}

func TestMachineSettingsSourcesLinux(t *testing.T) {
	srcs := machineSettingsSources(func(k string) string { return map[string]string{"XDG_CONFIG_HOME": "/x"}[k] })
	if len(srcs) != 2 || srcs[0].Name != "/etc/rvm/settings.json" || srcs[1].Name != "/x/rvm/settings.json" {
		t.Errorf("got sources %v, want /etc/rvm/settings.json then /x/rvm/settings.json", srcs)
	}
}
