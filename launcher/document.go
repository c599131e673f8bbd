package launcher

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/rvm-launcher/rvm/permissions"
)

// Document is the decision document of SPEC section 6: what rvm decided
// about one launch request and why. `rvm verify --json` prints it and the
// runtime receives it.
type Document struct {
	RequestedURL      string                          `json:"requestedUrl"`
	ManifestURL       string                          `json:"manifestUrl"`
	UserAppConfigArgs map[string]string               `json:"userAppConfigArgs,omitempty"`
	Launch            LaunchDecision                  `json:"launch"`
	Fetch             FetchReport                     `json:"fetch"`
	Trust             TrustReport                     `json:"trust"`
	Permissions       map[string]permissions.Decision `json:"permissions"`
	// Runtime is what the manifest asked for; not part of the JSON.
	Runtime RuntimeRequest `json:"-"`
}

// RuntimeRequest is the runtime a manifest asks for. The local API carries
// it beside the document.
type RuntimeRequest struct {
	Version   string
	Arguments []string
	// Manifest is the manifest's bytes as rvm verified them: the runtime
	// reads them, never fetching the manifest again (SPEC 8).
	Manifest []byte
}

// LaunchDecision says whether the app may launch at all. The zero value
// refuses.
type LaunchDecision struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
}

// FetchReport says how the manifest arrived.
type FetchReport struct {
	Mode      string   `json:"mode"`
	Redirects int      `json:"redirects"`
	Warnings  []string `json:"warnings"`
}

// Trust statuses.
const (
	StatusTrusted   = "trusted"
	StatusUntrusted = "untrusted"
	StatusAbsent    = "absent"
)

// TrustReport is the verdict on the manifest's trustedAppConfigs block.
type TrustReport struct {
	Status   string   `json:"status"`
	Code     string   `json:"code"`
	Reason   string   `json:"reason"`
	Platform string   `json:"platform"`
	Signer   string   `json:"signer,omitempty"`
	Apps     []string `json:"apps,omitempty"`
	Expires  string   `json:"expires,omitempty"`
	Warnings []string `json:"warnings"`
}

// JSON renders the document as indented JSON with a final newline.
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
	return b.Bytes()
}

// WriteSummary writes the short human summary of `rvm verify`: where the
// manifest came from, the trust verdict and each permission's decision.
func (d *Document) WriteSummary(w io.Writer) {
	fmt.Fprintf(w, "manifest   %s\n", d.ManifestURL)
	if d.RequestedURL != d.ManifestURL {
		fmt.Fprintf(w, "requested  %s\n", d.RequestedURL)
	}
	fmt.Fprintf(w, "fetched    %s", d.Fetch.Mode)
	if d.Fetch.Redirects > 0 {
		fmt.Fprintf(w, ", %d redirect(s)", d.Fetch.Redirects)
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
		fmt.Fprintf(w, "  signer %s; apps %s; expires %s\n", d.Trust.Signer, strings.Join(d.Trust.Apps, ", "), d.Trust.Expires)
	}
	for _, warn := range d.Trust.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
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
		fmt.Fprintf(w, "  %-34s %-8s %s\n", n, p.Verdict, p.Source)
	}
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
