package manifest

import (
	"fmt"
	"time"

	"github.com/rvm-launcher/rvm/manifest/fetch"
)

// cacheKey is the key of a manifest URL's cached copy.
func (f *Fetcher) cacheKey(url string) string {
	return "manifest\x00" + url + "\x00" + f.CacheKey
}

// accept parses a fetched manifest and caches it.
func (f *Fetcher) accept(req *Request, resp *fetch.Response, mode string, strict bool, why string) (*Fetched, error) {
	m, err := Parse(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w (from %s)", err, resp.FinalURL)
	}
	out := &Fetched{Manifest: m, Body: resp.Body, FinalURL: resp.FinalURL, Mode: mode, Redirects: resp.Redirects, Strict: strict, InsecureReason: why}
	e := &fetch.Entry{Key: f.cacheKey(req.URL), FinalURL: resp.FinalURL, Redirects: resp.Redirects, FetchedAt: f.now(), Body: resp.Body}
	if !strict {
		// Marked so that a later fallback knows; the validators field is
		// never sent for manifests.
		e.Validators.ETag = relaxedMark
	}
	if err := f.Cache.Save(e); err != nil {
		f.Log.Warn().Err(err).Str("url", req.URL).Msg("could not cache the manifest")
		out.Warnings = append(out.Warnings, "could not cache the manifest: "+err.Error())
	}
	return out, nil
}

// relaxedMark marks a cached copy that came through a relaxed fetch.
const relaxedMark = "relaxed"

// fromCache answers a network failure with the cached copy. trustable is
// false when a security failure was seen on the way: then even a copy
// stored from a strict fetch is used untrusted.
func (f *Fetcher) fromCache(req *Request, cause *fetch.FetchError, trustable bool) (*Fetched, error) {
	c, err := f.Cache.Load(f.cacheKey(req.URL))
	if err != nil {
		return nil, fmt.Errorf("%w (and no cached copy to fall back on)", cause)
	}
	m, err := Parse(c.Body)
	if err != nil {
		return nil, fmt.Errorf("%w (and the cached copy does not parse: %v)", cause, err)
	}
	strict := c.Validators.ETag != relaxedMark && trustable
	why := ""
	if !strict {
		why = "the cached copy did not come from a strict fetch"
	}
	return &Fetched{
		Manifest:       m,
		Body:           c.Body,
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
