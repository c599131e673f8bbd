// Package owner reads the desktop owner settings (DOS, SPEC section 4):
// OpenFin's JSON format as owners write it, parsed strictly where rvm acts
// on a key and with a notice where it does not, and loaded from where the
// machine settings point (https://, http:// deny-only, file:// or a path)
// with the last good copy kept on disk, failing closed when there was
// never one. What it says about one manifest URL (Settings.For) is the
// Owner that permissions.Decide asks.
package owner

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

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
	// MaxPatterns is the most patterns of allowedManifestUrls, of
	// linkHandler.allowedManifestUrls, and of one policy's urls.
	MaxPatterns = 1024
	// MaxRevokedCertificates is the most entries of revokedCertificates.
	MaxRevokedCertificates = 4096
	// MaxRuntimeArguments is the most entries of allowedRuntimeArguments.
	MaxRuntimeArguments = 256
	// MaxTrustedSigners is the most entries of trustedSigners.
	MaxTrustedSigners = 1024
	// MaxProblems is the most problems an InvalidError lists, and
	// MaxNotices the most notices a file has; a last line counts the
	// rest.
	MaxProblems = 100
	MaxNotices  = 100
	// maxNamesShown is the most permission names one notice lists.
	maxNamesShown = 10
)

// DefaultPolicy is the name of the policy that applies to a permission
// where no named policy that matches the manifest URL sets it.
const DefaultPolicy = "default"

// Settings are a parsed desktop owner settings file (DOS, SPEC section
// 4): what the owner of this desktop allows, which always takes precedence
// over signed blocks and users. A nil *Settings means that none are
// configured: its methods then allow every launch, keep trust enabled and
// revoke nothing.
//
// The format is OpenFin's, a JSON object of at most MaxSize bytes with no
// duplicate keys at any level, of which rvm acts on these keys:
//
//	{
//	  "desktopSettings": {
//	    "securedAPIDefaultPermission": "deny",
//	    "trustedAppConfigs": "enabled",
//	    "allowedManifestUrls": ["https://*.acme.com/*"],
//	    "revokedCertificates": ["<64 hex digits: SHA-256 of a certificate's DER>", "tbs:<hex>", "spki:<hex>"],
//	    "allowedRuntimeArguments": ["--remote-debugging-port"],
//	    "linkHandler": {"enabled": true, "allowedManifestUrls": ["https://*.acme.com/*"]},
//	    "trustedSigners": [{"spki": "<64 hex digits>", "name": "Acme Corp"}],
//	    "userSignerTrust": "disabled",
//	    "promptsRequireTrustedBlock": true
//	  },
//	  "applicationSettings": {
//	    "acme-tools": {
//	      "urls": ["https://*.acme.com/tools/*"],
//	      "permissions": {"System": {"launchExternalProcess": false}}
//	    },
//	    "https://apps.acme.com/blotter/app.json": {
//	      "permissions": {"Window": {"getSnapshot": true}, "webAPIs": ["clipboard-read"]}
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
//   - allowedRuntimeArguments: the switches that a manifest may pass to
//     its runtime although SPEC 8 drops them (see RuntimeArguments).
//   - linkHandler: "enabled" false turns fins:// and fin:// links off;
//     "allowedManifestUrls", patterns as above, are the manifests a link
//     may launch (see LinksDisabled and AllowedLinkLaunch).
//   - trustedSigners (SPEC 5.7): signers every user trusts, each an
//     object with "spki", the SHA-256 of the signing certificate's
//     SubjectPublicKeyInfo in 64 hex digits of either case, and
//     optionally "name": a prompt for a strictly fetched manifest whose
//     trusted block has that key is answered yes (desktop-owner-signer).
//   - userSignerTrust: "enabled" (the default) or "disabled", which stops
//     users from trusting signers: no "all" answer, and the signer trusts
//     they stored are ignored.
//   - promptsRequireTrustedBlock: true answers every prompt denied,
//     without asking, where the manifest has no trusted block (and a
//     stored grant does not apply there): users may grant only to signed
//     apps.
//   - applicationSettings: named policies. A named policy has "urls" (at
//     least one owner-mode pattern), or has none and a name that is itself
//     an http:// or https:// URL, which is then its one pattern; and
//     optionally "permissions", a permissions object as in a manifest (see
//     permissions.Parse): a leaf is true, false, or the object form
//     {"enabled": true, ...constraints}, whose grant carries those
//     constraints (a bare true carries the manifest's). Where several
//     named policies match the manifest URL and disagree on a permission,
//     false wins; where they grant it with different constraints, it is
//     denied. The policy named "default" has no urls: it decides a
//     permission that no matching named policy sets. A grant applies only
//     to manifests that were strictly fetched; a denial to every manifest.
//
// A value of one of these keys of the wrong type, or not one of its listed
// strings, and a pattern that does not parse make the file invalid: the
// owner's mistake must show rather than quietly weaken the policy, and
// the caller keeps its last good copy. Every problem of a file is reported
// at once (see InvalidError), each with its line and column.
//
// What rvm does not act on is ignored, with a notice that names it (see
// Notices): OpenFin's keys for other things (systemApps, assetsUrl,
// lrsUrl, applicationLogging, extensionServerURLs, shortcut and network
// options) and any key rvm does not know, at the top level, in
// desktopSettings and in a policy; and a permission name that rvm does not
// know, which is kept but never granted (a manifest that requests it gets
// unknown-permission). OpenFin's restrictive keys that rvm cannot honour,
// whitelist and deployment's runtimeControls and rvmControls (at any of
// those levels), make the file invalid, with an error that names rvm's
// equivalent: a restriction must never be dropped quietly.
//
// A file read over plain http:// (ParseDenyOnly) is deny-only: anyone on
// the network could have written it. Its false values, deny, allow-lists,
// revocations, trustedAppConfigs "disabled" and linkHandler "enabled"
// false apply, and so do userSignerTrust "disabled" and
// promptsRequireTrustedBlock true; its true values (policy grants,
// linkHandler "enabled" true), allow (which counts as prompt),
// allowedRuntimeArguments and trustedSigners are left out, each with a
// notice.
type Settings struct {
	// Source is where the file came from (a URL or path), for messages.
	Source string
	// DenyOnly reports that the file came over plain http:// and only its
	// restrictions apply.
	DenyOnly bool
	// Notices say what rvm left out of the file and why, each naming the
	// key with its line and column.
	Notices []string

	defaultPermission   permissions.DefaultPermission
	trustDisabled       bool
	allowed             *pattern.Index // nil: allowedManifestUrls absent; owner is an admission
	revoked             map[revocation]bool
	runtimeArguments    []string
	linksDisabled       bool
	linksAllowed        *pattern.Index    // nil: linkHandler.allowedManifestUrls absent
	trustedSigners      map[string]string // trustedSigners: name by lower-case hex SPKI
	userSignerTrustOff  bool
	requireTrustedBlock bool
	policies            []policy       // the named policies, in file order
	policyIndex         *pattern.Index // their urls, owner = index in policies
	defaultPolicy       policy
	runtime             runtimeRules // the runtime keys (runtime.go)
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

// Parse parses a desktop owner settings file that came from where it
// could not be written by the network: a local file or a strict https://
// fetch. source names it in messages and becomes the Source of the
// result. An invalid file is an *InvalidError.
func Parse(data []byte, source string) (*Settings, error) {
	return parse(data, source, false)
}

// ParseDenyOnly parses a desktop owner settings file that came over plain
// http://, which only restricts (see Settings).
func ParseDenyOnly(data []byte, source string) (*Settings, error) {
	return parse(data, source, true)
}

func parse(data []byte, source string, denyOnly bool) (*Settings, error) {
	if len(data) > MaxSize {
		return nil, &InvalidError{Source: source, Problems: []Problem{{Err: fmt.Errorf("larger than %d bytes", MaxSize)}}}
	}
	top, err := strictjson.Object(data)
	if err != nil {
		p := Problem{Err: err}
		var je *strictjson.Error
		if errors.As(err, &je) {
			p.Line, p.Column = je.Line, je.Column
		}
		return nil, &InvalidError{Source: source, Problems: []Problem{p}}
	}
	p := &parser{data: data, source: source, denyOnly: denyOnly}
	s := &Settings{Source: source, DenyOnly: denyOnly}
	if denyOnly {
		p.notices = append(p.notices, notice{-1, fmt.Sprintf("owner: desktop owner settings %s came over plain http://, which anyone on the network could have written: only what it denies or restricts applies", source)})
	}
	for _, m := range top {
		switch f := (field{}).key(m); f.name {
		case "desktopSettings":
			s.parseDesktopSettings(p, f)
		case "applicationSettings":
			s.parseApplicationSettings(p, f)
		default:
			p.unhandled(f)
		}
	}
	notices, err := p.finish()
	if err != nil {
		return nil, err
	}
	s.Notices = notices
	return s, nil
}

// parseDesktopSettings reads desktopSettings: one case a key.
func (s *Settings) parseDesktopSettings(p *parser, f field) {
	members, ok := p.members(f)
	if !ok {
		return
	}
	for _, m := range members {
		switch k := f.key(m); k.name {
		case "securedAPIDefaultPermission":
			s.defaultPermission = p.defaultPermission(k)
		case "trustedAppConfigs":
			v, _ := p.oneOf(k, "enabled", "disabled")
			s.trustDisabled = v == "disabled"
		case "allowedManifestUrls":
			s.allowed = p.allowList(k)
		case "revokedCertificates":
			s.revoked = p.revocations(k)
		case "allowedRuntimeArguments":
			s.runtimeArguments = p.runtimeArguments(k)
		case "linkHandler":
			s.parseLinkHandler(p, k)
		case "trustedSigners":
			s.trustedSigners = p.trustedSigners(k)
		case "userSignerTrust":
			v, _ := p.oneOf(k, "enabled", "disabled")
			s.userSignerTrustOff = v == "disabled"
		case "promptsRequireTrustedBlock":
			s.requireTrustedBlock, _ = p.boolean(k)
		case "allowedRuntimeVersions", "blockedRuntimeVersions", "minimumRuntimeVersion", "cleanUnusedRuntimes", "unusedRuntimeExpirationInMinutes":
			s.runtime.parseRuntimeKey(p, k)
		default:
			p.unhandled(k)
		}
	}
}

// defaultPermission reads securedAPIDefaultPermission; under deny-only an
// allow counts as prompt.
func (p *parser) defaultPermission(f field) permissions.DefaultPermission {
	v, _ := p.oneOf(f, "allow", "deny", "prompt")
	switch {
	case v == "deny":
		return permissions.Deny
	case v == "allow" && p.denyOnly:
		p.notice(f, `"allow" ignored (it counts as "prompt"): the file came over plain http://, which can only deny`)
	case v == "allow":
		return permissions.Allow
	}
	return permissions.Ask
}

// allowList reads a list of owner-mode patterns into an index whose
// owners say what each admits (admitsStrict for https patterns). An
// allow-list restricts, and applies under deny-only too.
func (p *parser) allowList(f field) *pattern.Index {
	pats, _ := p.patterns(f)
	entries := make([]pattern.Entry, len(pats))
	for i, pat := range pats {
		entries[i] = pattern.Entry{Pattern: pat, Owner: admitsStrict}
		if !strings.HasPrefix(pat.String(), "https:") {
			entries[i].Owner = admitsRelaxed
		}
	}
	return pattern.NewIndex(entries)
}

// revocations reads revokedCertificates.
func (p *parser) revocations(f field) map[revocation]bool {
	list, _ := p.stringList(f, MaxRevokedCertificates)
	out := make(map[revocation]bool, len(list))
	for _, e := range list {
		r, ok := parseRevocation(e.s)
		if !ok {
			p.problem(e.field, "want 64 hex digits (a SHA-256 digest), got %q (an entry is the digest of a certificate, or tbs: or spki: and a digest)", e.s)
			continue
		}
		out[r] = true
	}
	return out
}

// runtimeArguments reads allowedRuntimeArguments: switches, none empty.
// Under deny-only they are left out: they could only loosen.
func (p *parser) runtimeArguments(f field) []string {
	list, _ := p.stringList(f, MaxRuntimeArguments)
	out := make([]string, len(list))
	for i, e := range list {
		if strings.TrimLeft(e.s, "-/") == "" {
			p.problem(e.field, "want a switch such as --remote-debugging-port, got %q", e.s)
		}
		out[i] = e.s
	}
	if p.denyOnly && len(out) > 0 {
		p.notice(f, "ignored: the file came over plain http://, which can only deny, and these switches would be allowed")
		return nil
	}
	return out
}

// trustedSigners reads trustedSigners: at most MaxTrustedSigners objects
// of an "spki" (64 hex digits, either case) and an optional "name" (a
// string). Under deny-only they are left out: they could only loosen.
func (p *parser) trustedSigners(f field) map[string]string {
	if f.value.Kind() != '[' {
		p.problem(f, "want an array of objects, got %s", strictjson.Kind(f.value))
		return nil
	}
	elems, _ := p.elements(f)
	if len(elems) > MaxTrustedSigners {
		p.problem(f, "more than %d entries", MaxTrustedSigners)
		return nil
	}
	out := make(map[string]string, len(elems))
	for _, e := range elems {
		if e.value.Kind() != '{' {
			p.problem(e, `want an object {"spki": "<64 hex digits>", "name": "..."}, got %s`, strictjson.Kind(e.value))
			continue
		}
		members, ok := p.members(e)
		if !ok {
			continue
		}
		var spki, name string
		given := false
		for _, m := range members {
			switch k := e.key(m); k.name {
			case "spki":
				given = true
				if k.value.Kind() != '"' {
					p.problem(k, "want a string of 64 hex digits, got %s", strictjson.Kind(k.value))
					continue
				}
				v := strings.ToLower(stringValue(k.value))
				if !permissions.IsSPKI(v) {
					p.problem(k, "want 64 hex digits (the SHA-256 of the signing certificate's SubjectPublicKeyInfo), got %q", stringValue(k.value))
					continue
				}
				spki = v
			case "name":
				if k.value.Kind() != '"' {
					p.problem(k, "want a string, got %s", strictjson.Kind(k.value))
					continue
				}
				name = stringValue(k.value)
			default:
				p.problem(k, `unknown key: a signer is {"spki": "<64 hex digits>", "name": "..."}`)
			}
		}
		switch {
		case !given:
			p.problem(e, `no "spki": a signer is {"spki": "<64 hex digits>", "name": "..."}`)
			continue
		case spki == "":
			continue // its problem is reported
		}
		out[spki] = name
	}
	if p.denyOnly && len(out) > 0 {
		p.notice(f, "ignored: the file came over plain http://, which can only deny, and these signers would be trusted")
		return nil
	}
	return out
}

// parseLinkHandler reads linkHandler: enabled and allowedManifestUrls.
func (s *Settings) parseLinkHandler(p *parser, f field) {
	members, ok := p.members(f)
	if !ok {
		return
	}
	for _, m := range members {
		switch k := f.key(m); k.name {
		case "enabled":
			enabled, _ := p.boolean(k)
			if enabled && p.denyOnly {
				p.notice(k, "true ignored: the file came over plain http://, which can only deny")
			}
			s.linksDisabled = !enabled
		case "allowedManifestUrls":
			s.linksAllowed = p.allowList(k)
		default:
			p.unhandled(k)
		}
	}
}

// parseApplicationSettings reads the policies of applicationSettings.
func (s *Settings) parseApplicationSettings(p *parser, f field) {
	members, ok := p.members(f)
	if !ok {
		return
	}
	if len(members) > MaxPolicies {
		p.problem(f, "more than %d policies", MaxPolicies)
		return
	}
	var entries []pattern.Entry
	for _, m := range members {
		pf := f.key(m)
		if m.Name == "" {
			p.problem(pf, "a policy with an empty name")
			continue
		}
		pol, urls, ok := p.policy(pf)
		if !ok {
			continue
		}
		if m.Name == DefaultPolicy {
			s.defaultPolicy = pol
			continue
		}
		for _, u := range urls {
			entries = append(entries, pattern.Entry{Pattern: u, Owner: len(s.policies)})
		}
		s.policies = append(s.policies, pol)
	}
	s.policyIndex = pattern.NewIndex(entries)
}

// policy reads the policy f: its permissions and, for a named policy, its
// patterns (its urls, or where it has none a name that is an http(s)://
// URL).
func (p *parser) policy(f field) (pol policy, urls []pattern.Pattern, ok bool) {
	members, ok := p.members(f)
	if !ok {
		return pol, nil, false
	}
	pol = policy{name: f.name, permissions: map[string]permissions.Entry{}}
	hasURLs := false
	for _, m := range members {
		switch k := f.key(m); k.name {
		case "urls":
			hasURLs = true
			if f.name == DefaultPolicy {
				p.problem(k, "the default policy has no urls: it applies where no matching named policy sets a permission")
				continue
			}
			if urls, ok = p.patterns(k); ok && len(urls) == 0 {
				p.problem(k, "a named policy needs urls (at least one pattern)")
			}
		case "permissions":
			p.policyPermissions(k, &pol)
		default:
			p.unhandled(k)
		}
	}
	if f.name == DefaultPolicy || hasURLs {
		return pol, urls, true
	}
	if !isURLName(f.name) {
		p.problem(f, "a named policy needs urls (at least one pattern), or a name that is an http:// or https:// URL")
		return pol, nil, false
	}
	u, err := pattern.Parse(f.name, pattern.Owner)
	if err != nil {
		p.problem(f, "the policy's name, a URL, is its pattern (it has no urls), and it does not parse: %v", err)
		return pol, nil, false
	}
	return pol, []pattern.Pattern{u}, true
}

// isURLName reports whether a policy's name is an http:// or https:// URL,
// in any case.
func isURLName(name string) bool {
	scheme, _, ok := strings.Cut(name, "://")
	return ok && (strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "http"))
}

// policyPermissions reads a policy's permissions into pol. Each top-level
// group (System, Window, webAPIs, ...) is read on its own, so that a fault
// in one does not hide the faults of the others. A name rvm does not
// know is kept (it is never granted) and noted; under deny-only the
// grants are left out, and noted.
func (p *parser) policyPermissions(f field, pol *policy) {
	groups, ok := p.members(f)
	if !ok {
		return
	}
	var unknown, dropped []string
	total := 0
	for _, g := range groups {
		gf := f.key(g)
		entries, err := permissions.Parse(oneMember(g), f.path)
		if err != nil {
			p.problemErr(gf, err)
			continue
		}
		if total += len(entries); total > permissions.MaxPermissions {
			p.problem(f, "more than %d permissions", permissions.MaxPermissions)
			return
		}
		for _, e := range entries {
			if !permissions.Known(e.Name) {
				unknown = append(unknown, e.Name)
			}
			if e.Enabled && p.denyOnly {
				dropped = append(dropped, e.Name)
				continue
			}
			pol.permissions[e.Name] = e
		}
	}
	if len(unknown) > 0 {
		p.notice(f, "permissions rvm does not know, kept but never granted (a manifest that requests one gets unknown-permission): %s", names(unknown))
	}
	if len(dropped) > 0 {
		p.notice(f, "grants ignored: the file came over plain http://, which can only deny: %s", names(dropped))
	}
}

// oneMember is the JSON object that holds m alone.
func oneMember(m strictjson.Member) jsontext.Value {
	// The name came out of strict JSON: it quotes.
	b, _ := jsontext.AppendQuote([]byte{'{'}, m.Name)
	b = append(append(append(b, ':'), m.Value...), '}')
	return b
}

// names lists permission names for a notice, quoted, at most
// maxNamesShown of them.
func names(list []string) string {
	slices.Sort(list)
	shown := list[:min(len(list), maxNamesShown)]
	quoted := make([]string, len(shown))
	for i, n := range shown {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	out := strings.Join(quoted, ", ")
	if len(list) > len(shown) {
		out += fmt.Sprintf(" and %d more", len(list)-len(shown))
	}
	return out
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

// TrustedSigner reports whether the owner's trustedSigners trust, for
// every user, the signing key whose hex SHA-256 of its
// SubjectPublicKeyInfo is spki (lower-case, as permissions.IsSPKI), and
// the name the owner gave it.
func (s *Settings) TrustedSigner(spki string) (name string, ok bool) {
	if s == nil {
		return "", false
	}
	name, ok = s.trustedSigners[spki]
	return name, ok
}

// UserSignerTrustDisabled reports whether the owner stops users from
// trusting signers (userSignerTrust: disabled).
func (s *Settings) UserSignerTrustDisabled() bool {
	return s != nil && s.userSignerTrustOff
}

// PromptsRequireTrustedBlock reports whether the owner answers every
// prompt denied where the manifest has no trusted block
// (promptsRequireTrustedBlock: true).
func (s *Settings) PromptsRequireTrustedBlock() bool {
	return s != nil && s.requireTrustedBlock
}

// RuntimeArguments reports allowedRuntimeArguments: the switches that a
// manifest may pass to its runtime although SPEC 8 drops them, as the
// owner wrote them ("--remote-debugging-port"); nil where none may.
func (s *Settings) RuntimeArguments() []string {
	if s == nil {
		return nil
	}
	return slices.Clone(s.runtimeArguments)
}

// LinksDisabled reports whether the owner turned fins:// and fin:// links
// off (linkHandler.enabled false): the URL schemes are not registered,
// and a link launch is refused.
func (s *Settings) LinksDisabled() bool {
	return s != nil && s.linksDisabled
}

// AllowedLinkLaunch reports whether a link may launch the manifest at u
// (SPEC 7): not where links are off; else as linkHandler's
// allowedManifestUrls say, as AllowedToLaunch reads a list. Where it may
// not, reason says why in one sentence.
func (s *Settings) AllowedLinkLaunch(u pattern.URL, authenticated bool) (allowed bool, reason string) {
	switch {
	case s == nil:
		return true, ""
	case s.linksDisabled:
		return false, fmt.Sprintf("the desktop owner settings %q turn links off (linkHandler.enabled is false)", s.Source)
	}
	return s.admits(s.linksAllowed, "linkHandler.allowedManifestUrls", u, authenticated)
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
	if s == nil {
		return true, ""
	}
	return s.admits(s.allowed, "allowedManifestUrls", u, authenticated)
}

// admits is what the allow-list list (named key; nil where absent) says
// of the manifest at u.
func (s *Settings) admits(list *pattern.Index, key string, u pattern.URL, authenticated bool) (bool, string) {
	if list == nil {
		return true, ""
	}
	var buf [4]int
	matches := list.AppendMatches(buf[:0], u)
	for _, admits := range matches {
		if authenticated || admits == admitsRelaxed {
			return true, ""
		}
	}
	if len(matches) > 0 {
		return false, fmt.Sprintf("%q matches only https patterns of the %s of the desktop owner settings %q, and the manifest is unauthenticated (not strictly fetched)", u.String(), key, s.Source)
	}
	return false, fmt.Sprintf("%q matches none of the %s of the desktop owner settings %q", u.String(), key, s.Source)
}

// For returns what the settings say about the manifest at u: the Owner
// that permissions.Decide asks. authenticated is permissions.Input's: for
// an unauthenticated manifest the named policies' grants do not apply
// (SPEC 5.5), so that the default policy decides where they grant. A nil
// *Settings says nothing.
func (s *Settings) For(u pattern.URL, authenticated bool) permissions.Owner {
	v := view{s: s, authenticated: authenticated}
	if s != nil {
		v.matched = s.policyIndex.AppendMatches(nil, u)
	}
	return v
}

// view is a Settings matched against one URL.
type view struct {
	s             *Settings
	matched       []int // the named policies whose urls match, by index
	authenticated bool
}

// Policy decides e by the named policies that match (false wins; grants
// with different constraints deny), or where none of them sets it by the
// default policy. For an unauthenticated manifest, whose grants do not
// apply, the default policy also decides where the named policies grant
// and it denies.
func (v view) Policy(e permissions.Entry) (permissions.Decision, bool) {
	if v.s == nil {
		return permissions.Decision{}, false
	}
	var named conclusion
	for _, m := range v.matched {
		if named.add(e, &v.s.policies[m]) {
			break
		}
	}
	if named.set && (v.authenticated || named.decision.Verdict != permissions.Granted) {
		return named.decision, true
	}
	var def conclusion
	def.add(e, &v.s.defaultPolicy)
	if def.set && (!named.set || def.decision.Verdict != permissions.Granted) {
		return def.decision, true
	}
	return named.decision, named.set
}

// conclusion is what the policies added so far (in file order) decide on
// a requested entry: denied by the first that sets it false, else, where
// they grant it with different constraints, denied naming the first two
// that differ; else granted with their constraints (the request's for a
// bare true).
type conclusion struct {
	decision permissions.Decision
	set      bool
}

// add adds the policy p to c for the requested entry e, and reports
// whether the conclusion is final (a denial by a false).
func (c *conclusion) add(e permissions.Entry, p *policy) bool {
	pe, ok := p.permissions[e.Name]
	if !ok {
		return false
	}
	if !pe.Enabled {
		c.decision, c.set = permissions.Decision{Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings, Policy: p.name}, true
		return true
	}
	constraints := pe.Constraints
	if constraints == nil {
		constraints = e.Constraints
	}
	switch {
	case !c.set:
		c.decision, c.set = permissions.Decision{Verdict: permissions.Granted, Source: permissions.SourceOwnerSettings, Policy: p.name, Constraints: constraints}, true
	case c.decision.Verdict == permissions.Granted && !permissions.SameConstraints(c.decision.Constraints, constraints):
		c.decision = permissions.Decision{Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings, Policy: c.decision.Policy + ", " + p.name}
	}
	return false
}

func (v view) DefaultPermission() permissions.DefaultPermission { return v.s.DefaultPermission() }

func (v view) TrustDisabled() bool { return v.s.TrustDisabled() }

func (v view) TrustedSigner(spki string) bool {
	_, ok := v.s.TrustedSigner(spki)
	return ok
}

func (v view) UserSignerTrustDisabled() bool { return v.s.UserSignerTrustDisabled() }

func (v view) PromptsRequireTrustedBlock() bool { return v.s.PromptsRequireTrustedBlock() }
