package platform

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// TLSRoots holds what Go's system pool would hold in a process with the
// given environment (on Linux: SSL_CERT_FILE, SSL_CERT_DIR), and nothing
// of a variable that this platform's verifier does not read.
func TestTLSRoots(t *testing.T) {
	dir := platformtest.TempDir(t)
	cert := selfSigned(t)
	pemFile := filepath.Join(dir, "ca.pem")
	certDir := filepath.Join(dir, "certs")
	if err := os.Mkdir(certDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{pemFile, filepath.Join(certDir, "ca.pem")} {
		if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	honoured := len(TLSRootsVariables()) > 0
	for _, tt := range []struct {
		name string
		env  map[string]string
		// want: "system" (nil: the system's own), "ca" (a pool that
		// verifies cert) or "empty" (a pool that verifies nothing).
		want string
	}{
		{"none-set", nil, "system"},
		{"cert-file", map[string]string{"SSL_CERT_FILE": pemFile}, "ca"},
		{"cert-dir", map[string]string{"SSL_CERT_DIR": filepath.Join(dir, "nothing") + ":" + certDir}, "ca"},
		{"cert-file-missing", map[string]string{"SSL_CERT_FILE": filepath.Join(dir, "nothing.pem"), "SSL_CERT_DIR": filepath.Join(dir, "nothing")}, "empty"},
		{"cert-file-not-pem", map[string]string{"SSL_CERT_FILE": certDir, "SSL_CERT_DIR": dir + "/none"}, "empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if !honoured {
				want = "system"
			}
			pool := TLSRoots(func(name string) string { return tt.env[name] })
			got := "empty"
			switch {
			case pool == nil:
				got = "system"
			case verifies(pool, cert):
				got = "ca"
			}
			if got != want {
				t.Errorf("got %s roots, want %s", got, want)
			}
		})
	}
}

// Where only SSL_CERT_FILE is set, its file holds every root, as curl
// reads its bundle: not the system's certificate folders as well, which
// Go would read one file at a time at each start.
func TestTLSRootsOfOneFile(t *testing.T) {
	if len(TLSRootsVariables()) == 0 {
		t.Skip("this platform's verifier reads no variable")
	}
	pemFile := filepath.Join(platformtest.TempDir(t), "ca.pem")
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: selfSigned(t).Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	pool := TLSRoots(func(name string) string { return map[string]string{"SSL_CERT_FILE": pemFile}[name] })
	//lint:ignore SA1019 the pool is one of files, not the system's
	if n := len(pool.Subjects()); n != 1 {
		t.Errorf("got %d roots, want the 1 of %s alone", n, pemFile)
	}
}

// verifies reports whether pool verifies cert.
func verifies(pool *x509.CertPool, cert *x509.Certificate) bool {
	_, err := cert.Verify(x509.VerifyOptions{Roots: pool})
	return err == nil
}

// selfSigned is a self-signed CA certificate made on the spot.
func selfSigned(t *testing.T) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tlsroots test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
