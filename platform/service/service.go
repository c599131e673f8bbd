// Package service registers rvm with the platform's service manager
// (Windows service, launchd, systemd, through github.com/kardianos/service)
// and runs it. No kardianos type leaves this package: callers describe the
// service with Config.
package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	ks "github.com/kardianos/service"

	"github.com/rvm-launcher/rvm/platform"
)

// Name is rvm's name in the platform's service manager.
const Name = "rvm"

// Actions are the actions Control takes.
var Actions = []string{"install", "uninstall", "start", "stop", "restart", "status"}

// StopTimeout bounds how long Run lets the service's stop function take.
const StopTimeout = 10 * time.Second

// Config describes rvm's service to the service manager.
type Config struct {
	Name, DisplayName, Description string
	// Executable is what the manager runs, with Arguments.
	Executable string
	Arguments  []string
	// User makes it a per-user agent.
	User bool

	option ks.KeyValue
	// unsafeSkipExecutableCheck registers Executable without
	// platform.CheckExecutable: for this package's tests of the service
	// manager under Wine, where every file is owned by Wine's one user.
	unsafeSkipExecutableCheck bool
}

func (c *Config) kardianos() *ks.Config {
	return &ks.Config{Name: c.Name, DisplayName: c.DisplayName, Description: c.Description,
		Executable: c.Executable, Arguments: c.Arguments, Option: c.option}
}

// NewConfig describes rvm's background service to the platform's
// service manager (through github.com/kardianos/service): the manager runs
// executable, or this program when executable is "", with the arguments
// "service run" ("service run --user" for a per-user agent). With user, it is a per-user agent (a systemd user unit on
// Linux, a launchd agent in ~/Library/LaunchAgents on macOS); Windows has
// none, so user is an error there. On Windows the service starts with the
// machine and the service manager restarts it 5 seconds after a failure;
// systemd restarts it after a failure and launchd whenever it exits.
func NewConfig(user bool, executable string) (*Config, error) {
	if executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("service: %w", err)
		}
		executable = exe
	}
	opts, err := serviceOptions(user)
	if err != nil {
		return nil, fmt.Errorf("service: %w", err)
	}
	args := []string{"service", "run"}
	if user {
		args = append(args, "--user")
	}
	return &Config{
		Name:        Name,
		DisplayName: "rvm runtime launcher",
		Description: "Verifies app manifests and decides their permissions for rvm launch.",
		Executable:  executable,
		Arguments:   args,
		User:        user,
		option:      opts,
	}, nil
}

// State is what the service manager says of rvm's service.
type State struct {
	Installed, Running bool
	// PID is the service's process id, where it runs and the manager
	// tells; 0 otherwise.
	PID int
	// Manager names the service manager: "systemd", "SysV init",
	// "launchd", "the Windows service manager" and the like.
	Manager string
}

// String is the state in words: "not installed", "installed (SysV
// init), not running", "installed (systemd), running, pid 1234".
func (st State) String() string {
	switch {
	case !st.Installed:
		return "not installed"
	case !st.Running:
		return fmt.Sprintf("installed (%s), not running", st.Manager)
	case st.PID > 0:
		return fmt.Sprintf("installed (%s), running, pid %d", st.Manager, st.PID)
	}
	return fmt.Sprintf("installed (%s), running", st.Manager)
}

// managers names kardianos's service systems for people.
var managers = map[string]string{
	"linux-systemd": "systemd", "linux-upstart": "Upstart", "linux-openrc": "OpenRC", "linux-rcs": "rc.d",
	"linux-procd": "procd", "unix-systemv": "SysV init", "darwin-launchd": "launchd",
	"windows-service": "the Windows service manager",
}

// manager names the service manager found on this machine.
func manager() string {
	sys := ks.ChosenSystem()
	if sys == nil {
		return "no service manager"
	}
	if name, ok := managers[sys.String()]; ok {
		return name
	}
	return sys.String()
}

// Status reports whether the service that cfg describes is installed and
// running, and its process id; it works in every state (not installed,
// installed and stopped, running).
func Status(cfg *Config) (State, error) {
	s, err := ks.New(program{}, cfg.kardianos())
	if err != nil {
		return State{}, fmt.Errorf("service status: %w", err)
	}
	st, err := state(s, cfg)
	if err != nil {
		return State{}, fmt.Errorf("service status: %w", err)
	}
	st.Manager = manager()
	return st, nil
}

// kardianosState is the state as kardianos/service reads it, for the
// managers whose status it reads right.
func kardianosState(s ks.Service) (State, error) {
	status, err := s.Status()
	switch {
	case errors.Is(err, ks.ErrNotInstalled):
		return State{}, nil
	case err != nil:
		return State{}, err
	case status == ks.StatusRunning:
		return State{Installed: true, Running: true}, nil
	case status == ks.StatusStopped:
		return State{Installed: true}, nil
	}
	return State{}, fmt.Errorf("unknown status %d", status)
}

// Control takes one of Actions on the service that cfg describes and
// reports the outcome in a sentence. install refuses (before registering
// anything) an executable that anyone but an administrator could replace
// (with cfg.User, anyone but this user or an administrator: see
// platform.CheckExecutable), says which service manager it used, and
// where the service is already installed says so and succeeds; uninstall
// stops the service first where it runs; status is Status in words.
func Control(cfg *Config, action string) (string, error) {
	if !slices.Contains(Actions, action) {
		return "", fmt.Errorf("service: unknown action %q (want one of %v)", action, Actions)
	}
	s, err := ks.New(program{}, cfg.kardianos())
	if err != nil {
		return "", fmt.Errorf("service %s: %w", action, err)
	}
	st, err := state(s, cfg)
	if err != nil {
		return "", fmt.Errorf("service %s: %w", action, err)
	}
	st.Manager = manager()
	where := st.Manager
	if path := configPath(cfg); path != "" {
		where += ", " + path
	}
	switch action {
	case "status":
		return st.String(), nil
	case "install":
		if st.Installed {
			return fmt.Sprintf("%s is already installed (%s); nothing changed", cfg.Name, where), nil
		}
		if err := platform.CheckExecutable(cfg.Executable, cfg.User); err != nil && !cfg.unsafeSkipExecutableCheck {
			return "", fmt.Errorf("service install: refusing to register %s: %w", cfg.Executable, err)
		}
		if err := s.Install(); err != nil {
			return "", fmt.Errorf("service install: %w", err)
		}
		return fmt.Sprintf("installed %s with %s; start it with: rvm service start", cfg.Name, where), nil
	case "uninstall":
		if !st.Installed {
			return fmt.Sprintf("%s is not installed; nothing changed", cfg.Name), nil
		}
		stopped := ""
		if st.Running {
			if err := s.Stop(); err != nil {
				return "", fmt.Errorf("service uninstall: stopping it first: %w", err)
			}
			stopped = "stopped and "
		}
		if err := s.Uninstall(); err != nil {
			return "", fmt.Errorf("service uninstall: %w", err)
		}
		if err := afterUninstall(cfg); err != nil {
			return "", fmt.Errorf("service uninstall: %w", err)
		}
		return fmt.Sprintf("%suninstalled %s from %s", stopped, cfg.Name, where), nil
	}
	if !st.Installed {
		return "", fmt.Errorf("service %s: %s is not installed (rvm service install)", action, cfg.Name)
	}
	if err := ks.Control(s, action); err != nil {
		return "", fmt.Errorf("service %s: %w", action, err)
	}
	return map[string]string{"start": "started", "stop": "stopped", "restart": "restarted"}[action] + " " + cfg.Name, nil
}

// Run runs the service that cfg describes until the service manager stops
// it or, when run from a terminal, until an interrupt. start must start the
// work and return at once; stop is given StopTimeout to end it. Run
// returns start's error, or else stop's.
func Run(cfg *Config, start func() error, stop func(context.Context) error) error {
	s, err := ks.New(program{start: start, stop: stop}, cfg.kardianos())
	if err != nil {
		return fmt.Errorf("service run: %w", err)
	}
	if err := s.Run(); err != nil {
		return fmt.Errorf("service run: %w", err)
	}
	return nil
}

// program adapts start and stop functions to kardianos's Interface.
type program struct {
	start func() error
	stop  func(context.Context) error
}

func (p program) Start(ks.Service) error { return p.start() }

func (p program) Stop(ks.Service) error {
	ctx, cancel := context.WithTimeout(context.Background(), StopTimeout)
	defer cancel()
	return p.stop(ctx)
}
