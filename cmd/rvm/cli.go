package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

// command is one of rvm's commands or subcommands: its name, what its help
// shows, and either its subcommands or what it does. The tree of them
// (root) gives dispatch, every --help and the completion scripts.
type command struct {
	name string
	// args is what follows the flags in the synopsis ("[--] URL").
	args string
	// summary is one line for the list of the parent's commands; about,
	// where set, is more for the command's own --help.
	summary, about string
	// subs are the subcommands; a command with subs does nothing itself.
	subs []*command
	// setup declares the command's flags on fs and returns what runs it
	// with the arguments left after the flags, once they are parsed.
	setup func(fs *flag.FlagSet) runner

	parent *command
}

// runner runs a command with its arguments (what is left after the flags)
// and returns its exit code.
type runner func(ctx context.Context, c *cli, args []string) int

// cli is one run of rvm: its standard streams and the global flags.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// verbose is -v, given before or after a command's name: log every
	// step to stderr.
	verbose bool
	// cmd is the command being dispatched or run.
	cmd *command
}

// path is the command as a user types it ("rvm service install").
func (cmd *command) path() string {
	if cmd.parent == nil {
		return cmd.name
	}
	return cmd.parent.path() + " " + cmd.name
}

// sub is cmd's subcommand called name, nil where there is none.
func (cmd *command) sub(name string) *command {
	for _, s := range cmd.subs {
		if s.name == name {
			return s
		}
	}
	return nil
}

// link sets the parent of every command below cmd.
func (cmd *command) link() *command {
	for _, s := range cmd.subs {
		s.parent = cmd
		s.link()
	}
	return cmd
}

// subNames are the names of cmd's subcommands.
func (cmd *command) subNames() []string {
	names := make([]string, len(cmd.subs))
	for i, s := range cmd.subs {
		names[i] = s.name
	}
	return names
}

// The global flags, which every command takes before or after its name.
const (
	flagVerbose = "v"
	flagVersion = "version"
	flagHelp    = "help"
)

// globalFlags are the global flags as the help and the completion scripts
// show them, by name.
var globalFlags = []struct{ name, usage string }{
	{flagVerbose, "log every step to stderr"},
	{flagHelp, "show this help"},
	{flagVersion, "print rvm's version, commit and Go version"},
}

// flags is the flag set of a command that does something: its own flags
// and the global ones (help aside, which parseArgs knows), and the runner
// bound to them.
func (cmd *command) flags() (*flag.FlagSet, runner) {
	fs := flag.NewFlagSet(cmd.path(), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	run := cmd.setup(fs)
	fs.Bool(flagVerbose, false, globalFlags[0].usage)
	fs.Bool(flagVersion, false, globalFlags[2].usage)
	return fs, run
}

// dispatch runs cmd with args: for a command with subcommands, the global
// flags before the subcommand's name and then the subcommand; for one
// without, its flags (anywhere before "--") and then its runner.
func (c *cli) dispatch(ctx context.Context, cmd *command, args []string) int {
	c.cmd = cmd
	if cmd.subs != nil {
		for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
			switch name := flagName(args[0]); name {
			case flagVerbose:
				c.verbose = true
			case flagVersion:
				return c.printVersion()
			case "h", flagHelp:
				c.help(cmd)
				return exitOK
			default:
				return c.usageError("unknown flag %s", strings.SplitN(args[0], "=", 2)[0])
			}
			args = args[1:]
		}
		if len(args) == 0 {
			if cmd.parent == nil {
				c.writeHelp(c.stderr, cmd)
				return exitUsage
			}
			return c.usageError("want one of its commands: %s", strings.Join(cmd.subNames(), ", "))
		}
		sub := cmd.sub(args[0])
		if sub == nil {
			return c.usageError("unknown command %q", args[0])
		}
		return c.dispatch(ctx, sub, args[1:])
	}
	fs, run := cmd.flags()
	rest, help, err := parseArgs(fs, args)
	switch {
	case help:
		c.help(cmd)
		return exitOK
	case err != nil:
		return c.usageError("%v", err)
	case fs.Lookup(flagVersion).Value.String() == "true":
		return c.printVersion()
	}
	c.verbose = c.verbose || fs.Lookup(flagVerbose).Value.String() == "true"
	return run(ctx, c, rest)
}

// flagName is the name of the flag argument a ("-v", "--resolve=x").
func flagName(a string) string {
	name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
	return name
}

// parseArgs parses args against fs as Go's flag package does (-name and
// --name alike, "-name=value" or "-name value", a bool flag alone meaning
// true), except that flags may also follow the arguments, until "--",
// after which everything is an argument, and -h, -help and --help ask for
// help. It returns the arguments, in order, whether help was asked for
// (anywhere before "--", so that it wins over a wrong flag), and the first
// thing wrong with a flag, in words for the user.
func parseArgs(fs *flag.FlagSet, args []string) (rest []string, help bool, err error) {
	fail := func(format string, a ...any) {
		if err == nil {
			err = fmt.Errorf(format, a...)
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if name == "h" || name == flagHelp {
			help = true
			continue
		}
		typed := strings.SplitN(a, "=", 2)[0]
		f := fs.Lookup(name)
		if f == nil || strings.HasPrefix(name, "-") {
			fail("unknown flag %s", typed)
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			if !hasValue {
				value = "true"
			}
			if fs.Set(name, value) != nil {
				fail("%s=%q: want true or false", typed, value)
			}
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				fail("%s needs a value", typed)
				continue
			}
			i++
			value = args[i]
		}
		if serr := fs.Set(name, value); serr != nil {
			fail("%s %q: %v", typed, value, serr)
		}
	}
	return rest, help, err
}

// usageError writes a usage error of the command being run as one line,
// naming the command and where its usage is, and returns exitUsage.
func (c *cli) usageError(format string, args ...any) int {
	msg := launcher.Words(fmt.Sprintf(format, args...))
	fmt.Fprintf(c.stderr, "rvm: %s%s (see \"%s --help\")\n", commandPrefix(c.cmd), prompt.Printable(msg), c.cmd.path())
	return exitUsage
}

// commandPrefix is "verify: " for the command rvm verify, "" for rvm.
func commandPrefix(cmd *command) string {
	p := strings.TrimPrefix(cmd.path(), "rvm")
	if p == "" {
		return ""
	}
	return strings.TrimSpace(p) + ": "
}

// fail writes err as the one line of an error, "rvm: " and what was wrong
// in words (launcher.Message), and returns code.
func (c *cli) fail(code int, err error) int {
	fmt.Fprintf(c.stderr, "rvm: %s\n", launcher.Message(err))
	return code
}

// wantArgs checks that the command being run got between min and max
// arguments, or else reports a usage error that says what it wants.
func (c *cli) wantArgs(args []string, min, max int, what string) (int, bool) {
	switch {
	case len(args) > max:
		return c.usageError("want %s; unexpected argument %q", what, args[max]), false
	case len(args) < min:
		return c.usageError("want %s", what), false
	}
	return 0, true
}

// help writes cmd's help to stdout.
func (c *cli) help(cmd *command) { c.writeHelp(c.stdout, cmd) }

// writeHelp writes cmd's help: its synopsis, what it does, its commands or
// its flags, and the global flags.
func (c *cli) writeHelp(w io.Writer, cmd *command) {
	synopsis := cmd.path()
	switch {
	case cmd.subs != nil:
		synopsis += " COMMAND"
	case cmd.setup != nil:
		if fs, _ := cmd.flags(); hasOwnFlags(fs) {
			synopsis += " [flags]"
		}
	}
	if cmd.args != "" {
		synopsis += " " + cmd.args
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", synopsis, sentence(cmd.summary))
	if cmd.about != "" {
		fmt.Fprintf(w, "\n%s", cmd.about)
	}
	if cmd.subs != nil {
		fmt.Fprintf(w, "\nCommands:\n")
		for _, s := range cmd.subs {
			fmt.Fprintf(w, "  %-12s %s\n", s.name, s.summary)
		}
		fmt.Fprintf(w, "\nRun \"%s COMMAND --help\" for a command's flags.\n", cmd.path())
	} else if fs, _ := cmd.flags(); hasOwnFlags(fs) {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.VisitAll(func(f *flag.Flag) {
			if isGlobal(f.Name) {
				return
			}
			value, usage := flag.UnquoteUsage(f)
			writeFlag(w, "--"+f.Name+" "+value, usage)
		})
	}
	fmt.Fprintf(w, "\nGlobal flags (before or after the command):\n")
	for _, g := range globalFlags {
		writeFlag(w, dashes(g.name)+g.name, g.usage)
	}
}

// sentence is s with a capital first letter and a final period.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// dashes is how a flag called name is written: -v, --help.
func dashes(name string) string {
	if len(name) == 1 {
		return "-"
	}
	return "--"
}

// writeFlag writes one flag of a help text: the flag, and its usage beside
// it (below it where the flag is long), wrapped to fit 80 columns.
func writeFlag(w io.Writer, flag, usage string) {
	const indent = 29
	flag = "  " + strings.TrimSpace(flag)
	line := flag
	if len(flag) >= indent-1 {
		fmt.Fprintln(w, flag)
		line = ""
	}
	for _, word := range strings.Fields(usage) {
		if line != "" && len(line) < indent {
			line += strings.Repeat(" ", indent-len(line))
		} else if len(line)+1+len(word) > 80 {
			fmt.Fprintln(w, line)
			line = strings.Repeat(" ", indent)
		} else {
			line += " "
		}
		line += word
	}
	fmt.Fprintln(w, line)
}

// hasOwnFlags reports whether fs holds flags besides the global ones.
func hasOwnFlags(fs *flag.FlagSet) bool {
	own := false
	fs.VisitAll(func(f *flag.Flag) { own = own || !isGlobal(f.Name) })
	return own
}

// isGlobal reports whether name is a global flag's.
func isGlobal(name string) bool {
	return slices.ContainsFunc(globalFlags, func(g struct{ name, usage string }) bool { return g.name == name })
}

// resolveFlag collects repeated --resolve values.
type resolveFlag []string

func (r *resolveFlag) String() string     { return strings.Join(*r, ",") }
func (r *resolveFlag) Set(v string) error { *r = append(*r, v); return nil }
