package launcher_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// The caller's environment goes into a request by name, only the
// variables that can change a decision and only where set.
func TestCallerEnvironment(t *testing.T) {
	env := map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "no_proxy": "intranet.test", "HOME": "/root", "LD_PRELOAD": "/tmp/x.so"}
	for _, name := range platform.TLSRootsVariables() {
		env[name] = "/etc/my-roots"
	}
	got := launcher.CallerEnvironment(func(name string) string { return env[name] })
	delete(env, "HOME")
	delete(env, "LD_PRELOAD")
	if len(got) != len(env) {
		t.Errorf("got %v, want %v", got, env)
	}
	for name, v := range env {
		if got[name] != v {
			t.Errorf("%s: got %q, want %q", name, got[name], v)
		}
	}
	if got := launcher.CallerEnvironment(func(string) string { return "" }); got != nil {
		t.Errorf("an environment without them: got %v, want nil", got)
	}
}

// A request's environment is checked like its flags: a name it does not
// carry, or a proxy that is no URL, is bad usage naming it.
func TestRequestEnvironmentChecked(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string // "" where the request is good
	}{
		{"good-proxy-url", map[string]string{"HTTPS_PROXY": "http://user:pw@proxy.test:3128"}, ""},
		{"good-proxy-host-port", map[string]string{"https_proxy": "proxy.test:3128"}, ""},
		{"good-proxy-ipv6", map[string]string{"HTTP_PROXY": "http://[::1]:3128"}, ""},
		{"good-socks", map[string]string{"HTTPS_PROXY": "socks5://127.0.0.1:1080"}, ""},
		{"good-no-proxy-list", map[string]string{"NO_PROXY": "*.intranet.test, 10.0.0.0/8"}, ""},
		{"bad-name", map[string]string{"LD_PRELOAD": "/tmp/x.so"}, `"LD_PRELOAD" is not one a request carries`},
		{"bad-proxy-url", map[string]string{"HTTPS_PROXY": "http://[::1"}, `HTTPS_PROXY "http://[::1"`},
		{"bad-proxy-scheme", map[string]string{"http_proxy": "ftp://proxy.test"}, `scheme "ftp"`},
		{"bad-proxy-no-host", map[string]string{"HTTPS_PROXY": "http://:3128"}, "no host"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := launcher.ParseOptions(launcher.Options{Environment: tt.env}, "linux")
			var bad *launcher.OptionError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tt.want != "" && (!errors.As(err, &bad) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an option error holding %q", err, tt.want)
			}
		})
	}
}

// A request's distrusted signers are checked as the store checks them:
// keys of 64 lower-case hex digits, at most as many as a store holds.
func TestRequestDistrustedSignersChecked(t *testing.T) {
	many := make([]string, permissions.MaxStoreSigners+1)
	for i := range many {
		many[i] = fmt.Sprintf("%064x", i)
	}
	for _, tt := range []struct {
		name string
		keys []string
		want string // "" where the request is good
	}{
		{"good", many[:permissions.MaxStoreSigners], ""},
		{"too-many", many, fmt.Sprintf("more than %d distrusted signers", permissions.MaxStoreSigners)},
		{"upper-case", []string{strings.ToUpper(many[10])}, "want 64 lower-case hex digits"},
		{"short", []string{"abcd"}, `distrusted signer "abcd"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := launcher.ParseOptions(launcher.Options{DistrustedSigners: tt.keys}, "linux")
			var bad *launcher.OptionError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tt.want != "" && (!errors.As(err, &bad) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an option error holding %q", err, tt.want)
			}
		})
	}
}

// Requests that differ only in the TLS roots their environment names share
// no fetcher and no cached manifest (SPEC 7: every cache is keyed by the
// per-call inputs): one whose roots do not verify the server fails as a
// certificate failure, although the same Launcher fetched the manifest
// strictly a moment before for a request whose roots did.
func TestCachesKeyedByEnvironment(t *testing.T) {
	if !slices.Contains(platform.TLSRootsVariables(), "SSL_CERT_FILE") {
		t.Skip("SSL_CERT_FILE chooses no TLS roots on this platform")
	}
	w := launchertest.NewWorld(t)
	ca := filepath.Join(w.Dir, "ca.pem")
	none := filepath.Join(w.Dir, "none.pem")
	platformtest.Must(t, os.WriteFile(ca, w.CA.PEM(), 0o644))
	platformtest.Must(t, os.WriteFile(none, nil, 0o644))
	w.Settings(`{"allowInvalidNetworkCertificates": 0}`)
	// The Launcher's own roots are the system's, which do not hold the
	// vendor's CA: only the request's environment can.
	l := launcher.New(launcher.Env{DataDir: filepath.Join(w.Dir, "data"), Settings: &settings.Sources{}})
	url := w.Publish("/app.json", `{}`, nil)
	o := w.Opts
	o.Environment = map[string]string{"SSL_CERT_FILE": ca}
	doc, err := l.Verify(context.Background(), url, o)
	if err != nil || doc.Fetch.Mode != "strict" {
		t.Fatalf("with the vendor's CA: got %v (%+v), want a strict fetch", err, doc)
	}
	o.Environment = map[string]string{"SSL_CERT_FILE": none}
	_, err = l.Verify(context.Background(), url, o)
	if err == nil || !strings.Contains(err.Error(), "certificate") || !strings.Contains(err.Error(), "allowInvalidNetworkCertificates is 0") {
		t.Fatalf("with no roots: got %v, want the certificate failure, not retried", err)
	}
}
