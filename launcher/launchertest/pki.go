package launchertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/trust"
)

// Signer is an app vendor's signing side: a trust root, written as a PEM
// bundle for Options.TrustRoots, and a code-signing certificate for "Acme
// Corp" issued by it, with its key. (manifest/trust/trusttest will take
// its place.)
type Signer struct {
	// RootPEM is the path of the trust root bundle.
	RootPEM string
	Root    *x509.Certificate
	// Cert signs blocks with Key.
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// NewSigner makes a trust root and a code-signing certificate, valid from
// an hour ago, and writes the root's bundle to dir/roots.pem.
func NewSigner(t testing.TB, dir string) *Signer {
	t.Helper()
	rootKey := mustKey(t)
	s := &Signer{Key: mustKey(t), RootPEM: filepath.Join(dir, "roots.pem")}
	s.Root = mustCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Trust Root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, nil, &rootKey.PublicKey, rootKey)
	s.Cert = mustCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Acme Corp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}, s.Root, &s.Key.PublicKey, rootKey)
	if err := os.WriteFile(s.RootPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Root.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

func mustKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustCert(t testing.TB, tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, key *ecdsa.PrivateKey) *x509.Certificate {
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

// Config is the JSON of a config signed by the signing certificate for
// apps (a JSON array of app entries).
func (s *Signer) Config(apps string) string {
	return fmt.Sprintf(`{"version": 1, "certificate": %q, "apps": %s}`, base64.StdEncoding.EncodeToString(s.Cert.Raw), apps)
}

// Sign makes a trustedAppConfigs block of the config JSON cfg, as it
// stands, with a valid signature for each of platforms: whatever the
// config holds, the signatures are good. The block is written as
// {"value": "...", "signature": {"linux": "..."}}, with a space after each
// colon, so that a test can edit its bytes.
func (s *Signer) Sign(t testing.TB, cfg string, platforms ...string) json.RawMessage {
	t.Helper()
	value := base64.StdEncoding.EncodeToString([]byte(cfg))
	sigs := make([]string, len(platforms))
	for i, p := range platforms {
		sig, err := trust.Sign(s.Key, p, value)
		if err != nil {
			t.Fatal(err)
		}
		sigs[i] = fmt.Sprintf("%q: %q", p, sig)
	}
	return json.RawMessage(fmt.Sprintf(`{"value": %q, "signature": {%s}}`, value, strings.Join(sigs, ", ")))
}
