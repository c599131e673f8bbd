package hostile

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
)

// appHost is the name the vendor's servers answer as; a --resolve entry
// sends it to loopback.
const appHost = "apps.acme.test"

func TestMain(m *testing.M) { launchertest.Main(m) }

// vendor is an app vendor as an attacker may play it: a TLS certificate
// authority that rvm trusts for HTTPS, a trust root with a code-signing
// certificate whose blocks rvm trusts, and a scratch directory. Its servers
// answer as appHost with whatever a test makes them do.
type vendor struct {
	t      *testing.T
	dir    string
	ca     *manifesttest.CA
	signer *launchertest.Signer
}

func newVendor(t *testing.T) *vendor {
	t.Helper()
	v := &vendor{t: t, dir: t.TempDir()}
	var err error
	if v.ca, err = manifesttest.NewCA("hostile vendor TLS CA"); err != nil {
		t.Fatal(err)
	}
	v.signer = launchertest.NewSigner(t, v.dir)
	return v
}

// server starts a TLS server on loopback with a certificate for hosts
// (appHost when none), issued by the vendor's CA, speaking HTTP/2 when h2
// is set and HTTP/1.1 otherwise.
func (v *vendor) server(handler http.Handler, h2 bool, hosts ...string) *manifesttest.Server {
	return v.serverTLS(handler, h2, &tls.Config{MinVersion: tls.VersionTLS12}, hosts...)
}

// serverTLS is server with the TLS configuration cfg (certificates added).
func (v *vendor) serverTLS(handler http.Handler, h2 bool, cfg *tls.Config, hosts ...string) *manifesttest.Server {
	v.t.Helper()
	if len(hosts) == 0 {
		hosts = []string{appHost}
	}
	cert, err := v.ca.Issue(hosts...)
	if err != nil {
		v.t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.EnableHTTP2 = h2
	srv.TLS = cfg
	srv.TLS.Certificates = []tls.Certificate{cert}
	srv.StartTLS()
	v.t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		v.t.Fatal(err)
	}
	return &manifesttest.Server{Server: srv, Addr: u.Host, Port: u.Port()}
}

// shortTimeouts stand in for a fetch's real timeouts (10 to 30 seconds),
// so that an attack that runs into them ends quickly.
var shortTimeouts = fetch.Timeouts{Connect: 2 * time.Second, Handshake: 2 * time.Second, Headers: 1500 * time.Millisecond, Total: 2500 * time.Millisecond}

// fetcher returns a manifest fetcher with short timeouts that trusts the
// vendor's CA, follows the --resolve entries (see resolveTo) and caches
// in a directory of its own, for the default 30 days.
func (v *vendor) fetcher(entries ...string) *manifest.Fetcher {
	v.t.Helper()
	resolve := map[string]string{}
	for _, e := range entries {
		from, to, err := fetch.ParseResolve(e)
		if err != nil {
			v.t.Fatal(err)
		}
		resolve[from] = to
	}
	return &manifest.Fetcher{
		HTTP:        &fetch.Fetcher{RootCAs: v.ca.Pool, Resolve: resolve, Timeouts: shortTimeouts},
		Cache:       &fetch.Store{Dir: v.t.TempDir()},
		CacheMaxAge: 30 * 24 * time.Hour,
	}
}

// unsetPolicy is the fetch policy of machine settings that set nothing:
// every HTTPS security setting unset counts as allowed (SPEC 3).
var unsetPolicy = manifest.Policy{
	InvalidCertificates: manifest.Allowance{Allowed: true},
	HTTPSToHTTP:         manifest.Allowance{Allowed: true},
	HTTPStart:           manifest.Allowance{Allowed: true},
}

// launcher returns a Launcher with a data directory of its own that trusts
// the vendor's CA for HTTPS.
func (v *vendor) launcher() *launcher.Launcher {
	return launcher.New(launcher.Env{DataDir: filepath.Join(v.t.TempDir(), "data"), TLSRoots: v.ca.Pool})
}

// options are the flags of a request that follows the --resolve entries
// (see resolveTo), trusts the vendor's root and reads the machine settings
// settingsJSON ("" for an empty object).
func (v *vendor) options(settingsJSON string, entries ...string) launcher.Options {
	if settingsJSON == "" {
		settingsJSON = "{}"
	}
	path := filepath.Join(v.t.TempDir(), "settings.json")
	writeFile(v.t, path, []byte(settingsJSON))
	return launcher.Options{Platform: "linux", TrustRoots: v.signer.RootPEM, MachineSettings: path, Resolve: entries}
}

// resolveTo is the --resolve entry that sends appHost:port to loopback.
func resolveTo(port string) string { return appHost + ":" + port + ":127.0.0.1" }

// appURL is the https URL of path on appHost:port.
func appURL(port, path string) string { return "https://" + appHost + ":" + port + path }

// config is the JSON of a config signed by the vendor's certificate for
// apps (a JSON array).
func (v *vendor) config(apps string) string { return v.signer.Config(apps) }

// sign makes a trustedAppConfigs block of the config JSON cfg, as it
// stands, with a valid linux signature: whatever the config holds, the
// signature is good.
func (v *vendor) sign(cfg string) json.RawMessage { return v.signer.Sign(v.t, cfg, "linux") }

// grantAll is a block that grants, for every manifest under /, the
// permissions object perms.
func (v *vendor) grantAll(port, perms string) json.RawMessage {
	return v.sign(v.config(fmt.Sprintf(`[{"name": "Acme Blotter", "match": ["https://*.acme.test:%s/*"], "permissions": %s}]`, port, perms)))
}

// appManifest is a manifest that requests perms (a permissions object) in
// startup_app and carries block when it is not nil.
func appManifest(perms string, block json.RawMessage) []byte {
	m := `{"runtime": {"version": "38.*"}, "startup_app": {"name": "blotter", "permissions": ` + perms + `}`
	if block != nil {
		m += `, "trustedAppConfigs": ` + string(block)
	}
	return []byte(m + "}")
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// wantError fails unless err is an error whose message holds every one of
// want.
func wantError(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("got error %q, want one containing %q", err, w)
		}
	}
}

// allocated runs f and returns how many bytes the whole process allocated
// meanwhile: an upper bound on what f held at any moment. Tests that call
// it do not run in parallel with others.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// watchdog is how long an attack may run before the test calls it a hang:
// far above every bound under test, so that it never decides a pass, only
// turns a hang into a clear failure instead of go test's timeout.
const watchdog = time.Minute

// ends runs f and fails the test if f has not returned within watchdog.
func ends(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(watchdog):
		t.Fatalf("%s did not end within %v: a bound is missing", what, watchdog)
	}
}

// verify runs l.Verify under the watchdog.
func verify(t *testing.T, l *launcher.Launcher, rawURL string, o launcher.Options) (doc *launcher.Document, err error) {
	t.Helper()
	ends(t, "verify of "+rawURL, func() { doc, err = l.Verify(context.Background(), rawURL, o) })
	return doc, err
}

// verifyVia runs l.VerifyVia (through the service where l has one) under
// the watchdog.
func verifyVia(t *testing.T, l *launcher.Launcher, rawURL string, o launcher.Options) (doc *launcher.Document, err error) {
	t.Helper()
	r, err := launcher.NewRequest(rawURL, o, "linux")
	if err != nil {
		return nil, err
	}
	ends(t, "verify of "+rawURL+" through the service", func() { doc, err = l.VerifyVia(context.Background(), r) })
	return doc, err
}

// settingsReport is l.Settings for the options o.
func settingsReport(t *testing.T, l *launcher.Launcher, o launcher.Options) *launcher.SettingsReport {
	t.Helper()
	r, err := launcher.ParseOptions(o, "linux")
	if err != nil {
		t.Fatal(err)
	}
	var rep *launcher.SettingsReport
	ends(t, "reading machine settings", func() { rep = l.Settings(context.Background(), r) })
	return rep
}
