package repo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rvm-launcher/rvm/launcher/runtime"
)

// The states of a Choice, as the decision document's runtime.state has
// them (SPEC section 6).
const (
	StateInstalled = "installed" // the version chosen is installed
	StateDownload  = "download"  // the version chosen is not installed; the repository has it
	StateBlocked   = "blocked"   // versions fit, but the owner allows none of them
	StateFailed    = "failed"    // the repository could not be read or verified, and nothing installed fits
	StateMissing   = "missing"   // nothing fits at all
)

// Request is what Resolve resolves.
type Request struct {
	// Version is runtime.version: an exact version, a wildcard or a
	// channel name.
	Version string
	// Installed are the runtimes installed (every runtime directory's,
	// the system service's first), in any order.
	Installed []runtime.Runtime
	// Allowed reports whether the owner allows a version (SPEC 9's
	// allowedRuntimeVersions, blockedRuntimeVersions,
	// minimumRuntimeVersion); nil allows every version.
	Allowed func(version string) bool
	// InstalledOnly leaves the repository's versions out of the
	// candidates (a manifest that was not fetched strictly); channels
	// still resolve through channels.json.
	InstalledOnly bool
}

// Choice is the runtime Resolve chose, or why there is none.
type Choice struct {
	// Requested is runtime.version as given; Channel is set where it is
	// a channel, and Resolved is the version the channel names.
	Requested, Channel, Resolved string
	// Version is the version chosen; "" when there is none.
	Version string
	// Runtime is the installed runtime chosen, where State is installed.
	Runtime runtime.Runtime
	// State is one of the State constants.
	State string
	// Notices are what the launch should show besides (a repository
	// that could not be refreshed, say).
	Notices []string
}

// UnavailableError is Resolve's error where no runtime can be used: State
// says why (blocked, failed or missing).
type UnavailableError struct {
	State     string
	Requested string
	// Resolved is what a channel named, "" otherwise.
	Resolved string
	// Installed are the versions installed, highest first.
	Installed []string
	// Err is the repository's failure, where it failed.
	Err error
}

func (e *UnavailableError) Error() string {
	want := fmt.Sprintf("%q", e.Requested)
	if e.Resolved != "" {
		want += fmt.Sprintf(" (channels.json says %s)", e.Resolved)
	}
	installed := "none installed"
	if len(e.Installed) > 0 {
		installed = "installed: " + strings.Join(e.Installed, ", ")
	}
	switch e.State {
	case StateBlocked:
		return fmt.Sprintf("repo: the desktop owner allows no runtime that fits version %s", want)
	case StateFailed:
		return fmt.Sprintf("repo: no installed runtime fits version %s (%s), and the runtime repository failed: %v", want, installed, e.Err)
	}
	return fmt.Sprintf("repo: no runtime fits version %s in the runtime repository or installed; %s", want, installed)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Resolve chooses the runtime for req as SPEC section 8 says: the
// candidates are the installed versions and the repository's; those the
// owner does not allow are taken out; the highest that fits wins. A
// channel resolves through the repository's channels.json (local channel
// files are not read). An exact version that is installed needs no
// refresh; otherwise Resolve refreshes (once for the Client), and where
// that fails, only installed versions are candidates and the last
// verified channels.json resolves channels, with a notice. Where nothing
// can be used, the error is an *UnavailableError and Choice.State says
// why.
func (c *Client) Resolve(ctx context.Context, req Request) (Choice, error) {
	ch, err := c.resolve(ctx, req)
	if (err != nil || ch.State != StateInstalled) && c.servedFromCache() {
		// The last verified copy stands in only for a launch of what is
		// installed: a download needs metadata refreshed now (SPEC 9),
		// and the repository may have since published what fits.
		if _, err := c.refreshedFor(ctx, true); err != nil {
			return ch, err
		}
		return c.resolve(ctx, req)
	}
	return ch, err
}

// resolve is Resolve on the current outcome of a refresh.
func (c *Client) resolve(ctx context.Context, req Request) (Choice, error) {
	ch := Choice{Requested: req.Version}
	spec, err := runtime.ParseSpec(req.Version)
	if err != nil {
		ch.State = StateMissing
		return ch, &UnavailableError{State: StateMissing, Requested: req.Version, Err: err}
	}
	allowed := req.Allowed
	if allowed == nil {
		allowed = func(string) bool { return true }
	}
	byVersion := map[string]runtime.Runtime{}
	for _, r := range req.Installed {
		if _, ok := byVersion[r.Version]; !ok {
			byVersion[r.Version] = r
		}
	}
	var refreshErr error
	refreshed := false
	refresh := func() error {
		if !refreshed {
			refreshed = true
			st, err := c.refreshed(ctx)
			if err != nil {
				return err
			}
			refreshErr = st.err
		}
		return nil
	}
	if spec.Channel != "" {
		ch.Channel = spec.Channel
		if err := refresh(); err != nil {
			return ch, err
		}
		channels, _ := c.Channels(ctx)
		if refreshErr != nil {
			if channels == nil {
				ch.State = StateFailed
				return ch, &UnavailableError{State: StateFailed, Requested: req.Version, Installed: sortedVersions(byVersion), Err: refreshErr}
			}
			ch.Notices = append(ch.Notices, fmt.Sprintf("the runtime repository could not be refreshed (%v): channel %s resolved through the last verified channels.json, to installed versions only", refreshErr, spec.Channel))
		}
		v, ok := channels[spec.Channel]
		if !ok {
			ch.State = StateMissing
			return ch, &UnavailableError{State: StateMissing, Requested: req.Version, Installed: sortedVersions(byVersion),
				Err: fmt.Errorf("channels.json has no channel %q", spec.Channel)}
		}
		ch.Resolved = v
		spec, _ = runtime.ParseSpec(v)
	}
	if spec.IsExact() && ch.Channel == "" {
		if r, ok := byVersion[req.Version]; ok && allowed(r.Version) {
			ch.Version, ch.Runtime, ch.State = r.Version, r, StateInstalled
			return ch, nil
		}
	}
	candidates := map[string]bool{} // version -> installed
	for v := range byVersion {
		candidates[v] = true
	}
	if !req.InstalledOnly {
		if err := refresh(); err != nil {
			return ch, err
		}
		if refreshErr == nil {
			versions, _ := c.Versions(ctx)
			for _, v := range versions {
				if !candidates[v] {
					candidates[v] = false
				}
			}
		} else if ch.Channel == "" {
			ch.Notices = append(ch.Notices, fmt.Sprintf("the runtime repository could not be refreshed (%v): only installed runtimes were candidates", refreshErr))
		}
	}
	if ch.Channel != "" && refreshErr != nil {
		// A channel resolved from the last verified copy names installed
		// versions only.
		for v, inst := range candidates {
			if !inst {
				delete(candidates, v)
			}
		}
	}
	var fitting, permitted []string
	for v := range candidates {
		if spec.Fits(v) {
			fitting = append(fitting, v)
			if allowed(v) {
				permitted = append(permitted, v)
			}
		}
	}
	slices.SortFunc(permitted, func(a, b string) int { return runtime.CompareVersions(b, a) })
	switch {
	case len(permitted) > 0:
		ch.Version = permitted[0]
		if candidates[ch.Version] {
			ch.Runtime, ch.State = byVersion[ch.Version], StateInstalled
		} else {
			ch.State = StateDownload
		}
		return ch, nil
	case len(fitting) > 0:
		ch.State = StateBlocked
	case refreshErr != nil && !req.InstalledOnly:
		ch.State = StateFailed
	default:
		ch.State = StateMissing
	}
	e := &UnavailableError{State: ch.State, Requested: req.Version, Resolved: ch.Resolved, Installed: sortedVersions(byVersion)}
	if ch.State == StateFailed {
		e.Err = refreshErr
	}
	return ch, e
}

func sortedVersions(m map[string]runtime.Runtime) []string {
	var out []string
	for v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b string) int { return runtime.CompareVersions(b, a) })
	return out
}

// Ensure resolves req and, where the version chosen is to be downloaded,
// installs it into dir with progress: the one call a launch makes. The
// Choice says what was chosen (State installed once it is); its error is
// Resolve's or Install's.
func (c *Client) Ensure(ctx context.Context, req Request, dir string, progress Progress) (Choice, error) {
	ch, err := c.Resolve(ctx, req)
	if err != nil || ch.State != StateDownload {
		return ch, err
	}
	r, err := c.Install(ctx, ch.Version, dir, progress)
	if err != nil {
		ch.State = StateFailed
		return ch, err
	}
	ch.Runtime, ch.State = r, StateInstalled
	return ch, nil
}

// IsUnavailable reports whether err says that no runtime can be used, and
// which State says why.
func IsUnavailable(err error) (state string, ok bool) {
	var ue *UnavailableError
	if errors.As(err, &ue) {
		return ue.State, true
	}
	return "", false
}
