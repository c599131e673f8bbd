package permissions

import (
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/rs/zerolog"
)

// Verdict is what an app gets for one permission. The zero Verdict is
// Denied: a Decision{} never grants by accident.
type Verdict int

// The verdicts.
const (
	Denied Verdict = iota
	Granted
	Prompt // ask the user
)

var verdictNames = [...]string{Denied: "denied", Granted: "granted", Prompt: "prompt"}

func (v Verdict) String() string {
	if v < 0 || int(v) >= len(verdictNames) {
		return verdictNames[Denied]
	}
	return verdictNames[v]
}

// MarshalText writes the verdict as the decision document does.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads "granted", "denied" or "prompt"; anything else is an
// error.
func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if string(b) == n {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("permissions: verdict %q: want granted, denied or prompt", b)
}

// Source is the rule that decided a permission (SPEC 5.5).
type Source string

// The sources.
const (
	SourceOwnerSettings    Source = "desktop-owner-settings"
	SourceTrusted          Source = "trusted-app-configs"
	SourceUser             Source = "user"
	SourceUserSigner       Source = "user-signer"
	SourceOwnerSigner      Source = "desktop-owner-signer"
	SourceOwnerDefault     Source = "desktop-owner-default"
	SourceDefault          Source = "default"
	SourceUnknown          Source = "unknown-permission"
	SourceOwnerUnavailable Source = "desktop-owner-settings-unavailable"
)

// Decision is what an app gets for one permission: the Verdict, the Source
// rule that decided, the owner Policy that decided (where one did), and
// Constraints, the constraints of the grant: those of the rule that
// granted (SPEC 5.5), which for a prompt are the manifest's, the ones the
// user is shown. It marshals as the decision document's permissions[P]
// (SPEC section 6).
//
// Only Verdict == Granted grants: the zero Decision is a denial.
type Decision struct {
	Verdict     Verdict        `json:"decision"`
	Source      Source         `json:"source"`
	Policy      string         `json:"policy,omitempty"`
	Constraints jsontext.Value `json:"constraints,omitempty"`
}

// Granted reports whether d grants the permission.
func (d Decision) Granted() bool { return d.Verdict == Granted }

// DefaultPermission is the owner's securedAPIDefaultPermission: Ask (the
// zero value: absent or "prompt"), Allow or Deny.
type DefaultPermission int

// The default permissions.
const (
	Ask DefaultPermission = iota
	Allow
	Deny
)

// Owner is what the desktop owner settings say about one manifest URL
// (package owner makes one from a settings file). Decide asks it about each
// requested permission.
type Owner interface {
	// Policy reports the decision of the owner's policies on the requested
	// entry e (SPEC 5.5 rules 1 and 2): the named policies that match the
	// URL, or where none matches the default policy; ok is false where
	// none sets the permission. The decision has source
	// desktop-owner-settings and names the policy; a grant carries the
	// policy's constraints (e's for a bare true).
	Policy(e Entry) (d Decision, ok bool)
	// DefaultPermission is the owner's securedAPIDefaultPermission.
	DefaultPermission() DefaultPermission
	// TrustDisabled reports that the owner turned trusted app configs off.
	TrustDisabled() bool
	// TrustedSigner reports that the owner's trustedSigners trust the
	// signing key whose hex SHA-256 of its SubjectPublicKeyInfo is spki,
	// for every user (SPEC 5.7).
	TrustedSigner(spki string) bool
	// UserSignerTrustDisabled reports that the owner stops users from
	// trusting signers (userSignerTrust: disabled).
	UserSignerTrustDisabled() bool
	// PromptsRequireTrustedBlock reports that the owner answers every
	// prompt denied where the manifest has no trusted block
	// (promptsRequireTrustedBlock: true).
	PromptsRequireTrustedBlock() bool
}

// Input is everything a decision depends on but the user's stored answers,
// which ApplyAnswers applies after (a service decides without them).
type Input struct {
	// Requested is what the manifest requests (see Requested); entries
	// that are not Enabled are not requested. Nothing else is ever
	// granted.
	Requested []Entry
	// URL is the manifest URL, for the log.
	URL string
	// Authenticated reports that the manifest came through a strict fetch
	// (or is a cached copy of one). The zero value, an unauthenticated
	// manifest, is deny-only: the owner's policies and default apply only
	// where they deny, and a trusted block never applies.
	Authenticated bool
	// Owner is the desktop owner's word on this manifest; nil when no
	// owner settings are configured.
	Owner Owner
	// OwnerUnavailable says that owner settings are configured but no
	// good copy was ever read: every requested permission is then denied
	// (source desktop-owner-settings-unavailable), whatever else says.
	OwnerUnavailable bool
	// Trusted holds, by name, the permissions of the app entries of a
	// trusted trustedAppConfigs block that match URL, with their
	// constraints as signed; an Enabled entry grants. Nil when there is no
	// trusted block. It is ignored where the owner disabled
	// trustedAppConfigs.
	Trusted map[string]Entry
	// SignerSPKI is the hex SHA-256 of the SubjectPublicKeyInfo of the
	// signing certificate of the manifest's trusted block; "" where there
	// is no trusted block. A signer trust (SPEC 5.7) applies only to a
	// manifest that is Authenticated and has one, and the owner's
	// promptsRequireTrustedBlock denies where it is "".
	SignerSPKI string
	// Log, when enabled, receives every decision with its source.
	Log zerolog.Logger
}

// UserSignerTrust reports whether a user's trust in the signer of the
// manifest's block may apply to in (SPEC 5.7), so that a prompt may offer
// to trust the signer and a stored signer trust answers it: the manifest
// is authenticated, its block is trusted (SignerSPKI), and the owner has
// turned neither trusted app configs nor users' signer trusts off.
func (in Input) UserSignerTrust() bool {
	if in.Owner != nil && (in.Owner.TrustDisabled() || in.Owner.UserSignerTrustDisabled()) {
		return false
	}
	return in.Authenticated && in.SignerSPKI != ""
}

// Decide decides every permission that in.Requested enables, by the first
// of the rules of SPEC section 5.5 that applies:
//
//  0. owner settings are configured but unavailable: denied
//     (desktop-owner-settings-unavailable); a name rvm does not know:
//     denied (unknown-permission), whatever any source says;
//  1. and 2. the owner's policies (see Owner.Policy), which for an
//     unauthenticated manifest apply only where they deny;
//  3. a trusted app entry grants it (trusted-app-configs), with the
//     constraints as signed; never for an unauthenticated manifest;
//  4. to 7. the tail of the chain (see ApplyAnswers), here without stored
//     answers: the owner's securedAPIDefaultPermission (an allow only for
//     an authenticated manifest), which the owner's
//     promptsRequireTrustedBlock makes a deny where there is no trusted
//     block; in rule 6's place the owner's trust in the block's signer
//     (desktop-owner-signer, SPEC 5.7); else a prompt.
//
// The result has one decision per requested name and nothing else; the
// stored answers are applied to it by ApplyAnswers, on the side of the
// user who answered.
func Decide(in Input) map[string]Decision {
	out := make(map[string]Decision, len(in.Requested))
	trusted, signer := in.Trusted, in.SignerSPKI
	def := Ask
	if in.Owner != nil {
		def = in.Owner.DefaultPermission()
		if in.Owner.TrustDisabled() {
			trusted, signer = nil, ""
		}
	}
	if !in.Authenticated {
		trusted, signer = nil, ""
	}
	var r rest
	r.def, r.authenticated = def, in.Authenticated
	if in.Owner != nil {
		if signer != "" && in.Owner.TrustedSigner(signer) {
			r.signer = SourceOwnerSigner
		}
		// The owner lets users grant only to signed apps: what would be
		// left to them, a prompt or a stored grant, is denied as the
		// owner's default.
		if signer == "" && in.Owner.PromptsRequireTrustedBlock() && !(def == Allow && in.Authenticated) {
			r.def = Deny
		}
	}
	for _, e := range in.Requested {
		if !e.Enabled {
			continue
		}
		if _, done := out[e.Name]; done {
			continue
		}
		d := decideOne(e, in, trusted, r)
		out[e.Name] = d
		if ev := in.Log.Info(); ev != nil {
			ev.Str("url", in.URL).Str("permission", e.Name).
				Stringer("decision", d.Verdict).Str("source", string(d.Source)).Str("policy", d.Policy).Msg("permission decided")
		}
	}
	return out
}

func decideOne(e Entry, in Input, trusted map[string]Entry, r rest) Decision {
	switch {
	case in.OwnerUnavailable:
		return Decision{Verdict: Denied, Source: SourceOwnerUnavailable}
	case !Known(e.Name):
		return Decision{Verdict: Denied, Source: SourceUnknown}
	}
	if in.Owner != nil {
		// An unauthenticated manifest cannot claim the URL that a
		// policy grants to: that grant does not apply, and the chain
		// goes on.
		if d, ok := in.Owner.Policy(e); ok && (d.Verdict != Granted || in.Authenticated) {
			return d
		}
	}
	if t, ok := trusted[e.Name]; ok && t.Enabled {
		return Decision{Verdict: Granted, Source: SourceTrusted, Constraints: t.Constraints}
	}
	return r.decide(e)
}

// rest is what the tail of the chain (rules 4 to 7) decides by.
type rest struct {
	// answers are the user's stored answers for the manifest URL.
	answers Answers
	// def is the owner's securedAPIDefaultPermission, as it applies: a
	// Deny where promptsRequireTrustedBlock leaves the user nothing.
	def DefaultPermission
	// authenticated is Input.Authenticated.
	authenticated bool
	// signer is SourceOwnerSigner or SourceUserSigner where a trust in
	// the signer of the manifest's trusted block answers its prompts
	// (SPEC 5.7); "" where none does.
	signer Source
}

// decide is rules 4 to 7 of the chain, for a permission that neither the
// owner's policies nor a trusted block decided: a stored answer that
// denies; the owner's securedAPIDefaultPermission (allow only for an
// authenticated manifest); a stored answer that grants, and in its place a
// trust in the block's signer (each only for an authenticated manifest);
// else a prompt. Every decision it makes carries the constraints of the
// request, the ones a prompt shows.
func (r rest) decide(e Entry) Decision {
	granted, answered := r.answers[QuestionOf(e.Name, e.Constraints)]
	d := Decision{Verdict: Prompt, Source: SourceDefault, Constraints: e.Constraints}
	switch {
	case answered && !granted:
		d.Verdict, d.Source = Denied, SourceUser
	case r.def == Deny:
		d.Verdict, d.Source = Denied, SourceOwnerDefault
	case r.def == Allow && r.authenticated:
		d.Verdict, d.Source = Granted, SourceOwnerDefault
	case answered && r.authenticated:
		d.Verdict, d.Source = Granted, SourceUser
	case r.signer != "" && r.authenticated:
		d.Verdict, d.Source = Granted, r.signer
	}
	return d
}

// Stored is what a user's store says about one decision: the user's
// answers for the manifest URL, and whether the user trusts the signer of
// its trusted block.
type Stored struct {
	Answers Answers
	// SignerTrusted reports that the user stored a trust in the signer of
	// the manifest's trusted block, and that it may apply: the decider
	// said so (the manifest is authenticated, its block trusted, and the
	// owner lets users trust signers). The zero value trusts no signer.
	SignerTrusted bool
}

// ApplyAnswers applies what a user stored to decisions that Decide made
// without it (in-process, or by a service that runs as another user with
// a store of its own): it runs the tail of Decide's chain (rules 4 to 7)
// again for each permission that the tail decided (source
// desktop-owner-default, desktop-owner-signer or default), with the
// owner's default and trust in the signer as the decision shows them, and
// the user's trust in the signer (user-signer) in rule 6's place.
// authenticated is Input.Authenticated: for an unauthenticated manifest
// only the answers that deny apply.
func ApplyAnswers(ds map[string]Decision, s Stored, authenticated bool) {
	for name, d := range ds {
		r := rest{answers: s.Answers, authenticated: authenticated}
		if s.SignerTrusted {
			r.signer = SourceUserSigner
		}
		switch {
		case d.Source == SourceOwnerDefault && d.Verdict == Granted:
			r.def = Allow
		case d.Source == SourceOwnerDefault:
			r.def = Deny
		case d.Source == SourceOwnerSigner:
			r.signer = SourceOwnerSigner
		case d.Source != SourceDefault:
			continue
		}
		ds[name] = r.decide(Entry{Name: name, Enabled: true, Constraints: d.Constraints})
	}
}

// Answer is the decision that a user's answer to the prompt d makes: for
// this launch, with the constraints the user was shown.
func (d Decision) Answer(granted bool) Decision {
	d.Verdict, d.Source, d.Policy = grantedIf(granted), SourceUser, ""
	return d
}

func grantedIf(v bool) Verdict {
	if v {
		return Granted
	}
	return Denied
}
