package service

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

func TestNewConfig(t *testing.T) {
	self, err := os.Executable()
	platformtest.Must(t, err)
	tests := []struct {
		name       string
		executable string
		want       string
	}{
		{name: "given-executable", executable: `/opt/r v m/rvm`, want: `/opt/r v m/rvm`},
		{name: "this-program", want: self},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := NewConfig(false, tt.executable)
			platformtest.Must(t, err)
			if cfg.Name != "rvm" || cfg.Executable != tt.want || !slices.Equal(cfg.Arguments, []string{"service", "run"}) {
				t.Errorf("got name %q, executable %q, arguments %q, want rvm, %q, [service run]", cfg.Name, cfg.Executable, cfg.Arguments, tt.want)
			}
			if cfg.DisplayName == "" || cfg.Description == "" {
				t.Errorf("got display name %q, description %q, want both", cfg.DisplayName, cfg.Description)
			}
		})
	}
}

func TestControlServiceUnknownAction(t *testing.T) {
	cfg, err := NewConfig(false, "/opt/rvm/rvm")
	platformtest.Must(t, err)
	for _, action := range []string{"run", "", "Install", "install "} {
		if got, err := Control(cfg, action); err == nil || !strings.Contains(err.Error(), `"`+action+`"`) {
			t.Errorf("action %q: got %q, error %v, want an error naming the action", action, got, err)
		}
	}
}
