package service

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ks "github.com/kardianos/service"

	"github.com/rvm-launcher/rvm/platform"
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

// TestMain lets TestSysVService install this test binary as a service,
// in the role "service" (see runTestService).
func TestMain(m *testing.M) {
	platformtest.Roles(map[string]func([]string) int{"service": runTestService})
	os.Exit(m.Run())
}

// runTestService runs this test binary as a service (its arguments come
// from platformtest.ChildArgs: `service NAME start` passes no environment
// on): it writes its process id to the file "started" in the folder
// args[0] when started, and "stopped" when stopped.
func runTestService(args []string) int {
	dir := args[0]
	cfg, err := NewConfig(false, "")
	if err == nil {
		err = Run(cfg, func() error {
			// Whole, by rename: the test reads the pid as soon as the
			// file is there.
			return platform.WriteFileAtomic(filepath.Join(dir, "started"), []byte(strconv.Itoa(os.Getpid())), 0o600)
		}, func(context.Context) error {
			return os.WriteFile(filepath.Join(dir, "stopped"), nil, 0o600)
		})
	}
	if err != nil {
		os.WriteFile(filepath.Join(dir, "error"), []byte(err.Error()), 0o600)
		return 1
	}
	return 0
}

// waitForFile polls for a file in dir, for at most a minute, and returns
// what it holds.
func waitForFile(t *testing.T, dir, name string) string {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if data, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			return string(data)
		}
		if msg, err := os.ReadFile(filepath.Join(dir, "error")); err == nil {
			t.Fatalf("got service error %q, want %s", msg, name)
		}
		if time.Now().After(deadline) {
			t.Fatalf("got no %s after a minute", name)
		}
	}
}

// sysvService describes this test binary, copied into a folder of its
// own, as a SysV service with a name of its own, removed when the test
// ends; the test is skipped where this machine's service manager is not
// SysV init or this process is not root. dir is where the service
// reports.
func sysvService(t *testing.T) (cfg *Config, dir string) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("installing a system service needs root")
	}
	if ks.ChosenSystem() == nil || !sysv() {
		t.Skipf("the service manager here is %s, not SysV init", manager())
	}
	dir = platformtest.TempDir(t)
	exe := platformtest.CopySelf(t, filepath.Join(dir, "bin"), "rvm")
	name := "rvm-test-" + strings.ToLower(rand.Text()[:8])
	cfg, err := NewConfig(false, exe)
	platformtest.Must(t, err)
	cfg.Name, cfg.Arguments = name, platformtest.ChildArgs("service", dir)
	t.Cleanup(func() {
		Control(cfg, "uninstall")
		for _, f := range []string{filepath.Join(sysvScripts, name), filepath.Join(sysvPIDs, name+".pid"), "/var/log/" + name + ".log", "/var/log/" + name + ".err"} {
			os.Remove(f)
		}
		afterUninstall(cfg)
	})
	return cfg, dir
}

// TestSysVService takes a service through its life with the SysV init
// that kardianos/service falls back on where Linux has no systemd (this
// machine's case), as `rvm service` does.
func TestSysVService(t *testing.T) {
	cfg, dir := sysvService(t)
	script := filepath.Join(sysvScripts, cfg.Name)
	step := func(action, want string) {
		t.Helper()
		if got, err := Control(cfg, action); err != nil || got != want {
			t.Fatalf("%s: got %q, error %v, want %q", action, got, err, want)
		}
	}
	step("status", "not installed")
	step("install", "installed "+cfg.Name+" with SysV init, "+script+"; start it with: rvm service start")
	step("install", cfg.Name+" is already installed (SysV init, "+script+"); nothing changed")
	step("status", "installed (SysV init), not running")
	step("start", "started "+cfg.Name)
	pid := waitForFile(t, dir, "started")
	step("status", "installed (SysV init), running, pid "+pid)
	if st, err := Status(cfg); err != nil || !st.Installed || !st.Running || strconv.Itoa(st.PID) != pid || st.Manager != "SysV init" {
		t.Errorf("got %+v, %v, want installed and running as pid %s under SysV init", st, err, pid)
	}
	step("uninstall", "stopped and uninstalled "+cfg.Name+" from SysV init, "+script)
	waitForFile(t, dir, "stopped")
	step("status", "not installed")
	step("uninstall", cfg.Name+" is not installed; nothing changed")
	links, _ := filepath.Glob("/etc/rc?.d/*" + cfg.Name)
	if len(links) != 0 {
		t.Errorf("got run level links %q left after uninstall, want none", links)
	}
}

// An executable that anyone but root could replace is not registered.
func TestInstallRefusesAReplaceableExecutable(t *testing.T) {
	cfg, dir := sysvService(t)
	bin := filepath.Join(dir, "bin")
	platformtest.Must(t, os.Chmod(bin, 0o777))
	_, err := Control(cfg, "install")
	var unsafe *platform.UnsafePathError
	if !errors.As(err, &unsafe) || unsafe.Path != bin || !strings.Contains(err.Error(), "writable by every user") {
		t.Fatalf("got %v, want the install refused, naming %s as writable by every user", err, bin)
	}
	if st, err := Status(cfg); err != nil || st.Installed {
		t.Errorf("got %+v, %v, want nothing registered", st, err)
	}
}
