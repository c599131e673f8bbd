package main

import (
	"context"
	"encoding/json"
	"errors"
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

const runtimeUsage = `Usage:
  rvm runtime list [--json]                      the runtimes installed, and when each was last launched
  rvm runtime install [flags] VERSION|CHANNEL    install the runtime a manifest asking for it would get
  rvm runtime remove VERSION                     remove an installed runtime (not one in use)
  rvm runtime prune [--json]                     remove what the owner's cleanUnusedRuntimes says is unused

Runtimes are looked for in the system service's runtime directory, then in
your RuntimeDirectory; install downloads into your RuntimeDirectory from
the owner's runtime repository (RuntimeRepository, RuntimeRepositoryRoot),
verified, and only a version the desktop owner allows. Every command takes
--machine-settings FILE; install also --resolve HOST:PORT:ADDR and --json.

Exit codes: 0 done; 1 failed; 2 bad usage; 3 a version the owner does not
allow.
`

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

func runRuntime(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, runtimeUsage)
		return exitUsage
	}
	action := args[0]
	if action == "help" || action == "-h" || action == "--help" {
		fmt.Fprint(stdout, runtimeUsage)
		return exitOK
	}
	synopsis := map[string]string{
		"list":    "rvm runtime list [--json] [--machine-settings FILE]",
		"install": "rvm runtime install [--json] [--machine-settings FILE] [--resolve HOST:PORT:ADDR]... [--] VERSION|CHANNEL",
		"remove":  "rvm runtime remove [--machine-settings FILE] [--] VERSION",
		"prune":   "rvm runtime prune [--json] [--machine-settings FILE] [--resolve HOST:PORT:ADDR]...",
	}[action]
	if synopsis == "" {
		fmt.Fprintf(stderr, "rvm runtime: unknown action %q\n%s", action, runtimeUsage)
		return exitUsage
	}
	fs := newFlagSet("rvm runtime "+action, synopsis, stderr)
	var (
		opts    launcher.Options
		resolve resolveFlag
		asJSON  = new(bool)
		verbose = fs.Bool("v", false, "log every step to stderr")
	)
	if action != "remove" {
		asJSON = fs.Bool("json", false, "print the result as JSON")
	}
	fs.StringVar(&opts.MachineSettings, "machine-settings", "", "settings JSON file standing in for the per-user settings sources; the owner's still apply (also RVM_MACHINE_SETTINGS)")
	if action == "install" || action == "prune" {
		fs.Var(&resolve, "resolve", "HOST:PORT:ADDR: connect to ADDR for HOST:PORT (the runtime repository, a remote owner settings file), still verifying TLS for HOST (repeatable)")
	}
	if code, done := parse(fs, args[1:]); done {
		return code
	}
	want := 0
	if action == "install" || action == "remove" {
		want = 1
	}
	if fs.NArg() != want {
		fmt.Fprintf(stderr, "rvm runtime %s: want %d argument(s), got %d\n", action, want, fs.NArg())
		fs.Usage()
		return exitUsage
	}
	opts.Resolve = resolve
	req, err := launcher.ParseOptions(opts, "")
	if err != nil {
		fmt.Fprintf(stderr, "rvm runtime %s: %s\n", action, printable(err))
		return exitUsage
	}
	env, closer, err := environment(stderr, zerolog.ErrorLevel, *verbose, false)
	if err != nil {
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitFailed
	}
	defer closer.Close()
	l := launcher.New(env)
	switch action {
	case "list":
		return runtimeList(l, req, *asJSON, stdout, stderr)
	case "install":
		return runtimeInstall(ctx, l, env, req, fs.Arg(0), *asJSON, stdout, stderr)
	case "remove":
		folders, err := l.RemoveRuntime(req, fs.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
			return exitFailed
		}
		for _, f := range folders {
			fmt.Fprintf(stdout, "removed %s\n", f)
		}
		return exitOK
	}
	return runtimePrune(ctx, l, req, *asJSON, stdout, stderr)
}

func writeJSON(w io.Writer, v any) {
	out, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintf(w, "%s\n", out)
}

func runtimeList(l *launcher.Launcher, req *launcher.Request, asJSON bool, stdout, stderr io.Writer) int {
	rts, err := l.ListRuntimes(req)
	if asJSON {
		writeJSON(stdout, map[string]any{"runtimes": rts})
	} else {
		if len(rts) == 0 {
			fmt.Fprintln(stdout, "no runtime installed")
		}
		for _, r := range rts {
			last := r.LastUsed
			if last == "" {
				last = "never launched"
			}
			fmt.Fprintf(stdout, "%-16s %-22s %s\n", r.Version, last, r.Path)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitFailed
	}
	return exitOK
}

func runtimeInstall(ctx context.Context, l *launcher.Launcher, env launcher.Env, req *launcher.Request, version string, asJSON bool, stdout, stderr io.Writer) int {
	// The bar is drawn once bytes arrive, on a terminal only.
	res, err := l.InstallRuntime(ctx, req, version, env.Progress("runtime "+version))
	if asJSON && res != nil {
		writeJSON(stdout, res)
	}
	if !asJSON && res != nil {
		for _, n := range res.Notices {
			fmt.Fprintf(stderr, "rvm: notice: %s\n", prompt.Printable(n))
		}
	}
	var refused *launcher.RefusedError
	switch {
	case errors.As(err, &refused):
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitRefused
	case err != nil:
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitFailed
	}
	if !asJSON {
		fmt.Fprintf(stdout, "runtime %s installed in %s\n", res.Version, res.Path)
	}
	return exitOK
}

func runtimePrune(ctx context.Context, l *launcher.Launcher, req *launcher.Request, asJSON bool, stdout, stderr io.Writer) int {
	removed, clean, err := l.PruneRuntimes(ctx, req)
	if asJSON {
		if removed == nil {
			removed = []launcher.InstalledRuntime{}
		}
		writeJSON(stdout, map[string]any{"cleanUnusedRuntimes": clean, "removed": removed})
	} else {
		switch {
		case !clean && err == nil:
			fmt.Fprintln(stdout, "the desktop owner does not set cleanUnusedRuntimes: nothing removed")
		case len(removed) == 0:
			fmt.Fprintln(stdout, "no unused runtime to remove")
		}
		for _, r := range removed {
			fmt.Fprintf(stdout, "removed %s\n", r.Path)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitFailed
	}
	return exitOK
}
