package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/service"
	"github.com/rvm-launcher/rvm/platform"
	platformservice "github.com/rvm-launcher/rvm/platform/service"
	"github.com/rvm-launcher/rvm/platform/syslog"
)

// serviceSummaries are what each action of rvm service does.
var serviceSummaries = map[string]string{
	"install":   "register rvm with the service manager, and the fins:// and fin:// URL schemes",
	"uninstall": "stop the service, and remove it and the URL schemes",
	"start":     "start the installed service",
	"stop":      "stop the service",
	"restart":   "stop and start the service",
	"status":    "say whether the service is installed and running, and its process id",
	"run":       "run the service in the foreground (what the service manager starts)",
}

var serviceCommand = &command{
	name:    "service",
	summary: "the background service that decides for every local user",
	about: `install registers rvm with the service manager (Windows service, launchd,
systemd, or where Linux has none the init system found, SysV most often)
the fins:// and fin:// URL schemes (unless the owner's settings turn links
off) and, on Windows, rvm's Event Log source, and says which it used; it
refuses an executable that anyone but an administrator (with --user, anyone
but you or an administrator) could replace. --user makes it a per-user
agent where the platform has one.
`,
	subs: serviceActions(),
}

// serviceActions are the subcommands of rvm service: the service
// manager's actions, and run.
func serviceActions() []*command {
	var subs []*command
	for _, action := range append(append([]string{}, platformservice.Actions...), "run") {
		subs = append(subs, &command{name: action, summary: serviceSummaries[action], setup: func(fs *flag.FlagSet) runner {
			user := fs.Bool("user", false, "a per-user agent rather than a system service")
			return func(_ context.Context, c *cli, args []string) int {
				if code, ok := c.wantArgs(args, 0, 0, "no arguments"); !ok {
					return code
				}
				return c.service(action, *user)
			}
		}})
	}
	return subs
}

func (c *cli) service(action string, user bool) int {
	cfg, err := platformservice.NewConfig(user, "")
	if err != nil {
		return c.fail(exitFailed, err)
	}
	if action != "run" {
		// The owner's settings, as this user reads them, say whether
		// install registers the URL schemes; nothing is logged.
		dir, err := platform.DataDir(os.Getenv)
		if err != nil {
			return c.fail(exitFailed, err)
		}
		links := launcher.New(launcher.Env{DataDir: dir, Getenv: os.Getenv, MachineSettings: os.Getenv("RVM_MACHINE_SETTINGS")})
		return c.controlService(cfg, links, action, user)
	}
	// A system service (not --user, no RVM_HOME) lives in the system data
	// directory and accepts every local user.
	perUser := user || os.Getenv("RVM_HOME") != ""
	// The data folder is made safe (or refused) before the log is opened
	// in it: on Windows a folder made without its own access list would
	// inherit %ProgramData%'s, which lets every user add files.
	dir, err := platform.DataDir(os.Getenv)
	if !perUser {
		dir, err = platform.SystemDataDir(), nil
	}
	if err == nil {
		err = platform.PrepareServiceDir(dir, !perUser)
	}
	if err != nil {
		return c.fail(exitFailed, err)
	}
	// In the foreground the service shows what it does, as it logs it.
	env, closer, err := c.environment(zerolog.InfoLevel, !perUser)
	if err != nil {
		return c.fail(exitFailed, err)
	}
	defer closer.Close()
	svc := &service.Service{Env: env, PerUser: perUser}
	if err := platformservice.Run(cfg, svc.Start, svc.Stop); err != nil {
		env.Log.Error().Err(err).Msg("service")
		return c.fail(exitFailed, err)
	}
	return exitOK
}

// controlService takes a service manager action; install and uninstall
// also register and remove the fins:// and fin:// URL schemes and, for the
// system service, the Event Log source (on Windows; elsewhere there is
// none).
func (c *cli) controlService(cfg *platformservice.Config, links *launcher.Launcher, action string, user bool) int {
	schemes := platform.SchemeOptions{Executable: cfg.Executable, System: !user}
	if action == "uninstall" {
		if err := platform.UnregisterURLSchemes(schemes); err != nil {
			return c.fail(exitFailed, err)
		}
	}
	out, err := platformservice.Control(cfg, action)
	if err == nil && !user && action == "install" {
		err = syslog.RegisterSource(syslog.Name)
	}
	if err == nil && !user && action == "uninstall" {
		err = syslog.UnregisterSource(syslog.Name)
	}
	if err != nil {
		return c.fail(exitFailed, err)
	}
	if action == "install" {
		var err error
		if refused, why := links.LinksRefused(context.Background()); refused {
			// What an earlier install registered goes too.
			err = platform.UnregisterURLSchemes(schemes)
			fmt.Fprintf(c.stderr, "rvm: note: fins:// and fin:// links are not registered: %s\n", why)
		} else {
			err = platform.RegisterURLSchemes(schemes)
		}
		switch {
		case errors.Is(err, platform.ErrURLSchemesNeedAppBundle):
			fmt.Fprintf(c.stderr, "rvm: note: %s\n", launcher.Message(err))
		case err != nil:
			return c.fail(exitFailed, err)
		}
	}
	fmt.Fprintln(c.stdout, out)
	return exitOK
}
