package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

var permissionsCommand = &command{
	name:    "permissions",
	summary: "your stored answers to rvm's questions",
	subs: []*command{
		{name: "list", summary: "list the stored answers", setup: func(fs *flag.FlagSet) runner {
			asJSON := fs.Bool("json", false, "print the answers as JSON")
			return func(_ context.Context, c *cli, args []string) int {
				if code, ok := c.wantArgs(args, 0, 0, "no arguments"); !ok {
					return code
				}
				return c.listPermissions(*asJSON)
			}
		}},
		{name: "revoke", args: "[--] URL [PERMISSION]", summary: "forget the answers for URL (one permission, or all)", setup: func(*flag.FlagSet) runner {
			return func(_ context.Context, c *cli, args []string) int {
				if code, ok := c.wantArgs(args, 1, 2, "a URL and at most one permission"); !ok {
					return code
				}
				var name string
				if len(args) == 2 {
					name = args[1]
				}
				return c.revokePermissions(args[0], name)
			}
		}},
	},
}

// store is this user's stored answers.
func (c *cli) store() (*permissions.Store, error) {
	dir, err := platform.DataDir(os.Getenv)
	if err != nil {
		return nil, err
	}
	return permissions.OpenStore(dir, platform.UserID()), nil
}

func (c *cli) listPermissions(asJSON bool) int {
	store, err := c.store()
	if err != nil {
		return c.fail(exitFailed, err)
	}
	choices, err := store.List()
	if err != nil {
		return c.fail(exitFailed, err)
	}
	if asJSON {
		if choices == nil {
			choices = []permissions.Choice{}
		}
		out, _ := json.MarshalIndent(choices, "", "  ")
		fmt.Fprintf(c.stdout, "%s\n", out)
		return exitOK
	}
	if len(choices) == 0 {
		fmt.Fprintln(c.stdout, "no stored answers")
	}
	// The store is a file: what it holds is shown as text from outside.
	for _, ch := range choices {
		fmt.Fprintf(c.stdout, "%-8s %-34s %s\n", ch.Decision.String(), prompt.Printable(ch.Permission), prompt.Printable(ch.URL))
	}
	return exitOK
}

func (c *cli) revokePermissions(url, name string) int {
	store, err := c.store()
	if err != nil {
		return c.fail(exitFailed, err)
	}
	// Answers are stored by manifest URL: a fins:// link names one.
	if req, err := manifest.ParseRequest(url); err == nil {
		url = req.URL
	}
	n, err := store.Revoke(url, name)
	if err != nil {
		return c.fail(exitFailed, err)
	}
	if n == 0 {
		fmt.Fprintf(c.stdout, "no stored answers for %s\n", prompt.Printable(url))
		return exitOK
	}
	fmt.Fprintf(c.stdout, "revoked %d stored answer(s) for %s\n", n, prompt.Printable(url))
	return exitOK
}
