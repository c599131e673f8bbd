package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/service"
	"github.com/rvm-launcher/rvm/platform"
	platformservice "github.com/rvm-launcher/rvm/platform/service"
	"github.com/rvm-launcher/rvm/platform/syslog"
)

const serviceUsage = `Usage:
  rvm service install|uninstall|start|stop|restart|status [--user]
  rvm service run [--user]

install registers rvm with the service manager (Windows service, launchd,
systemd, or where Linux has none the init system found, SysV most often),
the fins:// and fin:// URL schemes and, on Windows, rvm's Event Log source,
and says which it used; it refuses an executable that anyone but an
administrator (with --user, anyone but you or an administrator) could
replace. --user makes it a per-user agent where the platform has one.
status says whether it is installed and running, and its process id;
uninstall stops it first and removes what install registered. run is what
the service manager starts.
`

func runService(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, serviceUsage)
		return exitUsage
	}
	action := args[0]
	if action == "help" || action == "-h" || action == "--help" {
		fmt.Fprint(stdout, serviceUsage)
		return exitOK
	}
	if action != "run" && !slices.Contains(platformservice.Actions, action) {
		fmt.Fprintf(stderr, "rvm service: unknown action %q\n%s", action, serviceUsage)
		return exitUsage
	}
	fs := newFlagSet("rvm service "+action, "rvm service "+action+" [--user]", stderr)
	user := fs.Bool("user", false, "a per-user agent rather than a system service")
	verbose := fs.Bool("v", false, "log every step to stderr")
	if code, done := parse(fs, args[1:]); done {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "rvm service %s: unexpected argument %q\n", action, fs.Arg(0))
		return exitUsage
	}
	cfg, err := platformservice.NewConfig(*user, "")
	if err != nil {
		fmt.Fprintf(stderr, "rvm: %v\n", err)
		return exitFailed
	}
	if action != "run" {
		// The owner's settings, as this user reads them, say whether
		// install registers the URL schemes; nothing is logged.
		dir, err := platform.DataDir(os.Getenv)
		if err != nil {
			fmt.Fprintf(stderr, "rvm: %v\n", err)
			return exitFailed
		}
		links := launcher.New(launcher.Env{DataDir: dir, Getenv: os.Getenv, MachineSettings: os.Getenv("RVM_MACHINE_SETTINGS")})
		return controlService(cfg, links, action, *user, stdout, stderr)
	}
	// A system service (not --user, no RVM_HOME) lives in the system data
	// directory and accepts every local user.
	perUser := *user || os.Getenv("RVM_HOME") != ""
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
		fmt.Fprintf(stderr, "rvm: %v\n", err)
		return exitFailed
	}
	// In the foreground the service shows what it does, as it logs it.
	env, closer, err := environment(stderr, zerolog.InfoLevel, *verbose, !perUser)
	if err != nil {
		fmt.Fprintf(stderr, "rvm: %v\n", err)
		return exitFailed
	}
	defer closer.Close()
	svc := &service.Service{Env: env, PerUser: perUser}
	if err := platformservice.Run(cfg, svc.Start, svc.Stop); err != nil {
		env.Log.Error().Err(err).Msg("service")
		fmt.Fprintf(stderr, "rvm: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// controlService takes a service manager action; install and uninstall
// also register and remove the fins:// and fin:// URL schemes and, for the
// system service, the Event Log source (on Windows; elsewhere there is
// none).
func controlService(cfg *platformservice.Config, links *launcher.Launcher, action string, user bool, stdout, stderr io.Writer) int {
	schemes := platform.SchemeOptions{Executable: cfg.Executable, System: !user}
	if action == "uninstall" {
		if err := platform.UnregisterURLSchemes(schemes); err != nil {
			fmt.Fprintf(stderr, "rvm: %v\n", err)
			return exitFailed
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
		fmt.Fprintf(stderr, "rvm: %v\n", err)
		return exitFailed
	}
	if action == "install" {
		var err error
		if refused, why := links.LinksRefused(context.Background()); refused {
			// What an earlier install registered goes too.
			err = platform.UnregisterURLSchemes(schemes)
			fmt.Fprintf(stderr, "rvm: note: fins:// and fin:// links are not registered: %s\n", why)
		} else {
			err = platform.RegisterURLSchemes(schemes)
		}
		switch {
		case errors.Is(err, platform.ErrURLSchemesNeedAppBundle):
			fmt.Fprintf(stderr, "rvm: note: %v\n", err)
		case err != nil:
			fmt.Fprintf(stderr, "rvm: %v\n", err)
			return exitFailed
		}
	}
	fmt.Fprintln(stdout, out)
	return exitOK
}
