package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/launcher/doctor"
	"github.com/rvm-launcher/rvm/platform"
	platformservice "github.com/rvm-launcher/rvm/platform/service"
)

// runDoctor checks the machine as its desktop owner would want it (SPEC
// 10): exit 0 when no check failed (warnings allowed), 1 otherwise.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("rvm doctor", "rvm doctor [--json] [--trust-roots FILE] [--resolve HOST:PORT:ADDR]...", stderr)
	var (
		opts    doctor.Options
		resolve resolveFlag
		asJSON  = fs.Bool("json", false, `print the report as JSON: {"checks": [{"name", "status", "detail"}]}`)
	)
	fs.StringVar(&opts.TrustRoots, "trust-roots", "", "PEM bundle of trust roots to check, where no owner source sets TrustRootsFile")
	fs.Var(&resolve, "resolve", "HOST:PORT:ADDR: reach the desktop owner settings or the runtime repository at ADDR, still verifying TLS for HOST (repeatable)")
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "rvm doctor: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	opts.Resolve = resolve
	dir, err := platform.DataDir(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitFailed
	}
	// The service this user's commands would ask: with RVM_HOME, the one
	// of that data directory; else the system service.
	svc := doctor.Service{Socket: filepath.Join(platform.SystemDataDir(), api.SocketName), System: true}
	if os.Getenv("RVM_HOME") != "" {
		svc = doctor.Service{Socket: filepath.Join(dir, api.SocketName)}
	}
	svc.State = func() (platformservice.State, error) {
		cfg, err := platformservice.NewConfig(!svc.System, "")
		if err != nil {
			return platformservice.State{}, err
		}
		return platformservice.Status(cfg)
	}
	report, err := doctor.Run(ctx, doctor.Env{
		DataDir:         dir,
		Getenv:          os.Getenv,
		MachineSettings: os.Getenv("RVM_MACHINE_SETTINGS"),
		Platform:        platform.Name(),
		Service:         svc,
	}, opts)
	var bad *launcher.OptionError
	switch {
	case errors.As(err, &bad):
		fmt.Fprintf(stderr, "rvm doctor: %s\n", printable(err))
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "rvm: %s\n", printable(err))
		return exitFailed
	}
	if *asJSON {
		out, _ := json.MarshalIndent(report, "", "  ")
		fmt.Fprintf(stdout, "%s\n", out)
	} else {
		report.WriteText(stdout)
	}
	if report.Failed() {
		return exitFailed
	}
	return exitOK
}
