// Package fetch is rvm's strict HTTP client: HTTPS only, TLS 1.2 or later,
// certificates verified against the system roots, every redirect hop
// HTTPS, timeouts on every stage and a bounded body (gzip bombs included),
// with curl-style --resolve entries. A relaxed fetch lifts, by name, only
// the checks a caller allows. It fetches manifests, desktop owner settings,
// CRLs and runtime repository files alike, and Store keeps what it fetched
// on disk so that the next fetch can be conditional (a 304). It reads the
// servers' hints, Cache-Control max-age and a 429 or 503's Retry-After,
// each within a bound (MaxFreshness, MaxRetryAfter), for the callers that
// may honour them; Store.Jitter gives each data directory its own
// fraction, to spread a fleet's refreshes.
package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rvm-launcher/rvm/permissions/pattern"
	"github.com/rvm-launcher/rvm/platform"
)

// MaxRedirects is the most redirects a fetch follows.
const MaxRedirects = 10

// Timeouts bound each stage of a fetch. A zero field takes its default.
type Timeouts struct {
	Connect   time.Duration // TCP connect: 10s
	Handshake time.Duration // TLS handshake: 10s
	Headers   time.Duration // from request sent to response headers: 15s
	Total     time.Duration // the whole exchange, body included: 30s
}

func (t Timeouts) withDefaults() Timeouts {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.Connect, 10*time.Second)
	def(&t.Handshake, 10*time.Second)
	def(&t.Headers, 15*time.Second)
	def(&t.Total, 30*time.Second)
	return t
}

// maxHeaderBytes bounds the response headers of a fetch.
const maxHeaderBytes = 64 << 10

// Fetcher fetches manifests and other documents (desktop owner settings,
// CRLs) over HTTPS. Its zero value is ready to use: system roots, default
// timeouts, no cache. Connections are reused between fetches. A Fetcher is
// safe for concurrent use once it has been used for the first time; set its
// fields before that.
type Fetcher struct {
	// RootCAs verifies server certificates; nil means the system roots
	// (platform.SystemRoots: on Linux the distribution's bundle file, or
	// SSL_CERT_FILE and SSL_CERT_DIR as crypto/x509 reads them; the
	// platform's verifier on Windows and macOS), loaded at the first fetch.
	RootCAs *x509.CertPool
	// Resolve maps "host:port" to the "addr:port" to connect to instead, as
	// curl's --resolve does (see ParseResolve). TLS still verifies host.
	Resolve map[string]string
	// Proxy chooses the proxy for a URL, as httpproxy.Config.ProxyFunc
	// does; nil means the proxy variables of this process's environment
	// (http.ProxyFromEnvironment). A host given to Resolve is never
	// proxied.
	Proxy func(*url.URL) (*url.URL, error)
	// Timeouts bound each stage of a fetch.
	Timeouts Timeouts
	once     sync.Once
	strict   *http.Transport
}

// Kind classifies why a fetch failed: it decides whether a relaxed retry or
// the cached copy may stand in.
type Kind string

// The kinds of fetch failure.
const (
	KindNetwork     Kind = "network"      // refused, timed out, 5xx, cut short: the cached copy may stand in
	KindCertificate Kind = "certificate"  // the server certificate did not verify
	KindDowngrade   Kind = "downgrade"    // a redirect from https: to http:
	KindInsecureURL Kind = "insecure-url" // an http: URL where HTTPS is required
	KindTLS         Kind = "tls"          // the TLS handshake failed for another reason, an old version say
	KindStatus      Kind = "status"       // an HTTP status other than 200, 304 and 5xx
	KindTooLarge    Kind = "too-large"    // more than the size bound
	KindRedirect    Kind = "redirect"     // too many redirects, to a scheme other than http(s), or to a URL that cannot be normalized
	KindURL         Kind = "url"          // a URL that cannot be normalized (SPEC 2): nothing was fetched
	KindEncoding    Kind = "encoding"     // a Content-Encoding rvm did not ask for
)

// Security reports whether the kind is a security failure of SPEC 3: one
// that discards trustedAppConfigs and may be retried relaxed.
func (k Kind) Security() bool {
	return k == KindCertificate || k == KindDowngrade || k == KindInsecureURL
}

// FetchError is a failed fetch: the URL at fault (the redirect hop where it
// was one), the Kind of failure and the underlying error.
type FetchError struct {
	URL  string
	Kind Kind
	// Status is the HTTP status the server answered, where that status
	// failed the fetch (KindStatus, or KindNetwork for a 5xx); 0 otherwise.
	Status int
	// RetryAfter is how long a server that answered 429 or 503 asked
	// not to be asked again (Retry-After), at most MaxRetryAfter; 0 where
	// it did not say.
	RetryAfter time.Duration
	Err        error
}

func (e *FetchError) Error() string {
	return fmt.Sprintf("fetch %q: %v", e.URL, e.Err)
}

func (e *FetchError) Unwrap() error { return e.Err }

// Lifted lists the checks a relaxed fetch skips (SPEC 3). The zero value is
// a strict fetch.
type Lifted struct {
	InvalidCertificates bool // skip certificate verification
	HTTPSToHTTP         bool // follow a redirect from https: to http:
	HTTPStart           bool // fetch an http: URL (and follow it to https:)
}

// GetStrict fetches url strictly (HTTPS only, verified certificates, every
// redirect hop HTTPS) and returns a body of at most limit bytes. With
// validators from an earlier response it asks for the resource only if it
// changed, and reports NotModified when it did not.
func (f *Fetcher) GetStrict(ctx context.Context, url string, limit int64, v Validators) (*Response, error) {
	return f.get(ctx, url, Lifted{}, limit, v)
}

// GetRelaxed is GetStrict with the checks in lifted skipped. What it brings
// back is unauthenticated: callers must not grant anything for it.
func (f *Fetcher) GetRelaxed(ctx context.Context, url string, lifted Lifted, limit int64, v Validators) (*Response, error) {
	return f.get(ctx, url, lifted, limit, v)
}

// CloseIdleConnections closes the connections f keeps for reuse: for a
// fetcher that is let go. A later fetch opens new ones.
func (f *Fetcher) CloseIdleConnections() {
	f.init()
	f.strict.CloseIdleConnections()
}

func (f *Fetcher) init() {
	f.once.Do(func() {
		f.strict = f.transport(false)
	})
}

func (f *Fetcher) transport(insecure bool) *http.Transport {
	t := f.Timeouts.withDefaults()
	dialer := &net.Dialer{Timeout: t.Connect, KeepAlive: 30 * time.Second}
	resolve, proxy := f.Resolve, f.Proxy
	roots := f.RootCAs
	if roots == nil {
		roots = platform.SystemRoots()
	}
	return &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) {
			if _, ok := resolve[strings.ToLower(canonicalHostPort(r.URL))]; ok {
				return nil, nil
			}
			if proxy != nil {
				return proxy(r.URL)
			}
			return http.ProxyFromEnvironment(r)
		},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if to, ok := resolve[strings.ToLower(addr)]; ok {
				addr = to
			}
			return dialer.DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{
			MinVersion:         tls.VersionTLS12,
			RootCAs:            roots,
			InsecureSkipVerify: insecure,
		},
		TLSHandshakeTimeout:    t.Handshake,
		ResponseHeaderTimeout:  t.Headers,
		MaxResponseHeaderBytes: maxHeaderBytes,
		MaxIdleConns:           16,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		ForceAttemptHTTP2:      true,
	}
}

func canonicalHostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// get performs one fetch under the given relaxation. It fetches rawURL and
// every redirect hop normalized (pattern.NormalizeURL), so that a server is
// asked for exactly the URL that patterns match, and refuses a URL or hop
// that cannot be normalized before asking for it.
func (f *Fetcher) get(ctx context.Context, rawURL string, relax Lifted, limit int64, v Validators) (*Response, error) {
	total := f.Timeouts.withDefaults().Total
	ctx, cancel := context.WithTimeout(ctx, total)
	defer cancel()
	resp, redirects, err := f.do(ctx, rawURL, relax, v, "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	final := resp.Request.URL.String()
	out := &Response{FinalURL: final, Redirects: redirects}
	out.MaxAge = maxAge(resp.Header.Values("Cache-Control"))
	if resp.StatusCode == http.StatusNotModified {
		out.NotModified = true
		out.Validators = v
		return out, nil
	}
	if resp.ContentLength > limit {
		return nil, &FetchError{URL: final, Kind: KindTooLarge, Err: fmt.Errorf("body of %d bytes is more than the %d allowed", resp.ContentLength, limit)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err == nil {
		// A body that ends as the bound runs out may have been cut by it
		// (the server gives up when the connection goes): not a whole one.
		err = ctx.Err()
	}
	if err != nil {
		return nil, classify(final, err)
	}
	if int64(len(body)) > limit {
		return nil, &FetchError{URL: final, Kind: KindTooLarge, Err: fmt.Errorf("body is more than the %d bytes allowed (after decompression)", limit)}
	}
	out.Body = body
	out.Validators = Validators{ETag: resp.Header.Get("ETag"), LastModified: strongLastModified(resp.Header)}
	out.NoStore = noStore(resp.Header.Values("Cache-Control"))
	return out, nil
}

// do sends the request for rawURL under the given relaxation and returns
// a response whose status is 200, or 304 where validators were sent; any
// other status, a redirect refused and a Content-Encoding that was not
// asked for are errors. acceptEncoding, when set, is sent as
// Accept-Encoding (then the body is never decompressed on the way). The
// caller closes the body; ctx bounds the whole exchange.
func (f *Fetcher) do(ctx context.Context, rawURL string, relax Lifted, v Validators, acceptEncoding string) (*http.Response, int, error) {
	f.init()
	start, err := pattern.ParseURL(rawURL, pattern.Owner)
	if err != nil {
		return nil, 0, &FetchError{URL: rawURL, Kind: KindURL, Err: urlFault(err)}
	}
	target := start.String()
	if start.Scheme == "http" && !relax.HTTPStart {
		return nil, 0, &FetchError{URL: target, Kind: KindInsecureURL, Err: errors.New("an http: URL, not HTTPS")}
	}
	tr := f.strict
	if relax.InvalidCertificates {
		tr = f.transport(true)
		defer tr.CloseIdleConnections()
	}

	redirects := 0
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(next *http.Request, via []*http.Request) error {
			prev := via[len(via)-1].URL
			if len(via) > MaxRedirects {
				return &FetchError{URL: next.URL.String(), Kind: KindRedirect, Err: fmt.Errorf("more than %d redirects", MaxRedirects)}
			}
			switch next.URL.Scheme {
			case "https":
			case "http":
				if prev.Scheme == "https" && !relax.HTTPSToHTTP {
					return &FetchError{URL: prev.String(), Kind: KindDowngrade, Err: fmt.Errorf("redirect to %s downgrades HTTPS to http:", next.URL)}
				}
				if prev.Scheme == "http" && !relax.HTTPStart {
					return &FetchError{URL: next.URL.String(), Kind: KindInsecureURL, Err: errors.New("an http: URL, not HTTPS")}
				}
			default:
				return &FetchError{URL: prev.String(), Kind: KindRedirect, Err: fmt.Errorf("redirect to %q: scheme is not fetched", next.URL)}
			}
			hop := hopURL(next.URL)
			norm, err := pattern.NormalizeURL(hop)
			if err != nil {
				return &FetchError{URL: prev.String(), Kind: KindRedirect, Err: fmt.Errorf("redirect to %q: %w", hop, urlFault(err))}
			}
			if next.URL, err = url.Parse(norm); err != nil {
				return &FetchError{URL: prev.String(), Kind: KindRedirect, Err: fmt.Errorf("redirect to %q: %w", hop, err)}
			}
			redirects = len(via)
			return nil
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, 0, &FetchError{URL: target, Kind: KindURL, Err: err}
	}
	req.Header.Set("User-Agent", "rvm/1")
	req.Header.Set("Accept", "application/json, */*;q=0.5")
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, classify(target, err)
	}
	// The last request's URL is a normalized one, parsed: net/url prints it
	// back as it was (FuzzNormalizeURL checks that).
	final := resp.Request.URL.String()
	fail := func(e *FetchError) (*http.Response, int, error) {
		resp.Body.Close()
		return nil, 0, e
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && (v.ETag != "" || v.LastModified != ""):
		return resp, redirects, nil
	case resp.StatusCode >= 500:
		return fail(&FetchError{URL: final, Kind: KindNetwork, Status: resp.StatusCode, RetryAfter: retryAfter(resp), Err: fmt.Errorf("server answered %s", resp.Status)})
	case resp.StatusCode != http.StatusOK:
		return fail(&FetchError{URL: final, Kind: KindStatus, Status: resp.StatusCode, RetryAfter: retryAfter(resp), Err: fmt.Errorf("server answered %s", resp.Status)})
	}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && !resp.Uncompressed && !strings.EqualFold(enc, "identity") {
		return fail(&FetchError{URL: final, Kind: KindEncoding, Err: fmt.Errorf("Content-Encoding %q was not asked for", enc)})
	}
	return resp, redirects, nil
}

// strongLastModified is the response's Last-Modified where it can stand
// for this content: its Date at least a second after it (RFC 9110
// section 8.8.2.2). A file changed again within the second it names would
// keep that Last-Modified, and a request with it would be answered 304
// for the changed file; "" where that cannot be ruled out.
func strongLastModified(h http.Header) string {
	lm := h.Get("Last-Modified")
	modified, err := http.ParseTime(lm)
	if err != nil {
		return ""
	}
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil || date.Sub(modified) < time.Second {
		return ""
	}
	return lm
}

// noStore reports whether the Cache-Control header values hold the
// directive no-store (RFC 9111 section 5.2.2.5), in any case.
func noStore(values []string) bool {
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(d, "=")
			if strings.EqualFold(strings.TrimSpace(name), "no-store") {
				return true
			}
		}
	}
	return false
}

// classify turns a transport error into a FetchError of the right kind.
func classify(at string, err error) error {
	var fe *FetchError
	if errors.As(err, &fe) {
		return fe
	}
	var (
		verr  *tls.CertificateVerificationError
		uaerr x509.UnknownAuthorityError
		herr  x509.HostnameError
		cierr x509.CertificateInvalidError
	)
	if errors.As(err, &verr) || errors.As(err, &uaerr) || errors.As(err, &herr) || errors.As(err, &cierr) {
		return &FetchError{URL: at, Kind: KindCertificate, Err: errorsUnwrapURL(err)}
	}
	var alert tls.AlertError
	var rherr tls.RecordHeaderError
	if errors.As(err, &alert) || errors.As(err, &rherr) || strings.Contains(err.Error(), "tls: ") {
		return &FetchError{URL: at, Kind: KindTLS, Err: errorsUnwrapURL(err)}
	}
	if msg := err.Error(); strings.Contains(msg, "COMPRESSION_ERROR") || strings.Contains(msg, "PROTOCOL_ERROR") {
		// Go's HTTP/2 client reports response headers over its bound only
		// by the error code of the connection.
		return &FetchError{URL: at, Kind: KindNetwork, Err: fmt.Errorf("HTTP/2 error (response headers over %d KiB, or a broken server): %w", maxHeaderBytes>>10, errorsUnwrapURL(err))}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &FetchError{URL: at, Kind: KindNetwork, Err: errors.New("timed out: the whole fetch took longer than its bound")}
	}
	return &FetchError{URL: at, Kind: KindNetwork, Err: errorsUnwrapURL(err)}
}

// ParseResolve parses a --resolve entry, HOST:PORT:ADDR as curl takes it
// (an IPv6 HOST or ADDR in brackets), into the "host:port" it stands for and
// the "addr:port" to connect to.
func ParseResolve(s string) (from, to string, err error) {
	host, rest, ok := splitHost(s)
	if !ok {
		return "", "", fmt.Errorf("fetch: --resolve %q: want HOST:PORT:ADDR", s)
	}
	port, addr, ok := strings.Cut(rest, ":")
	if !ok || addr == "" || host == "" {
		return "", "", fmt.Errorf("fetch: --resolve %q: want HOST:PORT:ADDR", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("fetch: --resolve %q: port %q is not a number from 1 to 65535", s, port)
	}
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	if net.ParseIP(addr) == nil {
		return "", "", fmt.Errorf("fetch: --resolve %q: %q is not an IP address", s, addr)
	}
	return strings.ToLower(net.JoinHostPort(host, port)), net.JoinHostPort(addr, port), nil
}

// splitHost takes the HOST off "HOST:rest", where HOST may be [IPv6].
func splitHost(s string) (host, rest string, ok bool) {
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]:")
		if end < 0 {
			return "", "", false
		}
		return s[1:end], s[end+2:], true
	}
	return strings.Cut(s, ":")
}

// hopURL writes a redirect hop back as net/url resolved it against the URL
// before, but with its host as the server sent it (net/url would
// percent-encode a Unicode name, which no host normalizes from), so that
// the hop is normalized from what the server meant.
func hopURL(u *url.URL) string {
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	if u.User != nil {
		b.WriteString(u.User.String())
		b.WriteByte('@')
	}
	b.WriteString(u.Host)
	b.WriteString(u.EscapedPath())
	if u.RawQuery != "" {
		b.WriteByte('?')
		b.WriteString(u.RawQuery)
	}
	return b.String()
}

// urlFault is the rule a URL that the normalizer refused broke, without
// the URL, which the caller names.
func urlFault(err error) error {
	var ue *pattern.URLError
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// errorsUnwrapURL drops url.Error's repetition of the URL, which the caller
// names already.
func errorsUnwrapURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
