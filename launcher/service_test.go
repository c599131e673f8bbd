package launcher

import (
	"context"
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

	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// startService runs the service of a world in-process (per user or as a
// system service accepting every local user) in the
// world's data directory, and returns it with a client for its socket.
func startService(t testing.TB, w *world, getenv func(string) string, perUser bool) (*Service, *http.Client) {
	t.Helper()
	if len(w.l.env.DataDir) > 90 {
		t.Skipf("data directory %s too long for a Unix socket path", w.l.env.DataDir)
	}
	env := w.l.env
	env.Getenv = getenv
	svc := &Service{Env: env, PerUser: perUser}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		svc.Stop(ctx)
	})
	sock := filepath.Join(env.DataDir, SocketName)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	return svc, client
}

func TestServiceAPI(t *testing.T) {
	w := newWorld(t)
	svc, client := startService(t, w, nil, true)
	sock := filepath.Join(w.l.env.DataDir, SocketName)
	info, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("socket mode: got %v, want 0600", info.Mode().Perm())
	}
	url := w.publish("/blotter/app.json", requested, nil)

	t.Run("verify-via-service", func(t *testing.T) {
		before := svc.srv.requests.Load()
		doc, err := w.l.VerifyVia(context.Background(), url, w.opts)
		if err != nil {
			t.Fatal(err)
		}
		if svc.srv.requests.Load() != before+1 {
			t.Errorf("VerifyVia did not go through the service")
		}
		checkPermission(t, doc, "Window.getSnapshot", permissions.Prompt, permissions.SourceDefault)
	})
	t.Run("errors-come-back", func(t *testing.T) {
		_, err := w.l.VerifyVia(context.Background(), "ftp://x.test/a.json", w.opts)
		if err == nil || !strings.Contains(err.Error(), `scheme "ftp"`) {
			t.Fatalf("got %v, want the service's error naming the scheme", err)
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
		{"unknown-field", "POST", "/v1/verify", `{"url": "https://a.test/", "evil": 1}`, 400, "unknown field"},
		{"bad-option", "POST", "/v1/verify", `{"url": "https://a.test/", "options": {"platform": "beos"}}`, 400, "beos"},
		{"too-large", "POST", "/v1/verify", `{"url": "` + strings.Repeat("a", maxRequestBody) + `"}`, 413, "larger than"},
		{"unknown-endpoint", "GET", "/v2/launch", "", 404, "no such endpoint"},
		{"wrong-method", "GET", "/v1/verify", "", 404, "no such endpoint"},
		{"no-decision", "POST", "/v1/verify", `{"url": "https://apps.acme.test:1/nothing"}`, 422, "apps.acme.test"},
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

func TestServiceAppliesSettingsChanges(t *testing.T) {
	w := newWorld(t)
	cfg := t.TempDir()
	getenv := func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}
	path := filepath.Join(cfg, "rvm", "settings.json")
	replace := func(js string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(path), 0o700)
		tmp := path + ".new"
		if err := os.WriteFile(tmp, []byte(js), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	replace(`{"RuntimeDirectory": "/opt/one"}`)
	svc, _ := startService(t, w, getenv, true)
	runtimeDir := func() string {
		v, _ := svc.l.Settings(context.Background(), Options{}).Machine[settings.RuntimeDirectory].Value.(string)
		return v
	}
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for runtimeDir() != want {
			if time.Now().After(deadline) {
				t.Fatalf("RuntimeDirectory: got %q, want %q", runtimeDir(), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("/opt/one")
	replace(`{"RuntimeDirectory": "/opt/two"}`)
	waitFor("/opt/two")
	// An invalid change keeps the last good settings.
	replace(`{"RuntimeDirectory": 5}`)
	time.Sleep(3 * platform.SettingsDebounce)
	for i := 0; i < 10; i++ {
		if got := runtimeDir(); got != "/opt/two" {
			t.Fatalf("after an invalid change: got %q, want the last good /opt/two", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	replace(`{"RuntimeDirectory": "/opt/three"}`)
	waitFor("/opt/three")
}

func TestServiceStopsCleanlyUnderLoad(t *testing.T) {
	w := newWorld(t)
	svc, _ := startService(t, w, nil, true)
	url := w.publish("/blotter/slow.json", requested, nil)
	w.mu.Lock()
	w.delay = 200 * time.Millisecond
	w.mu.Unlock()
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := w.l.VerifyVia(context.Background(), fmt.Sprintf("%s?n=%d", url, i%5), w.opts)
			errs <- err
		}(i)
	}
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		// Requests in flight finish; later ones are done in-process.
		if err != nil {
			t.Errorf("a request failed across the stop: %v", err)
		}
	}
	if _, err := net.Dial("unix", filepath.Join(w.l.env.DataDir, SocketName)); err == nil {
		t.Errorf("the socket still answers after Stop")
	}
}

// BenchmarkLocalAPIVerifyCached is one round trip over the socket for a
// decision on a signed manifest whose block is in the verified-block cache
// (the manifest itself is fetched from loopback each time, as at every
// launch). After the loop it measures 1,000 concurrent clients once and
// reports their requests per second and p99 latency.
func BenchmarkLocalAPIVerifyCached(b *testing.B) {
	w := newWorld(b)
	svc, _ := startService(b, w, nil, true)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.pattern("/blotter/"))
	url := w.publish("/blotter/app.json", requested, w.block(apps, "linux"))
	ctx := context.Background()
	verify := func() {
		doc, err := w.l.VerifyVia(ctx, url, w.opts)
		if err != nil || doc.Trust.Status != StatusTrusted {
			b.Fatalf("VerifyVia: %v (%+v)", err, doc)
		}
	}
	verify()
	before := svc.srv.requests.Load()
	b.ReportAllocs()
	for b.Loop() {
		verify()
	}
	if svc.srv.requests.Load() == before {
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
