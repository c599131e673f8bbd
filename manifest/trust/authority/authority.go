// Package authority is the trust authority's side of trustedAppConfigs: it
// makes root keys and certificates, issues code-signing certificates (and
// intermediate CAs), signs blocks, embeds a block in a manifest, shows what
// a block holds (in a file or at a URL, fetched strictly), and issues
// CRLs. The rvm-trust command is a thin shell over it.
//
// An authority keeps each key in a directory of its own:
//
//	key.pem    the private key, PEM "PRIVATE KEY" (PKCS #8), mode 0600
//	cert.pem   its certificate, PEM "CERTIFICATE"
//	chain.pem  for a certificate issued by an intermediate CA: the CA
//	           certificates between it and the root, nearest first, which
//	           Sign puts in the block's intermediates
//	crl.json   for a CA that has issued a CRL: the last CRL number and the
//	           serials revoked so far, so that each CRL lists them all
//
// A typical run, with rvm-trust:
//
//	rvm-trust init-root --out root --name "Acme Root"
//	rvm-trust issue --ca root --name "Acme Corp" --out signer --crl-url https://pki.acme.com/root.crl
//	rvm-trust issue --ca root --name "Partner CA" --out partner --permitted-dns partner.com
//	rvm-trust sign --signer signer --apps apps.json > block.json
//	rvm-trust inspect --trust-roots root/cert.pem block.json
//	rvm-trust embed --block block.json app.json
//	rvm-trust inspect --trust-roots root/cert.pem https://apps.acme.com/blotter/app.json
//	rvm-trust revoke --ca root --out root.crl --cert signer/cert.pem
//
// Keys are never overwritten: a directory that already holds a key.pem is
// refused.
package authority

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions/pattern"
	"github.com/rvm-launcher/rvm/platform"
)

// The files of an authority directory.
const (
	KeyFile   = "key.pem"
	CertFile  = "cert.pem"
	ChainFile = "chain.pem"
	CRLState  = "crl.json"
)

// Alg is a kind of key that the authority makes.
type Alg string

// The kinds of key; each is one that rvm accepts for signing (SPEC 5.2).
const (
	ECDSAP256 Alg = "ecdsa-p256"
	ECDSAP384 Alg = "ecdsa-p384"
	Ed25519   Alg = "ed25519"
	RSA3072   Alg = "rsa-3072"
)

// backdate is how far before now a certificate's validity starts, for
// clocks that run a little slow.
const backdate = time.Hour

func newKey(alg Alg) (crypto.Signer, error) {
	switch alg {
	case ECDSAP256, "":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	case RSA3072:
		return rsa.GenerateKey(rand.Reader, 3072)
	}
	return nil, fmt.Errorf("unknown algorithm %q; want ecdsa-p256, ecdsa-p384, ed25519 or rsa-3072", alg)
}

// randomSerial is a positive random serial of 128 bits (RFC 5280 allows
// up to 20 octets).
func randomSerial() (*big.Int, error) {
	s, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	return s.Add(s, big.NewInt(1)), nil
}

// RootOptions describe a root.
type RootOptions struct {
	// Name is the root's common name; "" means "rvm-trust root".
	Name string
	// Alg is its key; "" means ECDSAP256.
	Alg Alg
	// Days is how long it is valid; 0 means 3650.
	Days int
	// Now is the time of issue; nil means time.Now.
	Now func() time.Time
}

// InitRoot makes a root key and a self-signed root certificate in dir.
func InitRoot(dir string, o RootOptions) (*x509.Certificate, error) {
	if o.Name == "" {
		o.Name = "rvm-trust root"
	}
	if o.Days == 0 {
		o.Days = 3650
	}
	cert, err := create(dir, o.Name, o.Alg, o.Days, now(o.Now), nil, func(t *x509.Certificate) {
		t.IsCA = true
		t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	})
	if err != nil {
		return nil, fmt.Errorf("authority: init-root %s: %w", dir, err)
	}
	return cert, nil
}

// IssueOptions describe a certificate to issue.
type IssueOptions struct {
	// Name is its common name, the signer's name that rvm shows. Required.
	Name string
	// Alg is its key; "" means ECDSAP256.
	Alg Alg
	// Days is how long it is valid; 0 means 365. It may not outlive its CA.
	Days int
	// CRLURL, when set, is its CRL distribution point: an https URL where
	// the CA's CRL (see Revoke) is published.
	CRLURL string
	// CA makes an intermediate CA (path length 0, restricted to code
	// signing) instead of a code-signing certificate.
	CA bool
	// PermittedDNS, when set, makes a name-constrained intermediate CA
	// (CA is then implied): the DNS names (and every name below each; with
	// a leading ".", only the names below it) that the hosts of the
	// patterns it vouches for must lie within (SPEC 5.3). Unicode names
	// are written in their ASCII form.
	PermittedDNS []string
	// Now is the time of issue; nil means time.Now.
	Now func() time.Time
}

// Issue issues a certificate from the CA in caDir into outDir: by default
// a code-signing certificate (EKU codeSigning, KeyUsage digitalSignature);
// with o.CA an intermediate CA. Where the CA is itself an intermediate,
// outDir gets a chain.pem too.
func Issue(caDir, outDir string, o IssueOptions) (*x509.Certificate, error) {
	cert, err := issue(caDir, outDir, o)
	if err != nil {
		return nil, fmt.Errorf("authority: issue %s: %w", outDir, err)
	}
	return cert, nil
}

func issue(caDir, outDir string, o IssueOptions) (*x509.Certificate, error) {
	if o.Name == "" {
		return nil, errors.New("a name is required")
	}
	if o.Days == 0 {
		o.Days = 365
	}
	if o.CRLURL != "" {
		u, err := url.Parse(o.CRLURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("CRL URL %q: want an https URL; rvm consults no other", o.CRLURL)
		}
	}
	permitted := make([]string, len(o.PermittedDNS))
	for i, name := range o.PermittedDNS {
		var err error
		if permitted[i], err = dnsConstraint(name); err != nil {
			return nil, err
		}
		o.CA = true
	}
	ca, err := load(caDir)
	if err != nil {
		return nil, err
	}
	if !ca.cert.IsCA || ca.cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, fmt.Errorf("%s is not a CA", filepath.Join(caDir, CertFile))
	}
	if o.CA && ca.cert.MaxPathLenZero {
		return nil, fmt.Errorf("%s may not issue CAs (its path length is 0)", filepath.Join(caDir, CertFile))
	}
	t := now(o.Now)
	if end := t.AddDate(0, 0, o.Days); end.After(ca.cert.NotAfter) {
		return nil, fmt.Errorf("the certificate would outlive its CA, which expires on %s; give fewer --days", ca.cert.NotAfter.UTC().Format(time.DateOnly))
	}
	cert, err := create(outDir, o.Name, o.Alg, o.Days, t, ca, func(c *x509.Certificate) {
		if o.CRLURL != "" {
			c.CRLDistributionPoints = []string{o.CRLURL}
		}
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
		if o.CA {
			c.IsCA, c.MaxPathLenZero = true, true
			c.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
			// RFC 5280 section 4.2.1.10: name constraints are critical.
			c.PermittedDNSDomains, c.PermittedDNSDomainsCritical = permitted, len(permitted) > 0
		} else {
			c.KeyUsage = x509.KeyUsageDigitalSignature
		}
	})
	if err != nil {
		return nil, err
	}
	// The chain below the root: the CA itself unless it is the root, and
	// the CA's own chain.
	if isSelfSigned(ca.cert) {
		return cert, nil
	}
	chain := pemCert(ca.cert.Raw)
	for _, c := range ca.chain {
		chain = append(chain, pemCert(c.Raw)...)
	}
	if err := platform.WriteFileAtomic(filepath.Join(outDir, ChainFile), chain, 0o644); err != nil {
		return nil, err
	}
	return cert, nil
}

// dnsConstraint returns name as a permitted DNS name constraint: a host
// name, in its ASCII form, that a strict pattern could name, optionally
// after a "." that limits it to the names below it.
func dnsConstraint(name string) (string, error) {
	dot, host := "", name
	if rest, ok := strings.CutPrefix(name, "."); ok {
		dot, host = ".", rest
	}
	if host == "" || strings.ContainsAny(host, "/:?#@[]\\%*") {
		return "", fmt.Errorf("permitted DNS name %q: want a host name such as acme.com, or .acme.com for the names below it", name)
	}
	p, err := pattern.Parse("https://"+host+"/*", pattern.Strict)
	if err != nil {
		return "", fmt.Errorf("permitted DNS name %q: %w", name, err)
	}
	return dot + p.Host(), nil
}

// keyPair is a loaded authority directory.
type keyPair struct {
	key   crypto.Signer
	cert  *x509.Certificate
	chain []*x509.Certificate
}

// create makes a key and a certificate for it in dir, signed by parent
// (self-signed when nil), after edit has set the template's usages.
func create(dir, name string, alg Alg, days int, t time.Time, parent *keyPair, edit func(*x509.Certificate)) (*x509.Certificate, error) {
	keyPath := filepath.Join(dir, KeyFile)
	if _, err := os.Stat(keyPath); err == nil {
		return nil, fmt.Errorf("%s exists; refusing to overwrite a key", keyPath)
	}
	if days <= 0 {
		return nil, fmt.Errorf("days %d: want a positive number", days)
	}
	key, err := newKey(alg)
	if err != nil {
		return nil, err
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             t.Add(-backdate),
		NotAfter:              t.AddDate(0, 0, days),
		BasicConstraintsValid: true,
	}
	edit(tmpl)
	issuer, signer := tmpl, key
	if parent != nil {
		issuer, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := platform.WriteFileAtomic(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		return nil, err
	}
	if err := platform.WriteFileAtomic(filepath.Join(dir, CertFile), pemCert(der), 0o644); err != nil {
		return nil, err
	}
	return cert, nil
}

// load reads the key, certificate and chain of an authority directory, and
// checks that the key is the certificate's.
func load(dir string) (*keyPair, error) {
	keyPEM, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(keyPEM)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: want a PEM PRIVATE KEY (PKCS #8)", filepath.Join(dir, KeyFile))
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, KeyFile), err)
	}
	key, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: a %T cannot sign", filepath.Join(dir, KeyFile), k)
	}
	certs, err := readCerts(filepath.Join(dir, CertFile))
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, fmt.Errorf("%s: want one certificate, got %d", filepath.Join(dir, CertFile), len(certs))
	}
	if !samePublicKey(key.Public(), certs[0].PublicKey) {
		return nil, fmt.Errorf("%s is not the key of %s", filepath.Join(dir, KeyFile), filepath.Join(dir, CertFile))
	}
	chain, err := readCerts(filepath.Join(dir, ChainFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return &keyPair{key: key, cert: certs[0], chain: chain}, nil
}

func samePublicKey(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// readCerts reads a PEM file of certificates and nothing else.
func readCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	certs, err := trust.ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs, nil
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func isSelfSigned(c *x509.Certificate) bool {
	return string(c.RawIssuer) == string(c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

func now(f func() time.Time) time.Time {
	if f == nil {
		return time.Now()
	}
	return f()
}
