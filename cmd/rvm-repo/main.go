// Command rvm-repo is a runtime publisher's tool for rvm: it makes and
// updates a signed runtime repository, a TUF 1.0 repository with
// consistent snapshots served as static files (SPEC section 9). See
// package github.com/rvm-launcher/rvm/launcher/runtime/publisher for the
// files it keeps in a repository folder.
//
// Exit codes: 0 done, 1 failed, 2 bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rvm-launcher/rvm/launcher/runtime/publisher"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/platform"
)

// commands are the commands, with their synopses for the usage and for
// each command's --help.
var commands = []struct{ name, synopsis, help string }{
	{"init", "--out DIR [--alg ed25519|ecdsa-p256] [--expires ROLE=DURATION]...",
		"make a repository: keys and first metadata for the four roles"},
	{"add", "--repo DIR --version V --os OS --arch ARCH FILE",
		"stage a runtime archive (a tar.gz with runtime or runtime.exe at its top)"},
	{"channel", "--repo DIR NAME VERSION",
		"stage a channel pointing at a version"},
	{"publish", "--repo DIR [--expires ROLE=DURATION]...",
		"sign the staged changes: new targets, snapshot and timestamp"},
	{"timestamp", "--repo DIR [--expires timestamp=DURATION]",
		"sign a new timestamp only (run it more often than the timestamp lasts)"},
	{"rotate", "--repo DIR --role ROLE",
		"replace ROLE's key; the new root is signed by the old and new root keys"},
	{"verify", "--repo DIR|URL [--root FILE] [--resolve HOST:PORT:ADDR]...",
		"check the repository as a client would"},
}

var usage = func() string {
	var b strings.Builder
	b.WriteString("usage: rvm-repo COMMAND [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s  %s\n             %s\n", c.name, c.synopsis, c.help)
	}
	b.WriteString("\nROLE is root, targets, snapshot or timestamp. DURATION is a Go duration (36h) or days (7d);\n" +
		"defaults: root 365d, targets 90d, snapshot 7d, timestamp 1d, and a duration given is remembered.\n" +
		"Run rvm-repo COMMAND --help for a command's flags.\n")
	return b.String()
}()

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks a usage error, already explained on stderr.
var errUsage = errors.New("usage")

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmds := map[string]func([]string, io.Writer, io.Writer) error{
		"init": initRepo, "add": add, "channel": channel, "publish": publish,
		"timestamp": timestamp, "rotate": rotate, "verify": verify,
	}
	var err error
	switch cmd, ok := cmds[args[0]]; {
	case ok:
		err = cmd(args[1:], stdout, stderr)
	case slices.Contains([]string{"help", "-h", "-help", "--help"}, args[0]):
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "rvm-repo: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "rvm-repo: %v\n", err)
	return 1
}

// flags returns a flag set for command cmd. It prints nothing itself:
// parse shows the usage, on stdout for --help and on stderr for an error.
func flags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		for _, c := range commands {
			if c.name == cmd {
				fmt.Fprintf(fs.Output(), "usage: rvm-repo %s %s\n\n%s.\n\nflags:\n", cmd, c.synopsis, c.help)
			}
		}
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, and checks the required flags and the number of
// arguments left.
func parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, nargs int, required ...string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return err
	}
	problem := ""
	switch {
	case err != nil:
		problem = err.Error()
	case fs.NArg() != nargs:
		problem = fmt.Sprintf("got %d arguments, want %d", fs.NArg(), nargs)
	}
	for _, name := range required {
		if problem == "" && fs.Lookup(name).Value.String() == "" {
			problem = "--" + name + " is required"
		}
	}
	if problem != "" {
		fmt.Fprintf(stderr, "rvm-repo %s: %s\n", fs.Name(), problem)
		fs.SetOutput(stderr)
		fs.Usage()
		return errUsage
	}
	return nil
}

// expiresFlag collects --expires ROLE=DURATION.
type expiresFlag map[string]time.Duration

func (e expiresFlag) String() string { return "" }

func (e expiresFlag) Set(s string) error {
	role, d, err := publisher.ParseExpires(s)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "publisher: "))
	}
	e[role] = d
	return nil
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func expiresVar(fs *flag.FlagSet) expiresFlag {
	e := expiresFlag{}
	fs.Var(e, "expires", "ROLE=DURATION: how long ROLE's metadata signed now lasts (repeatable; remembered)")
	return e
}

func initRepo(args []string, stdout, stderr io.Writer) error {
	fs := flags("init")
	out := fs.String("out", "", "the repository folder to make (new or empty)")
	alg := fs.String("alg", string(publisher.Ed25519), "key algorithm: ed25519 or ecdsa-p256")
	expires := expiresVar(fs)
	if err := parse(fs, args, stdout, stderr, 0, "out"); err != nil {
		return err
	}
	if _, err := publisher.Init(*out, publisher.InitOptions{Alg: publisher.Alg(*alg), Expires: expires}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "made repository %s: serve %s; give desktop owners %s\n", *out,
		platformPath(*out, "public"), platformPath(*out, "public", "metadata", "1.root.json"))
	return nil
}

func open(dir string) (*publisher.Repo, error) { return publisher.Open(dir) }

func add(args []string, stdout, stderr io.Writer) error {
	fs := flags("add")
	dir := fs.String("repo", "", "the repository folder")
	version := fs.String("version", "", "the runtime's exact version (38.126.82.64)")
	goos := fs.String("os", "", "windows, darwin or linux")
	goarch := fs.String("arch", "", "amd64 or arm64")
	if err := parse(fs, args, stdout, stderr, 1, "repo", "version", "os", "arch"); err != nil {
		return err
	}
	r, err := open(*dir)
	if err != nil {
		return err
	}
	target, err := r.Add(*version, *goos, *goarch, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "staged %s (publish to make it visible)\n", target)
	return nil
}

func channel(args []string, stdout, stderr io.Writer) error {
	fs := flags("channel")
	dir := fs.String("repo", "", "the repository folder")
	if err := parse(fs, args, stdout, stderr, 2, "repo"); err != nil {
		return err
	}
	r, err := open(*dir)
	if err != nil {
		return err
	}
	if err := r.Channel(fs.Arg(0), fs.Arg(1)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "staged channel %s -> %s (publish to make it visible)\n", fs.Arg(0), fs.Arg(1))
	return nil
}

func publish(args []string, stdout, stderr io.Writer) error {
	fs := flags("publish")
	dir := fs.String("repo", "", "the repository folder")
	expires := expiresVar(fs)
	if err := parse(fs, args, stdout, stderr, 0, "repo"); err != nil {
		return err
	}
	r, err := open(*dir)
	if err != nil {
		return err
	}
	sum, err := r.Publish(expires)
	if err != nil {
		return err
	}
	for _, t := range sum.Targets {
		fmt.Fprintf(stdout, "published %s\n", t)
	}
	for _, name := range slices.Sorted(maps.Keys(sum.Channels)) {
		fmt.Fprintf(stdout, "channel %s -> %s\n", name, sum.Channels[name])
	}
	fmt.Fprintf(stdout, "signed targets version %d, a snapshot and a timestamp\n", sum.Version)
	return nil
}

func timestamp(args []string, stdout, stderr io.Writer) error {
	fs := flags("timestamp")
	dir := fs.String("repo", "", "the repository folder")
	expires := expiresVar(fs)
	if err := parse(fs, args, stdout, stderr, 0, "repo"); err != nil {
		return err
	}
	r, err := open(*dir)
	if err != nil {
		return err
	}
	if err := r.Timestamp(expires); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "signed a new timestamp")
	return nil
}

func rotate(args []string, stdout, stderr io.Writer) error {
	fs := flags("rotate")
	dir := fs.String("repo", "", "the repository folder")
	role := fs.String("role", "", "root, targets, snapshot or timestamp")
	if err := parse(fs, args, stdout, stderr, 0, "repo", "role"); err != nil {
		return err
	}
	r, err := open(*dir)
	if err != nil {
		return err
	}
	if err := r.Rotate(*role); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rotated the %s key; the old one is in %s: destroy it\n", *role, platformPath(*dir, "keys", "retired"))
	return nil
}

func verify(args []string, stdout, stderr io.Writer) error {
	fs := flags("verify")
	dir := fs.String("repo", "", "the repository folder, or the https:// URL it is served at")
	rootFile := fs.String("root", "", "the trusted 1.root.json (default: the repository's own, which checks consistency, not origin)")
	var resolve listFlag
	fs.Var(&resolve, "resolve", "HOST:PORT:ADDR: connect to ADDR for HOST:PORT, as curl does (repeatable)")
	if err := parse(fs, args, stdout, stderr, 0, "repo"); err != nil {
		return err
	}
	o := publisher.VerifyOptions{Fetcher: &fetch.Fetcher{Resolve: map[string]string{}}}
	for _, r := range resolve {
		from, to, err := fetch.ParseResolve(r)
		if err != nil {
			fmt.Fprintf(stderr, "rvm-repo verify: %v\n", err)
			return errUsage
		}
		o.Fetcher.Resolve[from] = to
	}
	if *rootFile != "" {
		data, err := platform.ReadFileLimit(*rootFile, 512<<10)
		if err != nil {
			return err
		}
		o.Root = data
	}
	rep, err := publisher.Verify(context.Background(), *dir, o)
	if err != nil {
		return err
	}
	for _, role := range publisher.Roles {
		fmt.Fprintf(stdout, "%-9s  expires %s\n", role, rep.Expires[role].UTC().Format(time.RFC3339))
	}
	for _, t := range slices.Sorted(maps.Keys(rep.Targets)) {
		fmt.Fprintf(stdout, "target     %s (%d bytes) ok\n", t, rep.Targets[t])
	}
	for _, name := range slices.Sorted(maps.Keys(rep.Channels)) {
		fmt.Fprintf(stdout, "channel    %s -> %s\n", name, rep.Channels[name])
	}
	if rep.TrustOnFirstUse {
		fmt.Fprintln(stdout, "note: verified from the repository's own 1.root.json; give --root to check it against the root you trust")
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

// platformPath joins a path for messages.
func platformPath(elem ...string) string { return filepath.Join(elem...) }
