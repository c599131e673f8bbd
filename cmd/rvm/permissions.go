package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

var permissionsCommand = &command{
	name:    "permissions",
	summary: "your stored answers to rvm's questions, and the signers you trust",
	subs: []*command{
		{name: "list", summary: "list the stored answers and signer trusts", setup: func(fs *flag.FlagSet) runner {
			asJSON := fs.Bool("json", false, "print the answers and signer trusts as JSON")
			return func(_ context.Context, c *cli, args []string) int {
				if code, ok := c.wantArgs(args, 0, 0, "no arguments"); !ok {
					return code
				}
				return c.listPermissions(*asJSON)
			}
		}},
		{name: "revoke", args: "[--] URL [PERMISSION]", summary: "forget the answers for URL (one permission, or all), or with --signer a signer trust", setup: func(fs *flag.FlagSet) runner {
			signer := fs.String("signer", "", "forget your trust (or distrust) of the signer whose key is `SPKI` (64 hex digits, as rvm permissions list shows it)")
			return func(_ context.Context, c *cli, args []string) int {
				if *signer != "" {
					if code, ok := c.wantArgs(args, 0, 0, "no arguments with --signer"); !ok {
						return code
					}
					return c.revokeSigner(*signer)
				}
				if code, ok := c.wantArgs(args, 1, 2, "a URL and at most one permission, or --signer SPKI"); !ok {
					return code
				}
				var name string
				if len(args) == 2 {
					name = args[1]
				}
				return c.revokePermissions(args[0], name)
			}
		}},
		{name: "distrust", args: "--signer SPKI", summary: "distrust a signer: its blocks count as revoked for you, and your answers to its apps are forgotten", setup: func(fs *flag.FlagSet) runner {
			signer := fs.String("signer", "", "the signer's key, `SPKI` (64 hex digits, as rvm permissions list and the decision's trust.signerSpki show it)")
			return func(_ context.Context, c *cli, args []string) int {
				if code, ok := c.wantArgs(args, 0, 0, "no arguments"); !ok {
					return code
				}
				if *signer == "" {
					return c.usageError("want --signer SPKI")
				}
				return c.distrustSigner(*signer)
			}
		}},
	},
}

// signerKey checks a --signer value: the SHA-256 of a SubjectPublicKeyInfo
// in 64 hex digits of either case, lower-cased; else a usage error.
func (c *cli) signerKey(spki string) (string, int, bool) {
	key := strings.ToLower(strings.TrimPrefix(spki, "spki:"))
	if !permissions.IsSPKI(key) {
		return "", c.usageError("--signer %q: want 64 hex digits, the SHA-256 of the signing certificate's SubjectPublicKeyInfo (as rvm permissions list shows it)", spki), false
	}
	return key, 0, true
}

func (c *cli) revokeSigner(spki string) int {
	key, code, ok := c.signerKey(spki)
	if !ok {
		return code
	}
	store, err := c.store()
	if err != nil {
		return c.fail(exitFailed, err)
	}
	found, err := store.RevokeSigner(key)
	if err != nil {
		return c.fail(exitFailed, err)
	}
	if !found {
		fmt.Fprintf(c.stdout, "no stored trust in the signer %s\n", key)
		return exitOK
	}
	fmt.Fprintf(c.stdout, "forgot the signer %s\n", key)
	return exitOK
}

func (c *cli) distrustSigner(spki string) int {
	key, code, ok := c.signerKey(spki)
	if !ok {
		return code
	}
	store, err := c.store()
	if err != nil {
		return c.fail(exitFailed, err)
	}
	removed, err := store.SetSigner(key, "", false)
	if err != nil {
		return c.fail(exitFailed, err)
	}
	fmt.Fprintf(c.stdout, "distrusted the signer %s: its blocks are revoked for you; removed %d stored answer(s) to its apps\n", key, removed)
	return exitOK
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
	signers, err := store.Signers()
	if err != nil {
		return c.fail(exitFailed, err)
	}
	if asJSON {
		all := struct {
			Choices []permissions.Choice `json:"choices"`
			Signers []permissions.Signer `json:"signers"`
		}{append([]permissions.Choice{}, choices...), append([]permissions.Signer{}, signers...)}
		out, _ := json.MarshalIndent(all, "", "  ")
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
	if len(signers) == 0 {
		fmt.Fprintln(c.stdout, "no stored signer trusts")
	}
	for _, g := range signers {
		word := "distrusted"
		if g.Trusted {
			word = "trusted"
		}
		fmt.Fprintf(c.stdout, "%-10s signer %s %q\n", word, g.SPKI, g.Name)
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
