package trusttest_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

var testNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// verify checks block for linux and https://apps.acme.com/blotter/app.json
// against roots, and returns the code ("" when trusted).
func verify(t *testing.T, roots *trust.Roots, block []byte) trust.Code {
	t.Helper()
	u, err := pattern.ParseURL("https://apps.acme.com/blotter/app.json", pattern.Strict)
	if err != nil {
		t.Fatal(err)
	}
	v := &trust.Verifier{Roots: roots, Now: func() time.Time { return testNow }}
	_, err = v.Verify(context.Background(), block, "linux", u)
	var te *trust.Error
	if errors.As(err, &te) {
		return te.Code
	}
	if err != nil {
		t.Fatalf("got %v, want an *Error", err)
	}
	return ""
}

// TestBlocks checks that what the kit makes is what rvm trusts, and that
// the options that should make rvm refuse a block do.
func TestBlocks(t *testing.T) {
	root := trusttest.NewRoot(t, trusttest.Options{})
	inter := root.Issue(t, trusttest.Options{CA: true})
	roots := trust.NewRoots(root.Certificate)
	apps := trusttest.Apps(trusttest.App{Name: "Acme Blotter", Match: []string{"https://*.acme.com/blotter/*"}, Permissions: `{"System": {"launchExternalProcess": true}}`})
	for _, tc := range []struct {
		name string
		o    trusttest.Options
		want trust.Code
	}{
		{"ecdsa-p256", trusttest.Options{}, ""},
		{"ecdsa-p384", trusttest.Options{Alg: trusttest.ECDSAP384}, ""},
		{"ed25519", trusttest.Options{Alg: trusttest.Ed25519}, ""},
		{"rsa-2048", trusttest.Options{Alg: trusttest.RSA2048}, ""},
		{"ecdsa-p521", trusttest.Options{Alg: trusttest.ECDSAP521}, trust.UnsupportedKey},
		{"rsa-1024", trusttest.Options{Alg: trusttest.RSA1024}, trust.UnsupportedKey},
		{"expired", trusttest.Options{NotAfter: testNow.Add(-time.Hour)}, trust.CertificateExpired},
		{"not-yet-valid", trusttest.Options{NotBefore: testNow.Add(time.Hour)}, trust.CertificateNotYetValid},
		{"no-eku", trusttest.Options{NoExtKeyUsage: true}, trust.WrongKeyUsage},
		{"server-eku", trusttest.Options{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, trust.WrongKeyUsage},
		{"key-usage-without-signature", trusttest.Options{KeyUsage: x509.KeyUsageKeyEncipherment}, trust.WrongKeyUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signer := inter.Issue(t, tc.o)
			block := trusttest.Block(t, signer, trusttest.Config(signer, apps, inter), "linux")
			if got := verify(t, roots, block); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("other-platforms-only", func(t *testing.T) {
		signer := root.Issue(t, trusttest.Options{})
		if got := verify(t, roots, trusttest.Block(t, signer, trusttest.Config(signer, apps), "win", "mac")); got != trust.NoPlatformSignature {
			t.Errorf("got %q, want %q", got, trust.NoPlatformSignature)
		}
	})
	t.Run("foreign-root", func(t *testing.T) {
		signer := trusttest.NewRoot(t, trusttest.Options{Name: "Foreign"}).Issue(t, trusttest.Options{})
		if got := verify(t, roots, trusttest.Block(t, signer, trusttest.Config(signer, apps))); got != trust.UnknownAuthority {
			t.Errorf("got %q, want %q", got, trust.UnknownAuthority)
		}
	})
}

// TestOptions checks the fields that the options set, and their defaults.
func TestOptions(t *testing.T) {
	root := trusttest.NewRoot(t, trusttest.Options{})
	inter := root.Issue(t, trusttest.Options{CA: true, PermittedDNS: []string{"acme.com"}, ExcludedDNS: []string{"evil.acme.com"}, CRLURLs: []string{"https://pki.acme.com/root.crl"}})
	signer := inter.Issue(t, trusttest.Options{Key: inter.Key})
	reencoded := signer.Reencoded(t, inter)
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"root-defaults", root.Subject.CommonName == "Test Root" && root.IsCA && root.NotBefore.Equal(trusttest.ValidFrom) && root.NotAfter.Equal(trusttest.ValidTo)},
		{"intermediate-name", inter.Subject.CommonName == "Test Intermediate" && inter.IsCA && inter.KeyUsage == x509.KeyUsageCertSign|x509.KeyUsageCRLSign},
		{"name-constraints", slices.Equal(inter.PermittedDNSDomains, []string{"acme.com"}) && slices.Equal(inter.ExcludedDNSDomains, []string{"evil.acme.com"}) && inter.PermittedDNSDomainsCritical},
		{"crl-url", slices.Equal(inter.CRLDistributionPoints, []string{"https://pki.acme.com/root.crl"})},
		{"signer-defaults", signer.Subject.CommonName == "Acme Corp" && !signer.IsCA && signer.KeyUsage == x509.KeyUsageDigitalSignature && slices.Equal(signer.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning})},
		{"given-key", signer.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(inter.Key.Public())},
		{"issued-by-parent", signer.CheckSignatureFrom(inter.Certificate) == nil && inter.CheckSignatureFrom(root.Certificate) == nil},
		{"re-encoded", !bytes.Equal(reencoded.Raw, signer.Raw) && bytes.Equal(reencoded.RawTBSCertificate, signer.RawTBSCertificate) && reencoded.CheckSignatureFrom(inter.Certificate) == nil},
	} {
		if !tc.ok {
			t.Errorf("%s: not as the options say", tc.name)
		}
	}
	crl, err := x509.ParseRevocationList(inter.CRL(t, 7, testNow, testNow.Add(time.Hour), signer))
	if err != nil {
		t.Fatal(err)
	}
	if crl.CheckSignatureFrom(inter.Certificate) != nil || crl.Number.Int64() != 7 || len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(signer.SerialNumber) != 0 {
		t.Errorf("got CRL number %v listing %d, want number 7 listing the signer, signed by the intermediate", crl.Number, len(crl.RevokedCertificateEntries))
	}
	data, err := os.ReadFile(trusttest.WriteRoots(t, root, inter))
	if err != nil {
		t.Fatal(err)
	}
	certs, err := trust.ParseCertificates(data)
	if err != nil || len(certs) != 2 || !certs[0].Equal(root.Certificate) || !certs[1].Equal(inter.Certificate) {
		t.Errorf("got %d certificates (%v) from the roots file, want the root and the intermediate", len(certs), err)
	}
}
