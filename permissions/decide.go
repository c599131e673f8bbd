package permissions

import (
	"encoding/json"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// The values of Decision.Decision.
const (
	Granted = "granted"
	Denied  = "denied"
	Prompt  = "prompt"
)

// The values of Decision.Source (SPEC section 5.5): which rule decided.
const (
	SourceOwnerSettings    = "desktop-owner-settings"
	SourceTrusted          = "trusted-app-configs"
	SourceUser             = "user"
	SourceOwnerDefault     = "desktop-owner-default"
	SourceDefault          = "default"
	SourceUnknown          = "unknown-permission"
	SourceOwnerUnavailable = "desktop-owner-settings-unavailable"
)

// Decision is what an app gets for one permission: Decision is Granted,
// Denied or Prompt (ask the user), Source the rule that decided, and
// Constraints the constraints object of the manifest's request, where it
// used the object form. It marshals as the decision document's
// permissions[P] (SPEC section 6).
//
// Only Decision == Granted grants: the zero Decision, and any other value,
// is a denial. Use Granted to ask.
type Decision struct {
	Decision    string          `json:"decision"`
	Source      string          `json:"source"`
	Constraints json.RawMessage `json:"constraints,omitempty"`
}

// Granted reports whether d grants the permission.
func (d Decision) Granted() bool { return d.Decision == Granted }

// Input is everything a decision depends on.
type Input struct {
	// Requested is what the manifest requests (see Requested); entries
	// that are not Enabled are not requested. Nothing else is ever
	// granted.
	Requested []Entry
	// URL is the manifest URL (the final one, after redirects), parsed in
	// pattern.Owner mode, against which the owner's policies match.
	URL pattern.URL
	// Owner are the desktop owner settings; nil when none are configured.
	Owner *OwnerSettings
	// OwnerUnavailable says that owner settings are configured but no
	// good copy was ever read: every requested permission is then denied
	// (source desktop-owner-settings-unavailable), whatever else says.
	OwnerUnavailable bool
	// Trusted holds, by name, the permissions of the app entries of a
	// trusted trustedAppConfigs block that match URL; an Enabled entry
	// grants. Nil when there is no trusted block. It is ignored where
	// the owner disabled trustedAppConfigs.
	Trusted map[string]Entry
	// UserChoices holds the user's stored answers for this manifest URL:
	// true for granted (see Store.ForURL).
	UserChoices map[string]bool
	// Log, when enabled, receives every decision with its source.
	Log zerolog.Logger
}

// Decide decides every permission that in.Requested enables, by the first
// of these rules that applies (SPEC section 5.5):
//
//  0. owner settings are configured but unavailable: denied
//     (desktop-owner-settings-unavailable); a name rvm does not know:
//     denied (unknown-permission), whatever any source says;
//  1. the named owner policies whose urls match the URL set it: their
//     value, false where they disagree (desktop-owner-settings);
//  2. no named policy matches the URL and the default policy sets it
//     (desktop-owner-settings);
//  3. a trusted app entry grants it (trusted-app-configs);
//  4. the user answered for this URL (user);
//  5. securedAPIDefaultPermission is allow or deny (desktop-owner-default);
//  6. otherwise prompt (default).
//
// Each decision carries the constraints object of the manifest's request;
// the owner's policies hold only true or false, and a trusted block's
// constraints are not merged in. The result has one decision per
// requested name and nothing else.
func Decide(in Input) map[string]Decision {
	out := make(map[string]Decision, len(in.Requested))
	var ownerPolicies []int
	if in.Owner != nil {
		var buf [8]int
		ownerPolicies = in.Owner.policyIndex.AppendMatches(buf[:0], in.URL)
	}
	trusted := in.Trusted
	if in.Owner.TrustDisabled() {
		trusted = nil
	}
	for _, e := range in.Requested {
		if !e.Enabled {
			continue
		}
		if _, done := out[e.Name]; done {
			continue
		}
		d := decideOne(e.Name, in, ownerPolicies, trusted)
		d.Constraints = e.Constraints
		out[e.Name] = d
		if ev := in.Log.Info(); ev != nil {
			ev.Str("url", in.URL.String()).Str("permission", e.Name).
				Str("decision", d.Decision).Str("source", d.Source).Msg("permission decided")
		}
	}
	return out
}

func decideOne(name string, in Input, ownerPolicies []int, trusted map[string]Entry) Decision {
	switch {
	case in.OwnerUnavailable:
		return Decision{Decision: Denied, Source: SourceOwnerUnavailable}
	case !Known(name):
		return Decision{Decision: Denied, Source: SourceUnknown}
	}
	if in.Owner != nil {
		set, value := false, true
		for _, i := range ownerPolicies {
			if v, ok := in.Owner.policies[i].permissions[name]; ok {
				set, value = true, value && v
			}
		}
		if !set && len(ownerPolicies) == 0 {
			value, set = in.Owner.defaultPolicy[name]
		}
		if set {
			return Decision{Decision: grantedIf(value), Source: SourceOwnerSettings}
		}
	}
	if t, ok := trusted[name]; ok && t.Enabled {
		return Decision{Decision: Granted, Source: SourceTrusted}
	}
	if v, ok := in.UserChoices[name]; ok {
		return Decision{Decision: grantedIf(v), Source: SourceUser}
	}
	switch in.Owner.DefaultPermission() {
	case "allow":
		return Decision{Decision: Granted, Source: SourceOwnerDefault}
	case "deny":
		return Decision{Decision: Denied, Source: SourceOwnerDefault}
	}
	return Decision{Decision: Prompt, Source: SourceDefault}
}

func grantedIf(v bool) string {
	if v {
		return Granted
	}
	return Denied
}
