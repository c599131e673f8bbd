package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
)

const permissionsUsage = `Usage:
  rvm permissions list [--json]            the stored answers of users
  rvm permissions revoke URL [PERMISSION]  forget the answers for URL (one, or all)
`

func runPermissions(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, permissionsUsage)
		return exitUsage
	}
	dir, err := platform.DataDir(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "rvm: %v\n", err)
		return exitFailed
	}
	store := permissions.OpenStore(dir, platform.UserID())
	switch args[0] {
	case "list":
		fs := newFlagSet("rvm permissions list", "rvm permissions list [--json]", stderr)
		asJSON := fs.Bool("json", false, "print the answers as JSON")
		if code, done := parse(fs, args[1:]); done {
			return code
		}
		if fs.NArg() != 0 {
			fmt.Fprintf(stderr, "rvm permissions list: unexpected argument %q\n", fs.Arg(0))
			return exitUsage
		}
		choices, err := store.List()
		if err != nil {
			fmt.Fprintf(stderr, "rvm: %v\n", err)
			return exitFailed
		}
		if *asJSON {
			if choices == nil {
				choices = []permissions.Choice{}
			}
			out, _ := json.MarshalIndent(choices, "", "  ")
			fmt.Fprintf(stdout, "%s\n", out)
			return exitOK
		}
		if len(choices) == 0 {
			fmt.Fprintln(stdout, "no stored answers")
		}
		for _, c := range choices {
			fmt.Fprintf(stdout, "%-8s %-34s %s\n", c.Decision, c.Permission, c.URL)
		}
		return exitOK
	case "revoke":
		fs := newFlagSet("rvm permissions revoke", "rvm permissions revoke [--] URL [PERMISSION]", stderr)
		if code, done := parse(fs, args[1:]); done {
			return code
		}
		if fs.NArg() < 1 || fs.NArg() > 2 {
			fmt.Fprint(stderr, permissionsUsage)
			return exitUsage
		}
		// Answers are stored by manifest URL: a fins:// link names one.
		url := fs.Arg(0)
		if req, err := manifest.ParseRequest(url); err == nil {
			url = req.URL
		}
		n, err := store.Revoke(url, fs.Arg(1))
		if err != nil {
			fmt.Fprintf(stderr, "rvm: %v\n", err)
			return exitFailed
		}
		if n == 0 {
			fmt.Fprintf(stdout, "no stored answers for %s\n", url)
			return exitOK
		}
		fmt.Fprintf(stdout, "revoked %d stored answer(s) for %s\n", n, url)
		return exitOK
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, permissionsUsage)
		return exitOK
	}
	fmt.Fprintf(stderr, "rvm permissions: unknown command %q\n%s", args[0], permissionsUsage)
	return exitUsage
}
