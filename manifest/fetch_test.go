package manifest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/platform"
)

const host = "apps.acme.test"

const goodManifest = `{"runtime": {"version": "stable"}, "startup_app": {"permissions": {"System": {"launchExternalProcess": true}}}, "trustedAppConfigs": {"value": "e30=", "signature": {}}}`

// rig is a TLS server (and a plain http one) on loopback, and a fetcher
// that trusts the server's CA and reaches both by name.
type rig struct {
	tls   *manifesttest.Server
	plain *httptest.Server
	mux   *http.ServeMux
	f     *Fetcher
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ca, err := manifesttest.NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv, err := manifesttest.NewTLSServer(ca, mux, host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	plain := httptest.NewServer(mux)
	t.Cleanup(plain.Close)
	_, plainPort, _ := net.SplitHostPort(strings.TrimPrefix(plain.URL, "http://"))
	f := &Fetcher{
		RootCAs: ca.Pool,
		Resolve: map[string]string{
			host + ":" + srv.Port:    srv.Addr,
			host + ":" + plainPort:   "127.0.0.1:" + plainPort,
			"other.test:" + srv.Port: srv.Addr,
		},
		CacheDir: t.TempDir(),
		Timeouts: Timeouts{Headers: 2 * time.Second, Total: 5 * time.Second},
	}
	r := &rig{tls: srv, plain: plain, mux: mux, f: f}
	mux.HandleFunc("/app.json", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, goodManifest) })
	return r
}

func (r *rig) httpsURL(path string) string { return r.tls.URL(host, path) }

func (r *rig) httpURL(path string) string {
	return "http://" + host + ":" + strings.Split(r.plain.URL, ":")[2] + path
}

func settings(kv ...any) *platform.MachineSettings {
	s := &platform.MachineSettings{Values: map[string]platform.Value{}}
	for i := 0; i < len(kv); i += 2 {
		s.Values[kv[i].(string)] = platform.Value{Value: kv[i+1], Source: "/etc/rvm/settings.json"}
	}
	return s
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
	r.mux.HandleFunc("/hop", func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, "/app.json", http.StatusFound)
	})
	r.mux.HandleFunc("/to-http", func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, r.httpURL("/app.json"), http.StatusFound)
	})
	r.mux.HandleFunc("/html", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "<html>hello</html>") })
	r.mux.HandleFunc("/array", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "[1]") })
	r.mux.HandleFunc("/wrong-type", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `{"runtime": {"version": 1}}`) })
	r.mux.HandleFunc("/missing", http.NotFound)
	r.mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"x": "` + strings.Repeat("a", 2<<20) + `"}`))
	})
	r.mux.HandleFunc("/bomb", func(w http.ResponseWriter, _ *http.Request) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(`{"x": "`))
		zw.Write(bytes.Repeat([]byte("0"), 64<<20))
		zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		w.Write(buf.Bytes())
	})
	r.mux.HandleFunc("/brotli", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Encoding", "br")
		w.Write([]byte{0x1b, 0x00})
	})
	r.mux.HandleFunc("/loop", func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, "/loop", http.StatusFound)
	})
	for i := 0; i < 12; i++ {
		i := i
		r.mux.HandleFunc(fmt.Sprintf("/chain/%d", i), func(w http.ResponseWriter, req *http.Request) {
			if i == 0 {
				fmt.Fprint(w, goodManifest)
				return
			}
			http.Redirect(w, req, fmt.Sprintf("/chain/%d", i-1), http.StatusFound)
		})
	}
	wrongHost := r.tls.URL("other.test", "/app.json")

	tests := []struct {
		name      string
		url       string
		settings  *platform.MachineSettings
		mode      string
		strict    bool
		redirects int
		final     string
		wantErr   string
		kind      Kind
	}{
		{name: "strict-ok", url: r.httpsURL("/app.json"), mode: ModeStrict, strict: true, final: r.httpsURL("/app.json")},
		{name: "fins-link", url: "fins://" + host + ":" + r.tls.Port + "/app.json?$$a=1", mode: ModeStrict, strict: true, final: r.httpsURL("/app.json")},
		{name: "https-to-https-redirect", url: r.httpsURL("/hop"), mode: ModeStrict, strict: true, redirects: 1, final: r.httpsURL("/app.json")},
		{name: "ten-redirects", url: r.httpsURL("/chain/10"), mode: ModeStrict, strict: true, redirects: 10, final: r.httpsURL("/chain/0")},
		{name: "eleven-redirects", url: r.httpsURL("/chain/11"), wantErr: "more than 10 redirects", kind: KindRedirect},
		{name: "redirect-loop", url: r.httpsURL("/loop"), wantErr: "more than 10 redirects", kind: KindRedirect},
		{name: "https-to-http-relaxed-by-default", url: r.httpsURL("/to-http"), mode: ModeRelaxed, redirects: 1, final: r.httpURL("/app.json")},
		{name: "https-to-http-forbidden", url: r.httpsURL("/to-http"), settings: settings(platform.SettingAllowHTTPSToHTTPRedirects, 0), wantErr: "allowHttpsToHttpNetworkRedirects is 0 in /etc/rvm/settings.json", kind: KindDowngrade},
		{name: "https-to-http-allowed-explicitly", url: r.httpsURL("/to-http"), settings: settings(platform.SettingAllowHTTPSToHTTPRedirects, 1), mode: ModeRelaxed, redirects: 1, final: r.httpURL("/app.json")},
		{name: "certificate-for-other-host-relaxed", url: wrongHost, mode: ModeRelaxed, final: wrongHost},
		{name: "certificate-for-other-host-forbidden", url: wrongHost, settings: settings(platform.SettingAllowInvalidNetworkCertificates, 0), wantErr: "allowInvalidNetworkCertificates is 0 in /etc/rvm/settings.json", kind: KindCertificate},
		{name: "fin-http-relaxed-by-default", url: "fin://" + host + ":" + strings.Split(r.plain.URL, ":")[2] + "/app.json", mode: ModeRelaxed, final: r.httpURL("/app.json")},
		{name: "fin-http-forbidden", url: "fin://" + host + ":" + strings.Split(r.plain.URL, ":")[2] + "/app.json", settings: settings(platform.SettingAllowHTTPToHTTPSRedirects, 0), wantErr: "allowHttpToHttpsNetworkRedirects is 0", kind: KindInsecureURL},
		{name: "downgrade-with-other-setting-forbidden", url: r.httpsURL("/to-http"), settings: settings(platform.SettingAllowInvalidNetworkCertificates, 0), mode: ModeRelaxed, redirects: 1, final: r.httpURL("/app.json")},
		{name: "not-found", url: r.httpsURL("/missing"), wantErr: "404 Not Found", kind: KindStatus},
		{name: "html", url: r.httpsURL("/html"), wantErr: "manifest: not JSON"},
		{name: "json-array", url: r.httpsURL("/array"), wantErr: "the top level is an array"},
		{name: "wrong-type", url: r.httpsURL("/wrong-type"), wantErr: "runtime.version: want a string"},
		{name: "two-mib-body", url: r.httpsURL("/big"), wantErr: "more than the 1048576 bytes allowed", kind: KindTooLarge},
		{name: "gzip-bomb", url: r.httpsURL("/bomb"), wantErr: "after decompression", kind: KindTooLarge},
		{name: "unasked-encoding", url: r.httpsURL("/brotli"), wantErr: `Content-Encoding "br"`, kind: KindEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.settings
			if s == nil {
				s = settings()
			}
			got, err := r.f.FetchManifest(context.Background(), request(t, tt.url), s)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				if tt.kind != "" {
					var fe *FetchError
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
	r.f.RootCAs = other.Pool
	u := r.httpsURL("/app.json")
	if _, err := r.f.FetchManifest(context.Background(), request(t, u), settings(platform.SettingAllowInvalidNetworkCertificates, 0)); err == nil || !strings.Contains(err.Error(), "unknown authority") {
		t.Fatalf("got %v, want an unknown authority error", err)
	}
	got, err := r.f.FetchManifest(context.Background(), request(t, u), settings())
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
	f := &Fetcher{
		Resolve:  map[string]string{"slow.test:443": ln.Addr().String()},
		Timeouts: Timeouts{Handshake: 300 * time.Millisecond, Headers: 300 * time.Millisecond, Total: time.Second},
	}
	_, err = f.FetchManifest(context.Background(), request(t, "https://slow.test/app.json"), settings())
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Kind != KindNetwork {
		t.Fatalf("got %v, want a network failure", err)
	}
}

func TestFetchCacheFallback(t *testing.T) {
	r := newRig(t)
	failing := false
	r.mux.HandleFunc("/flaky", func(w http.ResponseWriter, _ *http.Request) {
		if failing {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, goodManifest)
	})
	r.mux.HandleFunc("/flaky-to-http", func(w http.ResponseWriter, req *http.Request) {
		if failing {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		http.Redirect(w, req, r.httpURL("/app.json"), http.StatusFound)
	})
	ctx := context.Background()

	if _, err := r.f.FetchManifest(ctx, request(t, r.httpsURL("/never")), settings()); err == nil {
		t.Fatal("404 with no cache: want an error")
	}
	// First a good strict fetch, then the server fails: the cache stands in,
	// trusted as its strict origin allows.
	if _, err := r.f.FetchManifest(ctx, request(t, r.httpsURL("/flaky")), settings()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.f.FetchManifest(ctx, request(t, r.httpsURL("/flaky-to-http")), settings()); err != nil {
		t.Fatal(err)
	}
	failing = true
	got, err := r.f.FetchManifest(ctx, request(t, r.httpsURL("/flaky")), settings())
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode != ModeCache || !got.Strict || len(got.Warnings) == 0 {
		t.Errorf("got mode %s strict %v warnings %v, want cache, strict, a warning", got.Mode, got.Strict, got.Warnings)
	}
	got, err = r.f.FetchManifest(ctx, request(t, r.httpsURL("/flaky-to-http")), settings())
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode != ModeCache || got.Strict {
		t.Errorf("cached copy of a relaxed fetch: got mode %s strict %v, want cache, not strict", got.Mode, got.Strict)
	}
	// A 500 with no cached copy is an error that says so.
	r.f.CacheDir = t.TempDir()
	if _, err := r.f.FetchManifest(ctx, request(t, r.httpsURL("/flaky")), settings()); err == nil || !strings.Contains(err.Error(), "no cached copy") {
		t.Fatalf("got %v, want an error saying there is no cached copy", err)
	}
	// A server that is not there at all.
	r.tls.Close()
	r.f.CacheDir = t.TempDir()
	if _, err := r.f.FetchManifest(ctx, request(t, r.httpsURL("/app.json")), settings()); err == nil || !strings.Contains(err.Error(), "no cached copy") {
		t.Fatalf("got %v, want a network error with no cached copy", err)
	}
}

func TestGetStrictConditional(t *testing.T) {
	r := newRig(t)
	r.mux.HandleFunc("/dos.json", func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, `{}`)
	})
	ctx := context.Background()
	first, err := r.f.GetStrict(ctx, r.httpsURL("/dos.json"), 1024, Validators{})
	if err != nil || string(first.Body) != "{}" || first.Validators.ETag != `"v1"` {
		t.Fatalf("got %+v, %v; want the body and its ETag", first, err)
	}
	again, err := r.f.GetStrict(ctx, r.httpsURL("/dos.json"), 1024, first.Validators)
	if err != nil || !again.NotModified {
		t.Fatalf("got %+v, %v; want NotModified", again, err)
	}
	if _, err := r.f.GetStrict(ctx, r.httpURL("/dos.json"), 1024, Validators{}); err == nil {
		t.Fatal("GetStrict fetched an http: URL")
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
	f := &Fetcher{RootCAs: ca.Pool, Resolve: map[string]string{host + ":" + srv.Port: srv.Addr}}
	req, _ := ParseRequest(srv.URL(host, "/app.json"))
	s := &platform.MachineSettings{}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.FetchManifest(ctx, req, s); err != nil {
			b.Fatal(err)
		}
	}
}
