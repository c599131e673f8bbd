// Package trust decides whether the trustedAppConfigs block of a manifest
// can be trusted, and what it grants to the manifest at hand (SPEC
// sections 5.1 to 5.4).
//
// A trust authority (an organisation's PKI, or rvm-trust; see the
// sub-package authority) signs a config that names apps by the URL
// patterns of their manifests and lists the permissions each app may have.
// A manifest carries the signed config in its "trustedAppConfigs" key;
// rvm trusts it when the signing certificate chains to a trust root of the
// machine, and then grants what a matching app entry lists and the
// manifest also requests, with the constraints that the entry signed
// (Result.Grants), never the manifest's own. Where several matching
// entries enable a permission with different constraints, the block does
// not grant it (SPEC 5.5 rule 3).
//
// # The block
//
// The block is strict JSON (the rules of package platform/strictjson:
// UTF-8, no byte-order mark, no key twice at any depth, nothing after the
// value), an object with exactly two keys:
//
//	"trustedAppConfigs": {
//	  "value": "<base64 of the config JSON>",
//	  "signature": {"win": "<base64>", "mac": "<base64>", "linux": "<base64>"}
//	}
//
// Base64 is standard, with padding (RFC 4648 section 4), and nothing else:
// no line breaks, no whitespace, no URL-safe alphabet, no stray bits in the
// last character. The signature object holds a signature for each platform
// the block is signed for; its keys are "win", "mac" and "linux" and no
// others. The block is at most MaxBlockSize bytes.
//
// # The config
//
// The value decodes to a strict JSON object of at most MaxConfigSize
// bytes, nested at most MaxConfigDepth levels, with no key but these:
//
//	{
//	  "version": 1,
//	  "certificate": "<base64 DER of the signing certificate>",
//	  "intermediates": ["<base64 DER>", ...],
//	  "apps": [
//	    {
//	      "name": "Acme Blotter",
//	      "match": ["https://*.acme.com/blotter/*"],
//	      "permissions": {"System": {"launchExternalProcess": true}}
//	    }
//	  ]
//	}
//
// version is read first and must be the number 1, written so (1.0 and
// 1e0 are other versions); any other version is UnsupportedVersion,
// whatever else the config holds. certificate is
// required; intermediates (at most MaxIntermediates) may be left out. apps
// holds one to MaxApps entries, each with a unique name of at most
// MaxNameLen bytes, one to MaxPatterns match patterns (pattern.Strict: see
// package permissions/pattern), and optionally a permissions object of the
// manifest's form (see permissions.Parse). A permission name that rvm does
// not know is kept, and never granted.
//
// # Signatures
//
// The signature for platform P is made over the bytes
//
//	"rvm-trusted-app-configs/v1\n" + P + "\n" + value
//
// (see Message), where value is the base64 text exactly as it stands in the
// block, by the scheme of the signing certificate's key:
//
//	ECDSA P-256             SHA-256, ASN.1 DER signature
//	ECDSA P-384             SHA-384, ASN.1 DER signature
//	RSA, 2048 bits or more  RSASSA-PKCS1-v1_5 with SHA-256
//	Ed25519                 pure Ed25519
//
// Any other key (P-521, RSA of fewer bits, DSA) is UnsupportedKey. Only the
// signature of the platform being checked is verified: a block signed for
// win and mac is NoPlatformSignature on linux.
//
// # Certificates and revocation
//
// The signing certificate must chain, through the config's intermediates,
// to one of the Verifier's Roots, and never to the system's roots; every
// certificate of the chain must be within its validity at the Verifier's
// Now; every certificate of the chain, root included, must have a key of
// the table above, and every signature in it but a root's own must be
// made with SHA-256 or stronger, or Ed25519 (else UnsupportedKey: x509
// takes RSA keys of 1024 bits and looks at no root's key); the signing
// certificate must have the extended key usage codeSigning and, where it
// has a KeyUsage, digitalSignature. The chain's expiry is its
// earliest NotAfter; a verdict carries a warning when it is less than
// ExpiryWarning away.
//
// A certificate of the chain (root, intermediates and signer) is revoked
// when the desktop owner lists it (Verifier.Revoked, SPEC 5.4): by the
// SHA-256 of its DER, which also stands for the certificate's other
// encoding (an ECDSA signature (r, s) is as valid as (r, n−s), so an
// attacker may re-encode a certificate at will and there are two), by
// the SHA-256 of its TBSCertificate (every encoding), or by the SHA-256
// of its SubjectPublicKeyInfo (every certificate of that key). It is
// also revoked when it has an https CRL distribution point and its
// issuer's CRL there lists its serial. Such a
// certificate needs a complete CRL signed by its issuer that is current
// (the time of the check is before its NextUpdate); without one the block
// is RevocationUnknown. A delta CRL is not complete, nor is a partitioned
// one (an issuing distribution point that limits it to some certificates
// or reasons, or names none of the certificate's distribution point), an
// indirect one, or one with a critical extension, on the CRL or an entry,
// that rvm does not know. CRLs are fetched strictly (Verifier.FetchCRL) and kept
// in the Verifier's CRLs store with their HTTP validators;
// RevocationMode says when they are fetched again: RevocationCached (the
// default) only once the cached copy's NextUpdate has passed, so that
// verification works offline; RevocationOnline at every check, with the
// cached copy's validators so that an unchanged CRL costs a 304;
// RevocationOff never (the owner's list still applies).
//
// # Checks and codes
//
// Verify checks in this order, and the first failure is the verdict's
// Code: the block and its config parse (Malformed, UnsupportedVersion); the
// platform's signature is present (NoPlatformSignature); the keys and
// signatures of the chain are supported (UnsupportedKey, the signing key
// first, then each of the chain, also where x509 found no chain because
// of one); the chain holds (UnknownAuthority,
// CertificateExpired, CertificateNotYetValid, WrongKeyUsage); the signature
// verifies (SignatureInvalid); nothing is revoked (Revoked,
// RevocationUnknown); an app entry's pattern matches the manifest URL
// (URLNotMatched), and the entry lies within the chain's name constraints
// (NameConstraints). InsecureFetch and DisabledByOwner are the caller's
// to decide, before it calls Verify.
//
// # Name constraints
//
// A CA of the chain (an intermediate, or the root) may carry DNS name
// constraints (RFC 5280 section 4.2.1.10): permitted and excluded
// subtrees. The signing certificate names no hosts for x509 to check, so
// rvm checks the patterns (CheckNameConstraints): an app entry is used
// only if every host that each of its patterns can match is permitted,
// and none excluded, by the constraints of every certificate of the
// chain. "https://*.acme.com/*" can match acme.com and every name below
// it: it is within a permitted "acme.com", not within ".acme.com" (names
// below it only) or "partner.com", and an excluded "secret.acme.com"
// leaves it outside. Entries outside are skipped, with a warning; where
// only such entries match the manifest URL, the block is
// NameConstraints.
//
// A Cache keeps verified blocks, keyed by the SHA-256 of the value, the
// platform, the trust roots and the revocation mode, until the earliest of
// the chain's expiry, the NextUpdate of the CRLs consulted and Purge. The
// owner's revoked list, the match against the manifest URL and the expiry
// warning are applied at every call, cache hits included.
//
// # Example
//
// A config signed by "Acme Corp" for one app (the certificate shortened
// here):
//
//	{"version":1,"certificate":"MIIBszCCAVmgAwIBAgIQ...","apps":[{"name":"Acme Blotter","match":["https://*.acme.com/blotter/*"],"permissions":{"System":{"launchExternalProcess":true}}}]}
//
// Its base64 is the value, "eyJ2ZXJzaW9uIjoxLCJjZXJ0aWZpY2F0ZSI6Ik1JSUJ...",
// and the message that the linux signature signs is
//
//	rvm-trusted-app-configs/v1
//	linux
//	eyJ2ZXJzaW9uIjoxLCJjZXJ0aWZpY2F0ZSI6Ik1JSUJ...
//
// without a line feed after the value. With a P-256 key that is
//
//	openssl dgst -sha256 -sign key.pem message | base64 -w0
//
// and the block in the manifest reads
//
//	"trustedAppConfigs": {
//	  "value": "eyJ2ZXJzaW9uIjoxLCJjZXJ0aWZpY2F0ZSI6Ik1JSUJ...",
//	  "signature": {"linux": "MEUCIQC..."}
//	}
//
// For the manifest https://apps.acme.com/blotter/app.json on linux, on a
// machine whose trust roots hold Acme's root, Verify reports signer "Acme
// Corp", app "Acme Blotter" and the grant System.launchExternalProcess; for
// https://apps.acme.com/other/app.json it reports URLNotMatched, and on win
// NoPlatformSignature ("signed for linux, not for win"). The Example of
// Verifier.Verify builds such a block from scratch.
package trust
