package trust

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
)

// Revocations is the desktop owner's revokedCertificates list (SPEC 5.4),
// as the Verifier asks it about each certificate of a chain. Package
// permissions/owner's *Settings is one; its methods are safe on a nil
// receiver, which revokes nothing.
type Revocations interface {
	// Revoked reports whether the owner listed sum, the SHA-256 of a
	// certificate's DER (a plain entry). It is asked about the DER as it
	// stands and, for a certificate with an ECDSA signature, about its
	// other encoding (s rewritten as n−s), so that an entry revokes both.
	Revoked(sum [32]byte) bool
	// RevokedTBS reports whether the owner listed sum, the SHA-256 of a
	// TBSCertificate's DER (an entry "tbs:<hex>"): every encoding of
	// that certificate.
	RevokedTBS(sum [32]byte) bool
	// RevokedSPKI reports whether the owner listed sum, the SHA-256 of a
	// SubjectPublicKeyInfo's DER (an entry "spki:<hex>"): every
	// certificate that holds that key.
	RevokedSPKI(sum [32]byte) bool
}

// certSums are the digests by which the owner may revoke one certificate
// of a chain, computed once per chain.
type certSums struct {
	der, other [32]byte // SHA-256 of the DER, and of its other encoding
	hasOther   bool     // whether there is another encoding
	tbs, spki  [32]byte // SHA-256 of the TBSCertificate and of the key
}

// chainSums returns the digests of each certificate of chain, which ends
// at a root.
func chainSums(chain []*x509.Certificate) []certSums {
	sums := make([]certSums, len(chain))
	for i, c := range chain {
		issuer := c
		if i+1 < len(chain) {
			issuer = chain[i+1]
		}
		s := &sums[i]
		s.der = sha256.Sum256(c.Raw)
		s.tbs = sha256.Sum256(c.RawTBSCertificate)
		s.spki = sha256.Sum256(c.RawSubjectPublicKeyInfo)
		if other := otherEncoding(c, issuer); other != nil {
			s.other, s.hasOther = sha256.Sum256(other), true
		}
	}
	return sums
}

// ownerRevoked fails when the desktop owner revoked a certificate of
// chain, whose digests are sums.
func (v *Verifier) ownerRevoked(chain []*x509.Certificate, sums []certSums) *Error {
	if v.Revoked == nil {
		return nil
	}
	for i, s := range sums {
		c := chain[i]
		switch {
		case v.Revoked.Revoked(s.der):
			return fail(Revoked, nil, "certificate %q (SHA-256 %x) is on the desktop owner's revokedCertificates list", CertificateName(c), s.der)
		case s.hasOther && v.Revoked.Revoked(s.other):
			return fail(Revoked, nil, "certificate %q is on the desktop owner's revokedCertificates list in another encoding (SHA-256 %x; this one's is %x)", CertificateName(c), s.other, s.der)
		case v.Revoked.RevokedTBS(s.tbs):
			return fail(Revoked, nil, "certificate %q (tbs:%x) is on the desktop owner's revokedCertificates list", CertificateName(c), s.tbs)
		case v.Revoked.RevokedSPKI(s.spki):
			return fail(Revoked, nil, "the key of certificate %q (spki:%x) is on the desktop owner's revokedCertificates list", CertificateName(c), s.spki)
		}
	}
	return nil
}

// certificateDER is a certificate's outer structure (RFC 5280 section
// 4.1), as encoding/asn1 reads and writes it.
type certificateDER struct {
	TBS       asn1.RawValue
	Algorithm asn1.RawValue
	Signature asn1.BitString
}

// ecdsaSignature is an ECDSA-Sig-Value (RFC 5480 section 2.2.3).
type ecdsaSignature struct {
	R, S *big.Int
}

// otherEncoding returns the DER of c with its ECDSA signature's s
// rewritten as n−s, n being the order of issuer's curve: the same
// certificate, as validly signed, in the one other encoding that an ECDSA
// signature has. It returns nil where c is not signed by an ECDSA key.
// x509 reads certificates as DER only and ecdsa reads signatures so, so
// that with the DER as it stands these are all the encodings.
func otherEncoding(c, issuer *x509.Certificate) []byte {
	pub, ok := issuer.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return nil
	}
	var cert certificateDER
	if rest, err := asn1.Unmarshal(c.Raw, &cert); err != nil || len(rest) > 0 {
		return nil
	}
	var sig ecdsaSignature
	if rest, err := asn1.Unmarshal(cert.Signature.RightAlign(), &sig); err != nil || len(rest) > 0 {
		return nil
	}
	n := pub.Curve.Params().N
	if sig.S.Sign() <= 0 || sig.S.Cmp(n) >= 0 {
		return nil
	}
	sig.S.Sub(n, sig.S)
	b, err := asn1.Marshal(sig)
	if err != nil {
		return nil
	}
	cert.Signature = asn1.BitString{Bytes: b, BitLength: 8 * len(b)}
	der, err := asn1.Marshal(cert)
	if err != nil {
		return nil
	}
	return der
}
