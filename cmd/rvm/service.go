package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/platform"
)

const serviceUsage = `Usage:
  rvm service install|uninstall|start|stop|restart|status [--user]
  rvm service run [--user]

install registers rvm with the service manager (Windows service, launchd,
systemd) and the fins:// and fin:// URL schemes; --user makes it a per-user
agent where the platform has one. run is what the service manager starts.
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
	if action != "run" && !slices.Contains(platform.ServiceActions, action) {
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
	cfg, err := platform.ServiceConfig(*user, "")
	if err != nil {
		fmt.Fprintf(stderr, "rvm: %v\n", err)
		return exitFailed
	}
	if action != "run" {
		out, err := platform.ControlService(cfg, action)
		if err != nil {
			fmt.Fprintf(stderr, "rvm: %v\n", err)
			return exitFailed
		}
		if err := error(nil); err != nil {
			fmt.Fprintf(stderr, "rvm: %v\n", err)
			return exitFailed
		}
		fmt.Fprintln(stdout, out)
		return exitOK
	}
	// A system service (not --user, no RVM_HOME) lives in the system data
	// directory and accepts every local user.
	perUser := *user || os.Getenv("RVM_HOME") != ""
	env, closer, err := environment(stderr, *verbose, !perUser)
	if err != nil {
		fmt.Fprintf(stderr, "rvm: %v\n", err)
		return exitFailed
	}
	defer closer.Close()
	svc := &launcher.Service{Env: env, PerUser: perUser}
	if err := platform.RunService(cfg, svc.Start, svc.Stop); err != nil {
		env.Log.Error().Err(err).Msg("service")
		fmt.Fprintf(stderr, "rvm: %v\n", err)
		return exitFailed
	}
	return exitOK
}
