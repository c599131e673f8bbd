package hostile

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/launcher/service"
)

// apiBodyBound is the local API's bound on a request body (package api's
// maxRequestBody).
const apiBodyBound = 64 << 10

// apiRig is the service of a vendor's world running in-process, per user,
// with its socket in a data directory of its own, and a manifest with a
// signed block that it can decide on.
type apiRig struct {
	v      *vendor
	dir    string // the data directory, which holds the socket
	sock   string
	url    string // the manifest's URL
	opts   launcher.Options
	client *http.Client
}

func newAPIRig(t *testing.T) *apiRig {
	t.Helper()
	r := &apiRig{v: newVendor(t), dir: t.TempDir()}
	r.sock = filepath.Join(r.dir, api.SocketName)
	if len(r.sock) > 100 {
		t.Skipf("socket path %s too long for a Unix socket", r.sock)
	}
	var block json.RawMessage
	srv := r.v.server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write(appManifest(requested, block))
	}), false)
	block = r.v.grantAll(srv.Port, grant)
	r.url = appURL(srv.Port, "/app.json")
	r.opts = r.v.options("", resolveTo(srv.Port))
	svc := &service.Service{Env: launcher.Env{DataDir: r.dir, TLSRoots: r.v.ca.Pool}, PerUser: true}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		svc.Stop(ctx)
	})
	r.client = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", r.sock)
		},
		MaxIdleConnsPerHost: 256,
	}}
	t.Cleanup(r.client.CloseIdleConnections)
	return r
}

// call sends one request and returns the status and the answer: the
// sentence of an error answer, the body of any other.
func (r *apiRig) call(t *testing.T, method, path string, body io.Reader, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://rvm"+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	status, answer, err := readAnswer(resp)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return status, answer
}

// readAnswer reads and closes the body of an answer of the local API: an
// error answer is {"error": "<sentence>"}, and answer is the sentence.
func readAnswer(resp *http.Response) (status int, answer string, err error) {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return 0, "", fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, string(data), nil
	}
	var e struct{ Error string }
	if json.Unmarshal(data, &e) != nil || e.Error == "" {
		return resp.StatusCode, string(data), nil
	}
	return resp.StatusCode, e.Error, nil
}

// rawCall writes request, as it stands, on a connection of its own and
// returns the status of the answer and its status line. It reads the
// answer while the service may still be reading, and not past the status
// line: a service that refuses a request before its end hangs up on the
// rest, which resets the connection.
func (r *apiRig) rawCall(t *testing.T, request string) (int, string) {
	t.Helper()
	c, err := net.Dial("unix", r.sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go io.WriteString(c, request)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer to %.60q: %v", request, err)
	}
	return resp.StatusCode, resp.Status
}

// decides checks that the service still decides on the rig's manifest,
// trusted, through the local API as `rvm verify` uses it.
func (r *apiRig) decides(t *testing.T) {
	t.Helper()
	client := launcher.New(launcher.Env{DataDir: r.dir})
	client.Remote = api.NewClient(r.dir, false, zerolog.Nop())
	doc, err := verifyVia(t, client, r.url, r.opts)
	if err != nil {
		t.Fatalf("the service no longer decides: %v", err)
	}
	if doc.Trust.Status != launcher.StatusTrusted || !doc.Permissions["System.launchExternalProcess"].Granted() {
		t.Fatalf("got trust %s (%s) and %+v, want the signed block trusted and its grant", doc.Trust.Status, doc.Trust.Reason, doc.Permissions)
	}
}

// verifyBody is the JSON of a verify request for url.
func (r *apiRig) verifyBody(url string) string {
	b, _ := json.Marshal(map[string]any{"url": url, "options": r.opts})
	return string(b)
}

// TestAPIRefusesBadRequests: requests over the size bounds and malformed
// ones get an error status and a sentence that names the problem; the
// service keeps deciding for everyone else.
func TestAPIRefusesBadRequests(t *testing.T) {
	r := newAPIRig(t)
	for _, tt := range []struct {
		name   string
		method string
		path   string
		body   string
		// raw is the whole request, sent as it stands.
		raw    string
		status int
		want   string
	}{
		{name: "body-one-byte-over", method: "POST", path: "/v1/verify", body: `{"url": "` + strings.Repeat("a", apiBodyBound-10) + `"}`, status: 413, want: "request larger than 65536 bytes"},
		{name: "body-of-3-mib", method: "POST", path: "/v1/verify", body: `{"url": "` + hugeBase64(3<<20) + `"}`, status: 413, want: "request larger than 65536 bytes"},
		{name: "body-of-white-space-after-the-object", method: "POST", path: "/v1/verify", body: `{"url": "ftp://x.test/"}` + strings.Repeat(" ", apiBodyBound), status: 413, want: "request larger than 65536 bytes"},
		{name: "headers-of-64-kib", raw: "GET /v1/status HTTP/1.1\r\nHost: rvm\r\nX-Pad: " + strings.Repeat("p", 64<<10) + "\r\n\r\n", status: 431, want: "Request Header Fields Too Large"},
		{name: "url-of-10000-bytes", method: "POST", path: "/v1/verify", body: `{"url": "https://apps.acme.test/` + strings.Repeat("a", 10000) + `"}`, status: 422, want: "URL is longer than 8192 bytes"},
		{name: "truncated", method: "POST", path: "/v1/verify", body: `{"url": `, status: 400, want: "request is not the JSON of {url, options}"},
		{name: "an-array", method: "POST", path: "/v1/verify", body: `["https://apps.acme.test/"]`, status: 400, want: "request is not the JSON of {url, options}"},
		{name: "a-string", method: "POST", path: "/v1/verify", body: `"https://apps.acme.test/"`, status: 400, want: "request is not the JSON of {url, options}"},
		{name: "number-for-the-url", method: "POST", path: "/v1/verify", body: `{"url": 443}`, status: 400, want: "request is not the JSON of {url, options}"},
		{name: "string-for-the-resolve-list", method: "POST", path: "/v1/verify", body: `{"url": "https://apps.acme.test/", "options": {"resolve": "apps.acme.test:443:127.0.0.1"}}`, status: 400, want: "request is not the JSON of {url, options}"},
		{name: "unknown-option", method: "POST", path: "/v1/verify", body: `{"url": "https://apps.acme.test/", "options": {"insecure": true}}`, status: 400, want: "(at /options/insecure): unknown"},
		{name: "bad-resolve-entry", method: "POST", path: "/v1/verify", body: `{"url": "https://apps.acme.test/", "options": {"resolve": ["apps.acme.test:443:nowhere"]}}`, status: 400, want: `"nowhere" is not an IP address`},
		{name: "trailing-garbage", method: "POST", path: "/v1/verify", body: `{"url": "ftp://x.test/"} garbage`, status: 400, want: "request is not the JSON of {url, options}"},
		{name: "a-second-object", method: "POST", path: "/v1/verify", body: `{"url": "ftp://x.test/"} {"url": "ftp://y.test/"}`, status: 400, want: "data after the JSON object"},
		{name: "null", method: "POST", path: "/v1/verify", body: `null`, status: 422, want: "manifest: empty URL"},
		{name: "empty", method: "POST", path: "/v1/launch", body: ``, status: 400, want: "request is not the JSON of {url, options}"},
		{name: "scheme-not-supported", method: "POST", path: "/v1/launch", body: `{"url": "file:///etc/passwd"}`, status: 422, want: `scheme "file" is not supported`},
		{name: "unknown-endpoint", method: "DELETE", path: "/v1/status", status: 404, want: "no such endpoint: DELETE /v1/status"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.NewReader(tt.body)
			var status int
			var answer string
			n := allocated(func() {
				if tt.raw != "" {
					status, answer = r.rawCall(t, tt.raw)
					return
				}
				status, answer = r.call(t, tt.method, tt.path, body, nil)
			})
			if status != tt.status || !strings.Contains(answer, tt.want) {
				t.Errorf("got %d %q, want %d with %q", status, answer, tt.status, tt.want)
			}
			// The body's own size (and the client's copy of it) aside, the
			// service reads no more than its bound.
			if bound := uint64(len(tt.body)+len(tt.raw)) + 16<<20; n > bound {
				t.Errorf("the request cost %d MiB, want at most %d MiB", n>>20, bound>>20)
			}
		})
	}
	r.decides(t)
}

// TestAPIFlood sends 10,000 requests, 200 at a time, cheap and bad ones
// with a real decision every 100th, half of them each on a connection of
// its own: every one gets its answer, and afterwards the service holds no
// more goroutines or memory than before and still decides.
func TestAPIFlood(t *testing.T) {
	r := newAPIRig(t)
	r.decides(t)
	fresh := &http.Client{Transport: &http.Transport{
		DialContext:       r.client.Transport.(*http.Transport).DialContext,
		DisableKeepAlives: true,
	}}
	type request struct {
		method, path, body string
		status             int
		want               string
	}
	kinds := []request{
		{"GET", "/v1/status", "", 200, `"pid"`},
		{"POST", "/v1/verify", `{"url": `, 400, "request is not the JSON"},
		{"GET", "/v2/nothing", "", 404, "no such endpoint"},
		{"POST", "/v1/verify", `{"url": "ftp://x.test/a.json"}`, 422, `scheme "ftp"`},
		{"POST", "/v1/verify", `{"url": "https://x.test/", "options": {"platform": "beos"}}`, 400, "beos"},
	}
	decision := request{"POST", "/v1/verify", r.verifyBody(r.url), 200, `"status":"trusted"`}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutines := runtime.NumGoroutine()

	const total, parallel = 10000, 200
	var counted atomic.Int64 // the requests that the service counts: all but the 404s
	jobs := make(chan int)
	failures := make(chan string, total)
	var wg sync.WaitGroup
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				q := kinds[i%len(kinds)]
				if i%100 == 0 {
					q = decision
				}
				if q.status != http.StatusNotFound {
					counted.Add(1)
				}
				c := r.client
				if i%2 == 1 {
					c = fresh
				}
				req, _ := http.NewRequest(q.method, "http://rvm"+q.path, strings.NewReader(q.body))
				resp, err := c.Do(req)
				if err != nil {
					failures <- fmt.Sprintf("request %d (%s %s): %v", i, q.method, q.path, err)
					continue
				}
				status, answer, err := readAnswer(resp)
				if err != nil || status != q.status || !strings.Contains(answer, q.want) {
					failures <- fmt.Sprintf("request %d (%s %s): got %d %.200s (%v), want %d with %q", i, q.method, q.path, status, answer, err, q.status, q.want)
				}
			}
		}()
	}
	ends(t, "the flood", func() {
		for i := range total {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
	})
	close(failures)
	n := 0
	for f := range failures {
		if n++; n <= 10 {
			t.Error(f)
		}
	}
	if n > 0 {
		t.Fatalf("%d of %d requests failed", n, total)
	}

	// Once the clients hang up, the service's connections end.
	r.client.CloseIdleConnections()
	var after runtime.MemStats
	ends(t, "the service letting go of the flood's connections", func() {
		for runtime.NumGoroutine() > goroutines+20 {
			time.Sleep(20 * time.Millisecond)
		}
	})
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 32<<20 {
		t.Errorf("the heap grew by %d MiB over the flood, want at most 32 MiB", grown>>20)
	}
	_, status := r.call(t, "GET", "/v1/status", nil, nil)
	var s struct{ Requests int }
	if err := json.Unmarshal([]byte(status), &s); err != nil || int64(s.Requests) < counted.Load() {
		t.Errorf("status: got %s, want at least %d requests counted", status, counted.Load())
	}
	r.decides(t)
}

// TestAPIStalledRequests: clients that send half their headers, or their
// headers and half their body, and then nothing, hold a connection each
// and nothing else: the service answers everyone else meanwhile, ends each
// stalled request at its read timeout, and still decides afterwards.
func TestAPIStalledRequests(t *testing.T) {
	t.Parallel()
	r := newAPIRig(t)
	body := r.verifyBody(r.url)
	// Each partial request, and what the service says when it gives up on
	// it: net/http's own answer to headers that never end, the local
	// API's to a body that never ends.
	stalls := map[string]struct{ partial, want string }{
		"half-the-headers": {"POST /v1/verify HTTP/1.1\r\nHost: rvm\r\nContent-Ty", "400 Bad Request"},
		"half-the-body": {
			fmt.Sprintf("POST /v1/verify HTTP/1.1\r\nHost: rvm\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:len(body)/2]),
			"request body did not arrive within 10s",
		},
	}
	type stalled struct {
		kind, want string
		conn       net.Conn
	}
	var conns []stalled
	for kind, stall := range stalls {
		for range 50 {
			c, err := net.Dial("unix", r.sock)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			if _, err := io.WriteString(c, stall.partial); err != nil {
				t.Fatal(err)
			}
			conns = append(conns, stalled{kind, stall.want, c})
		}
	}
	// Everyone else is served while they stall.
	if status, answer := r.call(t, "GET", "/v1/status", nil, nil); status != 200 {
		t.Fatalf("status while 100 requests stall: got %d %s", status, answer)
	}
	r.decides(t)

	// Each stalled request ends at the service's read timeout, with an
	// error that says why.
	for _, s := range conns {
		var resp *http.Response
		var err error
		ends(t, "a request stalled on "+s.kind, func() { resp, err = http.ReadResponse(bufio.NewReader(s.conn), nil) })
		if err != nil {
			t.Fatalf("%s: got %v, want an answer", s.kind, err)
		}
		status, answer, err := readAnswer(resp)
		if err != nil && status == 0 {
			t.Fatalf("%s: %v", s.kind, err)
		}
		if status < 400 || !strings.Contains(answer, s.want) {
			t.Errorf("%s: got %d %q, want an error with %q", s.kind, status, answer, s.want)
		}
	}
	r.decides(t)
}
