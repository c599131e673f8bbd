// Command rvm launches desktop apps by the URL of their manifest, deciding
// what each app may do: it fetches the manifest over strict HTTPS, verifies
// its signed trustedAppConfigs block, applies the desktop owner's settings
// and starts the app's runtime. `rvm help` lists the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

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

const usage = `rvm launches desktop apps by the URL of their manifest.

Usage:
  rvm verify [flags] [--] URL     fetch, verify and decide; print the decision
  rvm launch [flags] [--] URL     the same, ask about prompts, start the runtime
  rvm settings [--json]           the effective machine and desktop owner settings
  rvm permissions list [--json]   the stored decisions of users
  rvm permissions revoke URL [PERMISSION]
  rvm service install|uninstall|start|stop|restart|status|run [--user]
  rvm doctor [--json]             check the machine as its desktop owner would want it
  rvm version                     the version, commit and Go version (also --version)

URL is https://, fins:// or fin://. Run "rvm COMMAND --help" for a command's flags.

Exit codes: 0 done; 1 failed (no decision, or the runtime did not start);
2 bad usage; 3 launch refused by the desktop owner's policy (or owner
settings unavailable); 4 launch cancelled by the user at a question.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "verify", "launch":
		return runDecide(ctx, cmd, rest, stdin, stdout, stderr)
	case "settings":
		return runSettings(ctx, rest, stdout, stderr)
	case "permissions":
		return runPermissions(rest, stdout, stderr)
	case "service":
		return runService(ctx, rest, stdout, stderr)
	case "doctor":
		return runDoctor(ctx, rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	}
	fmt.Fprintf(stderr, "rvm: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// resolveFlag collects repeated --resolve values.
type resolveFlag []string

func (r *resolveFlag) String() string     { return strings.Join(*r, ",") }
func (r *resolveFlag) Set(v string) error { *r = append(*r, v); return nil }

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\nFlags:\n", synopsis)
		fs.VisitAll(func(f *flag.Flag) {
			name, help := flag.UnquoteUsage(f)
			fmt.Fprintf(stderr, "  %s\n    \t%s\n", strings.TrimSpace("--"+f.Name+" "+name), help)
		})
	}
	return fs
}

// parse parses flags; it reports the exit code when the command should end
// here (help asked for, or bad usage).
func parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, true
		}
		return exitUsage, true
	}
	return 0, false
}

// environment is the machine as the launcher sees it: the data directory
// (the system one for a system service), and the log, in the data
// directory and on stderr from level up (debug with -v).
func environment(stderr io.Writer, level zerolog.Level, verbose, system bool) (launcher.Env, io.Closer, error) {
	dir, err := platform.DataDir(os.Getenv)
	if system {
		dir, err = platform.SystemDataDir(), nil
	}
	if err != nil {
		return launcher.Env{}, nil, err
	}
	if verbose {
		level = zerolog.DebugLevel
	}
	log, closer, lerr := launcher.OpenLog(dir, stderr, level)
	if lerr != nil {
		log.Warn().Err(lerr).Msg("logging to the console only")
	}
	// RVM_MACHINE_SETTINGS holds for every command and for the service.
	return launcher.Env{DataDir: dir, Getenv: os.Getenv, Log: log, MachineSettings: os.Getenv("RVM_MACHINE_SETTINGS")}, closer, nil
}

func runDecide(ctx context.Context, cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("rvm "+cmd, "rvm "+cmd+" [flags] [--] URL", stderr)
	var (
		opts    launcher.Options
		resolve resolveFlag
		asJSON  = fs.Bool("json", false, "print the decision document (JSON)")
		verbose = fs.Bool("v", false, "log every step to stderr")
	)
	fs.StringVar(&opts.Platform, "platform", "", "whose signature to verify: win, mac or linux (default: this machine's)")
	fs.StringVar(&opts.TrustRoots, "trust-roots", "", "PEM bundle of trust roots for this call; refused where an owner source sets TrustRootsFile")
	fs.StringVar(&opts.MachineSettings, "machine-settings", "", "settings JSON file standing in for the per-user settings sources; the owner's still apply (also RVM_MACHINE_SETTINGS)")
	fs.Var(&resolve, "resolve", "HOST:PORT:ADDR: connect to ADDR for HOST:PORT, still verifying TLS for HOST (repeatable)")
	if cmd == "launch" {
		// What the fins:// and fin:// handlers run (SPEC 7); every launch
		// of such a link counts as a link launch, with the flag or not.
		fs.Bool("from-link", false, "the URL comes from a fins:// or fin:// link handler")
	}
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "rvm %s: want exactly one URL, got %d arguments\n", cmd, fs.NArg())
		fs.Usage()
		return exitUsage
	}
	opts.Resolve = resolve
	req, err := launcher.NewRequest(fs.Arg(0), opts, platform.Name())
	if err != nil {
		var bad *launcher.OptionError
		if errors.As(err, &bad) {
			fmt.Fprintf(stderr, "rvm %s: %s\n", cmd, printable(err))
			return exitUsage
		}
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitFailed
	}
	// The console gets errors only: warnings reach the user through the
	// output itself (the decision's warnings).
	env, closer, err := environment(stderr, zerolog.ErrorLevel, *verbose, false)
	if err != nil {
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitFailed
	}
	defer closer.Close()
	l := launcher.New(env)
	l.Remote = api.NewClient(env.DataDir, os.Getenv("RVM_HOME") == "", env.Log)
	var bad *launcher.OptionError
	if cmd == "verify" {
		doc, err := l.VerifyVia(ctx, req)
		if errors.As(err, &bad) {
			fmt.Fprintf(stderr, "rvm %s: %v\n", cmd, err)
			return exitUsage
		}
		if err != nil {
			fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
			return exitFailed
		}
		printDocument(stdout, doc, *asJSON)
		return exitOK
	}
	doc, pid, err := l.LaunchVia(ctx, req, launcher.PrompterFor(prompt.SystemEnv()))
	if doc != nil {
		printDocument(stdout, doc, *asJSON)
	}
	var (
		refused   *launcher.RefusedError
		cancelled *launcher.CancelledError
	)
	switch {
	case errors.As(err, &bad):
		fmt.Fprintf(stderr, "rvm %s: %v\n", cmd, err)
		return exitUsage
	case errors.As(err, &refused):
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitRefused
	case errors.As(err, &cancelled):
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitCancelled
	case err != nil:
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitFailed
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "started    runtime (pid %d)\n", pid)
	}
	return exitOK
}

// printable is err's message as one line that a terminal shows as it is
// (see prompt.Printable): messages may hold text from servers, manifests
// and settings files.
func printable(err error) string { return prompt.Printable(err.Error()) }

func printDocument(w io.Writer, doc *launcher.Document, asJSON bool) {
	if asJSON {
		w.Write(doc.JSON())
		return
	}
	doc.WriteSummary(w)
}
