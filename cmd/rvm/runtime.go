package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/runtime/progress"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

// runtimeCommand is rvm runtime (SPEC 1, 9).
var runtimeCommand = &command{
	name:    "runtime",
	summary: "the runtimes installed, and downloads from the owner's runtime repository",
	about: `Runtimes are looked for in the system service's runtime directory, then in
your RuntimeDirectory; install downloads into your RuntimeDirectory from
the owner's runtime repository (RuntimeRepository, RuntimeRepositoryRoot),
verified, and only a version the desktop owner allows.

Exit codes: 0 done; 1 failed; 2 bad usage; 3 a version the owner does not
allow.
`,
	subs: []*command{
		runtimeAction("list", "", "the runtimes installed, and when each was last launched", 0),
		runtimeAction("install", "[--] VERSION|CHANNEL", "install the runtime a manifest asking for it would get", 1),
		runtimeAction("remove", "[--] VERSION", "remove an installed runtime (not one in use)", 1),
		runtimeAction("prune", "", "remove what the owner's cleanUnusedRuntimes says is unused", 0),
	},
}

// runtimeAction is one subcommand of rvm runtime, which takes nargs
// arguments.
func runtimeAction(name, args, summary string, nargs int) *command {
	return &command{name: name, args: args, summary: summary, setup: func(fs *flag.FlagSet) runner {
		var (
			opts    launcher.Options
			resolve resolveFlag
			asJSON  = new(bool)
		)
		if name != "remove" {
			asJSON = fs.Bool("json", false, "print the result as JSON")
		}
		fs.StringVar(&opts.MachineSettings, "machine-settings", "", "a settings JSON `FILE` standing in for the per-user settings sources; the owner's still apply (also RVM_MACHINE_SETTINGS)")
		if name == "install" || name == "prune" {
			fs.Var(&resolve, "resolve", "each `HOST:PORT:ADDR` reaches the runtime repository or a remote owner settings file at ADDR, TLS still verifying HOST (repeatable)")
		}
		return func(ctx context.Context, c *cli, args []string) int {
			what := "no arguments"
			if nargs == 1 {
				what = "exactly one version"
			}
			if code, ok := c.wantArgs(args, nargs, nargs, what); !ok {
				return code
			}
			opts.Resolve = resolve
			return c.runtime(ctx, name, args, opts, *asJSON)
		}
	}}
}

// runtime runs the rvm runtime subcommand action.
func (c *cli) runtime(ctx context.Context, action string, args []string, opts launcher.Options, asJSON bool) int {
	opts.Environment = launcher.CallerEnvironment(os.Getenv)
	req, err := launcher.ParseOptions(opts, "")
	if err != nil {
		return c.usageError("%s", err)
	}
	env, closer, err := c.environment(zerolog.ErrorLevel, false)
	if err != nil {
		return c.fail(exitFailed, err)
	}
	defer closer.Close()
	l := launcher.New(env)
	switch action {
	case "list":
		return c.runtimeList(l, req, asJSON)
	case "install":
		return c.runtimeInstall(ctx, l, env, req, args[0], asJSON)
	case "remove":
		folders, err := l.RemoveRuntime(req, args[0])
		if err != nil {
			return c.fail(exitFailed, err)
		}
		for _, f := range folders {
			fmt.Fprintf(c.stdout, "removed %s\n", f)
		}
		return exitOK
	}
	return c.runtimePrune(ctx, l, req, asJSON)
}

// runtimeEnvironment sets up env for runtimes: the system service's
// runtime directory, looked in first where RVM_HOME is not set (and where
// the system service installs them), and download progress on standard
// error where it is a terminal.
func runtimeEnvironment(env *launcher.Env, system bool) {
	if os.Getenv("RVM_HOME") == "" {
		env.SystemRuntimeDir = filepath.Join(platform.SystemDataDir(), "runtime")
	}
	env.SystemService = system
	env.Progress = func(label string) func(done, total int64) { return progress.Terminal(os.Stderr, label) }
}

func writeJSON(w io.Writer, v any) {
	out, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintf(w, "%s\n", out)
}

func (c *cli) runtimeList(l *launcher.Launcher, req *launcher.Request, asJSON bool) int {
	rts, err := l.ListRuntimes(req)
	if asJSON {
		writeJSON(c.stdout, map[string]any{"runtimes": rts})
	} else {
		if len(rts) == 0 {
			fmt.Fprintln(c.stdout, "no runtime installed")
		}
		for _, r := range rts {
			last := r.LastUsed
			if last == "" {
				last = "never launched"
			}
			fmt.Fprintf(c.stdout, "%-16s %-22s %s\n", r.Version, last, r.Path)
		}
	}
	if err != nil {
		return c.fail(exitFailed, err)
	}
	return exitOK
}

func (c *cli) runtimeInstall(ctx context.Context, l *launcher.Launcher, env launcher.Env, req *launcher.Request, version string, asJSON bool) int {
	// The bar is drawn once bytes arrive, on a terminal only.
	res, err := l.InstallRuntime(ctx, req, version, env.Progress("runtime "+version))
	if asJSON && res != nil {
		writeJSON(c.stdout, res)
	}
	if !asJSON && res != nil {
		for _, n := range res.Notices {
			fmt.Fprintf(c.stderr, "rvm: notice: %s\n", prompt.Printable(n))
		}
	}
	var refused *launcher.RefusedError
	switch {
	case errors.As(err, &refused):
		return c.fail(exitRefused, err)
	case err != nil:
		return c.fail(exitFailed, err)
	}
	if !asJSON {
		fmt.Fprintf(c.stdout, "runtime %s installed in %s\n", res.Version, res.Path)
	}
	return exitOK
}

func (c *cli) runtimePrune(ctx context.Context, l *launcher.Launcher, req *launcher.Request, asJSON bool) int {
	removed, clean, err := l.PruneRuntimes(ctx, req)
	if asJSON {
		if removed == nil {
			removed = []launcher.InstalledRuntime{}
		}
		writeJSON(c.stdout, map[string]any{"cleanUnusedRuntimes": clean, "removed": removed})
	} else {
		switch {
		case !clean && err == nil:
			fmt.Fprintln(c.stdout, "the desktop owner does not set cleanUnusedRuntimes: nothing removed")
		case len(removed) == 0:
			fmt.Fprintln(c.stdout, "no unused runtime to remove")
		}
		for _, r := range removed {
			fmt.Fprintf(c.stdout, "removed %s\n", r.Path)
		}
	}
	if err != nil {
		return c.fail(exitFailed, err)
	}
	return exitOK
}
