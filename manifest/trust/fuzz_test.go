package trust_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// FuzzTrustedAppConfigs verifies random blocks against the roots of the
// vectors, seeded with the vectors' blocks and with go test's corpus in
// testdata/fuzz/FuzzTrustedAppConfigs (hostile shapes of the block; keep
// there any input that finds a bug). Nothing may panic, every failure is
// an *Error, the cache must not change a verdict, and a block is trusted
// only if its linux signature verifies, as checked here with the standard
// library alone.
func FuzzTrustedAppConfigs(f *testing.F) {
	pemData, err := os.ReadFile(filepath.Join(vectorDir, "roots.pem"))
	if err != nil {
		f.Fatal(err)
	}
	roots, err := trust.ParseRoots(pemData, "roots.pem")
	if err != nil {
		f.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		f.Fatal("roots.pem holds no certificate")
	}
	vectors, _ := filepath.Glob(filepath.Join(vectorDir, "*.json"))
	for _, file := range vectors {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var vec vector
		if err := json.Unmarshal(data, &vec); err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(vec.TrustedAppConfigs))
	}
	f.Add([]byte(`{"value":"","signature":{"linux":""}}`))
	u, err := pattern.ParseURL(testURL, pattern.Strict)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		cache := &trust.Cache{}
		v := &trust.Verifier{Roots: roots, Now: fixedNow(testNow), RevocationMode: trust.RevocationOff, Cache: cache}
		res, err := v.Verify(context.Background(), raw, "linux", u)
		if err != nil {
			if _, ok := err.(*trust.Error); !ok || !strings.HasPrefix(err.Error(), "trust: ") {
				t.Fatalf("got error %T %q, want an *Error starting with \"trust: \"", err, err)
			}
		}
		again, err2 := v.Verify(context.Background(), raw, "linux", u)
		if (err == nil) != (err2 == nil) || (err != nil && err.(*trust.Error).Code != err2.(*trust.Error).Code) {
			t.Fatalf("got %v, then from the cache %v; want the same verdict", err, err2)
		}
		if res == nil {
			return
		}
		if again.Signer != res.Signer {
			t.Errorf("got signer %q, then from the cache %q", res.Signer, again.Signer)
		}
		if !linuxSignatureVerifies(raw, pool) {
			t.Fatalf("trusted %q, but its linux signature does not verify", raw)
		}
	})
}

// linuxSignatureVerifies checks a block's linux signature with encoding/json,
// encoding/base64 and crypto alone: the config's certificate must chain to
// roots and its key must verify the signature over the message of SPEC 5.2.
func linuxSignatureVerifies(raw []byte, roots *x509.CertPool) bool {
	var block struct {
		Value     string            `json:"value"`
		Signature map[string]string `json:"signature"`
	}
	if json.Unmarshal(raw, &block) != nil {
		return false
	}
	cfgJSON, err := base64.StdEncoding.DecodeString(block.Value)
	if err != nil {
		return false
	}
	var cfg struct {
		Certificate   string   `json:"certificate"`
		Intermediates []string `json:"intermediates"`
	}
	if json.Unmarshal(cfgJSON, &cfg) != nil {
		return false
	}
	der, err := base64.StdEncoding.DecodeString(cfg.Certificate)
	if err != nil {
		return false
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return false
	}
	pool := x509.NewCertPool()
	for _, s := range cfg.Intermediates {
		if d, err := base64.StdEncoding.DecodeString(s); err == nil {
			if c, err := x509.ParseCertificate(d); err == nil {
				pool.AddCert(c)
			}
		}
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool, CurrentTime: testNow, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(block.Signature["linux"])
	if err != nil {
		return false
	}
	msg := []byte("rvm-trusted-app-configs/v1\nlinux\n" + block.Value)
	switch k := cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P384() {
			d := sha512.Sum384(msg)
			return ecdsa.VerifyASN1(k, d[:], sig)
		}
		d := sha256.Sum256(msg)
		return ecdsa.VerifyASN1(k, d[:], sig)
	case *rsa.PublicKey:
		d := sha256.Sum256(msg)
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, d[:], sig) == nil
	case ed25519.PublicKey:
		return ed25519.Verify(k, msg, sig)
	}
	return false
}
