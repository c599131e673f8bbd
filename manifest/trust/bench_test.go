package trust_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// benchBlock is a P-256 block through an intermediate, and a URL that its
// app matches.
func benchBlock(b *testing.B) (*pki, *trusttest.Cert, jsontext.Value, pattern.URL) {
	f := newPKI(b)
	leaf := f.leaf(b, trusttest.Options{Name: "Bench"})
	block := f.block(b, leaf, testApps)
	u, err := pattern.ParseURL(testURL, pattern.Strict)
	if err != nil {
		b.Fatal(err)
	}
	return f, leaf, block, u
}

// BenchmarkVerifyTrustedAppConfigs is the full cold check: decode, parse,
// chain, signature, pattern match; no cache.
func BenchmarkVerifyTrustedAppConfigs(b *testing.B) {
	f, _, block, u := benchBlock(b)
	v := &trust.Verifier{Roots: f.roots, Now: fixedNow(testNow)}
	for b.Loop() {
		if _, err := v.Verify(context.Background(), block, "linux", u); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyCryptoFloor is what the cold check cannot avoid: the same
// x509.Verify of the chain and one ecdsa.VerifyASN1 of the signature.
func BenchmarkVerifyCryptoFloor(b *testing.B) {
	f, leaf, block, _ := benchBlock(b)
	var parsed struct {
		Value     string            `json:"value"`
		Signature map[string]string `json:"signature"`
	}
	if err := json.Unmarshal(block, &parsed); err != nil {
		b.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(parsed.Signature["linux"])
	msg := trust.Message("linux", parsed.Value)
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(f.root.Certificate)
	inter.AddCert(f.inter.Certificate)
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: testNow, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}
	pub := leaf.PublicKey.(*ecdsa.PublicKey)
	for b.Loop() {
		if _, err := leaf.Verify(opts); err != nil {
			b.Fatal(err)
		}
		d := sha256.Sum256(msg)
		if !ecdsa.VerifyASN1(pub, d[:], sig) {
			b.Fatal("signature does not verify")
		}
	}
}

// BenchmarkVerifyTrustedAppConfigsCached is the same block served from the
// cache.
func BenchmarkVerifyTrustedAppConfigsCached(b *testing.B) {
	f, _, block, u := benchBlock(b)
	v := &trust.Verifier{Roots: f.roots, Now: fixedNow(testNow), Cache: &trust.Cache{}}
	if _, err := v.Verify(context.Background(), block, "linux", u); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := v.Verify(context.Background(), block, "linux", u); err != nil {
			b.Fatal(err)
		}
	}
}
