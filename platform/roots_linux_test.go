package platform

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

func init() {
	// "dial ADDR HOST" connects to ADDR over TLS, verifying HOST against
	// SystemRoots, and prints "verified" or why not.
	childRoles["dial"] = func(args []string) int {
		if err := dial(args[0], args[1], SystemRoots()); err != nil {
			fmt.Println(err)
			return 1
		}
		fmt.Println("verified")
		return 0
	}
}

// dial reports whether a TLS server at addr verifies for host against
// roots (nil: crypto/tls's own system roots).
func dial(addr, host string, roots *x509.CertPool) error {
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: host})
	if err != nil {
		return err
	}
	return conn.Close()
}

// rootsRig is a TLS server whose CA is in a bundle file of its own,
// beside a file holding another CA and folders holding each.
type rootsRig struct {
	srv                   *manifesttest.Server
	ca, other             *manifesttest.CA
	bundle, otherBundle   string // PEM files: the server's CA, another CA
	caDir, emptyDir, none string // a folder with the server's CA, an empty one, a missing file
}

const rootsHost = "roots.test"

func newRootsRig(t *testing.T) *rootsRig {
	t.Helper()
	ca, err := manifesttest.NewCA("roots test CA")
	platformtest.Must(t, err)
	other, err := manifesttest.NewCA("another CA")
	platformtest.Must(t, err)
	srv, err := manifesttest.NewTLSServer(ca, http.NotFoundHandler(), rootsHost)
	platformtest.Must(t, err)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	r := &rootsRig{srv: srv, ca: ca, other: other,
		bundle: filepath.Join(dir, "bundle.pem"), otherBundle: filepath.Join(dir, "other.pem"),
		caDir: filepath.Join(dir, "certs"), emptyDir: filepath.Join(dir, "empty"), none: filepath.Join(dir, "missing.pem")}
	// A bundle as distributions write it: more than one root, the
	// server's among them.
	platformtest.Must(t, os.WriteFile(r.bundle, append(other.PEM(), ca.PEM()...), 0o644))
	platformtest.Must(t, os.WriteFile(r.otherBundle, other.PEM(), 0o644))
	platformtest.Must(t, os.MkdirAll(r.caDir, 0o755))
	platformtest.Must(t, os.MkdirAll(r.emptyDir, 0o755))
	platformtest.Must(t, os.WriteFile(filepath.Join(r.caDir, "ca.pem"), ca.PEM(), 0o644))
	return r
}

func TestBundleRoots(t *testing.T) {
	r := newRootsRig(t)
	empty := filepath.Join(t.TempDir(), "empty.pem")
	platformtest.Must(t, os.WriteFile(empty, []byte("no certificate here\n"), 0o644))
	both := x509.NewCertPool()
	both.AddCert(r.other.Cert)
	both.AddCert(r.ca.Cert)
	for _, tc := range []struct {
		name    string
		env     map[string]string
		bundles []string
		want    *x509.CertPool // nil: left to crypto/x509
	}{
		{"first-bundle-that-exists", nil, []string{r.none, r.bundle, r.otherBundle}, both},
		{"ssl-cert-file-instead-of-the-bundles", map[string]string{"SSL_CERT_FILE": r.bundle}, []string{r.otherBundle}, both},
		{"ssl-cert-dir-set", map[string]string{"SSL_CERT_DIR": r.caDir}, []string{r.bundle}, nil},
		{"ssl-cert-dir-and-file-set", map[string]string{"SSL_CERT_DIR": r.emptyDir, "SSL_CERT_FILE": r.bundle}, []string{r.bundle}, nil},
		{"ssl-cert-file-missing", map[string]string{"SSL_CERT_FILE": r.none}, []string{r.bundle}, nil},
		{"no-bundle", nil, []string{r.none}, nil},
		{"bundle-without-certificates", nil, []string{empty, r.bundle}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := bundleRoots(func(k string) string { return tc.env[k] }, tc.bundles)
			switch {
			case tc.want == nil && got != nil:
				t.Fatal("got a pool, want nil (crypto/x509's own loading)")
			case tc.want != nil && !tc.want.Equal(got):
				t.Fatalf("got pool %v, want the bundle's two roots", got)
			}
		})
	}
}

// TestBundleRootsVerify checks that the pool read from a bundle file
// verifies a server whose CA it holds, for the server's name only.
func TestBundleRootsVerify(t *testing.T) {
	r := newRootsRig(t)
	pool := bundleRoots(func(k string) string { return map[string]string{"SSL_CERT_FILE": r.bundle}[k] }, nil)
	if pool == nil {
		t.Fatal("got no pool from the bundle file")
	}
	if err := dial(r.srv.Addr, rootsHost, pool); err != nil {
		t.Errorf("got %v, want the server verified", err)
	}
	var host x509.HostnameError
	if err := dial(r.srv.Addr, "other.test", pool); !errors.As(err, &host) {
		t.Errorf("for another host name got %v, want a host name error", err)
	}
	pool = bundleRoots(func(k string) string { return map[string]string{"SSL_CERT_FILE": r.otherBundle}[k] }, nil)
	var unknown x509.UnknownAuthorityError
	if err := dial(r.srv.Addr, rootsHost, pool); !errors.As(err, &unknown) {
		t.Errorf("with a bundle without the server's CA got %v, want an unknown authority", err)
	}
}

// TestSystemRootsEnvironment checks SystemRoots as a process meets it:
// SSL_CERT_FILE and SSL_CERT_DIR honoured as crypto/x509 honours them,
// and the bundle file alone where SSL_CERT_DIR is unset.
func TestSystemRootsEnvironment(t *testing.T) {
	r := newRootsRig(t)
	const unset = "\x00unset"
	for _, tc := range []struct {
		name, file, dir string
		verified        bool
	}{
		{"ssl-cert-file", r.bundle, unset, true},
		{"ssl-cert-file-without-the-ca", r.otherBundle, unset, false},
		{"ssl-cert-dir", r.none, r.caDir, true},
		{"ssl-cert-dir-with-a-file-without-the-ca", r.otherBundle, r.caDir, true},
		{"ssl-cert-file-with-an-empty-dir", r.bundle, r.emptyDir, true},
		{"neither-holds-the-ca", r.otherBundle, r.emptyDir, false},
		{"dir-list", r.none, r.emptyDir + ":" + r.caDir, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := platformtest.Child(t, "dial", r.srv.Addr, rootsHost)
			var env []string
			for _, kv := range cmd.Env {
				if !strings.HasPrefix(kv, "SSL_CERT_FILE=") && !strings.HasPrefix(kv, "SSL_CERT_DIR=") {
					env = append(env, kv)
				}
			}
			env = append(env, "SSL_CERT_FILE="+tc.file)
			if tc.dir != unset {
				env = append(env, "SSL_CERT_DIR="+tc.dir)
			}
			cmd.Env = env
			out, err := cmd.Output()
			if got := err == nil; got != tc.verified {
				t.Errorf("got verified %v (%q), want %v", got, strings.TrimSpace(string(out)), tc.verified)
			}
		})
	}
}
