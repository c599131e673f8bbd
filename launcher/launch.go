package launcher

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

// RefusedError reports a launch that the desktop owner's policy refuses
// (allowedManifestUrls leaves the manifest out): `rvm launch` exits 3.
type RefusedError struct {
	URL    string
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("launcher: launch of %s refused: %s", e.URL, e.Reason)
}

// Prompter asks the user whether an app may use a permission. answered is
// false where no one can be asked (no display, no terminal): the
// permission is then denied and nothing is stored.
type Prompter func(ctx context.Context, question string) (granted, answered bool)

// VerifyVia is Decide, done by the service where one answers (Remote); the
// user's own stored answers then apply on this side.
func (l *Launcher) VerifyVia(ctx context.Context, r *Request) (*Document, error) {
	return l.decideVia(ctx, false, r)
}

// decideVia asks the service where one answers, else decides in-process.
// The request carries this process's RVM_MACHINE_SETTINGS (SPEC 7), as an
// absolute path, where it names no settings file of its own.
func (l *Launcher) decideVia(ctx context.Context, launch bool, r *Request) (*Document, error) {
	if l.Remote != nil {
		o := r.Options
		if o.MachineSettings == "" && l.env.MachineSettings != "" {
			abs, err := filepath.Abs(l.env.MachineSettings)
			if err != nil {
				return nil, fmt.Errorf("launcher: RVM_MACHINE_SETTINGS %s: %w", l.env.MachineSettings, err)
			}
			o.MachineSettings = abs
		}
		doc, err := l.Remote.Decide(ctx, launch, r.URL.Requested, o)
		if err == nil {
			l.applyAnswers(doc)
			return doc, nil
		}
		if !errors.Is(err, ErrNoService) {
			return nil, err
		}
	}
	return l.Decide(ctx, r)
}

// applyAnswers applies this user's stored answers to a decision made by a
// service, which may run as another user with a store of its own.
func (l *Launcher) applyAnswers(doc *Document) {
	answers, err := permissions.OpenStore(l.env.DataDir).ForURL(doc.ManifestURL)
	if err != nil {
		l.env.Log.Warn().Err(err).Msg("stored user choices unreadable; asking again")
		return
	}
	permissions.ApplyAnswers(doc.Permissions, answers)
}

// LaunchVia decides (through the service where one answers), asks the user
// about each permission the decision leaves at prompt and stores the
// answers, writes the decision document and starts the runtime detached.
// It returns the final decision and the runtime's process id. A launch
// refused by policy is a *RefusedError, with the decision.
func (l *Launcher) LaunchVia(ctx context.Context, r *Request, ask Prompter) (*Document, int, error) {
	doc, err := l.decideVia(ctx, true, r)
	if err != nil {
		return nil, 0, err
	}
	if !doc.Launch.Allowed {
		return doc, 0, &RefusedError{URL: doc.ManifestURL, Reason: doc.Launch.Reason}
	}
	l.prompt(ctx, doc, ask)
	dir := l.machineSettings(r).RuntimeDir(l.env.DataDir)
	rt, err := runtime.Resolve(dir, doc.Runtime.Version)
	if err != nil {
		return doc, 0, err
	}
	args := runtime.FilterArguments(doc.Runtime.Arguments, runtime.ArgumentPolicy{
		StrictlyFetched: doc.Fetch.Mode == manifest.ModeStrict || doc.Fetch.Mode == manifest.ModeCache,
		// The owner settings do not carry allowedRuntimeArguments yet:
		// every switch of SPEC 8's list is dropped.
		Allowed: nil,
	})
	doc.Fetch.Warnings = append(doc.Fetch.Warnings, args.Notices...)
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
		return doc, 0, err
	}
	l.env.Log.Info().Str("manifest", doc.ManifestURL).Str("runtime", rt.Version).Int("pid", started.PID).Str("output", started.Output).Msg("runtime started")
	return doc, started.PID, nil
}

// prompt asks about every prompt permission of doc, in name order, and
// stores each answer. A store that cannot be written is logged: the answer
// still holds for this launch.
func (l *Launcher) prompt(ctx context.Context, doc *Document, ask Prompter) {
	var names []string
	for n, p := range doc.Permissions {
		if p.Verdict == permissions.Prompt {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return
	}
	sort.Strings(names)
	store := permissions.OpenStore(l.env.DataDir)
	var errs []error
	for _, n := range names {
		p := doc.Permissions[n]
		granted, answered := false, false
		if ask != nil {
			granted, answered = ask(ctx, fmt.Sprintf("Allow the app at %s to use %s?", doc.ManifestURL, n))
		}
		if !answered {
			p.Verdict = permissions.Denied
			doc.Permissions[n] = p
			continue
		}
		doc.Permissions[n] = p.Answer(granted)
		if err := store.Set(doc.ManifestURL, n, granted); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		l.env.Log.Warn().Err(err).Msg("could not store the user's answers")
	}
}

// PrompterFor asks through env (see prompt.Env): a native dialog, the
// terminal, or, where there is neither, nobody.
func PrompterFor(env prompt.Env) Prompter {
	return func(ctx context.Context, question string) (bool, bool) {
		granted, how, err := env.Ask(ctx, question)
		if err != nil || how == prompt.None {
			return false, false
		}
		return granted, true
	}
}
