package manifest

import (
	"fmt"
	"time"

	"github.com/rvm-launcher/rvm/manifest/fetch"
)

// CacheKeyPrefix begins the key of every cached manifest in a
// fetch.Store (its Walk finds them): cached copies are of strict fetches
// only.
const CacheKeyPrefix = "manifest\x00"

// cacheKey is the key of a manifest URL's cached copy.
func (f *Fetcher) cacheKey(url string) string {
	return CacheKeyPrefix + url + "\x00" + f.CacheKey
}

// accept parses a fetched manifest and, where it came through a strict
// fetch and its server does not forbid it (Cache-Control: no-store),
// caches it: only an authenticated copy may stand in for the manifest
// later, so a relaxed fetch never replaces one (SPEC 3).
func (f *Fetcher) accept(req *Request, resp *fetch.Response, mode string, strict bool, why string) (*Fetched, error) {
	m, err := Parse(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w (from %q)", err, resp.FinalURL)
	}
	out := &Fetched{Manifest: m, Body: resp.Body, FinalURL: resp.FinalURL, Mode: mode, Redirects: resp.Redirects, Strict: strict, InsecureReason: why}
	if !strict || resp.NoStore {
		return out, nil
	}
	now := f.now()
	e := &fetch.Entry{Key: f.cacheKey(req.URL), FinalURL: resp.FinalURL, Redirects: resp.Redirects, Validators: resp.Validators, FetchedAt: now, CheckedAt: now, Body: resp.Body}
	if err := f.Cache.Save(e); err != nil {
		f.Log.Warn().Err(err).Str("url", req.URL).Msg("could not cache the manifest")
		out.Warnings = append(out.Warnings, "could not cache the manifest: "+err.Error())
	}
	return out, nil
}

// fromCache answers a network failure with the cached copy, which came
// through a strict fetch (see accept) and so counts as one, where it is at
// most CacheMaxAge old. Its age counts from the last strict fetch that
// brought its content.
func (f *Fetcher) fromCache(req *Request, cause *fetch.FetchError) (*Fetched, error) {
	if f.CacheMaxAge <= 0 {
		return nil, fmt.Errorf("%w (and falling back on a cached copy is off)", cause)
	}
	c, err := f.Cache.Load(f.cacheKey(req.URL))
	if err != nil {
		return nil, fmt.Errorf("%w (and no cached copy to fall back on)", cause)
	}
	age := max(f.now().Sub(c.CheckedAt), 0)
	if age > f.CacheMaxAge {
		return nil, fmt.Errorf("%w (and the cached copy, fetched %s, is older than the %v allowed)", cause, c.CheckedAt.UTC().Format(time.RFC3339), f.CacheMaxAge)
	}
	m, err := Parse(c.Body)
	if err != nil {
		return nil, fmt.Errorf("%w (and the cached copy does not parse: %v)", cause, err)
	}
	return &Fetched{
		Manifest:  m,
		Body:      c.Body,
		FinalURL:  c.FinalURL,
		Mode:      ModeCache,
		Redirects: c.Redirects,
		Strict:    true,
		Age:       age,
		Warnings: []string{fmt.Sprintf("fetch failed (%v); using the copy first stored at %s, last fetched at %s",
			cause.Err, c.FetchedAt.UTC().Format(time.RFC3339), c.CheckedAt.UTC().Format(time.RFC3339))},
	}, nil
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}
