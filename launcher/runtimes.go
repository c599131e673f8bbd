package launcher

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/launcher/runtime/install"
	"github.com/rvm-launcher/rvm/launcher/runtime/repo"
	"github.com/rvm-launcher/rvm/permissions/owner"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// The runtime a launch starts (SPEC 8 and 9).
//
// The candidates are the runtimes installed, in the system service's
// runtime directory first (Env.SystemRuntimeDir) and then in the user's
// RuntimeDirectory, and, where the owner configures a runtime repository
// (RuntimeRepository and RuntimeRepositoryRoot) and the manifest was
// strictly fetched, the repository's. Those the desktop owner does not
// allow (owner.Settings.AllowsRuntime) are taken out; the highest that
// fits runtime.version wins, installed or to be downloaded. A channel
// resolves through the repository's signed channels.json where one is
// configured (package repo: when it cannot be refreshed, the last
// verified copy resolves to installed versions only, with a notice), and
// otherwise through the user's <RuntimeDirectory>/channels/<name>.
//
// Whoever decides (this process, or a service for its peer) chooses: the
// user's RuntimeDirectory travels with a request as LocalRuntimes, so
// that a service chooses among what the user has without reading a
// folder of the peer's choosing, and the document is the same either way.
// The user's side then finds the runtime chosen in its own folders.

// Runtime states of the decision document (SPEC 6).
const (
	RuntimeInstalled = repo.StateInstalled // installed; Version is it
	RuntimeDownload  = repo.StateDownload  // not installed; the repository has Version
	RuntimeBlocked   = repo.StateBlocked   // versions fit, but the owner allows none of them
	RuntimeFailed    = repo.StateFailed    // the repository could not be read or verified, and nothing installed fits
	RuntimeMissing   = repo.StateMissing   // nothing fits at all
)

// Bounds of LocalRuntimes and of the repository's trusted root.
const (
	maxLocalVersions  = 1024
	maxLocalChannels  = 128
	maxChannelValue   = 64
	maxRepositoryRoot = 512 << 10
)

// repoMaxAge is how long a Launcher shares one refresh of a repository:
// one launch (its decision and its download) refreshes once, and a
// service's concurrent launches share it.
const repoMaxAge = time.Minute

// maxRepoClients bounds the repository clients a Launcher keeps, one for
// each repository, trusted root and set of --resolve entries.
const maxRepoClients = 8

// LocalRuntimes is what the caller's own RuntimeDirectory holds: the
// versions installed there and its channel files (channel name to what
// the file holds). A request carries it to a decider that may not read
// that folder (a service); a decider in the caller's process reads it
// itself.
type LocalRuntimes struct {
	Installed []string          `json:"installed"`
	Channels  map[string]string `json:"channels"`
}

// Check reports, naming it, the first thing wrong in lr as a peer of the
// local API sent it: more than 1,024 versions or 128 channels, a version
// that is not exact, a name that is not a channel name, or a channel file
// of more than 64 bytes.
func (lr *LocalRuntimes) Check() error {
	if len(lr.Installed) > maxLocalVersions || len(lr.Channels) > maxLocalChannels {
		return fmt.Errorf("launcher: runtimes: more than %d versions or %d channels", maxLocalVersions, maxLocalChannels)
	}
	for _, v := range lr.Installed {
		if !runtime.IsVersion(v) {
			return fmt.Errorf("launcher: runtimes: installed %q is not an exact version", v)
		}
	}
	for name, v := range lr.Channels {
		if !runtime.IsChannelName(name) {
			return fmt.Errorf("launcher: runtimes: %q is not a channel name", name)
		}
		if len(v) > maxChannelValue {
			return fmt.Errorf("launcher: runtimes: channel %s: more than %d bytes", name, maxChannelValue)
		}
	}
	return nil
}

// LocalRuntimes reads what the RuntimeDirectory in effect for r holds, for
// a request to a service.
func (l *Launcher) LocalRuntimes(r *Request) *LocalRuntimes {
	return l.readLocal(l.machineSettings(r).RuntimeDir(l.env.DataDir), true)
}

// readLocal reads the RuntimeDirectory dir, its channel files only with
// channels; what cannot be read is logged and counts as empty.
func (l *Launcher) readLocal(dir string, channels bool) *LocalRuntimes {
	lr := &LocalRuntimes{Installed: []string{}, Channels: map[string]string{}}
	rts, err := runtime.Installed(dir)
	if err != nil {
		l.env.Log.Warn().Err(err).Str("dir", dir).Msg("runtime directory unreadable")
	}
	for _, r := range rts[:min(len(rts), maxLocalVersions)] {
		lr.Installed = append(lr.Installed, r.Version)
	}
	if !channels {
		return lr
	}
	if ch, err := runtime.Channels(dir, maxLocalChannels); err != nil {
		l.env.Log.Warn().Err(err).Str("dir", dir).Msg("runtime channels unreadable")
	} else {
		lr.Channels = ch
	}
	return lr
}

// runtimePlan is what the decider of a document keeps for the launch that
// follows in its own process (PrepareRuntime): not part of the document.
type runtimePlan struct {
	client     *repo.Client // the repository, where one is configured and usable
	installDir string       // where this Launcher installs runtimes
}

// installDir is where this Launcher installs runtimes: the system
// service's runtime directory for the system service, else the
// RuntimeDirectory in effect.
func (l *Launcher) installDir(ms *settings.Machine) string {
	if l.env.SystemService && l.env.SystemRuntimeDir != "" {
		return l.env.SystemRuntimeDir
	}
	return ms.RuntimeDir(l.env.DataDir)
}

// runtimeDirs are the runtime directories looked in, the system service's
// first (SPEC 8).
func (l *Launcher) runtimeDirs(ms *settings.Machine) []string {
	var dirs []string
	if l.env.SystemRuntimeDir != "" {
		dirs = append(dirs, l.env.SystemRuntimeDir)
	}
	if own := ms.RuntimeDir(l.env.DataDir); !slices.Contains(dirs, own) {
		dirs = append(dirs, own)
	}
	return dirs
}

// ownerRules asks the owner about runtime versions, remembering why the
// highest version refused was refused.
type ownerRules struct {
	s          *owner.Settings
	why, whyOf string
}

func (o *ownerRules) allowed(v string) bool {
	ok, reason := o.s.AllowsRuntime(v)
	if !ok && (o.whyOf == "" || runtime.CompareVersions(v, o.whyOf) > 0) {
		o.why, o.whyOf = reason, v
	}
	return ok
}

// chooseRuntime fills doc.RuntimeState with the runtime to start, and
// refuses the launch where the owner allows no version that fits; see the
// comment at the top of this file. Nothing is downloaded here.
func (l *Launcher) chooseRuntime(ctx context.Context, doc *Document, r *Request, ms *settings.Machine, own owner.Loaded) {
	requested := doc.Runtime.Version
	doc.RuntimeState = RuntimeReport{Requested: requested}
	plan := &runtimePlan{installDir: l.installDir(ms)}
	doc.plan = plan
	doc.Runtime.CleanUnused = false
	if after, clean := own.Settings.UnusedRuntimeExpiry(); clean {
		doc.Runtime.CleanUnused, doc.Runtime.UnusedMinutes = true, int64(after/time.Minute)
	}
	if own.Unavailable() {
		doc.RuntimeState.State = RuntimeBlocked
		doc.RuntimeState.Reason = fmt.Sprintf("the desktop owner settings (%q) are configured but unavailable, so no runtime version is allowed", own.Source)
		return
	}
	spec, _ := runtime.ParseSpec(requested)
	local := r.Runtimes
	if local == nil {
		local = l.readLocal(ms.RuntimeDir(l.env.DataDir), spec.Channel != "")
	}
	var installed []runtime.Runtime
	if l.env.SystemRuntimeDir != "" {
		sys, err := runtime.Installed(l.env.SystemRuntimeDir)
		if err != nil {
			l.env.Log.Warn().Err(err).Msg("the system service's runtime directory is unreadable")
		}
		installed = sys
	}
	for _, v := range local.Installed {
		installed = append(installed, runtime.Runtime{Version: v})
	}
	rules := &ownerRules{s: own.Settings}
	req := repo.Request{Version: requested, Installed: installed, Allowed: rules.allowed, InstalledOnly: !doc.Authenticated()}
	var (
		ch  repo.Choice
		err error
	)
	url, root, rerr := ms.RuntimeRepository()
	configured := rerr == nil && url != ""
	if spec.IsExact() {
		// An exact version that is installed and allowed needs nothing
		// of a repository, not even its trusted root.
		if c, err := resolveInstalled(req, nil, nil); err == nil {
			ch = c
		}
	}
	switch {
	case ch.State == RuntimeInstalled:
	case configured:
		var c *repo.Client
		if c, err = l.repository(r, url, root); err == nil {
			plan.client = c
			// The refresh is shared: one caller's giving up must not
			// fail it for the others (its own timeouts bound it).
			ch, err = c.Resolve(context.WithoutCancel(ctx), req)
		} else {
			ch, err = resolveInstalled(req, nil, err)
		}
	default:
		// A repository set by halves (rerr) is no repository; the
		// user's channel files resolve channels, and where nothing
		// installed fits, the launch fails for want of it.
		ch, err = resolveInstalled(req, local.Channels, rerr)
	}
	doc.Notices = append(doc.Notices, ch.Notices...)
	rs := &doc.RuntimeState
	rs.Version = ch.Version
	var ue *repo.UnavailableError
	switch {
	case err == nil:
		rs.State = ch.State
		if ch.State == RuntimeDownload {
			rs.Reason = "not installed: the runtime repository has it, and a launch downloads it"
		}
	case errors.As(err, &ue):
		rs.State, rs.Reason = ue.State, unavailableReason(ue, rules, own.Source, configured && !req.InstalledOnly)
	default:
		rs.State, rs.Reason = RuntimeFailed, err.Error()
	}
	if rs.State == RuntimeBlocked && doc.Launch.Allowed {
		doc.Launch = LaunchDecision{Reason: rs.Reason}
	}
}

// unavailableReason words why no runtime can be used, for the document.
func unavailableReason(ue *repo.UnavailableError, rules *ownerRules, ownerSource string, fromRepository bool) string {
	want := fmt.Sprintf("version %q", ue.Requested)
	if ue.Resolved != "" {
		want += fmt.Sprintf(" (its channel names %s)", ue.Resolved)
	}
	installed := "none installed"
	if len(ue.Installed) > 0 {
		installed = "installed: " + strings.Join(ue.Installed, ", ")
	}
	switch ue.State {
	case RuntimeBlocked:
		return fmt.Sprintf("the desktop owner settings (%q) allow no runtime that fits %s: %s", ownerSource, want, rules.why)
	case RuntimeFailed:
		return fmt.Sprintf("no installed runtime fits %s (%s), and the runtime repository failed: %v", want, installed, ue.Err)
	}
	if ue.Err != nil {
		want += fmt.Sprintf(" (%v)", ue.Err)
	}
	if fromRepository {
		installed += ", and the runtime repository has none"
	}
	return fmt.Sprintf("no runtime fits %s; %s", want, installed)
}

// resolveInstalled chooses, as repo's Client.Resolve does, among the
// installed runtimes alone. channels resolve channel names (nil: none
// can be, a repository being configured); failure is why there is no
// repository where one should be (a setting set by halves, a trusted root
// that cannot be read), which makes nothing fitting a failure rather than
// missing.
func resolveInstalled(req repo.Request, channels map[string]string, failure error) (repo.Choice, error) {
	ch := repo.Choice{Requested: req.Version}
	byVersion := map[string]runtime.Runtime{}
	for _, r := range req.Installed {
		if _, ok := byVersion[r.Version]; !ok {
			byVersion[r.Version] = r
		}
	}
	var versions []string
	for v := range byVersion {
		versions = append(versions, v)
	}
	slices.SortFunc(versions, func(a, b string) int { return runtime.CompareVersions(b, a) })
	unavailable := func(state string, err error) (repo.Choice, error) {
		ch.State = state
		return ch, &repo.UnavailableError{State: state, Requested: req.Version, Resolved: ch.Resolved, Installed: versions, Err: err}
	}
	spec, err := runtime.ParseSpec(req.Version)
	if err != nil {
		return unavailable(RuntimeMissing, err)
	}
	if spec.Channel != "" {
		ch.Channel = spec.Channel
		if channels == nil {
			return unavailable(RuntimeFailed, failure)
		}
		v, ok := channels[spec.Channel]
		if !ok {
			return unavailable(RuntimeMissing, fmt.Errorf("channel %s is not set: the runtime directory has no readable channels/%s", spec.Channel, spec.Channel))
		}
		if spec, err = runtime.ParseSpec(v); err != nil || spec.Channel != "" {
			return unavailable(RuntimeMissing, fmt.Errorf("the channel file channels/%s holds %q, which is neither a version nor a wildcard", ch.Channel, v))
		}
		ch.Resolved = v
	}
	fits := false
	for _, v := range versions { // highest first
		if !spec.Fits(v) {
			continue
		}
		fits = true
		if req.Allowed == nil || req.Allowed(v) {
			ch.Version, ch.Runtime, ch.State = v, byVersion[v], RuntimeInstalled
			return ch, nil
		}
	}
	switch {
	case fits:
		return unavailable(RuntimeBlocked, nil)
	case failure != nil:
		return unavailable(RuntimeFailed, failure)
	}
	return unavailable(RuntimeMissing, nil)
}

// repoClients holds a Launcher's repository clients, at most
// maxRepoClients, the oldest let go first.
type repoClients struct {
	mu    sync.Mutex
	byKey map[string]*repo.Client
	order []string
}

// repository returns the client of the repository at url, trusting the
// root at rootPath, for the --resolve entries of r: one per Launcher, so
// that its refresh is shared.
func (l *Launcher) repository(r *Request, url, rootPath string) (*repo.Client, error) {
	root, err := platform.ReadFileLimit(rootPath, maxRepositoryRoot)
	if err != nil {
		return nil, fmt.Errorf("launcher: RuntimeRepositoryRoot %s: %w", rootPath, err)
	}
	sum := sha256.Sum256(root)
	key := strings.Join([]string{strings.TrimRight(url, "/"), hex.EncodeToString(sum[:]), r.transportKey}, "\x00")
	rc := &l.repos
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if c, ok := rc.byKey[key]; ok {
		return c, nil
	}
	c, err := repo.New(repo.Options{URL: url, Root: root, DataDir: l.env.DataDir, Fetcher: l.fetcher(r), Now: l.env.Now, MaxAge: repoMaxAge,
		ServerHints: true, Jitter: l.store.Jitter("runtime-repository")})
	if err != nil {
		return nil, err
	}
	if rc.byKey == nil {
		rc.byKey = map[string]*repo.Client{}
	}
	rc.byKey[key] = c
	rc.order = append(rc.order, key)
	if len(rc.order) > maxRepoClients {
		delete(rc.byKey, rc.order[0])
		rc.order = rc.order[1:]
	}
	return c, nil
}

// PrepareRuntime does, in this process, what a launch needs of its
// runtime before it starts, where doc (decided by this Launcher) lets the
// app launch: it downloads, verifies and installs the version chosen
// where it is to be downloaded (into the system service's runtime
// directory for the system service, else the RuntimeDirectory in
// effect), telling progress (nil: nobody) how the download goes, and doc
// then says installed, or failed and why. Where the owner sets
// cleanUnusedRuntimes, it then removes from that folder the runtimes not
// launched for unusedRuntimeExpirationInMinutes, never the one chosen nor
// one in use. A service calls it for its peer's launch; LaunchVia where
// it decided in-process.
func (l *Launcher) PrepareRuntime(ctx context.Context, doc *Document, progress func(done, total int64)) {
	if doc.plan == nil || !doc.Launch.Allowed {
		return
	}
	l.download(ctx, doc, progress)
	l.pruneAtLaunch(doc, doc.plan.installDir)
}

// pruneAtLaunch removes from dir the runtimes that the owner's
// cleanUnusedRuntimes says are unused, keeping the one doc launches.
func (l *Launcher) pruneAtLaunch(doc *Document, dir string) {
	if !doc.Runtime.CleanUnused {
		return
	}
	removed, err := install.Prune(dir, time.Duration(doc.Runtime.UnusedMinutes)*time.Minute, l.env.Now(), doc.RuntimeState.Version)
	if err != nil {
		l.env.Log.Warn().Err(err).Str("dir", dir).Msg("unused runtimes not all removed")
	}
	if len(removed) > 0 {
		l.env.Log.Info().Strs("removed", removed).Str("dir", dir).Msg("unused runtimes removed (cleanUnusedRuntimes)")
	}
}

// RuntimeError reports a launch whose runtime cannot be started: State is
// the document's runtime.state (failed or missing) and Reason says why.
// `rvm launch` exits 1.
type RuntimeError struct {
	Requested, State, Reason string
}

func (e *RuntimeError) Error() string {
	return fmt.Sprintf("launcher: no runtime to start for version %q (%s): %s", e.Requested, e.State, e.Reason)
}

// runtimeToStart finds the runtime doc chose in this user's runtime
// directories, the system service's first; the error is a *RuntimeError
// where there is none to start. A runtime of the system service's folder
// is started only where no one but an administrator could have replaced
// it.
func (l *Launcher) runtimeToStart(doc *Document, ms *settings.Machine) (runtime.Runtime, error) {
	rs := &doc.RuntimeState
	fail := func(state, reason string) (runtime.Runtime, error) {
		rs.State, rs.Reason = state, reason
		return runtime.Runtime{}, &RuntimeError{Requested: rs.Requested, State: state, Reason: reason}
	}
	if rs.State != RuntimeInstalled {
		return runtime.Runtime{}, &RuntimeError{Requested: rs.Requested, State: rs.State, Reason: rs.Reason}
	}
	for _, dir := range l.runtimeDirs(ms) {
		rts, _ := runtime.Installed(dir)
		i := slices.IndexFunc(rts, func(r runtime.Runtime) bool { return r.Version == rs.Version })
		if i < 0 {
			continue
		}
		if dir == l.env.SystemRuntimeDir {
			if err := platform.CheckExecutable(rts[i].Path, false); err != nil {
				return fail(RuntimeFailed, fmt.Sprintf("runtime %s of the system service's runtime directory is not started: %v", rs.Version, err))
			}
		}
		return rts[i], nil
	}
	return fail(RuntimeMissing, fmt.Sprintf("runtime %s is no longer installed in %s", rs.Version, strings.Join(l.runtimeDirs(ms), " or ")))
}
