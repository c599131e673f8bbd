package trust

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
)

// Roots are the trust roots that a block's chain must reach: the
// certificates of the trust-roots PEM bundle. A nil *Roots trusts nothing.
type Roots struct {
	pool  *x509.CertPool
	certs []*x509.Certificate
	sum   [32]byte
}

// NewRoots returns the Roots made of certs.
func NewRoots(certs ...*x509.Certificate) *Roots {
	r := &Roots{pool: x509.NewCertPool()}
	sums := make([][32]byte, 0, len(certs))
	for _, c := range certs {
		r.pool.AddCert(c)
		r.certs = append(r.certs, c)
		sums = append(sums, sha256.Sum256(c.Raw))
	}
	slices.SortFunc(sums, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	h := sha256.New()
	for _, s := range slices.Compact(sums) {
		h.Write(s[:])
	}
	h.Sum(r.sum[:0])
	return r
}

// ParseRoots reads a PEM bundle of trust roots (see ParseCertificates).
// where names the bundle in errors (a file path, or the setting it came
// from).
func ParseRoots(data []byte, where string) (*Roots, error) {
	certs, err := ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("trust: trust roots %s: %w", where, err)
	}
	return NewRoots(certs...), nil
}

// ParseCertificates reads a PEM bundle of certificates: one or more
// CERTIFICATE blocks without headers, and nothing else but whitespace.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := data
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		var b *pem.Block
		if bytes.HasPrefix(rest, []byte("-----BEGIN ")) {
			b, rest = pem.Decode(rest)
		}
		if b == nil {
			return nil, fmt.Errorf("data that is not a PEM block after certificate %d", len(certs))
		}
		if b.Type != "CERTIFICATE" || len(b.Headers) != 0 {
			return nil, fmt.Errorf("a %q PEM block, want CERTIFICATE", b.Type)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("no certificate")
	}
	return certs, nil
}

// Sum identifies the set of roots: the SHA-256 over the sorted SHA-256
// digests of their DER. Caches of verified blocks are keyed by it.
func (r *Roots) Sum() [32]byte {
	if r == nil {
		return [32]byte{}
	}
	return r.sum
}
