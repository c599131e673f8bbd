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

// Control takes one of Actions on the service that cfg
// describes and reports the outcome in a word: "installed", "uninstalled",
// "started", "stopped" or "restarted" for those actions; for "status",
// "running", "stopped" or "not installed".
func Control(cfg *Config, action string) (string, error) {
	if !slices.Contains(Actions, action) {
		return "", fmt.Errorf("service: unknown action %q (want one of %v)", action, Actions)
	}
	s, err := ks.New(program{}, cfg.kardianos())
	if err != nil {
		return "", fmt.Errorf("service %s: %w", action, err)
	}
	if action != "status" {
		if err := ks.Control(s, action); err != nil {
			return "", fmt.Errorf("service %s: %w", action, err)
		}
		return map[string]string{"install": "installed", "uninstall": "uninstalled", "start": "started",
			"stop": "stopped", "restart": "restarted"}[action], nil
	}
	status, err := s.Status()
	switch {
	case errors.Is(err, ks.ErrNotInstalled):
		return "not installed", nil
	case err != nil:
		return "", fmt.Errorf("service status: %w", err)
	case status == ks.StatusRunning:
		return "running", nil
	case status == ks.StatusStopped:
		return "stopped", nil
	}
	return "", fmt.Errorf("service status: unknown status %d", status)
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
