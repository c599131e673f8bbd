package launcher

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/rvm-launcher/rvm/platform"
)

// SettingsReport is what `rvm settings --json` prints (SPEC 1): every
// machine setting that is set, with its source; the desktop owner settings
// in use, with their source; and every error met while reading them.
type SettingsReport struct {
	Machine              map[string]platform.Value `json:"machine"`
	DesktopOwnerSettings *OwnerReport              `json:"desktopOwnerSettings,omitempty"`
	Errors               []string                  `json:"errors"`
}

// OwnerReport is the desktop owner settings part of a SettingsReport,
// absent when none are configured. Settings is absent when none could be
// read.
type OwnerReport struct {
	Source   string          `json:"source"`
	Settings json.RawMessage `json:"settings,omitempty"`
}

// Settings reports the effective settings for the options o (only
// MachineSettings and Resolve matter).
func (l *Launcher) Settings(ctx context.Context, o Options) *SettingsReport {
	ms := l.machineSettings(o)
	r := &SettingsReport{Machine: ms.Values, Errors: []string{}}
	for _, err := range ms.Errors {
		r.Errors = append(r.Errors, err.Error())
	}
	f, err := l.fetcher(o.Resolve)
	if err != nil {
		r.Errors = append(r.Errors, err.Error())
		return r
	}
	own := l.ownerSettings(ctx, ms, f)
	if own.configured {
		r.DesktopOwnerSettings = &OwnerReport{Source: own.source, Settings: own.raw}
	}
	r.Errors = append(r.Errors, own.warnings...)
	return r
}

// WriteText writes the report for a person.
func (r *SettingsReport) WriteText(w io.Writer) {
	names := make([]string, 0, len(r.Machine))
	for n := range r.Machine {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "machine settings:")
	if len(names) == 0 {
		fmt.Fprintln(w, "  none set")
	}
	for _, n := range names {
		v := r.Machine[n]
		fmt.Fprintf(w, "  %-34s %v\t(%s)\n", n, v.Value, v.Source)
	}
	fmt.Fprintln(w, "desktop owner settings:")
	switch {
	case r.DesktopOwnerSettings == nil:
		fmt.Fprintln(w, "  none configured")
	case r.DesktopOwnerSettings.Settings == nil:
		fmt.Fprintf(w, "  %s: unavailable, every permission is denied\n", r.DesktopOwnerSettings.Source)
	default:
		fmt.Fprintf(w, "  from %s\n", r.DesktopOwnerSettings.Source)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
}
