// Package trusttest builds, inside a test, what trustedAppConfigs blocks
// are made of (see package trust): a PKI of roots, intermediate CAs and
// signing certificates with the key, validity, usages, CRL distribution
// points and DNS name constraints the test asks for; the config JSON of
// SPEC 5.1 for a list of apps; blocks signed for chosen platforms; CRLs;
// and the PEM bundle of trust roots that rvm reads. Every key is made in
// the test that asks for it, and every failure ends that test through
// t.Fatal.
//
// Only tests import it. A block that rvm trusts for one app on linux:
//
//	root := trusttest.NewRoot(t, trusttest.Options{})
//	signer := root.Issue(t, trusttest.Options{Name: "Acme Corp"})
//	apps := trusttest.Apps(trusttest.App{
//		Name:        "Acme Blotter",
//		Match:       []string{"https://*.acme.com/blotter/*"},
//		Permissions: `{"System": {"launchExternalProcess": true}}`,
//	})
//	block := trusttest.Block(t, signer, trusttest.Config(signer, apps), "linux")
//	rootsFile := trusttest.WriteRoots(t, root) // for --trust-roots
//
// A block that rvm must refuse is made the same way, from options
// (Options.NotAfter in the past, Options.Alg RSA1024, Options.NoExtKeyUsage,
// Options.SignatureAlgorithm SHA1WithRSA, Options.PermittedDNS on an
// intermediate, ...), from a certificate in its other encoding
// (Cert.Reencoded), from a config string edited by the test, or from a
// value and signatures put together by hand (BlockOf, Signatures); a CRL
// of any kind, delta or partitioned, from a template (Cert.SignCRL).
package trusttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/manifest/trust"
)

// The default validity of a certificate: wide enough for a test that
// runs at a fixed time in 2030 and for one that runs on the real clock.
var (
	ValidFrom = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	ValidTo   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Alg is a kind of key. ECDSAP521 and RSA1024 are keys that rvm refuses
// (SPEC 5.2), for tests of that refusal.
type Alg string

// The kinds of key.
const (
	ECDSAP256 Alg = "ecdsa-p256"
	ECDSAP384 Alg = "ecdsa-p384"
	ECDSAP521 Alg = "ecdsa-p521"
	Ed25519   Alg = "ed25519"
	RSA1024   Alg = "rsa-1024"
	RSA2048   Alg = "rsa-2048"
	RSA3072   Alg = "rsa-3072"
)

// NewKey makes a key of kind alg; "" means ECDSAP256.
func NewKey(t testing.TB, alg Alg) crypto.Signer {
	t.Helper()
	var k crypto.Signer
	var err error
	switch alg {
	case ECDSAP256, "":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case ECDSAP521:
		k, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case Ed25519:
		_, k, err = ed25519.GenerateKey(rand.Reader)
	case RSA1024:
		k, err = rsa.GenerateKey(rand.Reader, 1024)
	case RSA2048:
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case RSA3072:
		k, err = rsa.GenerateKey(rand.Reader, 3072)
	default:
		t.Fatalf("trusttest: unknown key kind %q", alg)
	}
	if err != nil {
		t.Fatalf("trusttest: a %s key: %v", alg, err)
	}
	return k
}

// Cert is a certificate with its private key: a CA that issues others, or
// a signing certificate that signs blocks.
type Cert struct {
	*x509.Certificate
	Key crypto.Signer
}

// Options describe a certificate. The zero value of each field means the
// default that it names.
type Options struct {
	// Name is the subject's common name: the signer's name that rvm shows.
	// "" means "Test Root" for a root, "Test Intermediate" for an
	// intermediate CA and "Acme Corp" for a signing certificate.
	Name string
	// Alg is the kind of key made for it; "" means ECDSAP256.
	Alg Alg
	// Key, when set, is the key it certifies, instead of a new one of Alg
	// (two certificates for one key).
	Key crypto.Signer
	// CA makes Issue issue an intermediate CA instead of a signing
	// certificate. A root is always a CA.
	CA bool
	// NotBefore and NotAfter are its validity; zero means ValidFrom and
	// ValidTo.
	NotBefore, NotAfter time.Time
	// ExtKeyUsage are its extended key usages; nil means codeSigning for a
	// signing certificate and none for a CA.
	ExtKeyUsage []x509.ExtKeyUsage
	// NoExtKeyUsage leaves the extended key usage out of a signing
	// certificate.
	NoExtKeyUsage bool
	// KeyUsage is its key usage; 0 means digitalSignature for a signing
	// certificate and certSign with crlSign for a CA.
	KeyUsage x509.KeyUsage
	// CRLURLs are its CRL distribution points.
	CRLURLs []string
	// PermittedDNS and ExcludedDNS are its DNS name constraints (RFC 5280
	// section 4.2.1.10), marked critical where there are any.
	PermittedDNS, ExcludedDNS []string
	// SignatureAlgorithm is how its issuer signs it; 0 means x509's
	// default for the issuer's key. x509.SHA1WithRSA and
	// x509.ECDSAWithSHA1 make certificates that rvm refuses (SPEC 5.3).
	SignatureAlgorithm x509.SignatureAlgorithm
}

// NewRoot makes a self-signed root CA by o.
func NewRoot(t testing.TB, o Options) *Cert {
	t.Helper()
	o.CA = true
	if o.Name == "" {
		o.Name = "Test Root"
	}
	return create(t, o, nil)
}

// Issue issues a certificate by o, signed by ca: a signing certificate, or
// with o.CA an intermediate CA.
func (ca *Cert) Issue(t testing.TB, o Options) *Cert {
	t.Helper()
	if o.Name == "" {
		o.Name = "Acme Corp"
		if o.CA {
			o.Name = "Test Intermediate"
		}
	}
	return create(t, o, ca)
}

// create makes a certificate by o, signed by parent (self-signed when nil).
func create(t testing.TB, o Options, parent *Cert) *Cert {
	t.Helper()
	key := o.Key
	if key == nil {
		key = NewKey(t, o.Alg)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:                serial.Add(serial, big.NewInt(1)),
		Subject:                     pkix.Name{CommonName: o.Name},
		NotBefore:                   o.NotBefore,
		NotAfter:                    o.NotAfter,
		BasicConstraintsValid:       true,
		IsCA:                        o.CA,
		KeyUsage:                    o.KeyUsage,
		ExtKeyUsage:                 o.ExtKeyUsage,
		CRLDistributionPoints:       o.CRLURLs,
		PermittedDNSDomains:         o.PermittedDNS,
		ExcludedDNSDomains:          o.ExcludedDNS,
		PermittedDNSDomainsCritical: len(o.PermittedDNS)+len(o.ExcludedDNS) > 0,
		SignatureAlgorithm:          o.SignatureAlgorithm,
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = ValidFrom
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = ValidTo
	}
	if tmpl.KeyUsage == 0 {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		if o.CA {
			tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		}
	}
	if tmpl.ExtKeyUsage == nil && !o.CA && !o.NoExtKeyUsage {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
	}
	issuer, issuerKey := tmpl, key
	if parent != nil {
		issuer, issuerKey = parent.Certificate, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), issuerKey)
	if err != nil {
		t.Fatalf("trusttest: certificate %q: %v", o.Name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{Certificate: cert, Key: key}
}

// Reencoded returns c as an attacker may present it: the same
// certificate, with the same TBSCertificate and as validly signed, in its
// other DER encoding, its issuer's ECDSA signature (r, s) rewritten as
// (r, n−s), n being the order of issuer's curve (issuer is c itself for a
// root). Its DER, and so its SHA-256, differs from c's. c must be signed
// by an ECDSA key.
func (c *Cert) Reencoded(t testing.TB, issuer *Cert) *Cert {
	t.Helper()
	pub, ok := issuer.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		t.Fatalf("trusttest: re-encode %q: its issuer's key is a %T, not ECDSA", c.Subject.CommonName, issuer.PublicKey)
	}
	var outer struct {
		TBS, Algorithm asn1.RawValue
		Signature      asn1.BitString
	}
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(c.Raw, &outer); err != nil {
		t.Fatalf("trusttest: re-encode %q: %v", c.Subject.CommonName, err)
	}
	if _, err := asn1.Unmarshal(outer.Signature.Bytes, &sig); err != nil {
		t.Fatalf("trusttest: re-encode %q: its signature: %v", c.Subject.CommonName, err)
	}
	sig.S.Sub(pub.Curve.Params().N, sig.S)
	b, err := asn1.Marshal(sig)
	if err != nil {
		t.Fatal(err)
	}
	outer.Signature = asn1.BitString{Bytes: b, BitLength: 8 * len(b)}
	der, err := asn1.Marshal(outer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("trusttest: re-encode %q: %v", c.Subject.CommonName, err)
	}
	if err := cert.CheckSignatureFrom(issuer.Certificate); err != nil {
		t.Fatalf("trusttest: re-encoded %q does not verify: %v", c.Subject.CommonName, err)
	}
	return &Cert{Certificate: cert, Key: c.Key}
}

// CRL returns a DER CRL (RFC 5280) signed by ca, numbered number, current
// from thisUpdate to nextUpdate, that lists revoked.
func (ca *Cert) CRL(t testing.TB, number int64, thisUpdate, nextUpdate time.Time, revoked ...*Cert) []byte {
	t.Helper()
	tmpl := &x509.RevocationList{Number: big.NewInt(number), ThisUpdate: thisUpdate, NextUpdate: nextUpdate}
	for _, c := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: thisUpdate})
	}
	return ca.SignCRL(t, tmpl)
}

// SignCRL returns the DER CRL of tmpl, signed by ca: for a CRL with
// extensions of its own (tmpl.ExtraExtensions, entries with
// ExtraExtensions), such as the delta, partitioned and indirect CRLs that
// rvm does not take for complete ones.
func (ca *Cert) SignCRL(t testing.TB, tmpl *x509.RevocationList) []byte {
	t.Helper()
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.Certificate, ca.Key)
	if err != nil {
		t.Fatalf("trusttest: CRL of %q: %v", ca.Subject.CommonName, err)
	}
	return der
}

// PEM returns the PEM bundle of certs, as a trust roots file holds it.
func PEM(certs ...*Cert) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// WriteRoots writes the PEM bundle of roots to a file of its own in a
// temporary directory of t, and returns the file's path: what
// --trust-roots and TrustRootsFile name.
func WriteRoots(t testing.TB, roots ...*Cert) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(path, PEM(roots...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// App is one app entry of a config.
type App struct {
	Name  string
	Match []string
	// Permissions is a permissions object, as JSON; "" leaves it out.
	Permissions string
}

// Apps returns the JSON array of apps: what a config's "apps" and
// rvm-trust's apps file hold.
func Apps(apps ...App) string {
	entries := make([]string, len(apps))
	for i, a := range apps {
		// Strings always marshal.
		name, _ := json.Marshal(a.Name)
		match, _ := json.Marshal(a.Match)
		entries[i] = `{"name":` + string(name) + `,"match":` + string(match)
		if a.Permissions != "" {
			entries[i] += `,"permissions":` + a.Permissions
		}
		entries[i] += "}"
	}
	return "[" + strings.Join(entries, ",") + "]"
}

// Config returns the config JSON of SPEC 5.1: version 1, the certificate
// of signer, intermediates (the key left out where there are none) and
// apps, a JSON array put in as it stands.
func Config(signer *Cert, apps string, intermediates ...*Cert) string {
	var b strings.Builder
	b.WriteString(`{"version":1,"certificate":"`)
	b.WriteString(base64.StdEncoding.EncodeToString(signer.Raw))
	b.WriteString(`"`)
	if len(intermediates) > 0 {
		b.WriteString(`,"intermediates":[`)
		for i, c := range intermediates {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + base64.StdEncoding.EncodeToString(c.Raw) + `"`)
		}
		b.WriteString(`]`)
	}
	b.WriteString(`,"apps":` + apps + `}`)
	return b.String()
}

// Value returns the block value of config: its standard base64.
func Value(config string) string {
	return base64.StdEncoding.EncodeToString([]byte(config))
}

// Block returns the trustedAppConfigs object of config, a config JSON as
// it stands, signed by signer for platforms: win, mac and linux where none
// are given.
func Block(t testing.TB, signer *Cert, config string, platforms ...string) jsontext.Value {
	t.Helper()
	value := Value(config)
	return BlockOf(value, Signatures(t, signer, value, platforms...))
}

// BlockOf returns the trustedAppConfigs object of value and sigs (by
// platform), as they stand: for a test that tampers with either.
func BlockOf(value string, sigs map[string]string) jsontext.Value {
	// A string and a map of strings always marshal.
	out, _ := json.Marshal(struct {
		Value     string            `json:"value"`
		Signature map[string]string `json:"signature"`
	}{value, sigs})
	return out
}

// Signatures returns the signatures of signer over value for platforms
// (win, mac and linux where none are given), by platform, as trust.Sign
// makes them. A key that trust.Sign refuses (ECDSAP521, RSA1024) signs
// anyway, with SHA-256, so that a test sees the verifier refuse it.
func Signatures(t testing.TB, signer *Cert, value string, platforms ...string) map[string]string {
	t.Helper()
	if len(platforms) == 0 {
		platforms = trust.Platforms()
	}
	sigs := make(map[string]string, len(platforms))
	for _, p := range platforms {
		sig, err := trust.Sign(signer.Key, p, value)
		if err != nil && refused(signer.Key.Public()) {
			d := sha256.Sum256(trust.Message(p, value))
			var raw []byte
			raw, err = signer.Key.Sign(rand.Reader, d[:], crypto.SHA256)
			sig = base64.StdEncoding.EncodeToString(raw)
		}
		if err != nil {
			t.Fatalf("trusttest: sign for %s: %v", p, err)
		}
		sigs[p] = sig
	}
	return sigs
}

// refused reports whether pub is a key of NewKey that trust.Sign refuses.
func refused(pub crypto.PublicKey) bool {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return k.Curve == elliptic.P521()
	case *rsa.PublicKey:
		return k.N.BitLen() < 2048
	}
	return false
}
