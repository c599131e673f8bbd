package launcher

import (
	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/owner"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// decide fills doc.Launch and doc.Permissions: the owner's allowed URLs,
// then each requested permission by the rules of SPEC 5.5.
func (l *Launcher) decide(doc *Document, m *manifest.Manifest, own owner.Loaded, grants []permissions.Entry) {
	in := permissions.Input{
		Requested:        m.Permissions,
		URL:              doc.ManifestURL,
		OwnerUnavailable: own.Unavailable(),
		Log:              l.env.Log,
	}
	// A URL that does not parse in owner mode (one with user info, say)
	// stays the zero URL, which no owner pattern matches: named policies
	// stay silent, and a list of allowed URLs refuses it.
	u, uerr := pattern.ParseURL(doc.ManifestURL, pattern.Owner)
	if own.Settings != nil {
		in.Owner = own.Settings.For(u)
	}
	allowed, reason := own.Settings.AllowedToLaunch(u)
	if !allowed && uerr != nil {
		reason = "the manifest URL does not parse as a URL the allowedManifestUrls can match: " + uerr.Error()
	}
	doc.Launch = LaunchDecision{Allowed: allowed, Reason: reason}
	if grants != nil {
		in.Trusted = make(map[string]permissions.Entry, len(grants))
		for _, g := range grants {
			in.Trusted[g.Name] = g
		}
	}
	answers, err := permissions.OpenStore(l.env.DataDir).ForURL(doc.ManifestURL)
	if err != nil {
		l.env.Log.Warn().Err(err).Msg("stored user choices unreadable; asking again")
		doc.Fetch.Warnings = append(doc.Fetch.Warnings, "stored user choices unreadable: "+err.Error())
	}
	in.Answers = answers
	doc.Permissions = permissions.Decide(in)
}
