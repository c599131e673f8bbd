package launcher

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/net/http/httpproxy"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/owner"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// Options are the per-call inputs of one verify or launch request, as the
// command line and the local API carry them: every input of the caller
// that can change a decision. They hold for that request alone; every
// cache is keyed by them.
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
	// Environment is the caller's environment where it can change a
	// decision (see EnvironmentVariables and CallerEnvironment): the
	// variables that choose TLS roots and the proxy variables, by name,
	// set ones only. A request without them is fetched as a process
	// without them would fetch it: the system's roots (or Env.TLSRoots),
	// no proxy.
	Environment map[string]string `json:"environment,omitempty"`
	// DistrustedSigners are the signing keys (hex SHA-256 of a
	// SubjectPublicKeyInfo, see permissions.IsSPKI) that the caller
	// distrusts (`rvm permissions distrust --signer`, SPEC 5.7): a block
	// they signed is revoked for this request. The launcher fills them
	// from the caller's store; they can only make a decision stricter.
	DistrustedSigners []string `json:"distrustedSigners,omitempty"`
}

// proxyVariables are the proxy variables of a request's Environment, as
// Go reads them (golang.org/x/net/http/httpproxy.FromEnvironment): the
// upper-case name first.
var proxyVariables = []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"}

// EnvironmentVariables are the names a request's Environment may hold:
// those that choose this platform's TLS roots (platform.TLSRootsVariables:
// SSL_CERT_FILE and SSL_CERT_DIR on Linux) and the proxy variables, each
// also in lower case.
func EnvironmentVariables() []string {
	return append(platform.TLSRootsVariables(), proxyVariables...)
}

// CallerEnvironment is what of the environment that getenv reads goes into
// a request's Options.Environment: each of EnvironmentVariables that is
// set. nil where none is.
func CallerEnvironment(getenv func(string) string) map[string]string {
	var env map[string]string
	for _, name := range EnvironmentVariables() {
		if v := getenv(name); v != "" {
			if env == nil {
				env = map[string]string{}
			}
			env[name] = v
		}
	}
	return env
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
	// proxy is the proxy of each URL, as Options.Environment says.
	proxy func(*url.URL) (*url.URL, error)
	// transportKey is what decides how a fetch reaches a server: the
	// resolve entries, sorted, and the environment, for the fetchers' map.
	transportKey string
	// stored is this user's store as distrusts read it for this request,
	// for the user side to take its answers from: nil where it was not
	// read, or could not be (the user side then reads it, and says why).
	stored *permissions.Snapshot
	// owner is the desktop owner settings as a link launch's early check
	// read them for this request (see refuseLinkEarly), which Decide then
	// takes instead of reading them again; nil otherwise.
	owner *owner.Loaded
	// machine is the machine settings held for one verify or launch of
	// this request (see Launcher.holdSettings); nil otherwise.
	machine *settings.Machine
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
	r.Options.Resolve = slices.Sorted(slices.Values(o.Resolve))
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
	if err := r.parseEnvironment(); err != nil {
		return nil, &OptionError{err}
	}
	if len(o.DistrustedSigners) > permissions.MaxStoreSigners {
		return nil, &OptionError{fmt.Errorf("launcher: more than %d distrusted signers", permissions.MaxStoreSigners)}
	}
	for _, spki := range o.DistrustedSigners {
		if !permissions.IsSPKI(spki) {
			return nil, &OptionError{fmt.Errorf("launcher: distrusted signer %q: want 64 lower-case hex digits", spki)}
		}
	}
	env := make([]string, 0, len(o.Environment))
	for _, name := range slices.Sorted(maps.Keys(o.Environment)) {
		env = append(env, name+"="+o.Environment[name])
	}
	r.transportKey = strings.Join(r.Options.Resolve, ",") + "\x00" + strings.Join(env, "\x00")
	return r, nil
}

// parseEnvironment checks the names of Options.Environment and its proxy
// URLs, and sets r.proxy.
func (r *Request) parseEnvironment() error {
	known := EnvironmentVariables()
	for name := range r.Options.Environment {
		if !slices.Contains(known, name) {
			return fmt.Errorf("launcher: environment variable %q is not one a request carries (%s)", name, strings.Join(known, ", "))
		}
	}
	first := func(names ...string) string {
		for _, n := range names {
			if v := r.Options.Environment[n]; v != "" {
				return v
			}
		}
		return ""
	}
	for _, name := range proxyVariables {
		if v := r.Options.Environment[name]; v != "" && !strings.HasSuffix(strings.ToUpper(name), "NO_PROXY") {
			if err := checkProxy(v); err != nil {
				return fmt.Errorf("launcher: %s %q in the environment: %w", name, v, err)
			}
		}
	}
	cfg := &httpproxy.Config{
		HTTPSProxy: first("HTTPS_PROXY", "https_proxy"),
		HTTPProxy:  first("HTTP_PROXY", "http_proxy"),
		NoProxy:    first("NO_PROXY", "no_proxy"),
	}
	r.proxy = cfg.ProxyFunc()
	return nil
}

// checkProxy checks a proxy variable's value as httpproxy reads it (a
// URL, or a host and port that stand for one of scheme http), and more
// strictly: it parses as a URL, of a scheme that Go's transport speaks
// (http, https, socks5, socks5h), with a host.
func checkProxy(v string) error {
	if !strings.Contains(v, "://") {
		v = "http://" + v
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return errors.New("not a proxy URL")
	case !slices.Contains([]string{"http", "https", "socks5", "socks5h"}, u.Scheme):
		return fmt.Errorf("scheme %q: want http, https, socks5 or socks5h", u.Scheme)
	case u.Hostname() == "":
		return errors.New("no host")
	}
	return nil
}

// CallerChosen lists the inputs of r that make whoever decides read files
// or take TLS roots of the caller's choosing (--trust-roots,
// --machine-settings, SSL_CERT_FILE, SSL_CERT_DIR): a system service acts
// on them only for its own user. Empty where there are none.
func (r *Request) CallerChosen() []string {
	var chosen []string
	if r.Options.TrustRoots != "" {
		chosen = append(chosen, "--trust-roots")
	}
	if r.Options.MachineSettings != "" {
		chosen = append(chosen, "--machine-settings")
	}
	for _, name := range platform.TLSRootsVariables() {
		if r.Options.Environment[name] != "" {
			chosen = append(chosen, name)
		}
	}
	return chosen
}

// getenv reads r's Environment.
func (r *Request) getenv(name string) string { return r.Options.Environment[name] }

// key identifies the per-call inputs for caches.
func (r *Request) key() string {
	return strings.Join([]string{r.platform, r.Options.TrustRoots, r.Options.MachineSettings, r.transportKey}, "\x00")
}
