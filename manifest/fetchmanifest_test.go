package manifest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
)

const host = "apps.acme.test"

const goodManifest = `{"runtime": {"version": "stable"}, "startup_app": {"permissions": {"System": {"launchExternalProcess": true}}}, "trustedAppConfigs": {"value": "e30=", "signature": {}}}`

// rig is a site on loopback and a manifest fetcher that trusts its CA and
// reaches it by name.
type rig struct {
	*manifesttest.Site
	f *Fetcher
}

func newRig(t *testing.T) *rig {
	t.Helper()
	site, err := manifesttest.NewSite(host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(site.Close)
	f := &Fetcher{
		HTTP: &fetch.Fetcher{
			RootCAs:  site.CA.Pool,
			Resolve:  site.Resolve,
			Timeouts: fetch.Timeouts{Headers: 2 * time.Second, Total: 5 * time.Second},
		},
		Cache:       &fetch.Store{Dir: t.TempDir()},
		CacheMaxAge: 30 * 24 * time.Hour,
	}
	site.Mux.HandleFunc("/app.json", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, goodManifest) })
	return &rig{Site: site, f: f}
}

// policy is the HTTPS settings: unset counts as allowed; kv sets a
// setting by name to 0 or 1, as /etc/rvm/settings.json would.
func policy(kv ...any) Policy {
	p := Policy{InvalidCertificates: Allowance{Allowed: true}, HTTPSToHTTP: Allowance{Allowed: true}, HTTPStart: Allowance{Allowed: true}}
	for i := 0; i < len(kv); i += 2 {
		a := Allowance{Allowed: kv[i+1].(int) == 1, Source: "/etc/rvm/settings.json"}
		switch kv[i].(string) {
		case "allowInvalidNetworkCertificates":
			p.InvalidCertificates = a
		case "allowHttpsToHttpNetworkRedirects":
			p.HTTPSToHTTP = a
		case "allowHttpToHttpsNetworkRedirects":
			p.HTTPStart = a
		}
	}
	return p
}

func request(t *testing.T, raw string) *Request {
	t.Helper()
	req, err := ParseRequest(raw)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestFetchManifest(t *testing.T) {
	r := newRig(t)
	r.Mux.HandleFunc("/hop", func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, "/app.json", http.StatusFound)
	})
	r.Mux.HandleFunc("/to-http", func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, r.HTTPURL("/app.json"), http.StatusFound)
	})
	r.Mux.HandleFunc("/html", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "<html>hello</html>") })
	r.Mux.HandleFunc("/array", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "[1]") })
	r.Mux.HandleFunc("/wrong-type", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `{"runtime": {"version": 1}}`) })
	r.Mux.HandleFunc("/missing", http.NotFound)
	r.Mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"x": "` + strings.Repeat("a", 2<<20) + `"}`))
	})
	// The bomb is made once, before any fetch's time bound runs: making
	// it takes a while on a loaded machine.
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte(`{"x": "`))
	zw.Write(bytes.Repeat([]byte("0"), 64<<20))
	zw.Close()
	r.Mux.HandleFunc("/bomb", func(w http.ResponseWriter, _ *http.Request) {
		buf := bytes.NewReader(bomb.Bytes())
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		buf.WriteTo(w)
	})
	r.Mux.HandleFunc("/brotli", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Encoding", "br")
		w.Write([]byte{0x1b, 0x00})
	})
	r.Mux.HandleFunc("/loop", func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, "/loop", http.StatusFound)
	})
	for i := 0; i < 12; i++ {
		i := i
		r.Mux.HandleFunc(fmt.Sprintf("/chain/%d", i), func(w http.ResponseWriter, req *http.Request) {
			if i == 0 {
				fmt.Fprint(w, goodManifest)
				return
			}
			http.Redirect(w, req, fmt.Sprintf("/chain/%d", i-1), http.StatusFound)
		})
	}
	wrongHost := r.TLS.URL("other.test", "/app.json")

	tests := []struct {
		name      string
		url       string
		policy    Policy
		mode      string
		strict    bool
		redirects int
		final     string
		wantErr   string
		kind      fetch.Kind
	}{
		{name: "strict-ok", url: r.HTTPSURL("/app.json"), mode: ModeStrict, strict: true, final: r.HTTPSURL("/app.json")},
		{name: "fins-link", url: "fins://" + host + ":" + r.TLS.Port + "/app.json?$$a=1", mode: ModeStrict, strict: true, final: r.HTTPSURL("/app.json")},
		{name: "https-to-https-redirect", url: r.HTTPSURL("/hop"), mode: ModeStrict, strict: true, redirects: 1, final: r.HTTPSURL("/app.json")},
		{name: "ten-redirects", url: r.HTTPSURL("/chain/10"), mode: ModeStrict, strict: true, redirects: 10, final: r.HTTPSURL("/chain/0")},
		{name: "eleven-redirects", url: r.HTTPSURL("/chain/11"), wantErr: "more than 10 redirects", kind: fetch.KindRedirect},
		{name: "redirect-loop", url: r.HTTPSURL("/loop"), wantErr: "more than 10 redirects", kind: fetch.KindRedirect},
		{name: "https-to-http-relaxed-by-default", url: r.HTTPSURL("/to-http"), mode: ModeRelaxed, redirects: 1, final: r.HTTPURL("/app.json")},
		{name: "https-to-http-forbidden", url: r.HTTPSURL("/to-http"), policy: policy("allowHttpsToHttpNetworkRedirects", 0), wantErr: "allowHttpsToHttpNetworkRedirects is 0 in /etc/rvm/settings.json", kind: fetch.KindDowngrade},
		{name: "https-to-http-allowed-explicitly", url: r.HTTPSURL("/to-http"), policy: policy("allowHttpsToHttpNetworkRedirects", 1), mode: ModeRelaxed, redirects: 1, final: r.HTTPURL("/app.json")},
		{name: "certificate-for-other-host-relaxed", url: wrongHost, mode: ModeRelaxed, final: wrongHost},
		{name: "certificate-for-other-host-forbidden", url: wrongHost, policy: policy("allowInvalidNetworkCertificates", 0), wantErr: "allowInvalidNetworkCertificates is 0 in /etc/rvm/settings.json", kind: fetch.KindCertificate},
		{name: "fin-http-relaxed-by-default", url: "fin://" + host + ":" + r.PlainPort() + "/app.json", mode: ModeRelaxed, final: r.HTTPURL("/app.json")},
		{name: "fin-http-forbidden", url: "fin://" + host + ":" + r.PlainPort() + "/app.json", policy: policy("allowHttpToHttpsNetworkRedirects", 0), wantErr: "allowHttpToHttpsNetworkRedirects is 0", kind: fetch.KindInsecureURL},
		{name: "downgrade-with-other-setting-forbidden", url: r.HTTPSURL("/to-http"), policy: policy("allowInvalidNetworkCertificates", 0), mode: ModeRelaxed, redirects: 1, final: r.HTTPURL("/app.json")},
		{name: "not-found", url: r.HTTPSURL("/missing"), wantErr: "404 Not Found", kind: fetch.KindStatus},
		{name: "html", url: r.HTTPSURL("/html"), wantErr: "manifest: not JSON"},
		{name: "json-array", url: r.HTTPSURL("/array"), wantErr: "the top level is an array"},
		{name: "wrong-type", url: r.HTTPSURL("/wrong-type"), wantErr: "runtime.version: want a string"},
		{name: "two-mib-body", url: r.HTTPSURL("/big"), wantErr: "more than the 1048576 bytes allowed", kind: fetch.KindTooLarge},
		{name: "gzip-bomb", url: r.HTTPSURL("/bomb"), wantErr: "after decompression", kind: fetch.KindTooLarge},
		{name: "unasked-encoding", url: r.HTTPSURL("/brotli"), wantErr: `Content-Encoding "br"`, kind: fetch.KindEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.policy
			if p == (Policy{}) {
				p = policy()
			}
			got, err := r.f.FetchManifest(context.Background(), request(t, tt.url), p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				if tt.kind != "" {
					var fe *fetch.FetchError
					if !errors.As(err, &fe) || fe.Kind != tt.kind {
						t.Fatalf("got error %#v, want a FetchError of kind %s", err, tt.kind)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("FetchManifest: %v", err)
			}
			if got.Mode != tt.mode || got.Strict != tt.strict || got.Redirects != tt.redirects || got.FinalURL != tt.final {
				t.Errorf("got mode %s strict %v redirects %d final %s, want %s %v %d %s", got.Mode, got.Strict, got.Redirects, got.FinalURL, tt.mode, tt.strict, tt.redirects, tt.final)
			}
			if !tt.strict && len(got.Warnings) == 0 {
				t.Errorf("a relaxed fetch gave no warning")
			}
			if got.Manifest.Runtime.Version != "stable" {
				t.Errorf("runtime.version: got %q, want stable", got.Manifest.Runtime.Version)
			}
		})
	}
}

func TestFetchUnknownCA(t *testing.T) {
	r := newRig(t)
	other, err := manifesttest.NewCA("someone else")
	if err != nil {
		t.Fatal(err)
	}
	r.f.HTTP.RootCAs = other.Pool
	u := r.HTTPSURL("/app.json")
	if _, err := r.f.FetchManifest(context.Background(), request(t, u), policy("allowInvalidNetworkCertificates", 0)); err == nil || !strings.Contains(err.Error(), "unknown authority") {
		t.Fatalf("got %v, want an unknown authority error", err)
	}
	got, err := r.f.FetchManifest(context.Background(), request(t, u), policy())
	if err != nil || got.Mode != ModeRelaxed || got.Strict {
		t.Fatalf("got %+v, %v; want a relaxed, untrusted fetch", got, err)
	}
}

func TestFetchTrickledHeaders(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				for {
					select {
					case <-done:
						return
					case <-time.After(100 * time.Millisecond):
						if _, err := c.Write([]byte{'H'}); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	f := &Fetcher{HTTP: &fetch.Fetcher{
		Resolve:  map[string]string{"slow.test:443": ln.Addr().String()},
		Timeouts: fetch.Timeouts{Handshake: 300 * time.Millisecond, Headers: 300 * time.Millisecond, Total: time.Second},
	}}
	_, err = f.FetchManifest(context.Background(), request(t, "https://slow.test/app.json"), policy())
	var fe *fetch.FetchError
	if !errors.As(err, &fe) || fe.Kind != fetch.KindNetwork {
		t.Fatalf("got %v, want a network failure", err)
	}
}

func TestFetchCacheFallback(t *testing.T) {
	r := newRig(t)
	failing := false
	r.Mux.HandleFunc("/flaky", func(w http.ResponseWriter, _ *http.Request) {
		if failing {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, goodManifest)
	})
	r.Mux.HandleFunc("/flaky-to-http", func(w http.ResponseWriter, req *http.Request) {
		if failing {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		http.Redirect(w, req, r.HTTPURL("/app.json"), http.StatusFound)
	})
	ctx := context.Background()

	if _, err := r.f.FetchManifest(ctx, request(t, r.HTTPSURL("/never")), policy()); err == nil {
		t.Fatal("404 with no cache: want an error")
	}
	// First a good strict fetch, then the server fails: the cache stands in,
	// trusted as its strict origin allows.
	if _, err := r.f.FetchManifest(ctx, request(t, r.HTTPSURL("/flaky")), policy()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.f.FetchManifest(ctx, request(t, r.HTTPSURL("/flaky-to-http")), policy()); err != nil {
		t.Fatal(err)
	}
	failing = true
	got, err := r.f.FetchManifest(ctx, request(t, r.HTTPSURL("/flaky")), policy())
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode != ModeCache || !got.Strict || len(got.Warnings) == 0 {
		t.Errorf("got mode %s strict %v warnings %v, want cache, strict, a warning", got.Mode, got.Strict, got.Warnings)
	}
	// A relaxed fetch is never cached.
	if _, err := r.f.FetchManifest(ctx, request(t, r.HTTPSURL("/flaky-to-http")), policy()); err == nil || !strings.Contains(err.Error(), "no cached copy") {
		t.Errorf("after a relaxed fetch: got %v, want no cached copy to fall back on", err)
	}
	// A 500 with no cached copy is an error that says so.
	r.f.Cache = &fetch.Store{Dir: t.TempDir()}
	if _, err := r.f.FetchManifest(ctx, request(t, r.HTTPSURL("/flaky")), policy()); err == nil || !strings.Contains(err.Error(), "no cached copy") {
		t.Fatalf("got %v, want an error saying there is no cached copy", err)
	}
	// A server that is not there at all.
	r.TLS.Close()
	r.f.Cache = &fetch.Store{Dir: t.TempDir()}
	if _, err := r.f.FetchManifest(ctx, request(t, r.HTTPSURL("/app.json")), policy()); err == nil || !strings.Contains(err.Error(), "no cached copy") {
		t.Fatalf("got %v, want a network error with no cached copy", err)
	}
}

// TestFetchCacheOnlyStrictCopies: a relaxed fetch neither caches its copy
// nor replaces the strict one; a strict answer marked Cache-Control:
// no-store is not cached either.
func TestFetchCacheOnlyStrictCopies(t *testing.T) {
	r := newRig(t)
	const strictBody = `{"runtime": {"version": "strict"}}`
	const plainBody = `{"runtime": {"version": "relaxed"}}`
	var mode atomic.Value // "strict", "to-http", "down"
	mode.Store("strict")
	r.Mux.HandleFunc("/app", func(w http.ResponseWriter, req *http.Request) {
		switch mode.Load() {
		case "strict":
			fmt.Fprint(w, strictBody)
		case "to-http":
			http.Redirect(w, req, r.HTTPURL("/plain"), http.StatusFound)
		default:
			http.Error(w, "down", http.StatusBadGateway)
		}
	})
	r.Mux.HandleFunc("/plain", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, plainBody) })
	r.Mux.HandleFunc("/no-store", func(w http.ResponseWriter, _ *http.Request) {
		if mode.Load() == "down" {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		w.Header().Set("Cache-Control", "private, No-Store")
		fmt.Fprint(w, strictBody)
	})
	ctx := context.Background()
	fetch := func(path string) (*Fetched, error) {
		return r.f.FetchManifest(ctx, request(t, r.HTTPSURL(path)), policy())
	}
	if _, err := fetch("/app"); err != nil {
		t.Fatal(err)
	}
	mode.Store("to-http")
	if got, err := fetch("/app"); err != nil || got.Mode != ModeRelaxed || got.Manifest.Runtime.Version != "relaxed" {
		t.Fatalf("got %+v, %v, want the relaxed copy", got, err)
	}
	mode.Store("down")
	got, err := fetch("/app")
	if err != nil || got.Mode != ModeCache || !got.Strict || got.Manifest.Runtime.Version != "strict" {
		t.Fatalf("got %+v, %v, want the strict copy from the cache", got, err)
	}

	mode.Store("strict")
	if _, err := fetch("/no-store"); err != nil {
		t.Fatal(err)
	}
	mode.Store("down")
	if _, err := fetch("/no-store"); err == nil || !strings.Contains(err.Error(), "no cached copy") {
		t.Errorf("after a no-store answer: got %v, want no cached copy", err)
	}
}

// TestFetchCacheMaxAge: a cached copy stands in up to CacheMaxAge after
// the last strict fetch that brought it (a fetch of unchanged content
// counts), reporting its age; an older one does not, and a CacheMaxAge of
// 0 turns the fallback off.
func TestFetchCacheMaxAge(t *testing.T) {
	r := newRig(t)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	r.f.Now = func() time.Time { return now }
	var down atomic.Bool
	r.Mux.HandleFunc("/app", func(w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, goodManifest)
	})
	ctx := context.Background()
	fetch := func() (*Fetched, error) { return r.f.FetchManifest(ctx, request(t, r.HTTPSURL("/app")), policy()) }
	if _, err := fetch(); err != nil {
		t.Fatal(err)
	}
	now = now.Add(20 * 24 * time.Hour)
	if _, err := fetch(); err != nil { // the same content, fetched again
		t.Fatal(err)
	}
	down.Store(true)
	for _, tt := range []struct {
		name    string
		after   time.Duration
		maxAge  time.Duration
		wantAge time.Duration
		wantErr string
	}{
		{name: "fresh", after: time.Hour, maxAge: 30 * 24 * time.Hour, wantAge: time.Hour},
		{name: "at-the-limit", after: 30 * 24 * time.Hour, maxAge: 30 * 24 * time.Hour, wantAge: 30 * 24 * time.Hour},
		{name: "a-second-too-old", after: 30*24*time.Hour + time.Second, maxAge: 30 * 24 * time.Hour, wantErr: "is older than the 720h0m0s allowed"},
		{name: "off", after: time.Hour, maxAge: 0, wantErr: "falling back on a cached copy is off"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r.f.Now = func() time.Time { return now.Add(tt.after) }
			r.f.CacheMaxAge = tt.maxAge
			got, err := fetch()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error holding %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Mode != ModeCache || got.Age != tt.wantAge {
				t.Fatalf("got %+v, %v, want the cached copy, %v old", got, err, tt.wantAge)
			}
		})
	}
}

func BenchmarkFetchLoopback(b *testing.B) {
	ca, err := manifesttest.NewCA("bench CA")
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(goodManifest)
	srv, err := manifesttest.NewTLSServer(ca, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(body) }), host)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	f := &Fetcher{HTTP: &fetch.Fetcher{RootCAs: ca.Pool, Resolve: map[string]string{host + ":" + srv.Port: srv.Addr}}}
	req, _ := ParseRequest(srv.URL(host, "/app.json"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.FetchManifest(ctx, req, Policy{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFetchConditional: a manifest fetched before is asked for again with
// its validators, and a 304 from the same final URL gives the copy kept,
// as a strict fetch; a changed manifest comes whole; a 304 that arrives
// by a redirect to another URL vouches for nothing, and the manifest is
// fetched whole from where the redirect leads.
func TestFetchConditional(t *testing.T) {
	r := newRig(t)
	var (
		body        atomic.Value
		conditional atomic.Int64
		whole       atomic.Int64
		redirect    atomic.Bool
	)
	body.Store(goodManifest)
	serve := func(w http.ResponseWriter, req *http.Request) {
		b := body.Load().(string)
		etag := fmt.Sprintf(`"%x"`, len(b))
		w.Header().Set("ETag", etag)
		if req.Header.Get("If-None-Match") != "" {
			conditional.Add(1)
			if req.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		} else {
			whole.Add(1)
		}
		fmt.Fprint(w, b)
	}
	r.Mux.HandleFunc("/etag/app.json", func(w http.ResponseWriter, req *http.Request) {
		if redirect.Load() {
			http.Redirect(w, req, "/etag/moved.json", http.StatusFound)
			return
		}
		serve(w, req)
	})
	r.Mux.HandleFunc("/etag/moved.json", serve)
	ctx := context.Background()
	fetchOnce := func() *Fetched {
		t.Helper()
		got, err := r.f.FetchManifest(ctx, request(t, r.HTTPSURL("/etag/app.json")), policy())
		if err != nil {
			t.Fatal(err)
		}
		if got.Mode != ModeStrict || !got.Strict || got.Manifest.Runtime.Version == "" {
			t.Fatalf("got mode %s strict %v runtime %q, want a strict fetch of the manifest", got.Mode, got.Strict, got.Manifest.Runtime.Version)
		}
		return got
	}
	first := fetchOnce()
	second := fetchOnce()
	if conditional.Load() != 1 || whole.Load() != 1 || !bytes.Equal(second.Body, first.Body) {
		t.Errorf("second fetch: %d conditional and %d whole requests, body same %v; want 1 and 1, the same body", conditional.Load(), whole.Load(), bytes.Equal(second.Body, first.Body))
	}
	changed := strings.Replace(goodManifest, `"stable"`, `"38.126.82.64"`, 1)
	body.Store(changed)
	if got := fetchOnce(); string(got.Body) != changed {
		t.Errorf("a changed manifest: got %s, want the new one", got.Body)
	}
	redirect.Store(true)
	before := whole.Load()
	got := fetchOnce()
	if !strings.HasSuffix(got.FinalURL, "/etag/moved.json") || whole.Load() != before+1 {
		t.Errorf("a 304 after a redirect elsewhere: final URL %s, %d whole requests; want moved.json fetched whole", got.FinalURL, whole.Load()-before)
	}
}
