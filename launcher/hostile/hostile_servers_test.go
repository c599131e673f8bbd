package hostile

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions"
)

// fetchBound is what a fetch may allocate against a server that sends too
// much: a few copies of the 1 MiB body bound and the 64 KiB header bound,
// with room for TLS and HTTP/2 buffers. Unbounded, the endless body and
// the gzip bomb would cost gigabytes before the fetch's timeout.
const fetchBound = 16 << 20

// serverAttack is a vendor server that misbehaves at the HTTP level. Its
// handler signals on its return (through hungUp) so that the test can
// check that the fetch let go of the connection.
type serverAttack struct {
	name    string
	handler func(w http.ResponseWriter, r *http.Request)
	kind    fetch.Kind
	want    []string
	// h1Want is what the error also says over HTTP/1.1, h2Want over
	// HTTP/2 (where Go reports oversized headers by the bare error code of
	// the connection, which rvm explains).
	h1Want, h2Want []string
	// measured asks for the allocation check: the attack would cost
	// unbounded memory if a bound were missing.
	measured bool
	// slow marks an attack that runs into a timeout: it runs in parallel
	// with the other slow tests (see TestSlowServerAttacks).
	slow bool
}

// endless writes chunk until the client goes away.
func endless(w io.Writer, chunk []byte) {
	for {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

var serverAttacks = []serverAttack{
	{
		name: "body-never-ends-slowly",
		handler: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"runtime": {"version": "`)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			// Leave the body unfinished: no last chunk, no END_STREAM.
			panic(http.ErrAbortHandler)
		},
		slow: true,
		kind: fetch.KindNetwork,
		want: []string{"timed out", "no cached copy to fall back on"},
	},
	{
		name: "body-never-ends-quickly",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, `{"x": "`)
			endless(w, []byte(strings.Repeat("a", 32<<10)))
		},
		kind:     fetch.KindTooLarge,
		want:     []string{"more than the 1048576 bytes allowed"},
		measured: true,
	},
	{
		name: "gzip-bomb",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/json")
			zw := gzip.NewWriter(w)
			io.WriteString(zw, `{"x": "`)
			endless(zw, make([]byte, 1<<20))
		},
		kind:     fetch.KindTooLarge,
		want:     []string{"more than the 1048576 bytes allowed (after decompression)"},
		measured: true,
	},
	{
		name: "gzip-twice",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "gzip, gzip")
			endless(w, make([]byte, 32<<10))
		},
		kind: fetch.KindEncoding,
		want: []string{`Content-Encoding "gzip, gzip" was not asked for`},
	},
	{
		name: "deflate-not-asked-for",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "deflate")
			endless(w, make([]byte, 32<<10))
		},
		kind: fetch.KindEncoding,
		want: []string{`Content-Encoding "deflate" was not asked for`},
	},
	{
		name: "one-header-of-100-kb",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Pad", strings.Repeat("p", 100<<10))
			io.WriteString(w, `{}`)
		},
		kind:     fetch.KindNetwork,
		want:     []string{"no cached copy to fall back on"},
		h1Want:   []string{"server response headers exceeded 65536 bytes"},
		h2Want:   []string{"HTTP/2 error", "headers over 64 KiB"},
		measured: true,
	},
	{
		name: "100-headers-of-1-kb",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			for i := range 100 {
				w.Header().Set(fmt.Sprintf("X-Pad-%d", i), strings.Repeat("p", 1<<10))
			}
			io.WriteString(w, `{}`)
		},
		kind:     fetch.KindNetwork,
		want:     []string{"no cached copy to fall back on"},
		h1Want:   []string{"server response headers exceeded 65536 bytes"},
		h2Want:   []string{"HTTP/2 error", "headers over 64 KiB"},
		measured: true,
	},
}

// TestServerAttacks fetches a manifest from each misbehaving server that
// is not slow, over HTTP/1.1 and HTTP/2, with the strict fetcher: each
// fetch ends with an error of the right kind that names the URL and the
// problem, allocates within fetchBound, and lets go of the connection.
func TestServerAttacks(t *testing.T) {
	v := newVendor(t)
	for _, a := range serverAttacks {
		if !a.slow {
			runServerAttack(t, v, a)
		}
	}
}

// TestSlowServerAttacks is TestServerAttacks for the attacks that run into
// a timeout (short ones, see shortTimeouts), in parallel.
func TestSlowServerAttacks(t *testing.T) {
	t.Parallel()
	v := newVendor(t)
	for _, a := range serverAttacks {
		if a.slow {
			runServerAttack(t, v, a)
		}
	}
}

// runServerAttack runs a over HTTP/1.1 and HTTP/2.
func runServerAttack(t *testing.T, v *vendor, a serverAttack) {
	for _, h2 := range []bool{false, true} {
		name := a.name + "-http1"
		if h2 {
			name = a.name + "-http2"
		}
		t.Run(name, func(t *testing.T) {
			if a.slow {
				t.Parallel()
			}
			proto := make(chan string, 1)
			hungUp := make(chan struct{}, 1)
			srv := v.server(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer func() {
					select {
					case hungUp <- struct{}{}:
					default:
					}
				}()
				select {
				case proto <- r.Proto:
				default:
				}
				a.handler(w, r)
			}), h2)
			f := v.fetcher(resolveTo(srv.Port))
			url := appURL(srv.Port, "/app.json")
			req, err := manifest.ParseRequest(url)
			if err != nil {
				t.Fatal(err)
			}
			var fetchErr error
			n := allocated(func() {
				ends(t, "fetch of "+url, func() {
					_, fetchErr = f.FetchManifest(context.Background(), req, unsetPolicy)
				})
			})
			want := append([]string{url}, a.want...)
			if h2 {
				want = append(want, a.h2Want...)
			} else {
				want = append(want, a.h1Want...)
			}
			wantError(t, fetchErr, want...)
			var fe *fetch.FetchError
			if !errors.As(fetchErr, &fe) || fe.Kind != a.kind {
				t.Errorf("got %#v, want a FetchError of kind %s", fetchErr, a.kind)
			}
			if a.measured {
				t.Logf("the fetch allocated %d KiB", n>>10)
				if n > fetchBound {
					t.Errorf("the fetch allocated %d MiB, want at most %d MiB", n>>20, fetchBound>>20)
				}
			}
			wantProto := "HTTP/1.1"
			if h2 {
				wantProto = "HTTP/2.0"
			}
			if got := <-proto; got != wantProto {
				t.Errorf("the server saw %s, want %s", got, wantProto)
			}
			ends(t, "the server's handler (the fetch did not let go of the connection)", func() { <-hungUp })
		})
	}
}

// TestServerTricklesHeaders: a server that sends its response one byte a
// second never gets past the header timeout.
func TestServerTricklesHeaders(t *testing.T) {
	t.Parallel()
	v := newVendor(t)
	cert, err := v.ca.Issue(appHost)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var sent atomic.Int64
	hungUp := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		// The client hanging up ends the reader; the writer then stops.
		gone := make(chan struct{})
		go func() {
			io.Copy(io.Discard, c)
			close(gone)
		}()
		response := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + strings.Repeat("s", 1<<10)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for i := 0; ; i++ {
			if _, err := c.Write([]byte{response[i%len(response)]}); err != nil {
				break
			}
			sent.Add(1)
			select {
			case <-tick.C:
			case <-gone:
				close(hungUp)
				return
			}
		}
		<-gone
		close(hungUp)
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	url := appURL(fmt.Sprint(port), "/app.json")
	f := v.fetcher(resolveTo(fmt.Sprint(port)))
	// Only the header timeout may end this fetch: were it missing, the
	// watchdog would call the fetch a hang long before this total.
	f.HTTP.Timeouts.Total = time.Hour
	req, err := manifest.ParseRequest(url)
	if err != nil {
		t.Fatal(err)
	}
	var fetchErr error
	ends(t, "fetch of "+url, func() {
		_, fetchErr = f.FetchManifest(context.Background(), req, unsetPolicy)
	})
	wantError(t, fetchErr, url, "timed out", "no cached copy to fall back on")
	ends(t, "the trickling server (the fetch did not hang up)", func() { <-hungUp })
	if n := sent.Load(); n == 0 || n > 60 {
		t.Errorf("the server sent %d bytes one a second, want a few before the header timeout", n)
	}
}

// TestServerRedirectLoops: loops end at the redirect bound, in the
// launcher too, with no decision.
func TestServerRedirectLoops(t *testing.T) {
	v := newVendor(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/pong?x=1", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/pong", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ping", http.StatusTemporaryRedirect)
	})
	var hops atomic.Int64
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hops.Add(1)
		mux.ServeHTTP(w, r)
	})
	srv := v.server(counted, true)
	l := v.launcher()
	o := v.options("", resolveTo(srv.Port))
	for _, path := range []string{"/loop", "/ping"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			hops.Store(0)
			doc, err := verify(t, l, appURL(srv.Port, path), o)
			wantError(t, err, "more than 10 redirects", appHost)
			if doc != nil {
				t.Errorf("got a decision %+v, want none", doc)
			}
			if n := hops.Load(); n != fetch.MaxRedirects+1 {
				t.Errorf("the server saw %d requests, want %d (the first and %d redirects)", n, fetch.MaxRedirects+1, fetch.MaxRedirects)
			}
		})
	}
}

// TestServerRedirectsToHTTP: a chain of HTTPS redirects that ends in
// http:. A manifest reached that way is never trusted, though its block is
// validly signed for its URL: where the settings allow the downgrade it
// arrives relaxed and untrusted (insecure-fetch); where they forbid it, no
// decision is made and the error names the setting and its source.
func TestServerRedirectsToHTTP(t *testing.T) {
	v := newVendor(t)
	// The http: end of the chain.
	plain := &http.Server{ReadHeaderTimeout: 5 * time.Second}
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	plainPort := fmt.Sprint(pl.Addr().(*net.TCPAddr).Port)
	var block []byte
	plain.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write(appManifest(`{"System": {"launchExternalProcess": true}}`, block))
	})
	go plain.Serve(pl)
	t.Cleanup(func() { plain.Close() })
	mux := http.NewServeMux()
	mux.HandleFunc("/start", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/hop", http.StatusFound) })
	mux.HandleFunc("/hop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+appHost+":"+plainPort+"/app.json", http.StatusFound)
	})
	srv := v.server(mux, false)
	// A block that would grant at any port, over https or (were it ever
	// read) http.
	block = v.sign(v.config(`[{"name": "Acme", "match": ["https://*.acme.test:` + srv.Port + `/*", "https://*.acme.test:` + plainPort + `/*"], "permissions": {"System": {"launchExternalProcess": true}}}]`))
	url := appURL(srv.Port, "/start")
	l := v.launcher()

	t.Run("allowed-arrives-untrusted", func(t *testing.T) {
		doc, err := verify(t, l, url, v.options("", resolveTo(srv.Port), resolveTo(plainPort)))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Fetch.Mode != manifest.ModeRelaxed || doc.Trust.Status != launcher.StatusUntrusted || doc.Trust.Code != string(trust.InsecureFetch) {
			t.Errorf("got fetch %s, trust %s (%s), want relaxed and untrusted (insecure-fetch)", doc.Fetch.Mode, doc.Trust.Status, doc.Trust.Code)
		}
		if !strings.HasPrefix(doc.ManifestURL, "http://") || !strings.Contains(strings.Join(doc.Fetch.Warnings, " "), "downgrades HTTPS to http:") {
			t.Errorf("got manifest URL %s and warnings %q, want the http: URL and a warning about the downgrade", doc.ManifestURL, doc.Fetch.Warnings)
		}
		if d := doc.Permissions["System.launchExternalProcess"]; d.Granted() || d.Source == permissions.SourceTrusted {
			t.Errorf("System.launchExternalProcess: got %+v, want nothing from the discarded block", d)
		}
	})
	t.Run("forbidden-names-the-setting", func(t *testing.T) {
		o := v.options(`{"allowHttpsToHttpNetworkRedirects": 0}`, resolveTo(srv.Port), resolveTo(plainPort))
		doc, err := verify(t, l, url, o)
		wantError(t, err, "downgrades HTTPS to http:", "allowHttpsToHttpNetworkRedirects is 0 in "+o.MachineSettings)
		if doc != nil {
			t.Errorf("got a decision, want none")
		}
	})
}

// TestServerTLS10: a server that speaks only TLS 1.0 is refused with an
// error that says so. It is not a failure that a relaxed retry may paper
// over, even where every HTTPS setting allows relaxing, nor one that a
// cached copy may stand in for.
func TestServerTLS10(t *testing.T) {
	v := newVendor(t)
	var handshakes atomic.Int64
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS10,
		MaxVersion: tls.VersionTLS10,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			handshakes.Add(1)
			return nil, nil
		},
	}
	srv := v.serverTLS(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write(appManifest(`{"System": {"launchExternalProcess": true}}`, nil))
	}), false, cfg)
	// The server works for a client that still speaks TLS 1.0: what rvm
	// refuses is the version.
	conn, err := tls.Dial("tcp", srv.Addr, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10, ServerName: appHost, RootCAs: v.ca.Pool})
	if err != nil {
		t.Fatalf("a TLS 1.0 client could not reach the TLS 1.0 server: %v", err)
	}
	conn.Close()
	url := appURL(srv.Port, "/app.json")
	l := v.launcher()
	for _, tt := range []struct{ name, settings string }{
		{"no-settings", ""},
		{"every-relaxation-allowed", `{"allowInvalidNetworkCertificates": 1, "allowHttpsToHttpNetworkRedirects": 1, "allowHttpToHttpsNetworkRedirects": 1}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			handshakes.Store(0)
			doc, err := verify(t, l, url, v.options(tt.settings, resolveTo(srv.Port)))
			wantError(t, err, url, "protocol version")
			if doc != nil {
				t.Errorf("got a decision, want none")
			}
			var fe *fetch.FetchError
			if !errors.As(err, &fe) || fe.Kind != fetch.KindTLS || fe.Kind.Security() {
				t.Errorf("got %#v, want a FetchError of kind %s, which no setting relaxes", err, fetch.KindTLS)
			}
			if n := handshakes.Load(); n != 1 {
				t.Errorf("the server saw %d handshakes, want 1 (no relaxed retry)", n)
			}
		})
	}
}

// TestServerCertificateForAnotherHost: the vendor's server shows a valid
// certificate from a trusted CA, for another host. The signed block is
// never trusted: relaxed where the settings allow it, refused with the
// setting named where they do not.
func TestServerCertificateForAnotherHost(t *testing.T) {
	v := newVendor(t)
	var block []byte
	srv := v.server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write(appManifest(`{"System": {"launchExternalProcess": true}}`, block))
	}), true, "evil.test")
	block = v.grantAll(srv.Port, `{"System": {"launchExternalProcess": true}}`)
	url := appURL(srv.Port, "/app.json")
	l := v.launcher()

	t.Run("relaxed-untrusted", func(t *testing.T) {
		doc, err := verify(t, l, url, v.options("", resolveTo(srv.Port)))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Fetch.Mode != manifest.ModeRelaxed || doc.Trust.Code != string(trust.InsecureFetch) {
			t.Errorf("got fetch %s, trust %s (%s), want relaxed and insecure-fetch", doc.Fetch.Mode, doc.Trust.Status, doc.Trust.Code)
		}
		if warnings := strings.Join(doc.Fetch.Warnings, " "); !strings.Contains(warnings, "evil.test") {
			t.Errorf("warnings %q do not say whose certificate it was", warnings)
		}
		if d := doc.Permissions["System.launchExternalProcess"]; d.Granted() {
			t.Errorf("System.launchExternalProcess: got %+v, want no grant", d)
		}
	})
	t.Run("forbidden-names-the-setting", func(t *testing.T) {
		o := v.options(`{"allowInvalidNetworkCertificates": 0}`, resolveTo(srv.Port))
		doc, err := verify(t, l, url, o)
		wantError(t, err, url, "evil.test", "allowInvalidNetworkCertificates is 0 in "+o.MachineSettings)
		if doc != nil {
			t.Errorf("got a decision, want none")
		}
	})
}

// TestServerClosesMidBody: a server that drops the connection half-way
// through the body is a network failure: the last copy fetched strictly
// stands in, and its block is verified again and trusted; with no cached
// copy the error says what happened and that there was none.
func TestServerClosesMidBody(t *testing.T) {
	v := newVendor(t)
	for _, h2 := range []bool{false, true} {
		name := "http1"
		if h2 {
			name = "http2"
		}
		t.Run(name, func(t *testing.T) {
			var cut atomic.Bool
			var body []byte
			srv := v.server(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !cut.Load() {
					w.Write(body)
					return
				}
				w.Header().Set("Content-Length", fmt.Sprint(len(body)))
				w.Write(body[:len(body)/2])
				w.(http.Flusher).Flush()
				if hj, ok := w.(http.Hijacker); ok {
					c, _, _ := hj.Hijack()
					c.Close()
					return
				}
				panic(http.ErrAbortHandler) // HTTP/2: reset the stream
			}), h2)
			body = appManifest(`{"System": {"launchExternalProcess": true, "readRegistryValue": true}}`, v.grantAll(srv.Port, `{"System": {"launchExternalProcess": true}}`))
			url := appURL(srv.Port, "/app.json")
			o := v.options("", resolveTo(srv.Port))
			l := v.launcher()
			first, err := verify(t, l, url, o)
			if err != nil || first.Trust.Status != launcher.StatusTrusted {
				t.Fatalf("the first, whole fetch: %v, %+v", err, first)
			}
			cut.Store(true)

			doc, err := verify(t, l, url, o)
			if err != nil {
				t.Fatalf("with a cached copy: %v", err)
			}
			if doc.Fetch.Mode != manifest.ModeCache || doc.Trust.Status != launcher.StatusTrusted {
				t.Errorf("got fetch %s, trust %s (%s), want the cached strict copy, trusted", doc.Fetch.Mode, doc.Trust.Status, doc.Trust.Reason)
			}
			if d := doc.Permissions["System.launchExternalProcess"]; d.Source != permissions.SourceTrusted {
				t.Errorf("System.launchExternalProcess: got %+v, want granted by the block of the cached copy", d)
			}
			if w := strings.Join(doc.Fetch.Warnings, " "); !strings.Contains(w, "using the copy first stored at") {
				t.Errorf("warnings %q do not say that the cached copy stands in", w)
			}

			_, err = verify(t, v.launcher(), url, o)
			wantError(t, err, url, "no cached copy to fall back on")
			var fe *fetch.FetchError
			if !errors.As(err, &fe) || fe.Kind != fetch.KindNetwork {
				t.Errorf("got %#v, want a FetchError of kind network", err)
			}
		})
	}
}

// TestServerCachedCopyAfterInsecureFetch: when the network fails, the
// cached copy stands in, and only a copy from a strict fetch is ever
// cached (SPEC 3): a server that shows another host's certificate, then
// closes mid-body, finds no copy of its relaxed answer to fall back on;
// after a strict fetch, the same attack gets the strict copy, which counts
// as strictly fetched (its block verified again now).
func TestServerCachedCopyAfterInsecureFetch(t *testing.T) {
	v := newVendor(t)
	good, err := v.ca.Issue(appHost)
	if err != nil {
		t.Fatal(err)
	}
	evil, err := v.ca.Issue("evil.test")
	if err != nil {
		t.Fatal(err)
	}
	var cert atomic.Pointer[tls.Certificate]
	var cut atomic.Bool
	var body []byte
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return cert.Load(), nil }}
	srv := v.serverTLS(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !cut.Load() {
			w.Write(body)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body[:len(body)/2])
		panic(http.ErrAbortHandler)
	}), false, cfg)
	body = appManifest(requested, v.grantAll(srv.Port, grant))
	url := appURL(srv.Port, "/app.json")
	o := v.options("", resolveTo(srv.Port))
	// serve switches the server's certificate and behaviour; connections
	// made before are closed, so that the next fetch sees the change.
	serve := func(c tls.Certificate, cutShort bool) {
		cert.Store(&c)
		cut.Store(cutShort)
		srv.CloseClientConnections()
	}

	for _, tt := range []struct {
		name        string
		first       tls.Certificate
		firstMode   string
		firstStatus string
	}{
		{"copy-from-a-relaxed-fetch", evil, manifest.ModeRelaxed, launcher.StatusUntrusted},
		{"strict-copy-after-a-certificate-failure", good, manifest.ModeStrict, launcher.StatusTrusted},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := v.launcher()
			serve(tt.first, false)
			doc, err := verify(t, l, url, o)
			if err != nil || doc.Fetch.Mode != tt.firstMode || doc.Trust.Status != tt.firstStatus {
				t.Fatalf("the first fetch: got %v, %+v; want %s and %s", err, doc, tt.firstMode, tt.firstStatus)
			}
			serve(evil, true)
			doc, err = verify(t, l, url, o)
			if tt.firstMode == manifest.ModeRelaxed {
				wantError(t, err, url, "no cached copy to fall back on")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if doc.Fetch.Mode != manifest.ModeCache || doc.Trust.Status != launcher.StatusTrusted {
				t.Errorf("got fetch %s, trust %s (%s), want the cached strict copy, trusted", doc.Fetch.Mode, doc.Trust.Status, doc.Trust.Code)
			}
		})
	}
}
