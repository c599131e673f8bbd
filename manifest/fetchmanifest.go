package manifest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/manifest/fetch"
)

// Fetch modes, as the decision document reports them.
const (
	ModeStrict  = "strict"
	ModeRelaxed = "relaxed"
	ModeCache   = "cache"
)

// Allowance is one HTTPS security setting as a fetch applies it (SPEC 3):
// whether a relaxed retry is allowed after that kind of failure, and where
// that was set ("" for the default).
type Allowance struct {
	Allowed bool
	Source  string
}

// Policy says which security failures of a strict fetch may be retried
// relaxed. The zero Policy allows none: callers build it from the machine
// settings, where an unset setting counts as allowed.
type Policy struct {
	InvalidCertificates Allowance // allowInvalidNetworkCertificates
	HTTPSToHTTP         Allowance // allowHttpsToHttpNetworkRedirects
	HTTPStart           Allowance // allowHttpToHttpsNetworkRedirects
}

// forKind returns the allowance for a security failure of kind k and the
// name of its setting. An http: URL (fin://) counts as an http-to-https
// start.
func (p Policy) forKind(k fetch.Kind) (Allowance, string) {
	switch k {
	case fetch.KindCertificate:
		return p.InvalidCertificates, "allowInvalidNetworkCertificates"
	case fetch.KindDowngrade:
		return p.HTTPSToHTTP, "allowHttpsToHttpNetworkRedirects"
	default:
		return p.HTTPStart, "allowHttpToHttpsNetworkRedirects"
	}
}

// lifted is what a relaxed retry under p skips.
func (p Policy) lifted() fetch.Lifted {
	return fetch.Lifted{
		InvalidCertificates: p.InvalidCertificates.Allowed,
		HTTPSToHTTP:         p.HTTPSToHTTP.Allowed,
		HTTPStart:           p.HTTPStart.Allowed,
	}
}

// Fetcher fetches manifests as SPEC 3 says, through an HTTP fetcher, with
// a disk cache of the last copy of each.
type Fetcher struct {
	// HTTP does the fetching.
	HTTP *fetch.Fetcher
	// Cache keeps the last copy of each manifest that came through a
	// strict fetch, for when the network fails; nil keeps none.
	Cache *fetch.Store
	// CacheMaxAge is how old a cached copy may be and still stand in for
	// the manifest (CachedManifestMaxAgeDays); 0 uses none.
	CacheMaxAge time.Duration
	// CacheKey holds the per-call inputs (--resolve entries, roots) that
	// the cache is keyed by besides the URL, so that a copy fetched one way
	// never stands in for another.
	CacheKey string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives the reasons of failed strict fetches.
	Log zerolog.Logger
}

// Fetched is a manifest and how it arrived.
type Fetched struct {
	Manifest *Manifest
	// Body is the manifest's bytes, as verified.
	Body []byte
	// FinalURL is the URL after redirects, normalized (SPEC 2): the one
	// patterns match.
	FinalURL string
	// Mode is ModeStrict, ModeRelaxed or ModeCache.
	Mode      string
	Redirects int
	// Warnings tell a user what went less than right: a strict fetch that
	// failed, a cached copy standing in.
	Warnings []string
	// Strict reports whether the manifest came through a strict fetch, now
	// or (from the cache) earlier. Only then may its trustedAppConfigs be
	// used, and grants that stand for its origin apply.
	Strict bool
	// Age is, for a cached copy, how long ago a strict fetch brought it;
	// 0 otherwise.
	Age time.Duration
	// InsecureReason says, when Strict is false, why.
	InsecureReason string
}

// getStrict fetches the manifest of req strictly and, where a cached copy
// of an earlier strict fetch has validators, conditionally: a 304 that a
// strict fetch brings from the same final URL says that copy is the
// manifest now, and its body stands in for the response, so that an
// unchanged manifest costs its server a 304. A 304 from another final URL
// (the redirects changed) vouches for nothing: the manifest is fetched
// whole.
func (f *Fetcher) getStrict(ctx context.Context, req *Request) (*fetch.Response, error) {
	c, err := f.Cache.Load(f.cacheKey(req.URL))
	if err != nil || c.Validators == (fetch.Validators{}) {
		return f.HTTP.GetStrict(ctx, req.URL, MaxManifestSize, fetch.Validators{})
	}
	resp, err := f.HTTP.GetStrict(ctx, req.URL, MaxManifestSize, c.Validators)
	switch {
	case err != nil || !resp.NotModified:
		return resp, err
	case resp.FinalURL != c.FinalURL:
		return f.HTTP.GetStrict(ctx, req.URL, MaxManifestSize, fetch.Validators{})
	}
	resp.Body, resp.Validators = c.Body, c.Validators
	return resp, nil
}

// FetchManifest fetches and parses the manifest of req as SPEC 3 says:
// strict first; after a security failure, one relaxed retry when p allows
// that kind of failure; after a network failure (of either), the cached
// copy of the last strict fetch, at most CacheMaxAge old. An error names
// the URL and, where a setting forbade the retry, the setting and where it
// was set.
func (f *Fetcher) FetchManifest(ctx context.Context, req *Request, p Policy) (*Fetched, error) {
	resp, err := f.getStrict(ctx, req)
	if err == nil {
		return f.accept(req, resp, ModeStrict, true, "")
	}
	var fe *fetch.FetchError
	if !errors.As(err, &fe) {
		return nil, err
	}
	switch {
	case fe.Kind == fetch.KindNetwork:
		return f.fromCache(req, fe)
	case !fe.Kind.Security():
		return nil, err
	}
	f.Log.Warn().Str("url", req.URL).Str("kind", string(fe.Kind)).Err(err).Msg("strict fetch failed for a security reason; trustedAppConfigs discarded")
	allow, name := p.forKind(fe.Kind)
	if !allow.Allowed {
		return nil, fmt.Errorf("%w; not retried relaxed: %s is 0 in %s", err, name, allow.Source)
	}
	resp, rerr := f.HTTP.GetRelaxed(ctx, req.URL, p.lifted(), MaxManifestSize, fetch.Validators{})
	if rerr != nil {
		var re *fetch.FetchError
		if errors.As(rerr, &re) && re.Kind.Security() {
			a, name := p.forKind(re.Kind)
			return nil, fmt.Errorf("%w; relaxed retry refused: %s is 0 in %s", rerr, name, a.Source)
		}
		if errors.As(rerr, &re) && re.Kind == fetch.KindNetwork {
			return f.fromCache(req, re)
		}
		return nil, rerr
	}
	out, err := f.accept(req, resp, ModeRelaxed, false, fe.Err.Error())
	if err != nil {
		return nil, err
	}
	out.Warnings = append([]string{fmt.Sprintf("strict fetch failed (%v); fetched relaxed, as %s allows; trustedAppConfigs discarded", fe.Err, name)}, out.Warnings...)
	return out, nil
}
