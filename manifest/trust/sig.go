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
	if err := checkKey(key.Public()); err != nil {
		return "", fmt.Errorf("trust: sign: %s", err.Reason)
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

// checkKey refuses a public key that SPEC 5.2 does not list.
func checkKey(pub crypto.PublicKey) *Error {
	const accepted = "rvm accepts ECDSA P-256 or P-384, RSA of 2048 bits or more, and Ed25519"
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() || k.Curve == elliptic.P384() {
			return nil
		}
		return fail(UnsupportedKey, nil, "the signing key is ECDSA %s; %s", k.Curve.Params().Name, accepted)
	case *rsa.PublicKey:
		if k.N.BitLen() >= 2048 {
			return nil
		}
		return fail(UnsupportedKey, nil, "the signing key is RSA of %d bits; %s", k.N.BitLen(), accepted)
	case ed25519.PublicKey:
		return nil
	}
	return fail(UnsupportedKey, nil, "the signing key is a %T; %s", pub, accepted)
}

// checkCertKey is checkKey for the key of cert, naming cert.
func checkCertKey(cert *x509.Certificate) *Error {
	err := checkKey(cert.PublicKey)
	if err != nil {
		err.Reason = fmt.Sprintf("certificate %q: %s", CertificateName(cert), err.Reason)
	}
	return err
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
