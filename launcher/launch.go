package launcher

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/pattern"
	"github.com/rvm-launcher/rvm/platform/prompt"
	"github.com/rvm-launcher/rvm/platform/settings"
	"github.com/rvm-launcher/rvm/platform/syslog"
)

// RefusedError reports a launch that the desktop owner's policy refuses
// (allowedManifestUrls leaves the manifest out, or the owner settings are
// unavailable): `rvm launch` exits 3.
type RefusedError struct {
	URL    string
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("launcher: launch of %q refused: %s", e.URL, e.Reason)
}

// CancelledError reports a launch that the user cancelled at a prompt (end
// of input, Ctrl-C): nothing was stored and nothing started. `rvm launch`
// exits 4.
type CancelledError struct {
	URL string
	Err error
}

func (e *CancelledError) Error() string {
	return fmt.Sprintf("launcher: launch of %q cancelled: %v", e.URL, e.Err)
}

func (e *CancelledError) Unwrap() error { return e.Err }

// Prompter asks the user one question (see prompt.Env.Ask). An error
// wrapping prompt.ErrCancelled cancels the launch; any other leaves the
// answer as it says (prompt.NoAnswer: denied for this launch). prompt.All
// counts only where the question offers it.
type Prompter func(ctx context.Context, q prompt.Question) (prompt.Answer, error)

// PrompterFor asks through env (see prompt.Env): a native dialog, the
// terminal, or, where there is neither, nobody.
func PrompterFor(env prompt.Env) Prompter {
	return func(ctx context.Context, q prompt.Question) (prompt.Answer, error) {
		a, _, err := env.Ask(ctx, q)
		return a, err
	}
}

// VerifyVia is Decide, done by the service where one answers (Remote); what
// belongs to this user (stored answers) then applies on this side, as
// Verify applies it. Nothing is downloaded.
func (l *Launcher) VerifyVia(ctx context.Context, r *Request) (*Document, error) {
	defer l.holdSettings(r)()
	doc, _, err := l.decideVia(ctx, false, r)
	if err != nil {
		return nil, err
	}
	l.userSide(doc, r)
	l.LogDecision(doc, "")
	return doc, nil
}

// decideVia asks the service where one answers, else decides in-process:
// Decide, without this user's side (see userSide). remote reports that
// the service decided (and, for a launch, prepared the runtime).
func (l *Launcher) decideVia(ctx context.Context, launch bool, r *Request) (doc *Document, remote bool, err error) {
	l.distrusts(r)
	doc, err = l.remoteDecide(ctx, launch, r)
	if errors.Is(err, ErrNoService) {
		doc, err = l.Decide(ctx, r)
		return doc, false, err
	}
	return doc, err == nil, err
}

// distrusts puts into r the signers that this user distrusts (SPEC 5.7),
// which whoever decides treats as revoked. A store that cannot be read
// distrusts none; the user side then says so in a notice (see userSide).
func (l *Launcher) distrusts(r *Request) {
	snap, err := permissions.OpenStore(l.env.DataDir, l.env.UserID).Snapshot()
	if err != nil {
		l.env.Log.Warn().Err(err).Msg("stored signer trusts unreadable; no signer distrusted")
		return
	}
	r.stored = snap
	r.Options.DistrustedSigners = snap.Distrusted()
}

// remoteDecide asks the service; ErrNoService where there is none, or
// where the request depends on what it cannot carry. The request carries
// this process's RVM_MACHINE_SETTINGS (SPEC 7), as an absolute path, where
// it names no settings file of its own, and what this user's runtime
// directory holds; without a settings file, this user's per-user settings
// sources are files and keys that only this process reads, so where they
// change anything but the runtime directory (which this side applies: see
// userSide) the request is decided in-process.
func (l *Launcher) remoteDecide(ctx context.Context, launch bool, r *Request) (*Document, error) {
	if l.Remote == nil {
		return nil, ErrNoService
	}
	o := r.Options
	if o.MachineSettings == "" && l.env.MachineSettings != "" {
		abs, err := filepath.Abs(l.env.MachineSettings)
		if err != nil {
			return nil, fmt.Errorf("launcher: RVM_MACHINE_SETTINGS %s: %w", l.env.MachineSettings, err)
		}
		o.MachineSettings = abs
	}
	if o.MachineSettings == "" {
		if source := l.perUserSettings(l.machineSettings(r)); source != "" {
			l.env.Log.Debug().Str("source", source).Msg("per-user machine settings apply, which a request cannot carry; deciding in-process")
			return nil, ErrNoService
		}
	}
	call := RemoteCall{Launch: launch, URL: r.URL.Requested, Options: o, Runtimes: l.LocalRuntimes(r)}
	if launch {
		call.Progress = l.progressOfService()
	}
	doc, err := l.Remote.Decide(ctx, call)
	if err != nil {
		return nil, err
	}
	doc.DecidedBy.By = ByService
	if doc.Notices == nil {
		doc.Notices = []string{}
	}
	return doc, nil
}

// perUserSettings names the first per-user settings source that changes
// all, this user's machine settings (from every source), the runtime
// directory aside: "" where the owner sources alone give the same values,
// errors and notices.
func (l *Launcher) perUserSettings(all *settings.Machine) string {
	srcs := l.sources()
	owner := settings.Sources{Owner: srcs.Owner}.Load("")
	for name, v := range all.Values {
		if name != settings.RuntimeDirectory && v != owner.Values[name] {
			return v.Source
		}
	}
	if len(all.Errors) != len(owner.Errors) || len(all.Notices) != len(owner.Notices) {
		names := make([]string, len(srcs.User))
		for i, src := range srcs.User {
			names[i] = src.Name
		}
		return strings.Join(names, ", ")
	}
	return ""
}

// progress is what shows the download of the runtime version to the
// user (Env.Progress); nil shows nothing.
func (l *Launcher) progress(version string) func(done, total int64) {
	if l.env.Progress == nil {
		return nil
	}
	return l.env.Progress("runtime " + version)
}

// progressOfService shows the progress of a download the service makes.
func (l *Launcher) progressOfService() func(version string, done, total int64) {
	var (
		shown string
		show  func(done, total int64)
	)
	return func(version string, done, total int64) {
		if version != shown {
			shown, show = version, l.progress(version)
		}
		if show != nil {
			show(done, total)
		}
	}
}

// LaunchVia decides (through the service where one answers), makes sure
// the runtime is installed (downloading it, with progress, where it is to
// be: the service does that into its own runtime directory), asks the user
// about each permission the decision leaves at prompt and stores the
// answers, writes the decision document and starts the runtime detached.
// It returns the final decision and the runtime's process id. A launch
// refused by policy (the owner's allowedManifestUrls, a runtime version
// the owner does not allow) is a *RefusedError, one the user cancelled a
// *CancelledError, each with the decision; one without a runtime to start
// a *RuntimeError.
func (l *Launcher) LaunchVia(ctx context.Context, r *Request, ask Prompter) (*Document, int, error) {
	defer l.holdSettings(r)()
	if err := l.refuseLinkEarly(ctx, r); err != nil {
		return nil, 0, err
	}
	doc, remote, err := l.decideVia(ctx, true, r)
	if err != nil {
		return nil, 0, err
	}
	if remote {
		// The service prepared the runtime in its folder; the user's
		// folder is this side's.
		if doc.Launch.Allowed {
			l.pruneAtLaunch(doc, l.machineSettings(r).RuntimeDir(l.env.DataDir))
		}
	} else {
		var progress func(done, total int64)
		if doc.RuntimeState.State == RuntimeDownload {
			progress = l.progress(doc.RuntimeState.Version)
		}
		l.PrepareRuntime(ctx, doc, progress)
	}
	rt, rterr := l.userSide(doc, r)
	l.LogDecision(doc, "")
	if !doc.Launch.Allowed {
		l.env.Log.Warn().Bool(syslog.SecurityField, true).Str("manifest", doc.ManifestURL).Str("reason", doc.Launch.Reason).Msg("launch refused by policy")
		return doc, 0, &RefusedError{URL: doc.ManifestURL, Reason: doc.Launch.Reason}
	}
	if rterr != nil {
		l.env.Log.Warn().Err(rterr).Str("manifest", doc.ManifestURL).Msg("launch failed: no runtime")
		return doc, 0, rterr
	}
	if err := l.prompt(ctx, doc, ask); err != nil {
		return doc, 0, err
	}
	// Filtered again where the decision was made: the arguments pass the
	// same rules on this side of the local API.
	args := l.filterArguments(doc)
	started, err := rt.Start(runtime.StartOptions{
		ManifestURL: doc.ManifestURL,
		Manifest:    doc.Runtime.Manifest,
		Decision:    doc.JSON(),
		Arguments:   args,
		DataDir:     l.env.DataDir,
		Now:         l.env.Now,
		Log:         l.env.Log,
	})
	if err != nil {
		l.env.Log.Warn().Err(err).Str("manifest", doc.ManifestURL).Str("runtime", rt.Version).Msg("launch failed: the runtime did not start")
		return doc, 0, err
	}
	l.env.Log.Info().Str("manifest", doc.ManifestURL).Str("runtime", rt.Version).Int("pid", started.PID).Str("output", started.Output).Msg("runtime started")
	return doc, started.PID, nil
}

// refuseLinkEarly refuses a link launch that the owner's linkHandler
// refuses whatever the manifest holds, before anything is fetched (SPEC
// 7): links turned off, desktop owner settings that cannot be read (they
// may turn links off), or a linkHandler.allowedManifestUrls that does not
// admit the requested URL even for a strictly fetched manifest. A web page
// then cannot make rvm contact the server it names. What the list admits
// only for a strictly fetched manifest, and the final URL, are decided
// after the fetch, as for any launch.
func (l *Launcher) refuseLinkEarly(ctx context.Context, r *Request) error {
	if !r.URL.Link {
		return nil
	}
	own := l.ownerSettings(ctx, l.machineSettings(r), l.fetcher(r))
	r.owner = &own // for an in-process decision, which need not read them again
	u, uerr := pattern.ParseURL(r.URL.URL, pattern.Owner)
	var reason string
	switch allowed, why := own.Settings.AllowedLinkLaunch(u, true); {
	case own.Unavailable():
		reason = fmt.Sprintf("the desktop owner settings (%q) are configured but unavailable, and may turn links off", own.Source)
	case uerr != nil:
		reason = "the link's URL does not parse as a URL the owner's allow-lists can match: " + uerr.Error()
	case !allowed:
		reason = why
	default:
		return nil
	}
	l.env.Log.Warn().Str("requested", r.URL.Requested).Str("reason", reason).Bool(syslog.SecurityField, true).Msg("link launch refused before any fetch")
	return &RefusedError{URL: r.URL.Requested, Reason: "a link launch: " + reason}
}

// prompt asks about every prompt permission of doc, one question each, in
// name order (SPEC 5.6), and resolves each with source user: granted on a
// yes, denied otherwise. Where the user may trust the block's signer
// (doc.Trust.UserSignerTrust, SPEC 5.7), a question also offers all: that
// stores a trust in the signer, and it and every question left are then
// answered by the chain (permissions.ApplyAnswers: user-signer), without
// asking. Only when every question is answered are the answers stored,
// and only those that were a clear yes or no to a manifest that was
// strictly fetched: an unauthenticated manifest's hold for this launch
// alone. A question the user cancels (end of input, Ctrl-C) cancels the
// launch, with nothing stored: a *CancelledError, and doc.Launch says
// so. A store that cannot be written is logged: the answers still hold
// for this launch. Every answer is logged (SPEC 7): the permission, the
// answer and whether it was stored.
func (l *Launcher) prompt(ctx context.Context, doc *Document, ask Prompter) error {
	var names []string
	for n, p := range doc.Permissions {
		if p.Verdict == permissions.Prompt {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	authenticated := doc.Authenticated()
	offerAll := doc.Trust.UserSignerTrust && doc.Trust.Status == StatusTrusted && authenticated
	answers := make([]prompt.Answer, 0, len(names))
	all := false
	for _, n := range names {
		p := doc.Permissions[n]
		a := prompt.NoAnswer
		switch {
		case all:
			// The trust in the signer answered it.
			answers = append(answers, prompt.All)
			continue
		case ask != nil:
			var err error
			a, err = ask(ctx, prompt.Question{Text: question(doc, n, p, offerAll), OfferAll: offerAll})
			if errors.Is(err, prompt.ErrCancelled) {
				doc.Launch = LaunchDecision{Reason: "the user cancelled the launch at the question about " + n + ": nothing was stored and nothing started"}
				l.logAnswers(doc, names, answers, nil)
				l.env.Log.Warn().Bool(syslog.SecurityField, true).Str("manifest", doc.ManifestURL).Str("permission", n).Msg("launch cancelled by the user")
				return &CancelledError{URL: doc.ManifestURL, Err: err}
			}
			if err != nil {
				l.env.Log.Warn().Err(err).Str("permission", n).Msg("no answer; denied for this launch")
			}
		}
		answers = append(answers, a)
		if a == prompt.All && offerAll {
			all = true
			permissions.ApplyAnswers(doc.Permissions, permissions.Stored{SignerTrusted: true}, authenticated)
			continue
		}
		doc.Permissions[n] = p.Answer(a == prompt.Yes)
	}
	stored := make([]bool, len(names))
	s := permissions.OpenStore(l.env.DataDir, l.env.UserID)
	var signer string
	if doc.Trust.Status == StatusTrusted {
		signer = doc.Trust.SignerSPKI
	}
	signerStored := false
	if all {
		_, err := s.SetSigner(signer, doc.Trust.Signer, true)
		if err != nil {
			l.env.Log.Warn().Err(err).Str("signer", signer).Msg("could not store the user's trust in the signer; it holds for this launch")
		}
		signerStored = err == nil
	}
	for i, n := range names {
		switch {
		case answers[i] == prompt.All:
			stored[i] = signerStored
			continue
		case answers[i] == prompt.NoAnswer || !authenticated:
			continue
		}
		d := doc.Permissions[n]
		if err := s.Set(doc.ManifestURL, n, d.Constraints, d.Granted(), signer); err != nil {
			l.env.Log.Warn().Err(err).Str("permission", n).Msg("could not store the user's answer; it holds for this launch")
			continue
		}
		stored[i] = true
	}
	l.logAnswers(doc, names, answers, stored)
	return nil
}

// logAnswers logs each answer given to the questions about names (answers
// holds the first len(answers)), and whether it was stored (stored nil:
// none was), each also to the system log (SPEC 10).
func (l *Launcher) logAnswers(doc *Document, names []string, answers []prompt.Answer, stored []bool) {
	for i, a := range answers {
		l.env.Log.Info().Bool(syslog.SecurityField, true).Str("manifest", doc.ManifestURL).Str("permission", names[i]).Stringer("answer", a).
			Bool("stored", stored != nil && stored[i]).Bool("authenticated", doc.Authenticated()).Msg("the user's answer")
	}
}

// question is what the user is asked about the permission name that d
// leaves at prompt (SPEC 5.6): the app (its signed name where the block is
// trusted, otherwise "unverified" and the manifest's name), the host of
// the manifest URL in ASCII, the signer where trusted, the constraints
// shown, that the manifest is unauthenticated where it is, how long the
// answer holds, and where offerAll, what the answer all does (SPEC 5.7).
// Text from outside is quoted, and prompt.Ask escapes what a screen would
// not show.
func question(doc *Document, name string, d permissions.Decision, offerAll bool) string {
	var b strings.Builder
	host := hostOf(doc.ManifestURL)
	if doc.Trust.Status == StatusTrusted && len(doc.Trust.Apps) > 0 {
		fmt.Fprintf(&b, "The app %q from %s, signed by %q, asks to use %s", doc.Trust.Apps[0], host, doc.Trust.Signer, name)
	} else {
		app := doc.Runtime.AppName
		if app == "" {
			app = "(no name)"
		}
		fmt.Fprintf(&b, "The unverified app %q from %s asks to use %s", app, host, name)
	}
	if len(d.Constraints) > 0 {
		fmt.Fprintf(&b, " with %s", compact(d.Constraints))
	}
	b.WriteString(".\n")
	if doc.Authenticated() {
		fmt.Fprintf(&b, "Your answer is remembered; to take it back: rvm permissions revoke %s %s\n", doc.ManifestURL, name)
	} else {
		b.WriteString("WARNING: this manifest is unauthenticated (it did not come through a strict HTTPS fetch): anyone on the network could have written it.\nYour answer holds for this launch only.\n")
	}
	if offerAll {
		fmt.Fprintf(&b, "Answer a (all) to say yes to every question from the apps signed by %q (key %s), now and later; to take that back: rvm permissions revoke --signer %s\n", doc.Trust.Signer, doc.Trust.SignerSPKI, doc.Trust.SignerSPKI)
	}
	fmt.Fprintf(&b, "Allow %s?", name)
	return b.String()
}

// hostOf is the host of the manifest URL in its ASCII form.
func hostOf(manifestURL string) string {
	if u, err := pattern.ParseURL(manifestURL, pattern.Owner); err == nil {
		return u.Host
	}
	if u, err := url.Parse(manifestURL); err == nil {
		return fmt.Sprintf("%q", u.Hostname())
	}
	return fmt.Sprintf("%q", manifestURL)
}

// compact is constraints on one line, as JSON.
func compact(constraints jsontext.Value) string {
	c := constraints.Clone()
	if c.Compact() != nil {
		return string(constraints) // strict JSON always compacts
	}
	return string(c)
}

// filterArguments drops from doc's runtime arguments what SPEC 8 says a
// manifest may not pass (but what the owner's allowedRuntimeArguments let
// through), each with a notice, and returns what is passed.
func (l *Launcher) filterArguments(doc *Document) runtime.Arguments {
	args := runtime.FilterArguments(doc.Runtime.Arguments, runtime.ArgumentPolicy{
		StrictlyFetched: doc.Authenticated(),
		Allowed:         doc.Runtime.AllowedArguments,
	})
	doc.Runtime.Arguments = args.List()
	doc.Notices = append(doc.Notices, args.Notices...)
	return args
}
