package manifest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rvm-launcher/rvm/platform"
)

// Fetch modes, as the decision document reports them.
const (
	ModeStrict  = "strict"
	ModeRelaxed = "relaxed"
	ModeCache   = "cache"
)

// Fetched is a manifest and how it arrived.
type Fetched struct {
	Manifest *Manifest
	// FinalURL is the URL after redirects: the one patterns match.
	FinalURL string
	// Mode is ModeStrict, ModeRelaxed or ModeCache.
	Mode      string
	Redirects int
	// Warnings tell a user what went less than right: a strict fetch that
	// failed, a cached copy standing in.
	Warnings []string
	// Strict reports whether the manifest came through a strict fetch, now
	// or (from the cache) earlier. Only then may its trustedAppConfigs be
	// used.
	Strict bool
	// InsecureReason says, when Strict is false, why.
	InsecureReason string
}

// settingFor names the HTTPS security setting that allows a relaxed retry
// after a security failure of kind k (SPEC 3). An http: URL (fin://) counts
// as an http-to-https start.
func settingFor(k Kind) string {
	switch k {
	case KindCertificate:
		return platform.SettingAllowInvalidNetworkCertificates
	case KindDowngrade:
		return platform.SettingAllowHTTPSToHTTPRedirects
	default:
		return platform.SettingAllowHTTPToHTTPSRedirects
	}
}

// FetchManifest fetches and parses the manifest of req as SPEC 3 says:
// strict first; after a security failure, one relaxed retry when the
// settings allow that kind of failure; after a network failure, the cached
// copy. An error names the URL and, where a setting forbade the retry, the
// setting and where it was set.
func (f *Fetcher) FetchManifest(ctx context.Context, req *Request, settings *platform.MachineSettings) (*Fetched, error) {
	resp, err := f.get(ctx, req.URL, relaxation{}, MaxManifestSize, Validators{})
	if err == nil {
		return f.accept(req, resp, ModeStrict, true, "")
	}
	var fe *FetchError
	if !errors.As(err, &fe) {
		return nil, err
	}
	switch {
	case fe.Kind == KindNetwork:
		return f.fromCache(req, fe, true)
	case !fe.Kind.Security():
		return nil, err
	}
	f.Log.Warn().Str("url", req.URL).Str("kind", string(fe.Kind)).Err(err).Msg("strict fetch failed for a security reason; trustedAppConfigs discarded")
	name := settingFor(fe.Kind)
	if ok, source, _ := settings.Allowed(name); !ok {
		return nil, fmt.Errorf("%w; not retried relaxed: %s is 0 in %s", err, name, source)
	}
	relax := relaxation{}
	relax.invalidCertificates, _, _ = settings.Allowed(platform.SettingAllowInvalidNetworkCertificates)
	relax.httpsToHTTP, _, _ = settings.Allowed(platform.SettingAllowHTTPSToHTTPRedirects)
	relax.httpStart, _, _ = settings.Allowed(platform.SettingAllowHTTPToHTTPSRedirects)
	resp, rerr := f.get(ctx, req.URL, relax, MaxManifestSize, Validators{})
	if rerr != nil {
		var re *FetchError
		if errors.As(rerr, &re) && re.Kind.Security() {
			name := settingFor(re.Kind)
			_, source, _ := settings.Allowed(name)
			return nil, fmt.Errorf("%w; relaxed retry refused: %s is 0 in %s", rerr, name, source)
		}
		if errors.As(rerr, &re) && re.Kind == KindNetwork {
			return f.fromCache(req, re, false)
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

// accept parses a fetched manifest and caches it.
func (f *Fetcher) accept(req *Request, resp *Response, mode string, strict bool, why string) (*Fetched, error) {
	m, err := Parse(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w (from %s)", err, resp.FinalURL)
	}
	out := &Fetched{Manifest: m, FinalURL: resp.FinalURL, Mode: mode, Redirects: resp.Redirects, Strict: strict, InsecureReason: why}
	if err := f.storeCache(cached{URL: req.URL, FinalURL: resp.FinalURL, Redirects: resp.Redirects, Strict: strict, FetchedAt: f.now(), Body: resp.Body}); err != nil {
		f.Log.Warn().Err(err).Str("url", req.URL).Msg("could not cache the manifest")
		out.Warnings = append(out.Warnings, "could not cache the manifest: "+err.Error())
	}
	return out, nil
}

// fromCache answers a network failure with the cached copy. trustable is
// false when a security failure was seen on the way: then even a copy
// stored from a strict fetch is used untrusted.
func (f *Fetcher) fromCache(req *Request, cause *FetchError, trustable bool) (*Fetched, error) {
	c, err := f.loadCache(req.URL)
	if err != nil {
		return nil, fmt.Errorf("%w (and no cached copy to fall back on)", cause)
	}
	m, err := Parse(c.Body)
	if err != nil {
		return nil, fmt.Errorf("%w (and the cached copy does not parse: %v)", cause, err)
	}
	strict := c.Strict && trustable
	why := ""
	if !strict {
		why = "the cached copy did not come from a strict fetch"
	}
	return &Fetched{
		Manifest:       m,
		FinalURL:       c.FinalURL,
		Mode:           ModeCache,
		Redirects:      c.Redirects,
		Strict:         strict,
		InsecureReason: why,
		Warnings:       []string{fmt.Sprintf("fetch failed (%v); using the copy first stored at %s", cause.Err, c.FetchedAt.UTC().Format(time.RFC3339))},
	}, nil
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}
