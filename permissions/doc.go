// Package permissions knows the secured APIs that rvm grants or denies and
// decides, permission by permission, what an app gets (SPEC section 5.5).
//
// A permission is named by its dotted path in the nested permissions object
// of a manifest: {"System": {"launchExternalProcess": true}} requests
// System.launchExternalProcess. A leaf is either a boolean or an object with
// an "enabled" boolean and further constraints, which travel with the
// decision untouched. Names rvm does not know (see Known) are reported and
// never granted.
//
// The URL patterns that signed blocks and desktop owner policies use live in
// the sub-package pattern.
package permissions
