package launcher

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/owner"
	"github.com/rvm-launcher/rvm/permissions/pattern"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// MaxTrustRoots bounds a trust roots PEM bundle (TrustRootsFile,
// --trust-roots).
const MaxTrustRoots = 1 << 20

// trust fills doc.Trust with the verdict on the manifest's block and
// returns what a trusted block grants (nil when it is not trusted).
func (l *Launcher) trust(ctx context.Context, doc *Document, fetched *manifest.Fetched, r *Request, ms *settings.Machine, own owner.Loaded, f *fetch.Fetcher) []permissions.Entry {
	doc.Trust = TrustReport{Platform: r.platform, Warnings: []string{}}
	untrusted := func(code trust.Code, reason string) []permissions.Entry {
		doc.Trust.Status, doc.Trust.Code, doc.Trust.Reason = StatusUntrusted, string(code), reason
		return nil
	}
	raw := fetched.Manifest.TrustedAppConfigs
	switch {
	case raw == nil:
		doc.Trust.Status, doc.Trust.Code = StatusAbsent, StatusAbsent
		return nil
	case !fetched.Strict:
		return untrusted(trust.InsecureFetch, "the manifest did not come through a strict HTTPS fetch: "+fetched.InsecureReason)
	case own.Settings.TrustDisabled():
		return untrusted(trust.DisabledByOwner, "the desktop owner settings ("+own.Source+") turn trusted app configs off on this machine")
	}
	roots, err := trustRoots(r, ms)
	if err != nil {
		return untrusted(trust.UnknownAuthority, err.Error())
	}
	u, err := pattern.ParseURL(fetched.FinalURL, pattern.Strict)
	if err != nil {
		return untrusted(trust.URLNotMatched, "the manifest URL can never match a signed pattern: "+err.Error())
	}
	v := &trust.Verifier{
		Roots:          roots,
		Now:            l.env.Now,
		RevocationMode: trust.RevocationMode(ms.Revocation()),
		FetchCRL:       f.GetStrict,
		CRLs:           l.store,
		Cache:          l.trustCache,
		Log:            l.env.Log,
	}
	if own.Settings != nil {
		v.Revoked = own.Settings
	}
	res, err := v.Verify(ctx, raw, r.platform, u)
	if err != nil {
		var te *trust.Error
		if errors.As(err, &te) {
			return untrusted(te.Code, te.Reason)
		}
		return untrusted(trust.Malformed, err.Error())
	}
	doc.Trust.Signer, doc.Trust.SignerSPKI = res.Signer, res.SignerSPKI
	if slices.Contains(r.Options.DistrustedSigners, res.SignerSPKI) {
		return untrusted(trust.Revoked, fmt.Sprintf("you distrust the signer %q (its key, spki:%s) for your user; rvm permissions revoke --signer %s takes that back", res.Signer, res.SignerSPKI, res.SignerSPKI))
	}
	doc.Trust.Status, doc.Trust.Code = StatusTrusted, "ok"
	doc.Trust.Apps = res.Apps
	doc.Trust.Expires = formatTime(res.Expires)
	doc.Trust.Warnings = append(doc.Trust.Warnings, res.Warnings...)
	return res.Grants
}
