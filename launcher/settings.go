package launcher

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/platform/settings"
)

// SettingsReport is what `rvm settings --json` prints (SPEC 1): every
// machine setting with its value in effect and its source (a file path,
// a registry key, or "default" with the default value, null where there is
// none; a value that failed closed has its strictest value and the source
// at fault); the desktop owner settings in use; every error and every
// notice met while reading them.
type SettingsReport struct {
	Machine              map[string]settings.Value `json:"machine"`
	DesktopOwnerSettings OwnerReport               `json:"desktopOwnerSettings"`
	Errors               []string                  `json:"errors"`
	Notices              []string                  `json:"notices"`
}

// OwnerReport is the desktop owner settings part of a SettingsReport:
// Source is where they were read from ("default" where none are
// configured), Settings the copy in use (null where there is none: not
// configured, or unavailable, which denies every permission), Notices
// what rvm leaves out of that copy. Why a file could not be used, each of
// its problems a line, is among the report's Errors.
type OwnerReport struct {
	Source   string         `json:"source"`
	Settings jsontext.Value `json:"settings"`
	Notices  []string       `json:"notices"`
}

// Settings reports the settings in effect for the request req (only its
// MachineSettings and Resolve matter; see ParseOptions).
func (l *Launcher) Settings(ctx context.Context, req *Request) *SettingsReport {
	ms := l.machineSettings(req)
	r := &SettingsReport{
		Machine:              map[string]settings.Value{},
		DesktopOwnerSettings: OwnerReport{Source: settings.SourceDefault, Settings: jsontext.Value("null"), Notices: []string{}},
		Errors:               []string{},
		Notices:              append([]string{}, ms.Notices...),
	}
	for name, v := range ms.Values {
		r.Machine[name] = v
	}
	if v := r.Machine[settings.RuntimeDirectory]; v.Value == nil {
		v.Value = ms.RuntimeDir(l.env.DataDir)
		r.Machine[settings.RuntimeDirectory] = v
	}
	for _, err := range ms.Errors {
		r.Errors = append(r.Errors, err.Error())
	}
	own := l.ownerSettings(ctx, ms, l.fetcher(req))
	if own.Configured {
		r.DesktopOwnerSettings.Source = own.Source
	}
	if own.Settings != nil {
		r.DesktopOwnerSettings.Settings = own.Raw
	}
	r.DesktopOwnerSettings.Notices = append(r.DesktopOwnerSettings.Notices, own.Notices()...)
	// A copy that is not the current one, or none at all, is an error:
	// the owner's file is not what rvm uses.
	r.Errors = append(r.Errors, own.Warnings...)
	return r
}

// JSON renders the report as indented JSON with a final newline, every
// character that a terminal would not show as itself escaped (as
// Document.JSON does).
func (r *SettingsReport) JSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		// Strings, numbers, maps and raw JSON that was parsed before.
		panic("launcher: marshal settings report: " + err.Error())
	}
	return escapeHidden(b.Bytes())
}

// WriteText writes the report for a person: each value as a message
// shows text from outside (strings quoted), with its source, each line as
// writeLines writes it.
func (r *SettingsReport) WriteText(out io.Writer) {
	var w strings.Builder
	defer func() { writeLines(out, w.String()) }()
	fmt.Fprintln(&w, "machine settings:")
	for _, s := range settings.Table {
		v := r.Machine[s.Name]
		value := "none"
		switch x := v.Value.(type) {
		case string:
			value = fmt.Sprintf("%q", x)
		case int:
			value = fmt.Sprint(x)
		}
		note := ""
		if v.FailedClosed {
			note = ": failed closed"
		}
		fmt.Fprintf(&w, "  %-34s %s  (%s%s)\n", s.Name, value, v.Source, note)
	}
	fmt.Fprintln(&w, "desktop owner settings:")
	own := r.DesktopOwnerSettings
	switch {
	case own.Source == settings.SourceDefault:
		fmt.Fprintln(&w, "  none configured")
	case string(own.Settings) == "null":
		fmt.Fprintf(&w, "  %s: unavailable, every permission is denied and no app launches\n", own.Source)
	default:
		fmt.Fprintf(&w, "  from %s\n", own.Source)
	}
	for _, n := range own.Notices {
		fmt.Fprintf(&w, "  notice: %s\n", n)
	}
	for _, n := range r.Notices {
		fmt.Fprintf(&w, "notice: %s\n", n)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&w, "error: %s\n", e)
	}
}
