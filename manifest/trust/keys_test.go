package trust_test

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// TestChainKeyRules checks SPEC 5.3's rules for every certificate of the
// chain, not only the signer: a key of SPEC 5.2's table, and every
// signature (a root's self-signature aside) made with SHA-256 or
// stronger, or Ed25519. Weak roots and intermediates are refused as
// unsupported-key, before the codes that SPEC 5.3 puts after it.
func TestChainKeyRules(t *testing.T) {
	u, err := pattern.ParseURL(testURL, pattern.Strict)
	if err != nil {
		t.Fatal(err)
	}
	past := testNow.Add(-time.Hour)
	cases := []struct {
		name   string
		root   trusttest.Options
		inter  trusttest.Options // no intermediate where CA is false
		leaf   trusttest.Options
		want   trust.Code
		reason string // in the reason, where given
	}{
		{name: "p256-throughout", inter: trusttest.Options{CA: true}},
		{name: "rsa-2048-root", root: trusttest.Options{Alg: trusttest.RSA2048}, inter: trusttest.Options{CA: true}},
		{name: "ed25519-root-and-intermediate", root: trusttest.Options{Alg: trusttest.Ed25519}, inter: trusttest.Options{CA: true, Alg: trusttest.Ed25519}},
		{name: "p384-intermediate-signed-with-sha-512", inter: trusttest.Options{CA: true, Alg: trusttest.ECDSAP384, SignatureAlgorithm: x509.ECDSAWithSHA512}},
		{name: "rsa-pss-signed-intermediate", root: trusttest.Options{Alg: trusttest.RSA2048}, inter: trusttest.Options{CA: true, SignatureAlgorithm: x509.SHA256WithRSAPSS}},
		{name: "sha-1-self-signed-root-aside", root: trusttest.Options{Alg: trusttest.RSA2048, SignatureAlgorithm: x509.SHA1WithRSA}, inter: trusttest.Options{CA: true}},

		{name: "rsa-1024-root", root: trusttest.Options{Name: "Weak Root", Alg: trusttest.RSA1024}, inter: trusttest.Options{CA: true},
			want: trust.UnsupportedKey, reason: `certificate "Weak Root" of the chain has a key that is RSA of 1024 bits`},
		{name: "rsa-1024-root-signs-the-signer", root: trusttest.Options{Name: "Weak Root", Alg: trusttest.RSA1024}, want: trust.UnsupportedKey, reason: `"Weak Root"`},
		{name: "rsa-1024-intermediate", inter: trusttest.Options{Name: "Weak Intermediate", CA: true, Alg: trusttest.RSA1024},
			want: trust.UnsupportedKey, reason: `certificate "Weak Intermediate" of the chain has a key that is RSA of 1024 bits`},
		{name: "p521-intermediate", inter: trusttest.Options{CA: true, Alg: trusttest.ECDSAP521}, want: trust.UnsupportedKey, reason: "ECDSA P-521"},
		{name: "p521-root", root: trusttest.Options{Alg: trusttest.ECDSAP521}, inter: trusttest.Options{CA: true}, want: trust.UnsupportedKey, reason: "ECDSA P-521"},
		{name: "sha-1-signed-intermediate", root: trusttest.Options{Name: "RSA Root", Alg: trusttest.RSA2048}, inter: trusttest.Options{Name: "SHA-1 Intermediate", CA: true, SignatureAlgorithm: x509.SHA1WithRSA},
			want: trust.UnsupportedKey, reason: `certificate "SHA-1 Intermediate" is signed by "RSA Root" with SHA1-RSA`},
		{name: "ecdsa-sha-1-signed-intermediate", inter: trusttest.Options{CA: true, SignatureAlgorithm: x509.ECDSAWithSHA1}, want: trust.UnsupportedKey, reason: "ECDSA-SHA1"},
		{name: "sha-1-signed-signer", inter: trusttest.Options{CA: true}, leaf: trusttest.Options{Name: "SHA-1 Signer", SignatureAlgorithm: x509.ECDSAWithSHA1},
			want: trust.UnsupportedKey, reason: `certificate "SHA-1 Signer" is signed by`},
		{name: "rsa-1024-intermediate-before-an-expired-signer", inter: trusttest.Options{CA: true, Alg: trusttest.RSA1024}, leaf: trusttest.Options{NotAfter: past, NotBefore: past.Add(-time.Hour)},
			want: trust.UnsupportedKey},
		{name: "sha-1-intermediate-before-an-expired-one", inter: trusttest.Options{CA: true, SignatureAlgorithm: x509.ECDSAWithSHA1, NotAfter: past, NotBefore: past.Add(-time.Hour)},
			want: trust.UnsupportedKey},
		{name: "expired-intermediate-still-expired", inter: trusttest.Options{CA: true, NotAfter: past, NotBefore: past.Add(-time.Hour)}, want: trust.CertificateExpired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := trusttest.NewRoot(t, tc.root)
			issuer, inters := root, []*trusttest.Cert(nil)
			if tc.inter.CA {
				issuer = root.Issue(t, tc.inter)
				inters = append(inters, issuer)
			}
			leaf := issuer.Issue(t, tc.leaf)
			block := trusttest.Block(t, leaf, trusttest.Config(leaf, testApps, inters...), "linux")
			v := &trust.Verifier{Roots: trust.NewRoots(root.Certificate), Now: fixedNow(testNow)}
			_, err := v.Verify(context.Background(), block, "linux", u)
			var got trust.Code
			var te *trust.Error
			if errors.As(err, &te) {
				got = te.Code
			} else if err != nil {
				t.Fatalf("got %T %v, want an *Error", err, err)
			}
			if got != tc.want {
				t.Fatalf("got %q (%v), want %q", got, err, tc.want)
			}
			if err != nil && !strings.Contains(te.Reason, tc.reason) {
				t.Errorf("got reason %q, want it to hold %q", te.Reason, tc.reason)
			}
		})
	}
}
