package launcher

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/trust"
)

// Options are the per-call inputs of one verify or launch request, as the
// command line and the local API carry them. They hold for that request
// alone; every cache is keyed by them.
type Options struct {
	// Platform is whose signature to verify: "win", "mac" or "linux"; ""
	// means this machine's.
	Platform string `json:"platform,omitempty"`
	// TrustRoots is a PEM bundle of trust roots for this call.
	TrustRoots string `json:"trustRoots,omitempty"`
	// MachineSettings is a machine-settings JSON file standing in for the
	// per-call settings sources (--machine-settings, RVM_MACHINE_SETTINGS).
	MachineSettings string `json:"machineSettings,omitempty"`
	// Resolve are curl-style HOST:PORT:ADDR entries.
	Resolve []string `json:"resolve,omitempty"`
}

// Request is one validated verify or launch request: the URL parsed, the
// options checked, their paths absolute. It is built once, by NewRequest,
// and nothing below re-parses it.
type Request struct {
	// URL is the parsed launch URL.
	URL *manifest.Request
	// Options are the options as checked, with absolute paths.
	Options Options
	// Runtimes is what the caller's own RuntimeDirectory holds, where the
	// caller is not this process (a service's peer); nil where this
	// process reads its own.
	Runtimes *LocalRuntimes
	// platform is the platform whose signature is verified.
	platform string
	// resolve is Options.Resolve parsed: "host:port" to "addr:port".
	resolve map[string]string
	// resolveKey is the resolve entries, sorted, for the fetchers' map.
	resolveKey string
}

// OptionError is an option of a request that is wrong (bad usage, where the
// URL itself may be fine): the error names the option.
type OptionError struct{ Err error }

func (e *OptionError) Error() string { return e.Err.Error() }

func (e *OptionError) Unwrap() error { return e.Err }

// NewRequest checks a request: the URL (SPEC 2) and every option, naming
// the first that is wrong (an option as an *OptionError). thisPlatform is the platform of this machine,
// used where o.Platform is empty.
func NewRequest(rawURL string, o Options, thisPlatform string) (*Request, error) {
	r, err := ParseOptions(o, thisPlatform)
	if err != nil {
		return nil, err
	}
	if r.URL, err = manifest.ParseRequest(rawURL); err != nil {
		return nil, err
	}
	return r, nil
}

// ParseOptions is NewRequest without a URL (for `rvm settings`): URL is
// nil in the result.
func ParseOptions(o Options, thisPlatform string) (*Request, error) {
	if o.Platform != "" && !trust.KnownPlatform(o.Platform) {
		return nil, &OptionError{fmt.Errorf("launcher: --platform %q: want win, mac or linux", o.Platform)}
	}
	r := &Request{Options: o, platform: o.Platform, resolve: map[string]string{}}
	if r.platform == "" {
		r.platform = thisPlatform
	}
	for _, e := range o.Resolve {
		from, to, err := fetch.ParseResolve(e)
		if err != nil {
			return nil, &OptionError{err}
		}
		r.resolve[from] = to
	}
	sorted := slices.Sorted(slices.Values(o.Resolve))
	r.resolveKey = strings.Join(sorted, ",")
	r.Options.Resolve = sorted
	for _, p := range []*string{&r.Options.TrustRoots, &r.Options.MachineSettings} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return nil, &OptionError{fmt.Errorf("launcher: %s: %w", *p, err)}
		}
		*p = abs
	}
	return r, nil
}

// key identifies the per-call inputs for caches.
func (r *Request) key() string {
	return strings.Join([]string{r.platform, r.Options.TrustRoots, r.Options.MachineSettings, r.resolveKey}, "\x00")
}
