// Package launcher is rvm's flow: fetch a manifest, verify its
// trustedAppConfigs block, apply the desktop owner's settings, decide each
// permission, and start the app's runtime. The command line and the service
// both call it; the service keeps one Launcher, and with it its caches, for
// its whole life.
package launcher

import (
	"context"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/singleflight"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/trust"
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
	if o.Platform != "" && !trust.KnownPlatform(o.Platform) {
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

	trustCache *trust.Cache
	// fetches makes concurrent requests for one manifest (with the same
	// options) share one fetch.
	fetches singleflight.Group

	mu       sync.Mutex
	fetchers map[string]*manifest.Fetcher // by resolve entries
	// While the settings are watched (see Watch), settings holds the
	// machine's own settings until settingsStale says they changed.
	watched       bool
	settingsStale bool
	settings      *platform.MachineSettings
}

// New returns a Launcher for env.
func New(env Env) *Launcher {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	return &Launcher{env: env, trustCache: &trust.Cache{}, fetchers: map[string]*manifest.Fetcher{}}
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

// machineSettings loads the machine settings for a request. A request with
// its own settings file reads it; otherwise, while the settings are
// watched, the machine's settings are read again only after a change, and
// a change that brings errors where the settings in use had none is
// ignored (logged) so that the last good settings stay.
func (l *Launcher) machineSettings(o Options) *platform.MachineSettings {
	if o.MachineSettings != "" {
		return l.loadSettings(o.MachineSettings)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.watched && !l.settingsStale && l.settings != nil {
		return l.settings
	}
	s := l.loadSettings("")
	if l.watched {
		l.settingsStale = false
		if len(s.Errors) > 0 && l.settings != nil && len(l.settings.Errors) == 0 {
			l.env.Log.Error().Errs("errors", s.Errors).Msg("invalid machine settings change ignored; the last good settings stay")
			return l.settings
		}
		l.settings = s
	}
	return s
}

func (l *Launcher) loadSettings(override string) *platform.MachineSettings {
	s := platform.LoadMachineSettings(override, l.env.Getenv)
	for _, err := range s.Errors {
		l.env.Log.Warn().Err(err).Msg("machine settings")
	}
	return s
}

// trustRoots reads the trust roots of a request: --trust-roots, else the
// machine-wide TrustRootsFile; nil (trusting nothing) when neither is set.
func trustRoots(o Options, s *platform.MachineSettings) (*trust.Roots, error) {
	path, source := o.TrustRoots, "--trust-roots"
	if path == "" {
		var ok bool
		if path, source, ok = s.String(platform.SettingTrustRootsFile); !ok {
			return nil, nil
		}
		source = "TrustRootsFile in " + source
	}
	data, err := platform.ReadFileLimit(path, maxTrustRoots)
	if err != nil {
		return nil, fmt.Errorf("trust roots %s (from %s): %w", path, source, err)
	}
	return trust.ParseRoots(data, path+" (from "+source+")")
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
	fetched, err := l.fetchShared(ctx, f, req, settings, o)
	if err != nil {
		return nil, err
	}
	doc := &Document{
		RequestedURL:      req.Requested,
		ManifestURL:       fetched.FinalURL,
		UserAppConfigArgs: req.UserAppConfigArgs,
		Fetch:             FetchReport{Mode: fetched.Mode, Redirects: fetched.Redirects, Warnings: append([]string{}, fetched.Warnings...)},
		Runtime:           RuntimeRequest{Version: fetched.Manifest.Runtime.Version, Arguments: fetched.Manifest.Runtime.Arguments},
	}
	doc.Fetch.Warnings = append(doc.Fetch.Warnings, owner.warnings...)
	for _, err := range settings.Errors {
		doc.Fetch.Warnings = append(doc.Fetch.Warnings, "machine settings: "+err.Error())
	}
	grants := l.trust(ctx, doc, fetched, o, settings, owner, platformName, f)
	l.decide(doc, fetched.Manifest, owner, grants)
	l.logDecision(doc)
	return doc, nil
}

// fetchShared fetches the manifest of req, sharing one fetch among the
// requests for the same URL with the same options that arrive while it
// runs. The shared fetch is not cancelled when one of its callers gives
// up; the fetcher's own timeouts bound it.
func (l *Launcher) fetchShared(ctx context.Context, f *manifest.Fetcher, req *manifest.Request, settings *platform.MachineSettings, o Options) (*manifest.Fetched, error) {
	ch := l.fetches.DoChan(req.URL+"\x00"+o.key(), func() (any, error) {
		return f.FetchManifest(context.WithoutCancel(ctx), req, settings)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*manifest.Fetched), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
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
