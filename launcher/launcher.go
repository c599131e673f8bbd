// Package launcher is rvm's flow: fetch a manifest, verify its
// trustedAppConfigs block, apply the desktop owner's settings, decide each
// permission into a decision document, and start the app's runtime. The
// command line and the service both call it; the service keeps one
// Launcher, and with it its caches, for its whole life. The local API
// (package api), the service (package service) and runtimes (package
// runtime) live below it.
package launcher

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/singleflight"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions/owner"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/settings"
	"github.com/rvm-launcher/rvm/platform/syslog"
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
	// MachineSettings is the settings file that RVM_MACHINE_SETTINGS names
	// for this process: it stands in for a request's --machine-settings
	// where the request gives none.
	MachineSettings string
	// UserID is the id of the user this process runs as, whose stored
	// answers apply and who decidedBy names; "" means platform.UserID().
	UserID string
	// Settings are where the machine settings are read from; nil means
	// this platform's (settings.PlatformSources, with Getenv).
	Settings *settings.Sources
	// SystemRuntimeDir is the system service's runtime directory
	// (<system data>/runtime), looked in before the user's
	// RuntimeDirectory (SPEC 8); "" looks in none, as where RVM_HOME is
	// set.
	SystemRuntimeDir string
	// SystemService marks the system service's Launcher, which installs
	// runtimes into SystemRuntimeDir; any other installs them into the
	// RuntimeDirectory in effect.
	SystemService bool
	// Progress, where set, makes what shows a runtime download's progress
	// to the user, labelled label (package progress: a bar on a terminal,
	// nil elsewhere); nil shows nothing.
	Progress func(label string) func(done, total int64)
}

// Remote is a service that decides on the launcher's behalf (package api's
// Client): Decide returns ErrNoService where none answers, or where the
// service leaves the request to the caller.
type Remote interface {
	Decide(ctx context.Context, call RemoteCall) (*Document, error)
}

// RemoteCall is one request to a Remote.
type RemoteCall struct {
	// Launch asks for a launch (the service then downloads the runtime
	// where it is to be); otherwise a verify.
	Launch bool
	// URL is the launch URL as given.
	URL     string
	Options Options
	// Runtimes is what the caller's RuntimeDirectory holds.
	Runtimes *LocalRuntimes
	// Progress, where set, is told how a runtime download that the
	// service makes for a launch goes.
	Progress func(version string, done, total int64)
}

// ErrNoService reports that no service decided a request.
var ErrNoService = errors.New("launcher: no service answered")

// Launcher runs the flow. It is safe for concurrent use.
type Launcher struct {
	env Env
	// Remote, when set, decides VerifyVia and LaunchVia requests where a
	// service answers.
	Remote Remote

	trustCache *trust.Cache
	store      *fetch.Store // manifests, owner settings, CRLs
	// fetches makes concurrent requests for one manifest (with the same
	// options) share one fetch.
	fetches singleflight.Group

	fetchers fetcherCache // by resolve entries, bounded
	repos    repoClients  // runtime repositories, bounded

	mu sync.Mutex
	// While the settings are watched (see Watch), settings holds the
	// machine's own settings until settingsStale says they changed.
	watched       bool
	settingsStale bool
	settings      *settings.Machine
}

// New returns a Launcher for env.
func New(env Env) *Launcher {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.UserID == "" {
		env.UserID = platform.UserID()
	}
	return &Launcher{
		env:        env,
		trustCache: &trust.Cache{},
		store:      &fetch.Store{Dir: filepath.Join(env.DataDir, "cache"), Now: env.Now},
	}
}

// DataDir is the launcher's data directory.
func (l *Launcher) DataDir() string { return l.env.DataDir }

// fetcher returns the shared fetcher for the --resolve entries and the
// environment of r (its TLS roots and proxies: see Options.Environment),
// so that connections are reused between requests that reach servers the
// same way, and only between those. TLS roots that the environment names
// are read when its fetcher is made, as a process reads its system roots
// once.
func (l *Launcher) fetcher(r *Request) *fetch.Fetcher {
	return l.fetchers.get(r.transportKey, func() *fetch.Fetcher {
		roots := platform.TLSRoots(r.getenv)
		if roots == nil {
			roots = l.env.TLSRoots
		}
		return &fetch.Fetcher{RootCAs: roots, Resolve: r.resolve, Proxy: r.proxy}
	})
}

// machineSettings loads the machine settings for a request. A request with
// its own settings file (or a process with RVM_MACHINE_SETTINGS) reads it;
// otherwise, while the settings are watched, the machine's settings are
// read again only after a change, and a change that brings errors where
// the settings in use had none is ignored (logged) so that the last good
// settings stay.
func (l *Launcher) machineSettings(r *Request) *settings.Machine {
	if r.machine != nil {
		return r.machine
	}
	return l.requestSettings(r)
}

// holdSettings reads the machine settings for r once for one verify or
// launch, which asks for them at each step (the runtimes it reports, the
// decision, its user side), and returns what lets them go: a request
// used again reads them anew.
func (l *Launcher) holdSettings(r *Request) (release func()) {
	r.machine = l.requestSettings(r)
	return func() { r.machine = nil }
}

// requestSettings loads the machine settings for r (see machineSettings).
func (l *Launcher) requestSettings(r *Request) *settings.Machine {
	if r.Options.MachineSettings != "" {
		return l.loadSettings(r.Options.MachineSettings)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.watched && !l.settingsStale && l.settings != nil {
		return l.settings
	}
	s := l.loadSettings(l.env.MachineSettings)
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

func (l *Launcher) loadSettings(override string) *settings.Machine {
	s := l.sources().Load(override)
	for _, err := range s.Errors {
		l.env.Log.Warn().Err(err).Msg("machine settings")
	}
	return s
}

// sources are where the machine settings are read from: Env.Settings, or
// this platform's.
func (l *Launcher) sources() settings.Sources {
	if l.env.Settings != nil {
		return *l.env.Settings
	}
	return settings.PlatformSources(l.env.Getenv)
}

// ownerSettings loads the desktop owner settings that ms points at.
func (l *Launcher) ownerSettings(ctx context.Context, ms *settings.Machine, f *fetch.Fetcher) owner.Loaded {
	value, setBy, invalid := ms.OwnerLocation()
	ld := &owner.Loader{HTTP: f, Store: l.store, Now: l.env.Now, Log: l.env.Log}
	return ld.Load(ctx, owner.Location{Value: value, SetBy: setBy, Invalid: invalid})
}

// requestOwner is the desktop owner settings for the decision on r: what
// the link launch's early check read for it, once, else read now.
func (l *Launcher) requestOwner(ctx context.Context, r *Request, ms *settings.Machine, f *fetch.Fetcher) owner.Loaded {
	if own := r.owner; own != nil {
		r.owner = nil
		return *own
	}
	return l.ownerSettings(ctx, ms, f)
}

// trustRoots reads the trust roots of a request: the TrustRootsFile that
// an owner source sets (a request that also names --trust-roots is refused
// before it gets here: see refuseTrustRoots), else --trust-roots; nil
// (trusting nothing) when neither is set. A TrustRootsFile that failed
// closed trusts nothing, and the error says why.
func trustRoots(r *Request, s *settings.Machine) (*trust.Roots, error) {
	path, source, set := s.TrustRootsFile()
	switch {
	case set && path == "":
		return nil, fmt.Errorf("launcher: no trust roots: TrustRootsFile in %s could not be read or holds an invalid value, which trusts nothing", source)
	case set:
		source = "TrustRootsFile in " + source
	case r.Options.TrustRoots != "":
		path, source = r.Options.TrustRoots, "--trust-roots"
	default:
		return nil, nil
	}
	data, err := platform.ReadFileLimit(path, MaxTrustRoots)
	if err != nil {
		return nil, fmt.Errorf("trust roots %s (from %s): %w", path, source, err)
	}
	return trust.ParseRoots(data, path+" (from "+source+")")
}

// refuseTrustRoots refuses --trust-roots where an owner source sets
// TrustRootsFile (SPEC 1: an owner who wants no per-call roots sets it),
// as an *OptionError naming the setting and its source.
func refuseTrustRoots(r *Request, s *settings.Machine) error {
	if _, source, set := s.TrustRootsFile(); set && r.Options.TrustRoots != "" {
		return &OptionError{fmt.Errorf("launcher: --trust-roots refused: the owner source %s sets TrustRootsFile, and then only the roots it names count", source)}
	}
	return nil
}

// Verify fetches, verifies and decides in this process, without launching
// and without prompting: Decide, then what belongs to this user (stored
// answers, runtimes). An error means no decision could be made: the URL or
// an option was refused, or the manifest could not be fetched or parsed.
func (l *Launcher) Verify(ctx context.Context, rawURL string, o Options) (*Document, error) {
	r, err := NewRequest(rawURL, o, platform.Name())
	if err != nil {
		return nil, err
	}
	defer l.holdSettings(r)()
	l.distrusts(r)
	doc, err := l.Decide(ctx, r)
	if err != nil {
		return nil, err
	}
	l.userSide(doc, r)
	l.LogDecision(doc, "")
	return doc, nil
}

// Decide fetches, verifies and decides for a request already checked, as a
// service does for its callers: with the owner sources and the request's
// per-call inputs, but without a user's stored answers and runtimes, which
// the caller applies (see Verify and VerifyVia). It does not log the
// decision: whoever completes it does (LogDecision).
func (l *Launcher) Decide(ctx context.Context, r *Request) (*Document, error) {
	ms := l.machineSettings(r)
	if err := refuseTrustRoots(r, ms); err != nil {
		return nil, err
	}
	f := l.fetcher(r)
	own := l.requestOwner(ctx, r, ms, f)
	fetched, err := l.fetchShared(ctx, f, r, ms)
	if err != nil {
		return nil, err
	}
	m := fetched.Manifest
	sum := sha256.Sum256(fetched.Body)
	doc := &Document{
		RequestedURL:      r.URL.Requested,
		ManifestURL:       fetched.FinalURL,
		ManifestSHA256:    hex.EncodeToString(sum[:]),
		UserAppConfigArgs: r.URL.UserAppConfigArgs,
		DecidedBy:         DecidedBy{By: ByInProcess, UID: l.env.UserID},
		Fetch:             FetchReport{Mode: fetched.Mode, Redirects: fetched.Redirects, Age: int64(fetched.Age.Seconds()), Warnings: append([]string{}, fetched.Warnings...)},
		RuntimeState:      RuntimeReport{Requested: m.Runtime.Version},
		Notices:           append([]string{}, m.Notices...),
		Runtime:           RuntimeRequest{Version: m.Runtime.Version, Arguments: m.Runtime.Arguments, AppName: m.Name, Manifest: fetched.Body},
		settings:          ms,
	}
	doc.Runtime.AllowedArguments = own.Settings.RuntimeArguments()
	l.filterArguments(doc)
	doc.Fetch.Warnings = append(doc.Fetch.Warnings, own.Warnings...)
	// What rvm leaves out of the owner's file, and the per-user settings
	// that could not apply, in every decision (SPEC 4).
	doc.Notices = append(doc.Notices, own.Notices()...)
	for _, n := range ms.Notices {
		doc.Notices = append(doc.Notices, "machine settings: "+n)
	}
	for _, err := range ms.Errors {
		doc.Fetch.Warnings = append(doc.Fetch.Warnings, "machine settings: "+err.Error())
	}
	grants := l.trust(ctx, doc, fetched, r, ms, own, f)
	l.decide(doc, r.URL, m, own, grants)
	l.chooseRuntime(ctx, doc, r, ms, own)
	return doc, nil
}

// fetchShared fetches the manifest of r, sharing one fetch among the
// requests for the same URL with the same options that arrive while it
// runs. The shared fetch is not cancelled when one of its callers gives
// up; the fetcher's own timeouts bound it.
func (l *Launcher) fetchShared(ctx context.Context, f *fetch.Fetcher, r *Request, ms *settings.Machine) (*manifest.Fetched, error) {
	mf := &manifest.Fetcher{HTTP: f, Cache: l.store, CacheKey: r.key(), CacheMaxAge: ms.CachedManifestMaxAge(), Now: l.env.Now, Log: l.env.Log}
	ch := l.fetches.DoChan(r.URL.URL+"\x00"+r.key(), func() (any, error) {
		return mf.FetchManifest(context.WithoutCancel(ctx), r.URL, fetchPolicy(ms.HTTPS()))
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*manifest.Fetched), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fetchPolicy is the HTTPS settings as a manifest fetch applies them.
func fetchPolicy(h settings.HTTPS) manifest.Policy {
	return manifest.Policy{
		InvalidCertificates: manifest.Allowance(h.InvalidCertificates),
		HTTPSToHTTP:         manifest.Allowance(h.HTTPSToHTTP),
		HTTPStart:           manifest.Allowance(h.HTTPStart),
	}
}

// LogDecision logs a decision with its reasons (SPEC 7): the URLs, who
// decided, how the manifest was fetched, the trust verdict and why, whether
// it may launch and why not, the runtime, and each permission's verdict,
// source and policy. peerUID, where not "", is the user a service decided
// for. A block that is not trusted is also a "trust failure" for the
// system log (SPEC 10), sent by the process that decided: a document the
// service decided was sent there by the service.
func (l *Launcher) LogDecision(doc *Document, peerUID string) {
	if doc.Trust.Status == StatusUntrusted && doc.DecidedBy.By != ByService {
		ev := l.env.Log.Warn().Bool(syslog.SecurityField, true).Str("manifest", doc.ManifestURL).
			Str("code", doc.Trust.Code).Str("reason", doc.Trust.Reason)
		if peerUID != "" {
			ev = ev.Str("peerUid", peerUID)
		}
		ev.Msg("trust failure")
	}
	ev := l.env.Log.Info().Str("requested", doc.RequestedURL).Str("manifest", doc.ManifestURL).
		Str("decidedBy", doc.DecidedBy.By).Str("fetch", doc.Fetch.Mode).
		Str("trust", doc.Trust.Status).Str("code", doc.Trust.Code).
		Bool("launchAllowed", doc.Launch.Allowed)
	if peerUID != "" {
		ev = ev.Str("peerUid", peerUID)
	}
	if doc.Trust.Reason != "" {
		ev = ev.Str("trustReason", doc.Trust.Reason)
	}
	if doc.Trust.Signer != "" {
		ev = ev.Str("signer", doc.Trust.Signer).Strs("apps", doc.Trust.Apps)
	}
	if doc.Launch.Reason != "" {
		ev = ev.Str("launchReason", doc.Launch.Reason)
	}
	if doc.RuntimeState.State != "" {
		ev = ev.Str("runtime", doc.RuntimeState.State)
	}
	if doc.RuntimeState.Version != "" {
		ev = ev.Str("runtimeVersion", doc.RuntimeState.Version)
	}
	perms := zerolog.Dict()
	for n, p := range doc.Permissions {
		d := zerolog.Dict().Str("decision", p.Verdict.String()).Str("source", string(p.Source))
		if p.Policy != "" {
			d = d.Str("policy", p.Policy)
		}
		perms = perms.Dict(n, d)
	}
	ev.Dict("permissions", perms).Msg("decision")
}

// KeepSettings keeps the machine settings of this Launcher cached until
// SettingsChanged: for a service whose settings are watched.
func (l *Launcher) KeepSettings() {
	l.mu.Lock()
	l.watched = true
	l.settingsStale = true
	l.mu.Unlock()
}

// SettingsChanged tells the Launcher that the machine settings (or the
// desktop owner settings file) may have changed: the next request reads
// them again, and the verified blocks are dropped.
func (l *Launcher) SettingsChanged() {
	l.mu.Lock()
	l.settingsStale = true
	l.mu.Unlock()
	l.trustCache.Purge()
}

// OwnerFile is the local desktop owner settings file that the machine
// settings name, for watching; "" where they name none or a remote one.
func (l *Launcher) OwnerFile() string {
	value, _, _ := l.loadSettings(l.env.MachineSettings).OwnerLocation()
	return owner.LocalPath(value)
}

// LinksRefused reports whether the owner's desktop owner settings keep
// fins:// and fin:// links from launching anything (linkHandler.enabled
// false, SPEC 7), or cannot be read, so that nothing can be known: `rvm
// service install` then registers no URL schemes. reason says why.
func (l *Launcher) LinksRefused(ctx context.Context) (refused bool, reason string) {
	r, _ := ParseOptions(Options{}, "") // no option: no error
	ms := l.machineSettings(r)
	own := l.ownerSettings(ctx, ms, l.fetcher(r))
	switch {
	case own.Unavailable():
		return true, fmt.Sprintf("the desktop owner settings (%q) cannot be read, and may turn links off", own.Source)
	case own.Settings.LinksDisabled():
		return true, fmt.Sprintf("the desktop owner settings (%q) turn links off (linkHandler.enabled is false)", own.Source)
	}
	return false, ""
}
