package launcher

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/manifest/trust"
)

// world is a vendor's TLS server on loopback serving manifests as
// apps.acme.test, a trust root with a code-signing certificate, and a
// Launcher with its own data directory that trusts the server's CA.
type world struct {
	t        testing.TB
	srv      *manifesttest.Server
	rootPEM  string // path of the trust root bundle
	signer   *x509.Certificate
	key      *ecdsa.PrivateKey
	dir      string
	l        *Launcher
	opts     Options
	fetches  atomic.Int64
	mu       sync.Mutex
	manifest map[string][]byte // by path
	delay    time.Duration
}

const appHost = "apps.acme.test"

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, dir: t.TempDir(), manifest: map[string][]byte{}}
	ca, err := manifesttest.NewCA("vendor TLS CA")
	if err != nil {
		t.Fatal(err)
	}
	w.srv, err = manifesttest.NewTLSServer(ca, http.HandlerFunc(w.serve), appHost)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.srv.Close)

	rootKey := mustKey(t)
	root := mustCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Trust Root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, nil, &rootKey.PublicKey, rootKey)
	w.key = mustKey(t)
	w.signer = mustCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Acme Corp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}, root, &w.key.PublicKey, rootKey)
	w.rootPEM = filepath.Join(w.dir, "roots.pem")
	if err := os.WriteFile(w.rootPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	w.opts = Options{Platform: "linux", TrustRoots: w.rootPEM, Resolve: []string{w.srv.Resolve(appHost)}}
	w.settings(`{}`)
	w.l = New(Env{DataDir: filepath.Join(w.dir, "data"), TLSRoots: ca.Pool})
	return w
}

func mustKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustCert(t testing.TB, tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, key *ecdsa.PrivateKey) *x509.Certificate {
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

func (w *world) serve(rw http.ResponseWriter, r *http.Request) {
	w.fetches.Add(1)
	w.mu.Lock()
	body, ok := w.manifest[r.URL.Path]
	delay := w.delay
	w.mu.Unlock()
	time.Sleep(delay)
	if !ok {
		http.NotFound(rw, r)
		return
	}
	rw.Write(body)
}

// settings writes the machine settings file of w.opts.
func (w *world) settings(js string) {
	w.opts.MachineSettings = filepath.Join(w.dir, "settings.json")
	if err := os.WriteFile(w.opts.MachineSettings, []byte(js), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// owner writes a desktop owner settings file and points the machine
// settings at it.
func (w *world) owner(js string) string {
	path := filepath.Join(w.dir, "owner.json")
	if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
		w.t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{"DesktopOwnerSettings": path})
	w.settings(string(b))
	return path
}

// block signs apps (the JSON array of the config) for the platforms.
func (w *world) block(apps string, platforms ...string) json.RawMessage {
	cfg := fmt.Sprintf(`{"version": 1, "certificate": %q, "apps": %s}`, base64.StdEncoding.EncodeToString(w.signer.Raw), apps)
	value := base64.StdEncoding.EncodeToString([]byte(cfg))
	sigs := map[string]string{}
	for _, p := range platforms {
		s, err := trust.Sign(w.key, p, value)
		if err != nil {
			w.t.Fatal(err)
		}
		sigs[p] = s
	}
	out, _ := json.Marshal(map[string]any{"value": value, "signature": sigs})
	return out
}

// publish serves a manifest at path: the given permissions object and,
// when block is not nil, the block.
func (w *world) publish(path, permissions string, block json.RawMessage) string {
	m := map[string]any{
		"runtime":     map[string]any{"version": "38.*", "arguments": "--v=1"},
		"startup_app": map[string]any{"name": "blotter", "permissions": json.RawMessage(permissions)},
	}
	if block != nil {
		m["trustedAppConfigs"] = block
	}
	body, _ := json.Marshal(m)
	w.mu.Lock()
	w.manifest[path] = body
	w.mu.Unlock()
	return w.srv.URL(appHost, path)
}

// pattern is the signed pattern for the server's apps under prefix.
func (w *world) pattern(prefix string) string {
	return fmt.Sprintf("https://*.acme.test:%s%s*", w.srv.Port, prefix)
}

func (w *world) verify(url string) *Document {
	w.t.Helper()
	doc, err := w.l.Verify(context.Background(), url, w.opts)
	if err != nil {
		w.t.Fatalf("Verify(%s): %v", url, err)
	}
	return doc
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
