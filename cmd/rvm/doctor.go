package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/launcher/doctor"
	"github.com/rvm-launcher/rvm/platform"
	platformservice "github.com/rvm-launcher/rvm/platform/service"
)

// doctorCommand is rvm doctor (SPEC 10).
var doctorCommand = &command{
	name:    "doctor",
	summary: "check the machine as its desktop owner would want it",
	about:   "Exit 0 when no check failed (warnings allowed), 1 otherwise.\n",
	setup: func(fs *flag.FlagSet) runner {
		var (
			opts    doctor.Options
			resolve resolveFlag
			asJSON  = fs.Bool("json", false, `print the report as JSON: {"checks": [{"name", "status", "detail"}]}`)
		)
		fs.StringVar(&opts.TrustRoots, "trust-roots", "", "a PEM `FILE` of trust roots to check, where no owner source sets TrustRootsFile")
		fs.Var(&resolve, "resolve", "each `HOST:PORT:ADDR` reaches the desktop owner settings or the runtime repository at ADDR, TLS still verifying HOST (repeatable)")
		return func(ctx context.Context, c *cli, args []string) int {
			if code, ok := c.wantArgs(args, 0, 0, "no arguments"); !ok {
				return code
			}
			opts.Resolve = resolve
			return c.doctor(ctx, opts, *asJSON)
		}
	},
}

// doctor runs the checks and prints the report: exit 0 when no check
// failed (warnings allowed), 1 otherwise.
func (c *cli) doctor(ctx context.Context, opts doctor.Options, asJSON bool) int {
	dir, err := platform.DataDir(os.Getenv)
	if err != nil {
		return c.fail(exitFailed, err)
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
		return c.usageError("%s", err)
	case err != nil:
		return c.fail(exitFailed, err)
	}
	if asJSON {
		out, _ := json.MarshalIndent(report, "", "  ")
		fmt.Fprintf(c.stdout, "%s\n", out)
	} else {
		report.WriteText(c.stdout)
	}
	if report.Failed() {
		return exitFailed
	}
	return exitOK
}
