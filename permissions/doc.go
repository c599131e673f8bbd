// Package permissions knows the secured APIs that rvm grants or denies and
// decides, permission by permission, what an app gets (SPEC section 5.5).
//
// A permission is named by its dotted path in the nested permissions object
// of a manifest: {"System": {"launchExternalProcess": true}} requests
// System.launchExternalProcess. A leaf is either a boolean or an object with
// an "enabled" boolean and further constraints, which travel with the
// decision untouched. The top-level webAPIs may also be an array of names,
// as OpenFin writes it: {"webAPIs": ["audio", "clipboard-read"]} requests
// webAPIs.audio and webAPIs.clipboard-read, as {"webAPIs": {"audio": true,
// "clipboard-read": true}} would. Parse reads every permissions object of
// rvm (a manifest's places, desktop owner policies, signed blocks), so all
// of them take both forms. Names rvm does not know (see Known) are
// reported and never granted.
//
// Decide runs the one chain of rules of SPEC 5.5 and makes a Decision per
// requested name, whose zero value is a denial; ApplyAnswers runs the tail
// of that chain again where a service decided without the user's stored
// answers and trust in the block's signer (SPEC 5.7: in rule 6's place,
// as the owner's trustedSigners are), and Decision.Answer is the decision
// that an answer to a prompt makes. A Store keeps those answers, and the
// signers the user trusts or distrusts, in a data directory.
//
// The desktop owner is known here only as an Owner: the sub-package owner
// reads desktop owner settings files and makes one per manifest URL. The
// URL patterns that signed blocks and desktop owner policies use live in
// the sub-package pattern. This package imports nothing of the manifest
// packages.
package permissions
