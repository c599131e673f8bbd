package main

import (
	"context"
	"flag"
	"os"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
)

var settingsCommand = &command{
	name:    "settings",
	summary: "the effective machine and desktop owner settings, each value with its source",
	about:   "Exit 0 when there is no error (notices allowed), 1 when there is one.\n",
	setup: func(fs *flag.FlagSet) runner {
		asJSON := fs.Bool("json", false, "print the report as JSON")
		var (
			opts    launcher.Options
			resolve resolveFlag
		)
		fs.StringVar(&opts.MachineSettings, "machine-settings", "", "a settings JSON `FILE` standing in for the per-user settings sources; the owner's still apply (also RVM_MACHINE_SETTINGS)")
		fs.Var(&resolve, "resolve", "each `HOST:PORT:ADDR` reaches a remote desktop owner settings file at ADDR, TLS still verifying HOST (repeatable)")
		return func(ctx context.Context, c *cli, args []string) int {
			if code, ok := c.wantArgs(args, 0, 0, "no arguments"); !ok {
				return code
			}
			opts.Resolve = resolve
			return c.settings(ctx, opts, *asJSON)
		}
	},
}

func (c *cli) settings(ctx context.Context, opts launcher.Options, asJSON bool) int {
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
	report := launcher.New(env).Settings(ctx, req)
	if asJSON {
		c.stdout.Write(report.JSON())
	} else {
		report.WriteText(c.stdout)
	}
	// Notices are allowed; an error (a DOS served from its last good copy
	// included) is not.
	if len(report.Errors) > 0 {
		return exitFailed
	}
	return exitOK
}
