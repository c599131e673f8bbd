package trust

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"slices"
)

// messagePrefix starts every signed message; v1 is the only scheme.
const messagePrefix = "rvm-trusted-app-configs/v1\n"

// platforms are the platforms a block may be signed for.
var platforms = [...]string{"win", "mac", "linux"}

// KnownPlatform reports whether p is a platform a block may be signed for:
// "win", "mac" or "linux".
func KnownPlatform(p string) bool {
	return slices.Contains(platforms[:], p)
}

// Platforms returns the platforms a block may be signed for, in the order
// rvm shows them: "win", "mac", "linux".
func Platforms() []string { return slices.Clone(platforms[:]) }

// Message returns the bytes that the signature for platform signs:
// "rvm-trusted-app-configs/v1\n" + platform + "\n" + value, where value is
// the base64 text exactly as it stands in the block.
func Message(platform, value string) []byte {
	m := make([]byte, 0, len(messagePrefix)+len(platform)+1+len(value))
	m = append(m, messagePrefix...)
	m = append(m, platform...)
	m = append(m, '\n')
	return append(m, value...)
}

// Sign returns the base64 signature for platform over value, made with key
// by the scheme that SPEC 5.2 sets for its kind: ECDSA P-256 with SHA-256,
// P-384 with SHA-384 (both ASN.1 DER), RSA of 2048 bits or more with
// PKCS #1 v1.5 and SHA-256, or pure Ed25519. Any other key is refused.
func Sign(key crypto.Signer, platform, value string) (string, error) {
	if !KnownPlatform(platform) {
		return "", fmt.Errorf("trust: sign: unknown platform %q", platform)
	}
	if kind := unsupportedKey(key.Public()); kind != "" {
		return "", fmt.Errorf("trust: sign: the signing key is %s; %s", kind, acceptedKeys)
	}
	msg := Message(platform, value)
	var (
		sig []byte
		err error
	)
	switch h := hashFor(key.Public()); h {
	case 0:
		sig, err = key.Sign(rand.Reader, msg, crypto.Hash(0))
	default:
		sig, err = key.Sign(rand.Reader, digest(h, msg), h)
	}
	if err != nil {
		return "", fmt.Errorf("trust: sign for %s: %w", platform, err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// CheckSignature checks signature, the base64 text of a block's signature
// for platform, over value with the key of cert, by the scheme of SPEC 5.2.
// It checks nothing else of cert: see Verifier for that. The error is an
// *Error with code UnsupportedKey, Malformed or SignatureInvalid.
func CheckSignature(cert *x509.Certificate, platform, value, signature string) error {
	if err := checkCertKey(cert); err != nil {
		return err
	}
	if err := checkSignature(cert, platform, value, signature); err != nil {
		return err
	}
	return nil
}

// checkSignature is CheckSignature for a cert whose key checkCertKey has
// already accepted.
func checkSignature(cert *x509.Certificate, platform, value, signature string) *Error {
	sig, err := decodeBase64(signature, "trustedAppConfigs.signature.", platform)
	if err != nil {
		return err
	}
	if !verifySignature(cert.PublicKey, Message(platform, value), sig) {
		return fail(SignatureInvalid, nil, "the %s signature does not verify with the key of certificate %q", platform, CertificateName(cert))
	}
	return nil
}

// acceptedKeys says which keys SPEC 5.2 lists, for messages.
const acceptedKeys = "rvm accepts ECDSA P-256 or P-384, RSA of 2048 bits or more, and Ed25519"

// unsupportedKey describes pub where SPEC 5.2 does not list it ("RSA of
// 1024 bits"), and is "" where it does.
func unsupportedKey(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() || k.Curve == elliptic.P384() {
			return ""
		}
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		if k.N.BitLen() >= 2048 {
			return ""
		}
		return fmt.Sprintf("RSA of %d bits", k.N.BitLen())
	case ed25519.PublicKey:
		return ""
	}
	return fmt.Sprintf("a %T", pub)
}

// checkCertKey refuses the signing certificate cert where SPEC 5.2 does
// not list its key.
func checkCertKey(cert *x509.Certificate) *Error {
	if kind := unsupportedKey(cert.PublicKey); kind != "" {
		return fail(UnsupportedKey, nil, "certificate %q: the signing key is %s; %s", CertificateName(cert), kind, acceptedKeys)
	}
	return nil
}

// checkChainAlgorithms applies SPEC 5.3's rules to chain, which ends at a
// root: every certificate has a key of SPEC 5.2, and every signature but
// the root's own is made with SHA-256 or stronger, or Ed25519.
func checkChainAlgorithms(chain []*x509.Certificate) *Error {
	for i, c := range chain {
		if kind := unsupportedKey(c.PublicKey); kind != "" {
			return fail(UnsupportedKey, nil, "certificate %q of the chain has a key that is %s; %s", CertificateName(c), kind, acceptedKeys)
		}
		if i+1 < len(chain) && !strongSignature(c.SignatureAlgorithm) {
			return weakSignature(c, chain[i+1])
		}
	}
	return nil
}

// strongSignature reports whether a certificate signed by algorithm a
// meets SPEC 5.3: SHA-256 or stronger, or Ed25519.
func strongSignature(a x509.SignatureAlgorithm) bool {
	switch a {
	case x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA,
		x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS,
		x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512,
		x509.PureEd25519:
		return true
	}
	return false
}

// weakSignature is the failure of c, signed by issuer with an algorithm
// that strongSignature refuses.
func weakSignature(c, issuer *x509.Certificate) *Error {
	return fail(UnsupportedKey, nil, "certificate %q is signed by %q with %s; rvm accepts signatures made with SHA-256 or stronger, or Ed25519", CertificateName(c), CertificateName(issuer), c.SignatureAlgorithm)
}

// hashFor is the hash of the scheme for an accepted key; 0 for Ed25519,
// which signs the message itself.
func hashFor(pub crypto.PublicKey) crypto.Hash {
	if k, ok := pub.(*ecdsa.PublicKey); ok && k.Curve == elliptic.P384() {
		return crypto.SHA384
	}
	if _, ok := pub.(ed25519.PublicKey); ok {
		return 0
	}
	return crypto.SHA256
}

func digest(h crypto.Hash, msg []byte) []byte {
	if h == crypto.SHA384 {
		d := sha512.Sum384(msg)
		return d[:]
	}
	d := sha256.Sum256(msg)
	return d[:]
}

// verifySignature reports whether sig is a valid signature of msg by pub, an
// accepted key, under the scheme of its kind.
func verifySignature(pub crypto.PublicKey, msg, sig []byte) bool {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, digest(hashFor(k), msg), sig)
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, digest(crypto.SHA256, msg), sig) == nil
	case ed25519.PublicKey:
		return ed25519.Verify(k, msg, sig)
	}
	return false
}
