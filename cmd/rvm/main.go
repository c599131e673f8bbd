// Command rvm launches desktop apps by the URL of their manifest, deciding
// what each app may do: it fetches the manifest over strict HTTPS, verifies
// its signed trustedAppConfigs block, applies the desktop owner's settings
// and starts the app's runtime. `rvm help` lists the commands; every
// command has --help, and `rvm completion SHELL` prints a completion
// script for bash, zsh, fish or PowerShell.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

// Exit codes (SPEC 1).
const (
	exitOK        = 0
	exitFailed    = 1
	exitUsage     = 2
	exitRefused   = 3
	exitCancelled = 4
)

// root is rvm's tree of commands.
var root = (&command{
	name:    "rvm",
	summary: "rvm launches desktop apps by the URL of their manifest.",
	about: `URL is https://host/path, fins://host/path?... (HTTPS; its $$ parameters
go to the app) or fin://host/path (plain HTTP: never trusted). Put -- before
a URL that comes from elsewhere, so that it is never read as a flag.

Exit codes: 0 done; 1 failed (no decision, or the runtime did not start);
2 bad usage; 3 launch refused by policy (the desktop owner's
allowedManifestUrls, or owner settings unavailable); 4 launch cancelled by
the user at a question.
`,
	subs: []*command{
		decideCommand("verify", "fetch, verify and decide; print the decision",
			"Prints a summary, or with --json the decision document. Nothing is asked\nand nothing starts. Exit 0 whenever a decision was made, trusted or not.\n"),
		decideCommand("launch", "the same, then ask about prompts and start the runtime",
			"Asks about each permission left at prompt (a dialog, the terminal, or\nnobody: denied), stores the answers, and starts the runtime detached.\n"),
		settingsCommand,
		permissionsCommand,
		runtimeCommand,
		serviceCommand,
		doctorCommand,
		completionCommand,
		{name: "version", summary: "print rvm's version, commit and Go version", setup: func(*flag.FlagSet) runner {
			return func(_ context.Context, c *cli, args []string) int {
				if code, ok := c.wantArgs(args, 0, 0, "no arguments"); !ok {
					return code
				}
				return c.printVersion()
			}
		}},
		{name: "help", args: "[COMMAND...]", summary: "show the help of rvm or of a command", setup: func(*flag.FlagSet) runner {
			return func(_ context.Context, c *cli, args []string) int {
				cmd := c.cmd.parent
				for _, name := range args {
					if cmd = cmd.sub(name); cmd == nil {
						return c.usageError("unknown command %q", name)
					}
				}
				c.help(cmd)
				return exitOK
			}
		}},
	},
}).link()

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	return c.dispatch(ctx, root, args)
}

// environment is the machine as the launcher sees it: the data directory
// (the system one for a system service), and the log, in the data
// directory and on stderr from level up (debug with -v).
func (c *cli) environment(level zerolog.Level, system bool) (launcher.Env, io.Closer, error) {
	dir, err := platform.DataDir(os.Getenv)
	if system {
		dir, err = platform.SystemDataDir(), nil
	}
	if err != nil {
		return launcher.Env{}, nil, err
	}
	if c.verbose {
		level = zerolog.DebugLevel
	}
	log, closer, lerr := launcher.OpenLog(dir, c.stderr, level)
	if lerr != nil {
		log.Warn().Err(lerr).Msg("logging to the console only")
	}
	// RVM_MACHINE_SETTINGS holds for every command and for the service.
	env := launcher.Env{DataDir: dir, Getenv: os.Getenv, Log: log, MachineSettings: os.Getenv("RVM_MACHINE_SETTINGS")}
	runtimeEnvironment(&env, system)
	return env, closer, nil
}

// decideCommand is verify or launch (SPEC 1), with the flags they share.
func decideCommand(name, summary, about string) *command {
	return &command{name: name, args: "[--] URL", summary: summary, about: about, setup: func(fs *flag.FlagSet) runner {
		var (
			opts    launcher.Options
			resolve resolveFlag
			asJSON  = fs.Bool("json", false, "print the decision document (JSON)")
		)
		fs.StringVar(&opts.Platform, "platform", "", "whose signature to verify (`win|mac|linux`); default this machine's, the only one launch takes")
		fs.StringVar(&opts.TrustRoots, "trust-roots", "", "a PEM `FILE` of trust roots for this call; refused where an owner source sets TrustRootsFile")
		fs.StringVar(&opts.MachineSettings, "machine-settings", "", "a settings JSON `FILE` standing in for the per-user settings sources; the owner's still apply (also RVM_MACHINE_SETTINGS)")
		fs.Var(&resolve, "resolve", "each `HOST:PORT:ADDR` connects to ADDR whenever HOST:PORT is asked for, TLS still verifying HOST (repeatable)")
		if name == "launch" {
			// What the fins:// and fin:// handlers run (SPEC 7); every
			// launch of such a link counts as a link launch, with the
			// flag or not.
			fs.Bool("from-link", false, "the URL comes from a fins:// or fin:// link handler")
		}
		return func(ctx context.Context, c *cli, args []string) int {
			opts.Resolve = resolve
			return c.decide(ctx, args, opts, *asJSON)
		}
	}}
}

// decide runs verify or launch (the command being run) for the one URL in
// args.
func (c *cli) decide(ctx context.Context, args []string, opts launcher.Options, asJSON bool) int {
	if code, ok := c.wantArgs(args, 1, 1, "exactly one URL"); !ok {
		return code
	}
	launch := c.cmd.name == "launch"
	if this := platform.Name(); launch && opts.Platform != "" && opts.Platform != this {
		return c.usageError("--platform %q: a launch starts this machine's runtime, so it takes this machine's signature (%s) only", opts.Platform, this)
	}
	// The caller's environment that can change a decision goes with the
	// request, whoever decides it (SPEC 7).
	opts.Environment = launcher.CallerEnvironment(os.Getenv)
	req, err := launcher.NewRequest(args[0], opts, platform.Name())
	if err != nil {
		return c.decideError(err)
	}
	// The console gets errors only: warnings reach the user through the
	// output itself (the decision's warnings).
	env, closer, err := c.environment(zerolog.ErrorLevel, false)
	if err != nil {
		return c.fail(exitFailed, err)
	}
	defer closer.Close()
	l := launcher.New(env)
	// With RVM_HOME set, only that folder's service is asked (SPEC 7).
	l.Remote = api.NewClient(env.DataDir, os.Getenv("RVM_HOME") == "", env.Log)
	if !launch {
		doc, err := l.VerifyVia(ctx, req)
		if err != nil {
			return c.decideError(err)
		}
		printDocument(c.stdout, doc, asJSON)
		return exitOK
	}
	doc, pid, err := l.LaunchVia(ctx, req, launcher.PrompterFor(prompt.SystemEnv()))
	if doc != nil {
		printDocument(c.stdout, doc, asJSON)
	}
	if err != nil {
		return c.decideError(err)
	}
	if !asJSON {
		fmt.Fprintf(c.stdout, "started    runtime (pid %d)\n", pid)
	}
	return exitOK
}

// decideError reports an error of verify or launch with its exit code
// (SPEC 1): a wrong option is bad usage, a launch refused by policy 3, one
// the user cancelled 4, anything else 1.
func (c *cli) decideError(err error) int {
	var (
		bad       *launcher.OptionError
		refused   *launcher.RefusedError
		cancelled *launcher.CancelledError
	)
	switch {
	case errors.As(err, &bad):
		return c.usageError("%s", err)
	case errors.As(err, &refused):
		return c.fail(exitRefused, err)
	case errors.As(err, &cancelled):
		return c.fail(exitCancelled, err)
	}
	return c.fail(exitFailed, err)
}

func printDocument(w io.Writer, doc *launcher.Document, asJSON bool) {
	if asJSON {
		w.Write(doc.JSON())
		return
	}
	doc.WriteSummary(w)
}
