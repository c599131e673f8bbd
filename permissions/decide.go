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
	SourceOwnerDefault     Source = "desktop-owner-default"
	SourceDefault          Source = "default"
	SourceUnknown          Source = "unknown-permission"
	SourceOwnerUnavailable Source = "desktop-owner-settings-unavailable"
)

// Decision is what an app gets for one permission: the Verdict, the Source
// rule that decided, the owner Policy that decided (where one did), and
// Constraints, the constraints object of the manifest's request where it
// used the object form. It marshals as the decision document's
// permissions[P] (SPEC section 6).
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
	// Policy reports the value that the named policies matching the URL
	// set for the permission name (false where they disagree), or else
	// the default policy's, with the policy's name; ok is false where
	// none sets it.
	Policy(name string) (value bool, policy string, ok bool)
	// DefaultPermission is the owner's securedAPIDefaultPermission.
	DefaultPermission() DefaultPermission
	// TrustDisabled reports that the owner turned trusted app configs off.
	TrustDisabled() bool
}

// Answers are one user's stored answers for one manifest URL, by
// permission: true for granted (see Store.ForURL).
type Answers map[string]bool

// Input is everything a decision depends on.
type Input struct {
	// Requested is what the manifest requests (see Requested); entries
	// that are not Enabled are not requested. Nothing else is ever
	// granted.
	Requested []Entry
	// URL is the manifest URL, for the log.
	URL string
	// Owner is the desktop owner's word on this manifest; nil when no
	// owner settings are configured.
	Owner Owner
	// OwnerUnavailable says that owner settings are configured but no
	// good copy was ever read: every requested permission is then denied
	// (source desktop-owner-settings-unavailable), whatever else says.
	OwnerUnavailable bool
	// Trusted holds, by name, the permissions of the app entries of a
	// trusted trustedAppConfigs block that match URL; an Enabled entry
	// grants. Nil when there is no trusted block. It is ignored where
	// the owner disabled trustedAppConfigs.
	Trusted map[string]Entry
	// Answers are the user's stored answers for this manifest URL.
	Answers Answers
	// Log, when enabled, receives every decision with its source.
	Log zerolog.Logger
}

// Decide decides every permission that in.Requested enables, by the first
// of these rules that applies (SPEC section 5.5):
//
//  0. owner settings are configured but unavailable: denied
//     (desktop-owner-settings-unavailable); a name rvm does not know:
//     denied (unknown-permission), whatever any source says;
//  1. the named owner policies that match the URL set it, or else the
//     default policy does (desktop-owner-settings, with the policy);
//  2. a trusted app entry grants it (trusted-app-configs);
//  3. then the rules of the user's answers and the owner's default (see
//     Answer): the same chain that a client applies to a decision that a
//     service made without its answers.
//
// Each decision carries the constraints object of the manifest's request.
// The result has one decision per requested name and nothing else.
func Decide(in Input) map[string]Decision {
	out := make(map[string]Decision, len(in.Requested))
	trusted := in.Trusted
	def := Ask
	if in.Owner != nil {
		def = in.Owner.DefaultPermission()
		if in.Owner.TrustDisabled() {
			trusted = nil
		}
	}
	for _, e := range in.Requested {
		if !e.Enabled {
			continue
		}
		if _, done := out[e.Name]; done {
			continue
		}
		d := decideOne(e.Name, in, trusted, def)
		d.Constraints = e.Constraints
		out[e.Name] = d
		if ev := in.Log.Info(); ev != nil {
			ev.Str("url", in.URL).Str("permission", e.Name).
				Stringer("decision", d.Verdict).Str("source", string(d.Source)).Str("policy", d.Policy).Msg("permission decided")
		}
	}
	return out
}

func decideOne(name string, in Input, trusted map[string]Entry, def DefaultPermission) Decision {
	switch {
	case in.OwnerUnavailable:
		return Decision{Verdict: Denied, Source: SourceOwnerUnavailable}
	case !Known(name):
		return Decision{Verdict: Denied, Source: SourceUnknown}
	}
	if in.Owner != nil {
		if v, policy, ok := in.Owner.Policy(name); ok {
			return Decision{Verdict: grantedIf(v), Source: SourceOwnerSettings, Policy: policy}
		}
	}
	if t, ok := trusted[name]; ok && t.Enabled {
		return Decision{Verdict: Granted, Source: SourceTrusted}
	}
	return fromAnswers(name, in.Answers, def)
}

// fromAnswers is the tail of the chain, for a permission that neither the
// owner's policies nor a trusted block decided: the user's stored answer,
// then the owner's default, then a prompt.
func fromAnswers(name string, answers Answers, def DefaultPermission) Decision {
	if v, ok := answers[name]; ok {
		return Decision{Verdict: grantedIf(v), Source: SourceUser}
	}
	switch def {
	case Allow:
		return Decision{Verdict: Granted, Source: SourceOwnerDefault}
	case Deny:
		return Decision{Verdict: Denied, Source: SourceOwnerDefault}
	}
	return Decision{Verdict: Prompt, Source: SourceDefault}
}

// ApplyAnswers applies a user's stored answers to decisions made without
// them (by a service, which runs as another user with a store of its own):
// it runs the tail of Decide's chain again for each permission that the
// tail decided (source desktop-owner-default or default), with the owner's
// default as the decision shows it.
func ApplyAnswers(ds map[string]Decision, answers Answers) {
	for name, d := range ds {
		def := Ask
		switch {
		case d.Source == SourceOwnerDefault && d.Verdict == Granted:
			def = Allow
		case d.Source == SourceOwnerDefault:
			def = Deny
		case d.Source != SourceDefault:
			continue
		}
		nd := fromAnswers(name, answers, def)
		nd.Constraints = d.Constraints
		ds[name] = nd
	}
}

// Answer is the decision a user's answer to a prompt makes.
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
