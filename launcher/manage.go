package launcher

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/launcher/runtime/install"
	"github.com/rvm-launcher/rvm/manifest"
)

// What `rvm runtime list|install|remove|prune` asks of the launcher.

// InstalledRuntime is one runtime installed, as `rvm runtime list --json`
// shows it.
type InstalledRuntime struct {
	Version string `json:"version"`
	// Path is its folder.
	Path string `json:"path"`
	// LastUsed is its last launch, RFC 3339; "" where it was never
	// launched.
	LastUsed string `json:"lastUsed"`
}

// ListRuntimes lists the runtimes installed in this user's runtime
// directories (the system service's first, then the RuntimeDirectory in
// effect for r), each highest version first.
func (l *Launcher) ListRuntimes(r *Request) ([]InstalledRuntime, error) {
	out := []InstalledRuntime{}
	var errs []error
	for _, dir := range l.runtimeDirs(l.machineSettings(r)) {
		rts, err := runtime.Installed(dir)
		if err != nil {
			errs = append(errs, err)
		}
		for _, rt := range rts {
			ir := InstalledRuntime{Version: rt.Version, Path: filepath.Dir(rt.Path)}
			if t, ok := install.LastUsed(ir.Path); ok {
				ir.LastUsed = formatTime(t)
			}
			out = append(out, ir)
		}
	}
	return out, errors.Join(errs...)
}

// RuntimeInstall is what InstallRuntime did, as `rvm runtime install
// --json` shows it: the runtime report of a launch (installed, or why
// not), where it is, and the notices.
type RuntimeInstall struct {
	RuntimeReport
	// Path is the folder of the runtime installed; "" where none is.
	Path    string   `json:"path"`
	Notices []string `json:"notices"`
}

// InstallRuntime makes sure the runtime that version (an exact version, a
// wildcard or a channel) names is installed, as a launch of a strictly
// fetched manifest asking for it would: the highest version that fits and
// that the owner allows, installed or downloaded from the runtime
// repository (progress, where set, shows the download) into the
// RuntimeDirectory in effect for r. A version the owner does not allow is
// a *RefusedError, none to install a *RuntimeError; the report says why
// in both cases.
func (l *Launcher) InstallRuntime(ctx context.Context, r *Request, version string, progress func(done, total int64)) (*RuntimeInstall, error) {
	ms := l.machineSettings(r)
	own := l.ownerSettings(ctx, ms, l.fetcher(r))
	doc := &Document{
		Launch:  LaunchDecision{Allowed: true},
		Fetch:   FetchReport{Mode: manifest.ModeStrict},
		Runtime: RuntimeRequest{Version: version},
		Notices: []string{},
	}
	l.chooseRuntime(ctx, doc, r, ms, own)
	if doc.RuntimeState.State == RuntimeDownload {
		l.download(ctx, doc, progress)
	}
	out := &RuntimeInstall{RuntimeReport: doc.RuntimeState, Notices: doc.Notices}
	if doc.RuntimeState.State == RuntimeBlocked {
		return out, &RefusedError{URL: "runtime " + version, Reason: doc.RuntimeState.Reason}
	}
	rt, err := l.runtimeToStart(doc, ms)
	out.RuntimeReport = doc.RuntimeState
	if err != nil {
		return out, err
	}
	out.Path = filepath.Dir(rt.Path)
	return out, nil
}

// RemoveRuntime removes the runtime of the exact version from this user's
// runtime directories (the system service's too, where this user may
// change it) and returns the folders it removed it from; a runtime in use
// is not removed (an *install.InUseError).
func (l *Launcher) RemoveRuntime(r *Request, version string) ([]string, error) {
	if !runtime.IsVersion(version) {
		return nil, fmt.Errorf("launcher: %q is not an exact runtime version", version)
	}
	dirs := l.runtimeDirs(l.machineSettings(r))
	var removed []string
	for _, dir := range dirs {
		err := install.Remove(dir, version)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return removed, err
		}
		removed = append(removed, filepath.Join(dir, version))
	}
	if len(removed) == 0 {
		return nil, fmt.Errorf("launcher: runtime %s is not installed (in %s): %w", version, strings.Join(dirs, " or "), fs.ErrNotExist)
	}
	return removed, nil
}

// PruneRuntimes removes, where the desktop owner sets
// cleanUnusedRuntimes, the runtimes not launched for
// unusedRuntimeExpirationInMinutes from this user's runtime directories
// (the system service's where this user may change it), never one in use.
// clean reports whether the owner sets it; nothing is removed where the
// owner settings are configured but unavailable (an error).
func (l *Launcher) PruneRuntimes(ctx context.Context, r *Request) (removed []InstalledRuntime, clean bool, err error) {
	ms := l.machineSettings(r)
	own := l.ownerSettings(ctx, ms, l.fetcher(r))
	if own.Unavailable() {
		return nil, false, fmt.Errorf("launcher: the desktop owner settings (%q) are configured but unavailable: nothing is pruned (%s)", own.Source, strings.Join(own.Warnings, "; "))
	}
	after, clean := own.Settings.UnusedRuntimeExpiry()
	if !clean {
		return nil, false, nil
	}
	var errs []error
	for _, dir := range l.runtimeDirs(ms) {
		versions, err := install.Prune(dir, after, l.env.Now(), "")
		for _, v := range versions {
			removed = append(removed, InstalledRuntime{Version: v, Path: filepath.Join(dir, v)})
		}
		if err != nil && !(dir == l.env.SystemRuntimeDir && errors.Is(err, fs.ErrPermission)) {
			errs = append(errs, err)
		}
	}
	return removed, true, errors.Join(errs...)
}

// download downloads, verifies and installs the version doc chose, as
// PrepareRuntime does.
func (l *Launcher) download(ctx context.Context, doc *Document, progress func(done, total int64)) {
	plan, rs := doc.plan, &doc.RuntimeState
	if plan == nil || plan.client == nil || rs.State != RuntimeDownload {
		return
	}
	start := l.env.Now()
	_, err := plan.client.Install(ctx, rs.Version, plan.installDir, progress)
	if err != nil {
		rs.State, rs.Reason = RuntimeFailed, fmt.Sprintf("runtime %s could not be installed from the runtime repository: %v", rs.Version, err)
		l.env.Log.Error().Err(err).Str("runtime", rs.Version).Msg("runtime download failed")
		return
	}
	rs.State, rs.Reason = RuntimeInstalled, ""
	l.env.Log.Info().Str("runtime", rs.Version).Str("dir", plan.installDir).Dur("took", l.env.Now().Sub(start)).Msg("runtime downloaded, verified and installed")
}
