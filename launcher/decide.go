package launcher

import (
	"fmt"
	"strings"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/owner"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// decide fills doc.Launch and doc.Permissions: the owner's word on whether
// the app may launch at all, then each requested permission by the rules
// of SPEC 5.5, without the user's stored answers (see userSide). req is
// the request as parsed (its URL normalized: what was fetched first).
func (l *Launcher) decide(doc *Document, req *manifest.Request, m *manifest.Manifest, own owner.Loaded, grants []permissions.Entry) {
	in := permissions.Input{
		Requested:        m.Permissions,
		URL:              doc.ManifestURL,
		Authenticated:    doc.Authenticated(),
		OwnerUnavailable: own.Unavailable(),
		Log:              l.env.Log,
	}
	// A URL that does not parse in owner mode (one with user info, say)
	// stays the zero URL, which no owner pattern matches: named policies
	// stay silent, and a list of allowed URLs refuses it.
	u, uerr := pattern.ParseURL(doc.ManifestURL, pattern.Owner)
	if own.Settings != nil {
		in.Owner = own.Settings.For(u, in.Authenticated)
	}
	doc.Launch = launchDecision(own, u, uerr, in.Authenticated, req.Link)
	if requested := req.URL; doc.Launch.Allowed && requested != doc.ManifestURL {
		// An allow-list must admit the URL asked for as well as the one
		// a redirect led to (SPEC 2): an allowed host must not lend its
		// admission to a redirect from one that is not.
		ru, rerr := pattern.ParseURL(requested, pattern.Owner)
		if d := launchDecision(own, ru, rerr, in.Authenticated, req.Link); !d.Allowed {
			d.Reason = "the requested URL: " + d.Reason
			doc.Launch = d
		}
	}
	if grants != nil {
		in.Trusted = make(map[string]permissions.Entry, len(grants))
		for _, g := range grants {
			in.Trusted[g.Name] = g
		}
	}
	if doc.Trust.Status == StatusTrusted {
		in.SignerSPKI = doc.Trust.SignerSPKI
	}
	doc.Trust.UserSignerTrust = in.UserSignerTrust()
	doc.Permissions = permissions.Decide(in)
}

// launchDecision says whether the owner lets the manifest at u launch at
// all (SPEC 4, 7): not when owner settings are configured but unavailable,
// since they may hold an allow-list; otherwise as allowedManifestUrls say
// (and, for a link, linkHandler), whose https patterns admit only an
// authenticated manifest.
func launchDecision(own owner.Loaded, u pattern.URL, uerr error, authenticated, link bool) LaunchDecision {
	if own.Unavailable() {
		return LaunchDecision{Reason: fmt.Sprintf("the desktop owner settings (%q) are configured but unavailable, and may hold an allow-list: nothing launches until they can be read (%s)",
			own.Source, strings.Join(own.Warnings, "; "))}
	}
	allowed, reason := own.Settings.AllowedToLaunch(u, authenticated)
	if allowed && link {
		// Every launch of a fins:// or fin:// URL is a link launch,
		// --from-link or not (SPEC 7).
		if allowed, reason = own.Settings.AllowedLinkLaunch(u, authenticated); !allowed {
			reason = "a link launch: " + reason
		}
	}
	if !allowed && uerr != nil {
		reason = "the manifest URL does not parse as a URL the owner's allow-lists can match: " + uerr.Error()
	}
	return LaunchDecision{Allowed: allowed, Reason: reason}
}

// userSide applies to doc what belongs to the user who asked, whoever
// decided the rest (this process or a service, which runs as another user
// with a store of its own), so that both ways give one document: the
// user's stored answers (SPEC 5.5 rules 4 and 6) and trust in the block's
// signer (SPEC 5.7; the user's distrust is the decider's, see distrusts).
// It returns the runtime chosen, as this user's runtime directories hold
// it (SPEC 8), with the machine settings that this process decided with,
// where it decided, and a *RuntimeError where there is none to start.
func (l *Launcher) userSide(doc *Document, r *Request) (runtime.Runtime, error) {
	var signer string
	if doc.Trust.UserSignerTrust && doc.Trust.Status == StatusTrusted {
		signer = doc.Trust.SignerSPKI // a signer trust may apply
	}
	var stored permissions.Stored
	var err error
	if r.stored != nil {
		stored = r.stored.Stored(doc.ManifestURL, signer)
	} else {
		stored, err = permissions.OpenStore(l.env.DataDir, l.env.UserID).Stored(doc.ManifestURL, signer)
	}
	if err != nil {
		l.env.Log.Warn().Err(err).Msg("stored user answers unreadable; asking again")
		doc.Notices = append(doc.Notices, "stored user answers unreadable (asking again): "+err.Error())
	}
	permissions.ApplyAnswers(doc.Permissions, stored, doc.Authenticated())
	ms := doc.settings
	if ms == nil {
		ms = l.machineSettings(r)
	}
	return l.runtimeToStart(doc, ms)
}
