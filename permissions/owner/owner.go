// Package owner reads the desktop owner settings (DOS, SPEC section 4):
// OpenFin's JSON format, parsed strictly, and loaded from where the machine
// settings point (https://, file:// or a path) with the last good copy kept
// on disk, failing closed when there was never one. What it says about one
// manifest URL (Settings.For) is the Owner that permissions.Decide asks.
package owner

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/pattern"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// Bounds on a desktop owner settings file. Each has a test that feeds it
// one more than it allows.
const (
	// MaxSize is the largest desktop owner settings file, in
	// bytes.
	MaxSize = 1 << 20
	// MaxPolicies is the most named policies applicationSettings may
	// hold, default included.
	MaxPolicies = 4096
	// MaxPatterns is the most patterns of allowedManifestUrls, and of
	// one policy's urls.
	MaxPatterns = 1024
	// MaxRevokedCertificates is the most entries of revokedCertificates.
	MaxRevokedCertificates = 4096
)

// DefaultPolicy is the name of the policy that applies where no named
// policy's urls match the manifest URL.
const DefaultPolicy = "default"

// Settings are a parsed desktop owner settings file (DOS, SPEC section
// 4): what the owner of this desktop allows, which always takes precedence
// over signed blocks and users. A nil *Settings means that none are
// configured: its methods then allow every launch, keep trust enabled and
// revoke nothing.
//
// The format, a JSON object of at most MaxSize bytes with no
// duplicate keys at any level:
//
//	{
//	  "desktopSettings": {
//	    "securedAPIDefaultPermission": "deny",
//	    "trustedAppConfigs": "enabled",
//	    "allowedManifestUrls": ["https://*.acme.com/*"],
//	    "revokedCertificates": ["<64 hex digits: SHA-256 of a certificate's DER>", "tbs:<hex>", "spki:<hex>"]
//	  },
//	  "applicationSettings": {
//	    "acme-tools": {
//	      "urls": ["https://*.acme.com/tools/*"],
//	      "permissions": {"System": {"launchExternalProcess": false}}
//	    },
//	    "default": {"permissions": {"System": {"readRegistryValue": false}}}
//	  }
//	}
//
// Every key is optional; {} is a valid file that configures nothing.
//
//   - securedAPIDefaultPermission: "allow" or "deny" decides the
//     permissions that nothing else decides; "prompt" or absent, the user
//     is asked. An allow applies only to manifests that were strictly
//     fetched.
//   - trustedAppConfigs: "enabled" (the default) or "disabled", which turns
//     signed blocks off on this desktop.
//   - allowedManifestUrls: owner-mode patterns (package pattern). Where the
//     key is present, only manifests whose URL matches one may launch; an
//     empty list lets none launch. A pattern of scheme https admits only
//     manifests that were strictly fetched (or cached copies of such); one
//     of scheme http or * admits unauthenticated ones too.
//   - revokedCertificates: what the owner no longer trusts, anywhere in a
//     chain (SPEC 5.4), each 64 hex digits in either case: the SHA-256 of
//     a certificate's DER (which also revokes its other ECDSA encoding),
//     "tbs:" and the SHA-256 of a TBSCertificate's DER (every encoding of
//     the certificate), or "spki:" and the SHA-256 of a
//     SubjectPublicKeyInfo's DER (every certificate of that key).
//   - applicationSettings: named policies. A named policy has "urls" (at
//     least one owner-mode pattern) and optionally "permissions", a
//     permissions object as in a manifest: a leaf is true, false, or the
//     object form {"enabled": true, ...constraints}, whose grant carries
//     those constraints (a bare true carries the manifest's). The policy
//     named "default" has no urls: it applies to a manifest URL that no
//     named policy's urls match (even one that sets none of the requested
//     permissions, so a named policy with no permissions shields its URLs
//     from the default). Where several named policies match and disagree
//     on a permission, false wins; where they grant it with different
//     constraints, it is denied. A grant applies only to manifests that
//     were strictly fetched; a denial to every manifest.
//
// The parser is strict, because a desktop owner's mistake must show rather
// than quietly weaken the policy: an unknown key, a value of the wrong
// type and an unknown permission name (a misspelt denial would deny
// nothing) are errors, and the caller keeps its last good copy.
type Settings struct {
	// Source is where the file came from (a URL or path), for messages.
	Source string

	defaultPermission permissions.DefaultPermission
	trustDisabled     bool
	allowed           *pattern.Index // nil: allowedManifestUrls absent; owner is an admission
	revoked           map[revocation]bool
	policies          []policy       // the named policies, in file order
	policyIndex       *pattern.Index // their urls, owner = index in policies
	defaultPolicy     policy
	runtime           runtimeRules // the runtime keys (runtime.go)
}

// policy is one named policy (or the default): the permissions it sets,
// by name.
type policy struct {
	name        string
	permissions map[string]permissions.Entry
}

// admission is what an allowedManifestUrls pattern admits, by its scheme.
const (
	admitsStrict  = iota // https: only strictly fetched manifests
	admitsRelaxed        // http or *: unauthenticated manifests too
)

// Parse parses a desktop owner settings file. source names it
// in errors and becomes the Source of the result.
func Parse(data []byte, source string) (*Settings, error) {
	at := "desktop owner settings " + source
	if len(data) > MaxSize {
		return nil, fmt.Errorf("owner: %s: larger than %d bytes", at, MaxSize)
	}
	top, err := strictjson.Object(data)
	if err != nil {
		return nil, fmt.Errorf("owner: %s: %w", at, err)
	}
	s := &Settings{Source: source}
	for _, m := range top {
		switch m.Name {
		case "desktopSettings":
			err = s.parseDesktopSettings(m.Value, at+": desktopSettings")
		case "applicationSettings":
			err = s.parseApplicationSettings(m.Value, at+": applicationSettings")
		default:
			err = fmt.Errorf("owner: %s: unknown key %q", at, m.Name)
		}
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Settings) parseDesktopSettings(raw jsontext.Value, at string) error {
	members, err := objectMembers(raw, at)
	if err != nil {
		return err
	}
	for _, m := range members {
		here := at + "." + m.Name
		switch m.Name {
		case "securedAPIDefaultPermission":
			v, err := oneOf(m.Value, here, "allow", "deny", "prompt")
			if err != nil {
				return err
			}
			switch v {
			case "allow":
				s.defaultPermission = permissions.Allow
			case "deny":
				s.defaultPermission = permissions.Deny
			}
		case "trustedAppConfigs":
			v, err := oneOf(m.Value, here, "enabled", "disabled")
			if err != nil {
				return err
			}
			s.trustDisabled = v == "disabled"
		case "allowedManifestUrls":
			list, err := stringList(m.Value, here, MaxPatterns)
			if err != nil {
				return err
			}
			entries := make([]pattern.Entry, len(list))
			for i, raw := range list {
				p, err := pattern.Parse(raw, pattern.Owner)
				if err != nil {
					return fmt.Errorf("owner: %s[%d]: %w", here, i, err)
				}
				entries[i] = pattern.Entry{Pattern: p, Owner: admitsStrict}
				if !strings.HasPrefix(p.String(), "https:") {
					entries[i].Owner = admitsRelaxed
				}
			}
			s.allowed = pattern.NewIndex(entries)
		case "revokedCertificates":
			list, err := stringList(m.Value, here, MaxRevokedCertificates)
			if err != nil {
				return err
			}
			s.revoked = make(map[revocation]bool, len(list))
			for i, entry := range list {
				r, ok := parseRevocation(entry)
				if !ok {
					return fmt.Errorf("owner: %s[%d]: want 64 hex digits (a SHA-256 digest), got %q (an entry is the digest of a certificate, or tbs: or spki: and a digest)", here, i, entry)
				}
				s.revoked[r] = true
			}
		case "allowedRuntimeVersions":
			if err := s.runtime.parseAllowed(m.Value, here); err != nil {
				return err
			}
		case "blockedRuntimeVersions":
			if err := s.runtime.parseBlocked(m.Value, here); err != nil {
				return err
			}
		case "minimumRuntimeVersion":
			if err := s.runtime.parseMinimum(m.Value, here); err != nil {
				return err
			}
		case "cleanUnusedRuntimes":
			if err := s.runtime.parseClean(m.Value, here); err != nil {
				return err
			}
		case "unusedRuntimeExpirationInMinutes":
			if err := s.runtime.parseExpiration(m.Value, here); err != nil {
				return err
			}
		default:
			return fmt.Errorf("owner: %s: unknown key %q", at, m.Name)
		}
	}
	return nil
}

func (s *Settings) parseApplicationSettings(raw jsontext.Value, at string) error {
	members, err := objectMembers(raw, at)
	if err != nil {
		return err
	}
	if len(members) > MaxPolicies {
		return fmt.Errorf("owner: %s: more than %d policies", at, MaxPolicies)
	}
	var entries []pattern.Entry
	for _, m := range members {
		here := at + "." + m.Name
		if m.Name == "" {
			return fmt.Errorf("owner: %s: a policy with an empty name", at)
		}
		fields, err := objectMembers(m.Value, here)
		if err != nil {
			return err
		}
		p := policy{name: m.Name, permissions: map[string]permissions.Entry{}}
		var urls []pattern.Pattern
		for _, f := range fields {
			switch f.Name {
			case "urls":
				if m.Name == DefaultPolicy {
					return fmt.Errorf("owner: %s: the default policy has no urls: it applies where no named policy matches", here)
				}
				if urls, err = parsePatterns(f.Value, here+".urls"); err != nil {
					return err
				}
			case "permissions":
				if err := p.parsePermissions(f.Value, here+".permissions"); err != nil {
					return err
				}
			default:
				return fmt.Errorf("owner: %s: unknown key %q", here, f.Name)
			}
		}
		if m.Name == DefaultPolicy {
			s.defaultPolicy = p
			continue
		}
		if len(urls) == 0 {
			return fmt.Errorf("owner: %s: a named policy needs urls (at least one pattern)", here)
		}
		for _, u := range urls {
			entries = append(entries, pattern.Entry{Pattern: u, Owner: len(s.policies)})
		}
		s.policies = append(s.policies, p)
	}
	s.policyIndex = pattern.NewIndex(entries)
	return nil
}

func (p *policy) parsePermissions(raw jsontext.Value, at string) error {
	entries, err := permissions.Parse(raw, at)
	if err != nil {
		return fmt.Errorf("owner: %w", err)
	}
	for _, e := range entries {
		if !permissions.Known(e.Name) {
			return fmt.Errorf("owner: %s: unknown permission %q", at, e.Name)
		}
		p.permissions[e.Name] = e
	}
	return nil
}

// oneOf decodes a JSON string that must be one of allowed.
func oneOf(raw jsontext.Value, at string, allowed ...string) (string, error) {
	var v string
	if err := decodeStrict(raw, &v); err != nil {
		return "", fmt.Errorf("owner: %s: want a string", at)
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", fmt.Errorf("owner: %s: want %s, got %q", at, strings.Join(allowed, " or "), v)
}

// stringList decodes a JSON array of at most max strings.
func stringList(raw jsontext.Value, at string, max int) ([]string, error) {
	var list []string
	if err := decodeStrict(raw, &list); err != nil {
		return nil, fmt.Errorf("owner: %s: want an array of strings", at)
	}
	if len(list) > max {
		return nil, fmt.Errorf("owner: %s: more than %d entries", at, max)
	}
	return list, nil
}

// decodeStrict decodes raw into v, refusing null, which would quietly
// stand for "nothing".
func decodeStrict(raw jsontext.Value, v any) error {
	if raw.Kind() == 'n' {
		return errors.New("null")
	}
	return json.Unmarshal(raw, v)
}

// objectMembers splits raw, strict JSON, into the members of the object it
// holds, refusing anything that is not an object.
func objectMembers(raw jsontext.Value, at string) ([]strictjson.Member, error) {
	ms, err := strictjson.Members(raw)
	if err != nil {
		return nil, fmt.Errorf("owner: %s: %w", at, err)
	}
	return ms, nil
}

// parsePatterns decodes an array of owner-mode patterns.
func parsePatterns(raw jsontext.Value, at string) ([]pattern.Pattern, error) {
	list, err := stringList(raw, at, MaxPatterns)
	if err != nil {
		return nil, err
	}
	pats := make([]pattern.Pattern, len(list))
	for i, s := range list {
		if pats[i], err = pattern.Parse(s, pattern.Owner); err != nil {
			return nil, fmt.Errorf("owner: %s[%d]: %w", at, i, err)
		}
	}
	return pats, nil
}

// DefaultPermission reports securedAPIDefaultPermission: Allow, Deny, or
// Ask where the user is to be asked.
func (s *Settings) DefaultPermission() permissions.DefaultPermission {
	if s == nil {
		return permissions.Ask
	}
	return s.defaultPermission
}

// TrustDisabled reports whether the owner turned trustedAppConfigs off on
// this desktop (trust code disabled-by-owner).
func (s *Settings) TrustDisabled() bool {
	return s != nil && s.trustDisabled
}

// revocation is one entry of revokedCertificates: what its digest is of
// (its prefix: "" for a certificate's DER, "tbs" or "spki") and the
// digest.
type revocation struct {
	of  string
	sum [32]byte
}

// parseRevocation parses an entry of revokedCertificates: 64 hex digits,
// after "tbs:" or "spki:" where given, in either case.
func parseRevocation(entry string) (revocation, bool) {
	var r revocation
	hexSum := entry
	if prefix, rest, ok := strings.Cut(entry, ":"); ok {
		r.of, hexSum = strings.ToLower(prefix), rest
		if r.of != "tbs" && r.of != "spki" {
			return r, false
		}
	}
	if len(hexSum) != hex.EncodedLen(len(r.sum)) {
		return r, false
	}
	_, err := hex.Decode(r.sum[:], []byte(hexSum))
	return r, err == nil
}

// Revoked reports whether the owner revoked the certificate whose DER has
// the SHA-256 digest sum (a plain entry of revokedCertificates). With
// RevokedTBS and RevokedSPKI it makes *Settings a trust.Revocations.
func (s *Settings) Revoked(sum [32]byte) bool {
	return s != nil && s.revoked[revocation{sum: sum}]
}

// RevokedTBS reports whether the owner revoked every encoding of the
// certificate whose TBSCertificate's DER has the SHA-256 digest sum (an
// entry "tbs:<hex>").
func (s *Settings) RevokedTBS(sum [32]byte) bool {
	return s != nil && s.revoked[revocation{of: "tbs", sum: sum}]
}

// RevokedSPKI reports whether the owner revoked every certificate of the
// key whose SubjectPublicKeyInfo's DER has the SHA-256 digest sum (an
// entry "spki:<hex>").
func (s *Settings) RevokedSPKI(sum [32]byte) bool {
	return s != nil && s.revoked[revocation{of: "spki", sum: sum}]
}

// AllowedToLaunch reports whether the manifest at u may launch under
// allowedManifestUrls, and when it may not, why, in one sentence naming
// the URL and the settings' source. authenticated reports that the
// manifest was strictly fetched (or is a cached copy of one): only then
// does a pattern of scheme https admit it. Without allowedManifestUrls (or
// without owner settings) every manifest may launch.
func (s *Settings) AllowedToLaunch(u pattern.URL, authenticated bool) (allowed bool, reason string) {
	if s == nil || s.allowed == nil {
		return true, ""
	}
	var buf [4]int
	matches := s.allowed.AppendMatches(buf[:0], u)
	for _, admits := range matches {
		if authenticated || admits == admitsRelaxed {
			return true, ""
		}
	}
	if len(matches) > 0 {
		return false, fmt.Sprintf("%q matches only https patterns of the allowedManifestUrls of the desktop owner settings %q, and the manifest is unauthenticated (not strictly fetched)", u.String(), s.Source)
	}
	return false, fmt.Sprintf("%q matches none of the allowedManifestUrls of the desktop owner settings %q", u.String(), s.Source)
}

// For returns what the settings say about the manifest at u: the Owner
// that permissions.Decide asks. A nil *Settings says nothing.
func (s *Settings) For(u pattern.URL) permissions.Owner {
	v := view{s: s}
	if s != nil {
		v.matched = s.policyIndex.AppendMatches(nil, u)
	}
	return v
}

// view is a Settings matched against one URL.
type view struct {
	s       *Settings
	matched []int // the named policies whose urls match, by index
}

// Policy decides e by the named policies that match (false wins; grants
// with different constraints deny), or where none matches by the default
// policy.
func (v view) Policy(e permissions.Entry) (permissions.Decision, bool) {
	if v.s == nil {
		return permissions.Decision{}, false
	}
	if len(v.matched) == 0 {
		return decidePolicies(e, v.s.defaultPolicy)
	}
	ps := make([]policy, len(v.matched))
	for i, m := range v.matched {
		ps[i] = v.s.policies[m]
	}
	return decidePolicies(e, ps...)
}

// decidePolicies is the decision of the policies ps (in file order) on
// the requested entry e: denied by the first that sets it false, else,
// where they grant it with different constraints, denied naming the first
// two that differ; else granted with their constraints (e's for a bare
// true).
func decidePolicies(e permissions.Entry, ps ...policy) (permissions.Decision, bool) {
	var grant permissions.Decision
	set := false
	for _, p := range ps {
		pe, ok := p.permissions[e.Name]
		if !ok {
			continue
		}
		if !pe.Enabled {
			return permissions.Decision{Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings, Policy: p.name}, true
		}
		c := pe.Constraints
		if c == nil {
			c = e.Constraints
		}
		switch {
		case !set:
			grant, set = permissions.Decision{Verdict: permissions.Granted, Source: permissions.SourceOwnerSettings, Policy: p.name, Constraints: c}, true
		case grant.Verdict == permissions.Granted && !permissions.SameConstraints(grant.Constraints, c):
			grant = permissions.Decision{Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings, Policy: grant.Policy + ", " + p.name}
		}
	}
	return grant, set
}

func (v view) DefaultPermission() permissions.DefaultPermission { return v.s.DefaultPermission() }

func (v view) TrustDisabled() bool { return v.s.TrustDisabled() }
