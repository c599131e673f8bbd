package trust

import "fmt"

// Code names why a block is not trusted. The values are exactly the
// trust.code values of the decision document (SPEC section 6), so that a
// caller copies Code into the document as it is.
type Code string

// The codes of an untrusted block, one for each way a check can fail.
const (
	// Malformed: the block, its base64, its config JSON or a certificate in it
	// does not parse, or breaks a bound.
	Malformed Code = "malformed"
	// UnsupportedVersion: the config's version is not 1.
	UnsupportedVersion Code = "unsupported-version"
	// InsecureFetch: the manifest came through a fetch that was less than
	// strict, so its block is discarded. Decided by the caller.
	InsecureFetch Code = "insecure-fetch"
	// NoPlatformSignature: the block holds no signature for the platform
	// being checked.
	NoPlatformSignature Code = "no-platform-signature"
	// SignatureInvalid: the platform's signature does not verify.
	SignatureInvalid Code = "signature-invalid"
	// UnknownAuthority: the signing certificate does not chain, through the
	// given intermediates, to a trust root.
	UnknownAuthority Code = "unknown-authority"
	// CertificateExpired: a certificate of the chain is past its NotAfter.
	CertificateExpired Code = "certificate-expired"
	// CertificateNotYetValid: a certificate of the chain is before its
	// NotBefore.
	CertificateNotYetValid Code = "certificate-not-yet-valid"
	// WrongKeyUsage: the signing certificate lacks EKU codeSigning, or has a
	// KeyUsage without digitalSignature.
	WrongKeyUsage Code = "wrong-key-usage"
	// UnsupportedKey: a key of the chain is none of those of SPEC 5.2, or
	// a signature in it (a root's own aside) is made with a hash weaker
	// than SHA-256.
	UnsupportedKey Code = "unsupported-key"
	// Revoked: a certificate of the chain is on the desktop owner's
	// revokedCertificates list or on its issuer's CRL.
	Revoked Code = "revoked"
	// RevocationUnknown: a certificate needs a current CRL and none could be
	// had.
	RevocationUnknown Code = "revocation-unknown"
	// NameConstraints: the app entries whose patterns match the manifest
	// URL all hold a pattern outside the DNS name constraints of the
	// chain, and are skipped.
	NameConstraints Code = "name-constraints"
	// URLNotMatched: the block is sound but no app entry's pattern matches
	// the manifest URL.
	URLNotMatched Code = "url-not-matched"
	// DisabledByOwner: the desktop owner turned trusted app configs off.
	// Decided by the caller.
	DisabledByOwner Code = "disabled-by-owner"
)

// Error is why a block is not trusted. Every failure of Verify, ParseBlock
// and ParseConfig is an *Error.
type Error struct {
	// Code is the trust.code of the decision document.
	Code Code
	// Reason is one sentence a person can act on, without the "trust: "
	// prefix: "signed for win and mac, not for linux".
	Reason string
	// Err is the underlying error, if any (an x509 or JSON error).
	Err error
}

func (e *Error) Error() string { return "trust: " + e.Reason }

func (e *Error) Unwrap() error { return e.Err }

// fail returns an *Error with a formatted reason.
func fail(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Reason: fmt.Sprintf(format, args...), Err: err}
}
