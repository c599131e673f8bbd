package trust

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
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

// otherEncoding returns the DER of c with its ECDSA signature's s
// rewritten as n−s, n being the order of issuer's curve: the same
// certificate, as validly signed, in the one other encoding that an ECDSA
// signature has. It returns nil where c is not signed by an ECDSA key.
// x509 reads certificates as DER only and ecdsa reads signatures so, so
// that with the DER as it stands these are all the encodings. It works on
// the bytes, since this is asked of every certificate of every chain.
func otherEncoding(c, issuer *x509.Certificate) []byte {
	pub, ok := issuer.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return nil
	}
	// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
	// signatureValue BIT STRING }, and the bit string holds
	// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }.
	tag, cert, rest := derElement(c.Raw)
	if tag != derSequence || len(rest) > 0 {
		return nil
	}
	_, _, afterTBS := derElement(cert)
	_, _, afterAlg := derElement(afterTBS)
	tag, bits, rest := derElement(afterAlg)
	if tag != derBitString || len(rest) > 0 || len(bits) == 0 || bits[0] != 0 {
		return nil
	}
	tag, sig, rest := derElement(bits[1:])
	if tag != derSequence || len(rest) > 0 {
		return nil
	}
	tagR, r, rest := derElement(sig)
	tagS, sBytes, rest := derElement(rest)
	if tagR != derInteger || tagS != derInteger || len(rest) > 0 || len(sBytes) == 0 || sBytes[0]&0x80 != 0 {
		return nil
	}
	n := pub.Curve.Params().N
	s := new(big.Int).SetBytes(sBytes)
	if s.Sign() <= 0 || s.Cmp(n) >= 0 {
		return nil
	}
	other := s.Sub(n, s).Bytes()
	if other[0]&0x80 != 0 {
		other = append([]byte{0}, other...)
	}
	newSig := appendDER(nil, derSequence, appendDER(nil, derInteger, r), appendDER(nil, derInteger, other))
	head := cert[:len(cert)-len(afterAlg)] // tbsCertificate and signatureAlgorithm
	return appendDER(make([]byte, 0, len(c.Raw)+8), derSequence, head, appendDER(nil, derBitString, []byte{0}, newSig))
}

// The DER tags that otherEncoding reads.
const (
	derInteger   = 0x02
	derBitString = 0x03
	derSequence  = 0x30
)

// derElement splits b into the tag and content of the DER element it
// starts with and what follows; tag is 0 (no element) where b does not
// start with one.
func derElement(b []byte) (tag byte, content, rest []byte) {
	if len(b) < 2 {
		return 0, nil, nil
	}
	n, off := int(b[1]), 2
	if n >= 0x80 {
		k := n & 0x7f
		if k == 0 || k > 3 || len(b) < 2+k {
			return 0, nil, nil
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		off += k
	}
	if len(b)-off < n {
		return 0, nil, nil
	}
	return b[0], b[off : off+n], b[off+n:]
}

// appendDER appends to dst the DER element of tag whose content is the
// parts, one after the other.
func appendDER(dst []byte, tag byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	dst = append(dst, tag)
	switch {
	case n < 0x80:
		dst = append(dst, byte(n))
	case n < 0x100:
		dst = append(dst, 0x81, byte(n))
	case n < 0x10000:
		dst = append(dst, 0x82, byte(n>>8), byte(n))
	case n < 0x1000000:
		dst = append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		dst = append(dst, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	for _, p := range parts {
		dst = append(dst, p...)
	}
	return dst
}
