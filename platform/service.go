package platform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/kardianos/service"
)

// ServiceName is rvm's name in the platform's service manager.
const ServiceName = "rvm"

// ServiceActions are the actions ControlService takes.
var ServiceActions = []string{"install", "uninstall", "start", "stop", "restart", "status"}

// ServiceStopTimeout bounds how long RunService lets the service's stop
// function take.
const ServiceStopTimeout = 10 * time.Second

// ServiceConfig describes rvm's background service to the platform's
// service manager (through github.com/kardianos/service): the manager runs
// executable, or this program when executable is "", with the arguments
// "service run" ("service run --user" for a per-user agent). With user, it is a per-user agent (a systemd user unit on
// Linux, a launchd agent in ~/Library/LaunchAgents on macOS); Windows has
// none, so user is an error there. On Windows the service starts with the
// machine and the service manager restarts it 5 seconds after a failure;
// systemd restarts it after a failure and launchd whenever it exits.
func ServiceConfig(user bool, executable string) (*service.Config, error) {
	if executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("platform: service: %w", err)
		}
		executable = exe
	}
	opts, err := serviceOptions(user)
	if err != nil {
		return nil, fmt.Errorf("platform: service: %w", err)
	}
	args := []string{"service", "run"}
	if user {
		args = append(args, "--user")
	}
	return &service.Config{
		Name:        ServiceName,
		DisplayName: "rvm runtime launcher",
		Description: "Verifies app manifests and decides their permissions for rvm launch.",
		Executable:  executable,
		Arguments:   args,
		Option:      opts,
	}, nil
}

// ControlService takes one of ServiceActions on the service that cfg
// describes and reports the outcome in a word: "installed", "uninstalled",
// "started", "stopped" or "restarted" for those actions; for "status",
// "running", "stopped" or "not installed".
func ControlService(cfg *service.Config, action string) (string, error) {
	if !slices.Contains(ServiceActions, action) {
		return "", fmt.Errorf("platform: unknown service action %q (want one of %v)", action, ServiceActions)
	}
	s, err := service.New(program{}, cfg)
	if err != nil {
		return "", fmt.Errorf("platform: service %s: %w", action, err)
	}
	if action != "status" {
		if err := service.Control(s, action); err != nil {
			return "", fmt.Errorf("platform: service %s: %w", action, err)
		}
		return map[string]string{"install": "installed", "uninstall": "uninstalled", "start": "started",
			"stop": "stopped", "restart": "restarted"}[action], nil
	}
	status, err := s.Status()
	switch {
	case errors.Is(err, service.ErrNotInstalled):
		return "not installed", nil
	case err != nil:
		return "", fmt.Errorf("platform: service status: %w", err)
	case status == service.StatusRunning:
		return "running", nil
	case status == service.StatusStopped:
		return "stopped", nil
	}
	return "", fmt.Errorf("platform: service status: unknown status %d", status)
}

// RunService runs the service that cfg describes until the service manager
// stops it or, when run from a terminal, until an interrupt. start must
// start the work and return at once; stop is given ServiceStopTimeout to
// end it. RunService returns start's error, or else stop's.
func RunService(cfg *service.Config, start func() error, stop func(context.Context) error) error {
	s, err := service.New(program{start: start, stop: stop}, cfg)
	if err != nil {
		return fmt.Errorf("platform: service run: %w", err)
	}
	if err := s.Run(); err != nil {
		return fmt.Errorf("platform: service run: %w", err)
	}
	return nil
}

// program adapts start and stop functions to service.Interface.
type program struct {
	start func() error
	stop  func(context.Context) error
}

func (p program) Start(service.Service) error { return p.start() }

func (p program) Stop(service.Service) error {
	ctx, cancel := context.WithTimeout(context.Background(), ServiceStopTimeout)
	defer cancel()
	return p.stop(ctx)
}
