package launcher

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform/prompt"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// Document is the decision document of SPEC section 6: what rvm decided
// about one launch request and why. `rvm verify --json` prints it and the
// runtime receives it.
type Document struct {
	RequestedURL string `json:"requestedUrl"`
	ManifestURL  string `json:"manifestUrl"`
	// ManifestSHA256 is the hex SHA-256 of the manifest bytes verified.
	ManifestSHA256    string            `json:"manifestSha256"`
	UserAppConfigArgs map[string]string `json:"userAppConfigArgs,omitempty"`
	DecidedBy         DecidedBy         `json:"decidedBy"`
	Launch            LaunchDecision    `json:"launch"`
	Fetch             FetchReport       `json:"fetch"`
	Trust             TrustReport       `json:"trust"`
	RuntimeState      RuntimeReport     `json:"runtime"`
	// Notices tell what rvm left out or could not use, and why.
	Notices     []string                        `json:"notices"`
	Permissions map[string]permissions.Decision `json:"permissions"`
	// Runtime is what a launch takes from the manifest; not part of the
	// JSON.
	Runtime RuntimeRequest `json:"-"`
	// plan is what the decider keeps for PrepareRuntime.
	plan *runtimePlan
	// settings are the machine settings that this process decided with,
	// which the user side then applies rather than read the sources
	// again; nil in a decision that a service made.
	settings *settings.Machine
}

// Authenticated reports whether the manifest came through a strict fetch,
// now or (a cached copy) earlier: only then may an origin's grants apply to
// it (SPEC 0 and 3). Any other mode, the zero one included, is not.
func (d *Document) Authenticated() bool {
	return d.Fetch.Mode == manifest.ModeStrict || d.Fetch.Mode == manifest.ModeCache
}

// RuntimeRequest is what a launch takes from the manifest beyond the
// document: the runtime it asks for (with no arguments where the manifest
// is unauthenticated) and the app's name, which prompts show as the
// manifest's, unverified; and the desktop owner's cleanUnusedRuntimes,
// which the launch applies to the user's runtime directory. The local API
// carries it beside the document.
type RuntimeRequest struct {
	Version   string
	Arguments []string
	AppName   string
	// Manifest is the manifest's bytes as rvm verified them: the runtime
	// reads them, never fetching the manifest again (SPEC 8).
	Manifest []byte
	// AllowedArguments is the owner's allowedRuntimeArguments as the
	// decision applied them, for the launch to apply again.
	AllowedArguments []string
	// CleanUnused reports that the owner has runtimes not launched for
	// UnusedMinutes removed at each launch.
	CleanUnused   bool
	UnusedMinutes int64
}

// DecidedBy says who decided (SPEC 6): informational only.
type DecidedBy struct {
	// By is ByService or ByInProcess.
	By string `json:"by"`
	// UID is the user id (SID on Windows) of the process that decided.
	UID string `json:"uid"`
}

// The deciders.
const (
	ByService   = "service"
	ByInProcess = "in-process"
)

// RuntimeReport is the runtime the manifest asks for, as SPEC 6 reports it
// (see runtimes.go for how it is chosen).
type RuntimeReport struct {
	// Requested is runtime.version as the manifest gives it.
	Requested string `json:"requested"`
	// Version is the version chosen, installed or to be downloaded; ""
	// where there is none.
	Version string `json:"version"`
	// State is RuntimeInstalled, RuntimeDownload, RuntimeBlocked,
	// RuntimeFailed or RuntimeMissing.
	State string `json:"state"`
	// Reason says why, where State is not RuntimeInstalled.
	Reason string `json:"reason"`
}

// LaunchDecision says whether the app may launch at all. The zero value
// refuses.
type LaunchDecision struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
}

// FetchReport says how the manifest arrived.
type FetchReport struct {
	Mode      string `json:"mode"`
	Redirects int    `json:"redirects"`
	// Age is how many seconds ago a cached copy was fetched; 0 for a
	// manifest fetched now.
	Age      int64    `json:"age"`
	Warnings []string `json:"warnings"`
}

// Trust statuses.
const (
	StatusTrusted   = "trusted"
	StatusUntrusted = "untrusted"
	StatusAbsent    = "absent"
)

// TrustReport is the verdict on the manifest's trustedAppConfigs block.
type TrustReport struct {
	Status   string `json:"status"`
	Code     string `json:"code"`
	Reason   string `json:"reason"`
	Platform string `json:"platform"`
	Signer   string `json:"signer,omitempty"`
	// SignerSPKI is the hex SHA-256 of the signing certificate's
	// SubjectPublicKeyInfo, where the block verified (also where the user
	// distrusts its signer, code revoked): what signer trusts are keyed
	// by (SPEC 5.7).
	SignerSPKI string `json:"signerSpki,omitempty"`
	// UserSignerTrust reports that the user may trust this block's signer
	// (permissions.Input.UserSignerTrust): a prompt then offers the answer
	// all, and a stored signer trust answers it. False (the zero value,
	// left out of the JSON) where it may not.
	UserSignerTrust bool     `json:"userSignerTrust,omitempty"`
	Apps            []string `json:"apps,omitempty"`
	Expires         string   `json:"expires,omitempty"`
	Warnings        []string `json:"warnings"`
}

// JSON renders the document as indented JSON with a final newline. Every
// character that a terminal would not show as itself (see
// prompt.Printable) is written as a \u escape, whatever text from outside
// the document holds: the encoder escapes ASCII controls, and JSON would
// let bidirectional and other formatting characters through raw.
func (d *Document) JSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // URLs keep their & and < readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		// Every field is a plain string, number, map or raw JSON that was
		// parsed before: marshalling cannot fail.
		panic("launcher: marshal decision document: " + err.Error())
	}
	return escapeHidden(b.Bytes())
}

// escapeHidden writes each character of the JSON text js that JSON
// encoders leave raw although a terminal would not show it as itself (DEL,
// and what is not ASCII and not graphic) as a \u escape (two for one
// beyond U+FFFF). Outside strings JSON text is printable ASCII, so each
// such character is in a string, where the escape stands for it.
func escapeHidden(js []byte) []byte {
	if !bytes.ContainsFunc(js, hiddenInJSON) {
		return js
	}
	var b bytes.Buffer
	for _, r := range string(js) {
		if !hiddenInJSON(r) {
			b.WriteRune(r)
			continue
		}
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.Bytes()
}

// WriteSummary writes the short human summary of `rvm verify`: where the
// manifest came from, the trust verdict, the runtime, notices and each
// permission's decision. Each line is written as a person reads it (see
// writeLines).
func (d *Document) WriteSummary(w io.Writer) {
	var b strings.Builder
	d.summary(&b)
	writeLines(w, b.String())
}

// writeLines writes text to w line by line, each without its package
// prefixes (see Words) and as a terminal would show it as it is (see
// prompt.Printable), so that no text from outside starts a line of its
// own or acts on the terminal.
func writeLines(w io.Writer, text string) {
	for _, line := range strings.SplitAfter(text, "\n") {
		if rest, ok := strings.CutSuffix(line, "\n"); ok {
			fmt.Fprintln(w, prompt.Printable(Words(rest)))
		} else if line != "" {
			fmt.Fprint(w, prompt.Printable(Words(line)))
		}
	}
}

func (d *Document) summary(w io.Writer) {
	fmt.Fprintf(w, "manifest   %s\n", d.ManifestURL)
	if d.RequestedURL != d.ManifestURL {
		fmt.Fprintf(w, "requested  %s\n", d.RequestedURL)
	}
	fmt.Fprintf(w, "fetched    %s", d.Fetch.Mode)
	if d.Fetch.Redirects > 0 {
		fmt.Fprintf(w, ", %d redirect(s)", d.Fetch.Redirects)
	}
	if d.Fetch.Mode == manifest.ModeCache {
		fmt.Fprintf(w, ", %ds old", d.Fetch.Age)
	}
	fmt.Fprintln(w)
	for _, warn := range d.Fetch.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	fmt.Fprintf(w, "trust      %s (%s, platform %s)", d.Trust.Status, d.Trust.Code, d.Trust.Platform)
	if d.Trust.Reason != "" {
		fmt.Fprintf(w, ": %s", d.Trust.Reason)
	}
	fmt.Fprintln(w)
	if d.Trust.Status == StatusTrusted {
		fmt.Fprintf(w, "  signer %q (key %s); apps %q; expires %s\n", d.Trust.Signer, d.Trust.SignerSPKI, d.Trust.Apps, d.Trust.Expires)
	}
	for _, warn := range d.Trust.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	fmt.Fprintf(w, "runtime    %q: %s", d.RuntimeState.Requested, d.RuntimeState.State)
	if d.RuntimeState.Version != "" {
		fmt.Fprintf(w, " (%s)", d.RuntimeState.Version)
	}
	if d.RuntimeState.Reason != "" {
		fmt.Fprintf(w, ": %s", d.RuntimeState.Reason)
	}
	fmt.Fprintln(w)
	for _, n := range d.Notices {
		fmt.Fprintf(w, "  notice: %s\n", n)
	}
	if d.Launch.Allowed {
		fmt.Fprintln(w, "launch     allowed")
	} else {
		fmt.Fprintf(w, "launch     refused: %s\n", d.Launch.Reason)
	}
	names := make([]string, 0, len(d.Permissions))
	for n := range d.Permissions {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		fmt.Fprintln(w, "permissions none requested")
	}
	for _, n := range names {
		p := d.Permissions[n]
		fmt.Fprintf(w, "  %-34s %-8s %s", n, p.Verdict, p.Source)
		if p.Policy != "" {
			fmt.Fprintf(w, " (policy %q)", p.Policy)
		}
		fmt.Fprintln(w)
	}
}

// hiddenInJSON reports whether escapeHidden escapes r.
func hiddenInJSON(r rune) bool {
	return r == 0x7f || r >= utf8.RuneSelf && !unicode.IsGraphic(r)
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
