package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
)

func runSettings(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("rvm settings", "rvm settings [--json] [--machine-settings FILE] [--resolve HOST:PORT:ADDR]...", stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	var (
		opts    launcher.Options
		resolve resolveFlag
	)
	fs.StringVar(&opts.MachineSettings, "machine-settings", "", "settings JSON file standing in for the per-user settings sources; the owner's still apply (also RVM_MACHINE_SETTINGS)")
	fs.Var(&resolve, "resolve", "HOST:PORT:ADDR: reach a remote desktop owner settings file at ADDR, still verifying TLS for HOST (repeatable)")
	if code, done := parse(fs, args); done {
		return code
	}
	opts.Resolve = resolve
	req, err := launcher.ParseOptions(opts, "")
	if err != nil {
		fmt.Fprintf(stderr, "rvm settings: %v\n", err)
		return exitUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "rvm settings: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	env, closer, err := environment(stderr, zerolog.ErrorLevel, false, false)
	if err != nil {
		fmt.Fprintf(stderr, "rvm: %v\n", err)
		return exitFailed
	}
	defer closer.Close()
	report := launcher.New(env).Settings(ctx, req)
	if *asJSON {
		out, _ := json.MarshalIndent(report, "", "  ")
		fmt.Fprintf(stdout, "%s\n", out)
	} else {
		report.WriteText(stdout)
	}
	// Notices are allowed; an error (a DOS served from its last good copy
	// included) is not.
	if len(report.Errors) > 0 {
		return exitFailed
	}
	return exitOK
}
