package fetch

import "time"

// Validators are the HTTP cache validators of an earlier response, sent back
// as If-None-Match and If-Modified-Since so that an unchanged resource costs
// its server a 304. The zero value asks for the whole resource.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
}

// Response is what a fetch brought back.
type Response struct {
	// Body is the response body, at most the limit the caller gave; nil when
	// NotModified.
	Body []byte
	// FinalURL is the URL after redirects, normalized as SPEC 2 says
	// (pattern.NormalizeURL): what was fetched, and what patterns match.
	FinalURL string
	// Redirects is how many redirects were followed.
	Redirects int
	// Validators are the new response's validators, to send next time.
	Validators Validators
	// NotModified reports a 304: the caller's copy is still current.
	NotModified bool
	// NoStore reports Cache-Control: no-store: the server asks that no
	// copy be kept.
	NoStore bool
	// MaxAge is the server's Cache-Control max-age: how long it says the
	// copy may be used without asking again, at most MaxFreshness; 0 where
	// it gave none (or no-cache). On a 304 it is the 304's. Callers bound
	// it further by what the spec allows for their kind of document.
	MaxAge time.Duration
}
