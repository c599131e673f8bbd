package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/permissions"
)

func TestMain(m *testing.M) { launchertest.Main(m) }

// startServer serves the local API for a Launcher of the world's machine
// (per user or, as a system service does, to every local user) on a socket
// in the world's data directory, until the test ends. The world's Launcher
// becomes its client; the returned client speaks HTTP to the socket. The
// server's Launcher has the world's machine, as edit changes it.
func startServer(t testing.TB, w *launchertest.World, perUser bool, edit ...func(*launcher.Env)) (*Server, *http.Client) {
	t.Helper()
	if len(w.Env.DataDir) > 90 {
		t.Skipf("data directory %s too long for a Unix socket path", w.Env.DataDir)
	}
	ln, err := Listen(w.Env.DataDir, perUser)
	if err != nil {
		t.Fatal(err)
	}
	env := w.Env
	for _, e := range edit {
		e(&env)
	}
	srv := &Server{L: launcher.New(env), PerUser: perUser, Log: w.Env.Log}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	w.L.Remote = NewClient(w.Env.DataDir, false, zerolog.Nop())
	sock := filepath.Join(w.Env.DataDir, SocketName)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	return srv, client
}

// verifyVia is VerifyVia of url with w.Opts.
func verifyVia(t testing.TB, w *launchertest.World, url string) (*launcher.Document, error) {
	t.Helper()
	r, err := launcher.NewRequest(url, w.Opts, "linux")
	if err != nil {
		return nil, err
	}
	return w.L.VerifyVia(context.Background(), r)
}

func TestAPI(t *testing.T) {
	w := launchertest.NewWorld(t)
	srv, client := startServer(t, w, true)
	sock := filepath.Join(w.Env.DataDir, SocketName)
	info, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("socket mode: got %v, want 0600", info.Mode().Perm())
	}
	url := w.Publish("/blotter/app.json", launchertest.Requested, nil)

	t.Run("verify-via-service", func(t *testing.T) {
		before := srv.requests.Load()
		doc, err := verifyVia(t, w, url)
		if err != nil {
			t.Fatal(err)
		}
		if srv.requests.Load() != before+1 {
			t.Errorf("VerifyVia did not go through the service")
		}
		launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Prompt, permissions.SourceDefault)
	})
	t.Run("errors-come-back", func(t *testing.T) {
		// An error of the service is the client's error. (The client is
		// asked directly: launcher.NewRequest refuses this URL before any
		// service is asked.)
		before := srv.requests.Load()
		_, err := w.L.Remote.Decide(context.Background(), launcher.RemoteCall{URL: "ftp://x.test/a.json", Options: w.Opts})
		if err == nil || !strings.Contains(err.Error(), `scheme "ftp"`) {
			t.Fatalf("got %v, want the service's error naming the scheme", err)
		}
		if srv.requests.Load() != before+1 {
			t.Errorf("the error did not come from the service")
		}
	})
	t.Run("status-via-client", func(t *testing.T) {
		st, err := NewClient(w.Env.DataDir, false, zerolog.Nop()).Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Version != 1 || st.PID != os.Getpid() || st.DataDir != w.Env.DataDir || st.Requests == 0 {
			t.Errorf("got %+v, want version 1, pid %d, data directory %s and the requests counted", st, os.Getpid(), w.Env.DataDir)
		}
	})
	t.Run("status-of-no-service", func(t *testing.T) {
		sock := filepath.Join(t.TempDir(), SocketName)
		_, err := (&Client{Sockets: []string{sock}}).Status(context.Background())
		if !errors.Is(err, launcher.ErrNoService) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), sock) {
			t.Errorf("got %v, want no service, nothing at %s", err, sock)
		}
	})
	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"status", "GET", "/v1/status", "", 200, `"pid"`},
		{"settings", "GET", "/v1/settings", "", 200, `"machine"`},
		{"malformed-json", "POST", "/v1/verify", `{"url": `, 400, "request is not the JSON"},
		{"unknown-field", "POST", "/v1/verify", `{"url": "https://a.test/", "evil": 1}`, 400, "(at /evil): unknown"},
		{"bad-option", "POST", "/v1/verify", `{"url": "https://a.test/", "options": {"platform": "beos"}}`, 400, "beos"},
		{"environment-not-carried", "POST", "/v1/verify", `{"url": "https://a.test/", "options": {"environment": {"LD_PRELOAD": "/tmp/x.so"}}}`, 400, `\"LD_PRELOAD\" is not one a request carries`},
		{"bad-proxy", "POST", "/v1/verify", `{"url": "https://a.test/", "options": {"environment": {"HTTPS_PROXY": "http://[::1"}}}`, 400, "HTTPS_PROXY"},
		{"too-large", "POST", "/v1/verify", `{"url": "` + strings.Repeat("a", maxRequestBody) + `"}`, 413, "larger than"},
		{"unknown-endpoint", "GET", "/v2/launch", "", 404, "no such endpoint"},
		{"wrong-method", "GET", "/v1/verify", "", 404, "no such endpoint"},
		{"no-decision", "POST", "/v1/verify", `{"url": "https://apps.acme.test:1/nothing"}`, 422, "apps.acme.test"},
		{"runtimes-not-versions", "POST", "/v1/verify", `{"url": "https://a.test/", "runtimes": {"installed": ["38.1.0.0", "../38"]}}`, 400, `launcher: runtimes: installed \"../38\" is not an exact version`},
		{"runtimes-bad-channel", "POST", "/v1/verify", `{"url": "https://a.test/", "runtimes": {"installed": [], "channels": {"../x": "1.0"}}}`, 400, `launcher: runtimes: \"../x\" is not a channel name`},
		{"runtimes-long-channel", "POST", "/v1/verify", `{"url": "https://a.test/", "runtimes": {"installed": [], "channels": {"stable": "` + strings.Repeat("1", 65) + `"}}}`, 400, `channel stable: more than 64 bytes`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, "http://rvm"+tt.path, strings.NewReader(tt.body))
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body strings.Builder
			buf := make([]byte, 4096)
			n, _ := resp.Body.Read(buf)
			body.Write(buf[:n])
			if resp.StatusCode != tt.status || !strings.Contains(body.String(), tt.want) {
				t.Errorf("got %d %s, want %d with %q", resp.StatusCode, body.String(), tt.status, tt.want)
			}
		})
	}
}

// BenchmarkLocalAPIVerifyCached is one round trip over the socket for a
// decision on a signed manifest whose block is in the verified-block cache
// (the manifest itself is fetched from loopback each time, as at every
// launch). After the loop it measures 1,000 concurrent clients once and
// reports their requests per second and p99 latency.
func BenchmarkLocalAPIVerifyCached(b *testing.B) {
	w := launchertest.NewWorld(b)
	srv, _ := startServer(b, w, true)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.Pattern("/blotter/"))
	url := w.Publish("/blotter/app.json", launchertest.Requested, w.Block(apps, "linux"))
	verify := func() {
		doc, err := verifyVia(b, w, url)
		if err != nil || doc.Trust.Status != launcher.StatusTrusted {
			b.Fatalf("VerifyVia: %v (%+v)", err, doc)
		}
	}
	verify()
	before := srv.requests.Load()
	b.ReportAllocs()
	for b.Loop() {
		verify()
	}
	if srv.requests.Load() == before {
		b.Fatal("the requests did not go through the service")
	}
	b.StopTimer()
	const clients = 1000
	lat := make([]time.Duration, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			verify()
			lat[i] = time.Since(t0)
		}()
	}
	wg.Wait()
	total := time.Since(start)
	slices.Sort(lat)
	b.ReportMetric(float64(clients)/total.Seconds(), "req/s@1000")
	b.ReportMetric(float64(lat[clients*99/100].Microseconds())/1000, "p99-ms@1000")
}

// A server stopped before it serves (a service stopped as soon as it
// started) does not serve then: Serve returns at once and lets go of the
// socket.
func TestShutdownBeforeServe(t *testing.T) {
	dir := t.TempDir()
	ln, err := Listen(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{L: launcher.New(launcher.Env{DataDir: dir})}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after Shutdown: got %v, want nil", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Serve after Shutdown did not return within a minute")
	}
	if c, err := net.Dial("unix", filepath.Join(dir, SocketName)); err == nil {
		c.Close()
		t.Errorf("the socket still answers after Shutdown and Serve")
	}
}
