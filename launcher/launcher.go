// Package launcher is rvm's flow: fetch a manifest, verify its
// trustedAppConfigs block, apply the desktop owner's settings, decide each
// permission, and start the app's runtime. The command line and the service
// both call it; the service keeps one Launcher, and with it its caches, for
// its whole life.
package launcher

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/platform"
)

// Env is the machine as the launcher sees it. Nothing in the launcher reads
// the clock, the environment or the home directory on its own.
type Env struct {
	// DataDir is rvm's data directory (caches, stored choices, logs).
	DataDir string
	// Getenv reads the environment; nil reads nothing.
	Getenv func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives every decision with its reasons.
	Log zerolog.Logger
	// TLSRoots verifies HTTPS servers; nil means the system roots.
	TLSRoots *x509.CertPool
}

// Options are the flags of one verify or launch request. They hold for that
// request alone; every cache is keyed by them.
type Options struct {
	// Platform is whose signature to verify: "win", "mac" or "linux"; ""
	// means this machine's.
	Platform string `json:"platform,omitempty"`
	// TrustRoots is a PEM bundle of trust roots replacing the configured
	// ones.
	TrustRoots string `json:"trustRoots,omitempty"`
	// MachineSettings is a machine-settings JSON file replacing every other
	// settings source.
	MachineSettings string `json:"machineSettings,omitempty"`
	// Resolve are curl-style HOST:PORT:ADDR entries.
	Resolve []string `json:"resolve,omitempty"`
}

// Check reports the first invalid option, naming it.
func (o Options) Check() error {
	switch o.Platform {
	case "", "win", "mac", "linux":
	default:
		return fmt.Errorf("--platform %q: want win, mac or linux", o.Platform)
	}
	for _, r := range o.Resolve {
		if _, _, err := manifest.ParseResolve(r); err != nil {
			return err
		}
	}
	return nil
}

// key identifies the options for caches.
func (o Options) key() string {
	r := append([]string(nil), o.Resolve...)
	sort.Strings(r)
	return strings.Join([]string{o.Platform, o.TrustRoots, o.MachineSettings, strings.Join(r, ",")}, "\x00")
}

// Launcher runs the flow. It is safe for concurrent use.
type Launcher struct {
	env Env

	mu       sync.Mutex
	fetchers map[string]*manifest.Fetcher // by resolve entries
}

// New returns a Launcher for env.
func New(env Env) *Launcher {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	return &Launcher{env: env, fetchers: map[string]*manifest.Fetcher{}}
}

// fetcher returns the shared fetcher for a set of --resolve entries, so
// that connections are reused between requests with the same entries.
func (l *Launcher) fetcher(resolve []string) (*manifest.Fetcher, error) {
	m := map[string]string{}
	for _, r := range resolve {
		from, to, err := manifest.ParseResolve(r)
		if err != nil {
			return nil, err
		}
		m[from] = to
	}
	keys := append([]string(nil), resolve...)
	sort.Strings(keys)
	k := strings.Join(keys, ",")
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.fetchers[k]; ok {
		return f, nil
	}
	f := &manifest.Fetcher{
		RootCAs:  l.env.TLSRoots,
		Resolve:  m,
		CacheDir: filepath.Join(l.env.DataDir, "cache", "manifests"),
		Now:      l.env.Now,
		Log:      l.env.Log,
	}
	l.fetchers[k] = f
	return f, nil
}

// machineSettings loads the machine settings for a request.
func (l *Launcher) machineSettings(o Options) *platform.MachineSettings {
	s := platform.LoadMachineSettings(o.MachineSettings, l.env.Getenv)
	for _, err := range s.Errors {
		l.env.Log.Warn().Err(err).Msg("machine settings")
	}
	return s
}

// trustRoots reads the trust roots of a request: --trust-roots, else the
// machine-wide TrustRootsFile; nil when neither is set.
func trustRoots(o Options, s *platform.MachineSettings) (*x509.CertPool, string, error) {
	path, source := o.TrustRoots, "--trust-roots"
	if path == "" {
		var ok bool
		if path, source, ok = s.String(platform.SettingTrustRootsFile); !ok {
			return nil, "", nil
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("launcher: trust roots %s (from %s): %w", path, source, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, "", fmt.Errorf("launcher: trust roots %s (from %s): no PEM certificate in it", path, source)
	}
	sum := sha256.Sum256(data)
	return pool, hex.EncodeToString(sum[:]), nil
}

// Verify fetches, verifies and decides, without launching and without
// prompting. An error means no decision could be made: the URL was refused,
// or the manifest could not be fetched or parsed.
func (l *Launcher) Verify(ctx context.Context, rawURL string, o Options) (*Document, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	req, err := manifest.ParseRequest(rawURL)
	if err != nil {
		return nil, err
	}
	platformName := o.Platform
	if platformName == "" {
		platformName = platform.Name()
	}
	settings := l.machineSettings(o)
	f, err := l.fetcher(o.Resolve)
	if err != nil {
		return nil, err
	}
	owner := l.ownerSettings(ctx, settings, f)
	fetched, err := f.FetchManifest(ctx, req, settings)
	if err != nil {
		return nil, err
	}
	doc := &Document{
		RequestedURL:      req.Requested,
		ManifestURL:       fetched.FinalURL,
		UserAppConfigArgs: req.UserAppConfigArgs,
		Fetch:             FetchReport{Mode: fetched.Mode, Redirects: fetched.Redirects, Warnings: nonNil(fetched.Warnings)},
		Runtime:           RuntimeRequest{Version: fetched.Manifest.Runtime.Version, Arguments: fetched.Manifest.Runtime.Arguments},
	}
	doc.Fetch.Warnings = append(doc.Fetch.Warnings, owner.warnings...)
	grants := l.trust(ctx, doc, fetched, o, settings, owner, platformName)
	l.decide(doc, fetched.Manifest, owner, grants)
	l.logDecision(doc)
	return doc, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// logDecision logs a decision with its reasons.
func (l *Launcher) logDecision(doc *Document) {
	ev := l.env.Log.Info().Str("requested", doc.RequestedURL).Str("manifest", doc.ManifestURL).
		Str("fetch", doc.Fetch.Mode).Str("trust", doc.Trust.Status).Str("code", doc.Trust.Code).
		Bool("launchAllowed", doc.Launch.Allowed)
	if doc.Trust.Reason != "" {
		ev = ev.Str("trustReason", doc.Trust.Reason)
	}
	perms := zerolog.Dict()
	for n, p := range doc.Permissions {
		perms = perms.Str(n, p.Decision+" ("+p.Source+")")
	}
	ev.Dict("permissions", perms).Msg("decision")
}
