package hostile

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
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
	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/manifest/trust"
)

// appHost is the name the vendor's servers answer as; a --resolve entry
// sends it to loopback.
const appHost = "apps.acme.test"

// vendor is an app vendor as an attacker may play it: a TLS certificate
// authority that rvm trusts for HTTPS, a trust root with a code-signing
// certificate whose blocks rvm trusts, and a scratch directory. Its servers
// answer as appHost with whatever a test makes them do.
type vendor struct {
	t      *testing.T
	dir    string
	ca     *manifesttest.CA
	roots  string // the trust root bundle (PEM) for Options.TrustRoots
	signer *x509.Certificate
	key    *ecdsa.PrivateKey
}

func newVendor(t *testing.T) *vendor {
	t.Helper()
	v := &vendor{t: t, dir: t.TempDir()}
	var err error
	if v.ca, err = manifesttest.NewCA("hostile vendor TLS CA"); err != nil {
		t.Fatal(err)
	}
	rootKey := newKey(t)
	root := newCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Hostile Suite Root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, nil, &rootKey.PublicKey, rootKey)
	v.key = newKey(t)
	v.signer = newCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Acme Corp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}, root, &v.key.PublicKey, rootKey)
	v.roots = filepath.Join(v.dir, "roots.pem")
	writeFile(t, v.roots, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}))
	return v
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newCert(t *testing.T, tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
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
var shortTimeouts = manifest.Timeouts{Connect: 2 * time.Second, Handshake: 2 * time.Second, Headers: 1500 * time.Millisecond, Total: 2500 * time.Millisecond}

// fetcher returns a fetcher with short timeouts that trusts the vendor's
// CA and follows the --resolve entries (see resolveTo).
func (v *vendor) fetcher(entries ...string) *manifest.Fetcher {
	v.t.Helper()
	resolve := map[string]string{}
	for _, e := range entries {
		from, to, err := manifest.ParseResolve(e)
		if err != nil {
			v.t.Fatal(err)
		}
		resolve[from] = to
	}
	return &manifest.Fetcher{RootCAs: v.ca.Pool, Resolve: resolve, CacheDir: v.t.TempDir(), Timeouts: shortTimeouts}
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
	return launcher.Options{Platform: "linux", TrustRoots: v.roots, MachineSettings: path, Resolve: entries}
}

// resolveTo is the --resolve entry that sends appHost:port to loopback.
func resolveTo(port string) string { return appHost + ":" + port + ":127.0.0.1" }

// appURL is the https URL of path on appHost:port.
func appURL(port, path string) string { return "https://" + appHost + ":" + port + path }

// config is the JSON of a config signed by the vendor's certificate for
// apps (a JSON array).
func (v *vendor) config(apps string) string {
	return fmt.Sprintf(`{"version": 1, "certificate": %q, "apps": %s}`, base64.StdEncoding.EncodeToString(v.signer.Raw), apps)
}

// sign makes a trustedAppConfigs block of the config JSON cfg, as it
// stands, with a valid linux signature: whatever the config holds, the
// signature is good.
func (v *vendor) sign(cfg string) json.RawMessage {
	v.t.Helper()
	value := base64.StdEncoding.EncodeToString([]byte(cfg))
	sig, err := trust.Sign(v.key, "linux", value)
	if err != nil {
		v.t.Fatal(err)
	}
	return json.RawMessage(fmt.Sprintf(`{"value": %q, "signature": {"linux": %q}}`, value, sig))
}

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
