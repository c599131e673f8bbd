// Package doctor checks a machine as its desktop owner would want it
// (SPEC 10): what `rvm doctor` reports, and what a fleet script reads from
// `rvm doctor --json`:
//
//	{"checks": [{"name": "machine-settings", "status": "ok", "detail": "..."}, ...]}
//
// Each check has a name, a status (ok, warning or failed) and one
// sentence of detail, in which text from outside (paths, URLs, values) is
// quoted. The names are stable, in this order, so that scripts may key on
// them:
//
//   - machine-settings: the machine settings are readable and valid
//     (failed otherwise, naming the source and the fault; a per-user value
//     that does not apply is a warning);
//   - allow-invalid-network-certificates,
//     allow-https-to-http-network-redirects,
//     allow-http-to-https-network-redirects: each HTTPS setting is 0 (ok),
//     set to 1 (failed) or unset, which counts as 1 (warning);
//   - desktop-owner-settings: the desktop owner settings are reachable and
//     fully understood (failed where there is no good copy, warning where
//     the last good copy stands in, and for the notices of the copy in
//     use);
//   - trust-roots: the trust roots (TrustRootsFile, else --trust-roots)
//     read, none expiring within 90 days (warning, naming the certificate
//     and the date, also for one that has expired; failed where they
//     cannot be read, which trusts nothing);
//   - signed-blocks: the trustedAppConfigs blocks of the manifests in this
//     user's cache that verify with those roots, none expiring within 90
//     days (warning, naming the certificate and the date);
//   - trust-roots-file-protected, runtime-repository-root-protected:
//     TrustRootsFile and RuntimeRepositoryRoot can be replaced by
//     administrators only (failed where the file or a folder above it is
//     another's or writable by others: platform.CheckAdminOnly);
//   - runtime-repository: the runtime repository is reachable, its root
//     and targets metadata not expiring within 7 days (warning otherwise,
//     also where it is unreachable or its metadata has expired: installed
//     runtimes still launch); failed where what it serves does not verify
//     (signatures, a rollback, a file not the one signed) or its trusted
//     root cannot be used; ok where none is configured;
//   - service: the service is installed and answers (warning where not);
//   - service-files: the service's folder and socket have the owners and
//     modes of SPEC 7 (failed otherwise: platform.CheckServiceFiles).
//
// The checks read the settings the service reads, with the same loaders
// (platform/settings, permissions/owner), and ask the service where one
// answers. Each check is a small function over its inputs; Run gathers
// them from Env.
package doctor

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/permissions/owner"
	"github.com/rvm-launcher/rvm/platform/prompt"
	platformservice "github.com/rvm-launcher/rvm/platform/service"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// Status is the outcome of a check.
type Status string

// The statuses, from the best.
const (
	OK      Status = "ok"
	Warning Status = "warning"
	Failed  Status = "failed"
)

// worse reports whether s is worse than t.
func (s Status) worse(t Status) bool { return rank[s] > rank[t] }

var rank = map[Status]int{OK: 0, Warning: 1, Failed: 2}

// The names of the checks (see the package doc).
const (
	NameMachineSettings      = "machine-settings"
	NameOwnerSettings        = "desktop-owner-settings"
	NameTrustRoots           = "trust-roots"
	NameSignedBlocks         = "signed-blocks"
	NameTrustRootsFile       = "trust-roots-file-protected"
	NameRepositoryRoot       = "runtime-repository-root-protected"
	NameRuntimeRepository    = "runtime-repository"
	NameService              = "service"
	NameServiceFiles         = "service-files"
	NameInvalidCertificates  = "allow-invalid-network-certificates"
	NameHTTPSToHTTPRedirects = "allow-https-to-http-network-redirects"
	NameHTTPToHTTPSRedirects = "allow-http-to-https-network-redirects"
)

// Check is the outcome of one check.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Detail is one sentence: what was found, and where.
	Detail string `json:"detail"`
}

// Report is every check, in the order of the package doc: what
// `rvm doctor --json` prints.
type Report struct {
	Checks []Check `json:"checks"`
}

// Failed reports whether a check failed: `rvm doctor` then exits 1.
func (r *Report) Failed() bool {
	for _, c := range r.Checks {
		if c.Status == Failed {
			return true
		}
	}
	return false
}

// WriteText writes the report for a person: a line for each check, its
// status, name and detail (shown as prompt.Printable shows text from
// outside), and a line that counts them.
func (r *Report) WriteText(w io.Writer) {
	counts := map[Status]int{}
	for _, c := range r.Checks {
		counts[c.Status]++
		fmt.Fprintf(w, "%-8s %-38s %s\n", c.Status, c.Name, prompt.Printable(c.Detail))
	}
	fmt.Fprintf(w, "%d ok, %s, %d failed\n", counts[OK], plural(counts[Warning], "warning"), counts[Failed])
}

// Env is the machine as the checks see it. Nothing here reads the clock,
// the environment or the network on its own.
type Env struct {
	// DataDir is the data directory of the user who runs the checks:
	// the last good copy of the desktop owner settings, the cached
	// manifests and the runtime repository's metadata are there.
	DataDir string
	// Getenv reads the environment (the per-user settings sources'
	// folders); nil reads nothing.
	Getenv func(string) string
	// MachineSettings is the settings file that RVM_MACHINE_SETTINGS
	// names, standing in for the per-user sources; "" for none.
	MachineSettings string
	// Settings are where the machine settings are read from; nil means
	// this platform's (settings.PlatformSources, with Getenv).
	Settings *settings.Sources
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TLSRoots verify HTTPS servers; nil means the system roots.
	TLSRoots *x509.CertPool
	// Platform is whose signature a signed block is verified for: this
	// machine's ("win", "mac" or "linux").
	Platform string
	// Log receives what the loaders log; the zero Logger is disabled.
	Log zerolog.Logger
	// Service is rvm's background service.
	Service Service
}

// Service is rvm's background service as the checks see it.
type Service struct {
	// State asks the service manager about the service; nil means there
	// is none to ask.
	State func() (platformservice.State, error)
	// Socket is where the service answers (rvm.sock in its data
	// directory).
	Socket string
	// System tells a system service (root's files, a socket open to every
	// user) from a per-user one (this user's files, private).
	System bool
}

// Options are the per-call inputs of a run, as `rvm doctor` takes them.
type Options struct {
	// TrustRoots is a PEM bundle of trust roots (--trust-roots), checked
	// where no owner source sets TrustRootsFile.
	TrustRoots string
	// Resolve are curl-style HOST:PORT:ADDR entries (--resolve), for the
	// desktop owner settings and the runtime repository.
	Resolve []string
}

// Run runs every check. Its error, a *launcher.OptionError, is an option
// that is wrong: a --resolve entry that does not parse, or --trust-roots
// where an owner source sets TrustRootsFile (SPEC 1).
func Run(ctx context.Context, env Env, o Options) (*Report, error) {
	now := env.Now
	if now == nil {
		now = time.Now
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	resolve := map[string]string{}
	for _, e := range o.Resolve {
		from, to, err := fetch.ParseResolve(e)
		if err != nil {
			return nil, &launcher.OptionError{Err: err}
		}
		resolve[from] = to
	}
	srcs := env.Settings
	if srcs == nil {
		p := settings.PlatformSources(env.Getenv)
		srcs = &p
	}
	ms := srcs.Load(env.MachineSettings)
	if _, source, set := ms.TrustRootsFile(); set && o.TrustRoots != "" {
		return nil, &launcher.OptionError{Err: fmt.Errorf("doctor: --trust-roots refused: the owner source %s sets TrustRootsFile, and then only the roots it names count", source)}
	}
	f := &fetch.Fetcher{RootCAs: env.TLSRoots, Resolve: resolve}
	store := &fetch.Store{Dir: filepath.Join(env.DataDir, "cache"), Now: now}
	loader := &owner.Loader{HTTP: f, Store: store, Now: now, Log: env.Log}

	r := &Report{}
	r.Checks = append(r.Checks, checkMachineSettings(ms))
	r.Checks = append(r.Checks, checkHTTPS(ms)...)
	own, ownCheck := checkOwnerSettings(ctx, loader, ms)
	r.Checks = append(r.Checks, ownCheck)
	roots, rootsCheck := checkTrustRoots(ms, o.TrustRoots, now())
	r.Checks = append(r.Checks, rootsCheck)
	r.Checks = append(r.Checks,
		checkSignedBlocks(ctx, store, roots, own.Settings, env.Platform, now()),
		checkTrustRootsFile(ms),
		checkRepositoryRoot(ms),
		checkRepository(ctx, ms, repoInputs{dataDir: env.DataDir, fetcher: f, now: now}),
		checkService(ctx, env.Service),
		checkServiceFiles(env.Service),
	)
	return r, nil
}
