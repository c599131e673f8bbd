package launcher

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/platform/settings"
)

// SettingsReport is what `rvm settings --json` prints (SPEC 1): every
// machine setting that is set, with its source; the desktop owner settings
// in use, with their source; and every error met while reading them.
type SettingsReport struct {
	Machine              map[string]settings.Value `json:"machine"`
	DesktopOwnerSettings *OwnerReport              `json:"desktopOwnerSettings,omitempty"`
	Errors               []string                  `json:"errors"`
}

// OwnerReport is the desktop owner settings part of a SettingsReport,
// absent when none are configured. Settings is absent when none could be
// read.
type OwnerReport struct {
	Source   string         `json:"source"`
	Settings jsontext.Value `json:"settings,omitempty"`
}

// Settings reports the effective settings for the request req (only its
// MachineSettings and Resolve matter; see ParseOptions).
func (l *Launcher) Settings(ctx context.Context, req *Request) *SettingsReport {
	r := &SettingsReport{Errors: []string{}}
	ms := l.machineSettings(req)
	r.Machine = ms.Values
	for _, err := range ms.Errors {
		r.Errors = append(r.Errors, err.Error())
	}
	own := l.ownerSettings(ctx, ms, l.fetcher(req))
	if own.Configured {
		r.DesktopOwnerSettings = &OwnerReport{Source: own.Source, Settings: own.Raw}
	}
	r.Errors = append(r.Errors, own.Warnings...)
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
