package launcher

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
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

// LaunchVia decides (through the service where one answers), asks the user
// about each permission the decision leaves at prompt and stores the
// answers, writes the decision document and starts the runtime detached.
// It returns the final decision and the runtime's process id. A launch
// refused by policy is a *RefusedError, with the decision.
func (l *Launcher) LaunchVia(ctx context.Context, rawURL string, o Options, ask Prompter) (*Document, int, error) {
	doc, err := l.decideForLaunch(ctx, rawURL, o)
	if err != nil {
		return nil, 0, err
	}
	if !doc.Launch.Allowed {
		return doc, 0, &RefusedError{URL: doc.ManifestURL, Reason: doc.Launch.Reason}
	}
	l.prompt(ctx, doc, ask)
	settings := l.machineSettings(o)
	dir, _, ok := settings.String(platform.SettingRuntimeDirectory)
	if !ok || dir == "" {
		dir = filepath.Join(l.env.DataDir, "runtime")
	}
	rt, err := ResolveRuntime(dir, doc.Runtime.Version)
	if err != nil {
		return doc, 0, err
	}
	decisions := filepath.Join(l.env.DataDir, "decisions")
	if err := platform.EnsureDir(decisions); err != nil {
		return doc, 0, fmt.Errorf("launcher: %w", err)
	}
	key := hashHex(doc.ManifestURL)[:16]
	pid, err := rt.Start(StartOptions{
		ManifestURL:  doc.ManifestURL,
		Decision:     doc.JSON(),
		DecisionPath: filepath.Join(decisions, key+".json"),
		Arguments:    doc.Runtime.Arguments,
		LogPath:      filepath.Join(decisions, key+".log"),
	})
	if err != nil {
		return doc, 0, err
	}
	l.env.Log.Info().Str("manifest", doc.ManifestURL).Str("runtime", rt.Version).Int("pid", pid).Msg("runtime started")
	return doc, pid, nil
}

// prompt asks about every prompt permission of doc, in name order, and
// stores each answer. A store that cannot be written is logged: the answer
// still holds for this launch.
func (l *Launcher) prompt(ctx context.Context, doc *Document, ask Prompter) {
	var names []string
	for n, p := range doc.Permissions {
		if p.Decision == permissions.Prompt {
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
			p.Decision = permissions.Denied
			doc.Permissions[n] = p
			continue
		}
		p.Decision, p.Source = permissions.Denied, permissions.SourceUser
		if granted {
			p.Decision = permissions.Granted
		}
		doc.Permissions[n] = p
		if err := store.Set(doc.ManifestURL, n, granted); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		l.env.Log.Warn().Err(err).Msg("could not store the user's answers")
	}
}

// PrompterFor asks through env (see platform.PromptEnv): a native dialog, the
// terminal, or, where there is neither, nobody.
func PrompterFor(env platform.PromptEnv) Prompter {
	return func(ctx context.Context, question string) (bool, bool) {
		granted, how, err := env.Prompt(ctx, question)
		if err != nil || how == platform.PromptNone {
			return false, false
		}
		return granted, true
	}
}
