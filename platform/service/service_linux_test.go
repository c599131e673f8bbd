package service

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	ks "github.com/kardianos/service"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

func TestServiceConfigLinux(t *testing.T) {
	for _, user := range []bool{false, true} {
		cfg, err := NewConfig(user, "/opt/rvm/rvm")
		platformtest.Must(t, err)
		if got := cfg.option["UserService"]; got != user {
			t.Errorf("user %v: got UserService %v, want %v", user, got, user)
		}
		// A per-user agent must run as one: in the user's data directory.
		if got := slices.Contains(cfg.Arguments, "--user"); got != user {
			t.Errorf("user %v: arguments %q", user, cfg.Arguments)
		}
	}
}

// TestRun runs the service adapter under the service manager that
// kardianos/service finds here, ending the run through its RunWait option
// instead of a signal.
func TestRun(t *testing.T) {
	errStart, errStop := errors.New("start failed"), errors.New("stop failed")
	tests := []struct {
		name      string
		startErr  error
		stopErr   error
		want      error
		wantStops int
	}{
		{name: "start-then-stop", wantStops: 1},
		{name: "start-fails", startErr: errStart, want: errStart},
		{name: "stop-fails", stopErr: errStop, want: errStop, wantStops: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := NewConfig(false, "/opt/rvm/rvm")
			platformtest.Must(t, err)
			started := make(chan struct{})
			cfg.option["RunWait"] = func() { <-started }
			var starts, stops int
			var stopDeadline time.Duration
			err = Run(cfg, func() error {
				starts++
				close(started)
				return tt.startErr
			}, func(ctx context.Context) error {
				stops++
				if d, ok := ctx.Deadline(); ok {
					stopDeadline = time.Until(d)
				}
				return tt.stopErr
			})
			if errors.Is(err, ks.ErrNoServiceSystemDetected) {
				t.Skip("no service manager here")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			if starts != 1 || stops != tt.wantStops {
				t.Errorf("got %d starts and %d stops, want 1 and %d", starts, stops, tt.wantStops)
			}
			if tt.wantStops > 0 && (stopDeadline <= 0 || stopDeadline > StopTimeout) {
				t.Errorf("got stop deadline in %v, want one within %v", stopDeadline, StopTimeout)
			}
		})
	}
}
