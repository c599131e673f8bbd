package service

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ks "github.com/kardianos/service"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// TestMain lets TestServiceUnderServiceManager install this test binary
// as a service, in the role "service" (see runTestService).
func TestMain(m *testing.M) {
	platformtest.Roles(map[string]func([]string) int{"service": runTestService})
	os.Exit(m.Run())
}

// runTestService runs this test binary as the service named by args[1]
// (its arguments, set by platformtest.ChildArgs, not the environment:
// Wine's service manager does not pass a service's environment on): it
// creates the file "started" in the folder args[0] when started, and
// "stopped" when stopped.
func runTestService(args []string) int {
	dir, name := args[0], args[1]
	cfg, err := NewConfig(false, "")
	switch {
	case err != nil:
	case ks.Interactive():
		// Not started by the service manager: Run would wait for
		// an interrupt that never comes.
		err = errors.New("not started by the service manager")
	default:
		cfg.Name = name
		err = Run(cfg, func() error {
			return os.WriteFile(filepath.Join(dir, "started"), nil, 0o600)
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

func TestServiceConfigWindows(t *testing.T) {
	if _, err := NewConfig(true, `C:\rvm\rvm.exe`); err == nil {
		t.Errorf("got a per-user service config, want an error: Windows has none")
	}
}

// underWine reports whether this test runs under Wine.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// waitFor polls for a file in dir, for at most a minute, and fails the
// test with the service's error when there is one.
func waitFor(t *testing.T, dir, name string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return
		}
		if msg, err := os.ReadFile(filepath.Join(dir, "error")); err == nil {
			t.Fatalf("got service error %q, want %s", msg, name)
		}
		if time.Now().After(deadline) {
			t.Fatalf("got no %s after a minute", name)
		}
	}
}

// TestServiceUnderServiceManager installs this test binary as a service
// with the real service manager (Wine's, in CI), reads its status and
// recovery actions, starts and stops it, and uninstalls it.
func TestServiceUnderServiceManager(t *testing.T) {
	if !windows.GetCurrentProcessToken().IsElevated() {
		t.Skip("installing a service needs an administrator")
	}
	dir := platformtest.TempDir(t)
	name := "rvm-test-" + rand.Text()[:10]
	cfg, err := NewConfig(false, "")
	platformtest.Must(t, err)
	cfg.Name, cfg.DisplayName, cfg.Arguments = name, name, platformtest.ChildArgs("service", dir, name)
	cfg.option[ks.StartType] = ks.ServiceStartManual
	// Under Wine every file is owned by Wine's one user, which
	// CheckExecutable refuses (see TestInstallRefusesAReplaceableExecutable).
	cfg.unsafeSkipExecutableCheck = underWine()

	step := func(action, want string) {
		t.Helper()
		if got, err := Control(cfg, action); err != nil || got != want {
			t.Fatalf("%s: got %q, error %v, want %q", action, got, err, want)
		}
	}
	step("status", "not installed")
	step("install", "installed "+name+" with the Windows service manager; start it with: rvm service start")
	step("install", name+" is already installed (the Windows service manager); nothing changed")
	t.Cleanup(func() {
		Control(cfg, "stop")
		Control(cfg, "uninstall")
	})
	step("status", "installed (the Windows service manager), not running")

	m, err := mgr.Connect()
	platformtest.Must(t, err)
	s, err := m.OpenService(name)
	platformtest.Must(t, err)
	actions, err := s.RecoveryActions()
	s.Close()
	m.Disconnect()
	switch {
	case errors.Is(err, windows.ERROR_INVALID_LEVEL):
		t.Log("this service manager cannot report recovery actions (Wine's cannot)")
	case err != nil:
		t.Fatal(err)
	case len(actions) != 1 || actions[0].Type != mgr.ServiceRestart || actions[0].Delay != 5*time.Second:
		t.Errorf("got recovery actions %+v, want a restart after 5s", actions)
	}

	if underWine() {
		// Under Wine a service process cannot tell that the service
		// manager started it (svc.IsWindowsService reports false), so
		// it never reports running.
		t.Log("Wine: start and stop not tried")
	} else {
		step("start", "started "+name)
		waitFor(t, dir, "started")
		if st, err := Status(cfg); err != nil || !st.Running || st.PID == 0 {
			t.Errorf("got %+v, %v, want it running with a process id", st, err)
		}
		step("stop", "stopped "+name)
		waitFor(t, dir, "stopped")
	}
	step("uninstall", "uninstalled "+name+" from the Windows service manager")
	step("status", "not installed")
}

// An executable that anyone but an administrator could replace is not
// registered: under Wine, where every file is Wine's one user's, this test
// binary.
func TestInstallRefusesAReplaceableExecutable(t *testing.T) {
	if !windows.GetCurrentProcessToken().IsElevated() {
		t.Skip("installing a service needs an administrator")
	}
	cfg, err := NewConfig(false, "")
	platformtest.Must(t, err)
	cfg.Name = "rvm-test-" + rand.Text()[:10]
	if err := platform.CheckExecutable(cfg.Executable, false); err == nil {
		t.Skipf("%s is an administrator's to replace here", cfg.Executable)
	}
	_, err = Control(cfg, "install")
	t.Cleanup(func() { Control(cfg, "uninstall") })
	var unsafe *platform.UnsafePathError
	if !errors.As(err, &unsafe) || !strings.Contains(err.Error(), "refusing to register") {
		t.Fatalf("got %v, want the install of %s refused", err, cfg.Executable)
	}
	if st, err := Status(cfg); err != nil || st.Installed {
		t.Errorf("got %+v, %v, want nothing registered", st, err)
	}
}
