package repo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/launcher/runtime/repo"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

var ctx = context.Background()

func TestInstallAndResolve(t *testing.T) {
	w := newWorld(t)
	w.publish(map[string][]byte{"1.0.0": runtimeArchive(t, file{name: "lib/a.txt", body: "a"}), "1.1.0": runtimeArchive(t)}, map[string]string{"stable": "1.0.0"})
	data, rtdir := platformtest.TempDir(t), filepath.Join(platformtest.TempDir(t), "runtime")
	c := w.client(data)
	versions, err := c.Versions(ctx)
	if err != nil || !slices.Equal(versions, []string{"1.1.0", "1.0.0"}) {
		t.Fatalf("got versions %q, %v; want 1.1.0, 1.0.0", versions, err)
	}
	tests := []struct {
		name, version, want, state string
		installed                  []runtime.Runtime
		allowed                    func(string) bool
	}{
		{name: "channel", version: "stable", want: "1.0.0", state: repo.StateDownload},
		{name: "wildcard", version: "1.*", want: "1.1.0", state: repo.StateDownload},
		{name: "wildcard-allowed", version: "1.*", want: "1.0.0", state: repo.StateDownload, allowed: func(v string) bool { return v != "1.1.0" }},
		{name: "exact-installed", version: "1.0.0", want: "1.0.0", state: repo.StateInstalled, installed: []runtime.Runtime{{Version: "1.0.0", Path: "/x"}}},
		{name: "blocked", version: "1.1.0", state: repo.StateBlocked, allowed: func(string) bool { return false }},
		{name: "missing", version: "2.*", state: repo.StateMissing},
		{name: "missing-channel", version: "beta", state: repo.StateMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := c.Resolve(ctx, repo.Request{Version: tt.version, Installed: tt.installed, Allowed: tt.allowed})
			if ch.Version != tt.want || ch.State != tt.state {
				t.Fatalf("got %+v, %v; want version %q, state %s", ch, err, tt.want, tt.state)
			}
			if state, ok := repo.IsUnavailable(err); tt.want == "" && (!ok || state != tt.state) || tt.want != "" && err != nil {
				t.Fatalf("got error %v, want one for state %s only where nothing fits", err, tt.state)
			}
		})
	}
	var got []int64
	ch, err := c.Ensure(ctx, repo.Request{Version: "stable"}, rtdir, func(done, total int64) { got = append(got, done, total) })
	if err != nil || ch.State != repo.StateInstalled || ch.Runtime.Version != "1.0.0" {
		t.Fatalf("got %+v, %v; want 1.0.0 installed", ch, err)
	}
	if len(got) < 4 || got[0] != 0 || got[len(got)-2] != got[len(got)-1] {
		t.Fatalf("got progress %v, want it to start at 0 and end at the total", got)
	}
	if _, err := os.Stat(filepath.Join(rtdir, "1.0.0", "lib", "a.txt")); err != nil {
		t.Fatalf("got %v, want lib/a.txt installed", err)
	}
	all, _ := runtime.Installed(rtdir)
	if len(all) != 1 || all[0].Version != "1.0.0" {
		t.Fatalf("got installed %+v, want 1.0.0", all)
	}
}

// TestRefreshOnce: one refresh per Client, shared by concurrent callers;
// a refresh that finds nothing changed costs two requests.
func TestRefreshOnce(t *testing.T) {
	w := newWorld(t)
	w.publish(map[string][]byte{"1.0.0": runtimeArchive(t)}, map[string]string{"stable": "1.0.0"})
	data := platformtest.TempDir(t)
	c := w.client(data)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := c.Refresh(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := w.count("metadata/timestamp.json"); got != 1 {
		t.Fatalf("got %d timestamp requests for 8 concurrent refreshes, want 1", got)
	}
	before := w.requests()
	again := w.client(data)
	platformtest.Must(t, again.Refresh(ctx))
	if got := w.requests() - before; got != 2 || again.Requests() != 2 {
		t.Fatalf("got %d requests (client counted %d) for a refresh with nothing changed, want 2", got, again.Requests())
	}
}

// TestOffline: with the repository unreachable or its metadata expired,
// the last verified channels.json resolves to installed versions only, and
// nothing new is installed.
func TestOffline(t *testing.T) {
	tests := []struct {
		name string
		cut  func(w *world)
		kind repo.Kind
	}{
		{name: "unreachable", cut: func(w *world) { w.srv.Close() }, kind: repo.KindNetwork},
		{name: "expired", cut: func(w *world) { w.advance(48 * 3600e9) }, kind: repo.KindExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.publish(map[string][]byte{"1.0.0": runtimeArchive(t), "1.1.0": runtimeArchive(t)}, map[string]string{"stable": "1.0.0"})
			data, rtdir := platformtest.TempDir(t), filepath.Join(platformtest.TempDir(t), "runtime")
			first, err := w.client(data).Install(ctx, "1.0.0", rtdir, nil)
			platformtest.Must(t, err)
			tt.cut(w)
			c := w.client(data)
			ch, err := c.Resolve(ctx, repo.Request{Version: "stable", Installed: []runtime.Runtime{first}})
			if err != nil || ch.State != repo.StateInstalled || ch.Version != "1.0.0" || len(ch.Notices) != 1 {
				t.Fatalf("got %+v, %v; want 1.0.0 installed, with a notice", ch, err)
			}
			_, err = c.Install(ctx, "1.1.0", rtdir, nil)
			var re *repo.Error
			if !errors.As(err, &re) || re.Kind != tt.kind || !re.Offline() {
				t.Fatalf("got %v, want a %s repo.Error", err, tt.kind)
			}
			if ch, err := c.Resolve(ctx, repo.Request{Version: "1.*"}); ch.State != repo.StateFailed || err == nil {
				t.Fatalf("got %+v, %v; want failed with nothing installed given", ch, err)
			}
			if all, _ := runtime.Installed(rtdir); len(all) != 1 {
				t.Fatalf("got %+v installed, want only 1.0.0", all)
			}
		})
	}
}

func TestNewChecksOptions(t *testing.T) {
	tests := []struct {
		name string
		o    repo.Options
		want string
	}{
		{name: "http", o: repo.Options{URL: "http://rt.acme.test/", Root: []byte("{}")}, want: "https://"},
		{name: "no-root", o: repo.Options{URL: "https://rt.acme.test/"}, want: "RuntimeRepositoryRoot"},
		{name: "platform", o: repo.Options{URL: "https://rt.acme.test/", Root: []byte("{}"), OS: "plan9"}, want: "plan9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := repo.New(tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

// etagServer answers name from the repository's public tree with an ETag
// (the file's SHA-256), and a 304 to a request whose If-None-Match holds
// it, as a static file server or CDN does; it counts each kind of answer.
type etagServer struct {
	w        *world
	name     string
	header   http.Header // sent with each answer
	mu       sync.Mutex
	ok, same int
}

func (e *etagServer) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	body := e.w.read(e.name)
	sum := sha256.Sum256(body)
	tag := `"` + hex.EncodeToString(sum[:]) + `"`
	for k, v := range e.header {
		rw.Header()[k] = v
	}
	rw.Header().Set("ETag", tag)
	e.mu.Lock()
	defer e.mu.Unlock()
	if req.Header.Get("If-None-Match") == tag {
		e.same++
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	e.ok++
	rw.Write(body)
}

func (e *etagServer) counts() (ok, notModified int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ok, e.same
}

// TestRefreshConditional: a refresh asks for timestamp.json with the
// validators of the copy it keeps, so that an unchanged repository answers
// 304; a new timestamp is taken in whole; and a 304 does not let an expired
// timestamp stand (the freeze attack still fails).
func TestRefreshConditional(t *testing.T) {
	w := newWorld(t)
	w.publish(map[string][]byte{"1.0.0": runtimeArchive(t)}, map[string]string{"stable": "1.0.0"})
	ts := &etagServer{w: w, name: "metadata/timestamp.json"}
	w.override("metadata/timestamp.json", ts.ServeHTTP)
	data := platformtest.TempDir(t)
	step := func(want200, want304 int) {
		t.Helper()
		platformtest.Must(t, w.client(data).Refresh(ctx))
		if ok, same := ts.counts(); ok != want200 || same != want304 {
			t.Fatalf("got %d 200s and %d 304s for timestamp.json, want %d and %d", ok, same, want200, want304)
		}
	}
	step(1, 0) // nothing cached: the whole file
	step(1, 1) // unchanged: a 304
	step(1, 2)
	w.advance(time.Hour)
	platformtest.Must(t, w.pub.Timestamp(nil))
	step(2, 2) // a new timestamp: the whole file, taken
	step(2, 3)

	w.advance(48 * time.Hour) // past the timestamp's expiry (1 day)
	err := w.client(data).Refresh(ctx)
	var re *repo.Error
	if !errors.As(err, &re) || re.Kind != repo.KindExpired {
		t.Fatalf("got %v after a 304 for an expired timestamp, want a %s repo.Error", err, repo.KindExpired)
	}
	if ok, same := ts.counts(); same != 4 || ok != 3 {
		t.Fatalf("got %d 304s and %d 200s, want the expired refresh to have asked conditionally, then for the whole file", same, ok)
	}
}

// TestServerHintsMaxAge: under ServerHints, the max-age of timestamp.json
// spares later Clients their refresh, shortened by each desktop's jitter
// and never past the timestamp's expiry (a freeze still fails), and never
// before a download.
func TestServerHintsMaxAge(t *testing.T) {
	w := newWorld(t)
	w.publish(map[string][]byte{"1.0.0": runtimeArchive(t), "1.1.0": runtimeArchive(t)}, map[string]string{"stable": "1.0.0"})
	ts := &etagServer{w: w, name: "metadata/timestamp.json", header: http.Header{"Cache-Control": {"max-age=3600"}}}
	w.override("metadata/timestamp.json", ts.ServeHTTP)
	// Two desktops, each with its own data directory and jitter.
	data, other, rtdir := platformtest.TempDir(t), platformtest.TempDir(t), filepath.Join(platformtest.TempDir(t), "runtime")
	hinted := func(jitter float64) *repo.Client {
		dir := data
		if jitter != 0 {
			dir = other
		}
		return w.client(dir, func(o *repo.Options) { o.ServerHints, o.Jitter = true, jitter })
	}
	installed, err := hinted(0).Install(ctx, "1.0.0", rtdir, nil)
	platformtest.Must(t, err)
	platformtest.Must(t, hinted(0.99).Refresh(ctx))
	resolve := func(c *repo.Client, version string) (repo.Choice, int) {
		t.Helper()
		before := w.requests()
		ch, err := c.Resolve(ctx, repo.Request{Version: version, Installed: []runtime.Runtime{installed}})
		platformtest.Must(t, err)
		return ch, w.requests() - before
	}
	w.advance(50 * time.Minute)
	if ch, n := resolve(hinted(0), "stable"); n != 0 || ch.Version != "1.0.0" || ch.State != repo.StateInstalled {
		t.Fatalf("got %+v after %d requests within max-age, want 1.0.0 installed and no request", ch, n)
	}
	// Jitter 0.99 takes 0.99 of a fifth off the hour: fresh for 48 minutes.
	if _, n := resolve(hinted(0.99), "stable"); n != 2 {
		t.Fatalf("got %d requests from a desktop whose jitter ends its max-age at 48 minutes, at 50, want 2 (the next root, the timestamp)", n)
	}
	// A version to download refreshes first, fresh or not.
	w.advance(time.Minute)
	if ch, n := resolve(hinted(0), "1.1.0"); n != 2 || ch.State != repo.StateDownload {
		t.Fatalf("got %+v after %d requests, want a download decided on a refresh (2 requests)", ch, n)
	}

	// A max-age past the timestamp's expiry counts to the expiry only.
	ts.header.Set("Cache-Control", "max-age=86400")
	w.advance(12 * time.Hour)
	platformtest.Must(t, w.pub.Timestamp(map[string]time.Duration{"timestamp": 6 * time.Hour}))
	_, _ = resolve(hinted(0), "stable")
	w.advance(5 * time.Hour)
	if _, n := resolve(hinted(0), "stable"); n != 0 {
		t.Fatalf("got %d requests before the timestamp's expiry, within max-age, want none", n)
	}
	w.advance(2 * time.Hour) // past the expiry, within max-age
	ch, err := hinted(0).Resolve(ctx, repo.Request{Version: "stable", Installed: []runtime.Runtime{installed}})
	if err != nil || len(ch.Notices) != 1 || !strings.Contains(ch.Notices[0], "expired") {
		t.Fatalf("got %+v, %v past the timestamp's expiry; want a refresh that finds it expired, in a notice", ch, err)
	}
}

// TestServerHintsRetryAfter: under ServerHints, after a 503 with
// Retry-After nothing is asked of the repository until then (at most
// fetch.MaxRetryAfter), downloads included; the last verified copy
// resolves to installed versions meanwhile.
func TestServerHintsRetryAfter(t *testing.T) {
	w := newWorld(t)
	w.publish(map[string][]byte{"1.0.0": runtimeArchive(t), "1.1.0": runtimeArchive(t)}, map[string]string{"stable": "1.0.0"})
	data, rtdir := platformtest.TempDir(t), filepath.Join(platformtest.TempDir(t), "runtime")
	hinted := func() *repo.Client { return w.client(data, func(o *repo.Options) { o.ServerHints = true }) }
	installed, err := hinted().Install(ctx, "1.0.0", rtdir, nil)
	platformtest.Must(t, err)
	w.override("metadata/timestamp.json", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Retry-After", "86400") // a day: bounded to ten minutes
		rw.WriteHeader(http.StatusServiceUnavailable)
	})
	req := repo.Request{Version: "stable", Installed: []runtime.Runtime{installed}}
	if ch, err := hinted().Resolve(ctx, req); err != nil || len(ch.Notices) != 1 {
		t.Fatalf("got %+v, %v from a 503; want 1.0.0 installed with a notice", ch, err)
	}
	before := w.requests()
	w.advance(9 * time.Minute)
	ch, err := hinted().Resolve(ctx, req)
	if err != nil || ch.Version != "1.0.0" || len(ch.Notices) != 1 || !strings.Contains(ch.Notices[0], "Retry-After") {
		t.Fatalf("got %+v, %v within Retry-After; want 1.0.0 installed with a notice naming Retry-After", ch, err)
	}
	if _, err := hinted().Install(ctx, "1.1.0", rtdir, nil); err == nil {
		t.Fatal("a download within Retry-After succeeded, want it refused as offline")
	}
	if got := w.requests() - before; got != 0 {
		t.Fatalf("got %d requests within Retry-After, want none", got)
	}
	w.advance(2 * time.Minute) // past the ten minutes it is bounded to
	hinted().Resolve(ctx, req)
	if got := w.requests() - before; got == 0 {
		t.Fatal("got no request after Retry-After's bound, want a refresh")
	}
}

// TestServerHintsBoundedWhenRead: hints.json as found on disk (a clock set
// back, a file written by hand) is bounded again: a freshness or a
// Retry-After further off than rvm ever keeps is ignored, and the
// repository asked.
func TestServerHintsBoundedWhenRead(t *testing.T) {
	tests := []struct {
		name  string
		hints string
	}{
		{name: "fresh-one-second-past-bound", hints: `{"freshUntil": %q}`},
		{name: "retry-one-second-past-bound", hints: `{"retryAt": %q}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.publish(map[string][]byte{"1.0.0": runtimeArchive(t)}, map[string]string{"stable": "1.0.0"})
			data := platformtest.TempDir(t)
			hinted := func() *repo.Client { return w.client(data, func(o *repo.Options) { o.ServerHints = true }) }
			platformtest.Must(t, hinted().Refresh(ctx))
			bound := fetch.MaxFreshness
			if strings.HasPrefix(tt.name, "retry") {
				bound = fetch.MaxRetryAfter
			}
			at := w.clock().Add(bound + time.Second).Format(time.RFC3339)
			platformtest.Must(t, os.WriteFile(filepath.Join(hinted().CacheDir(), "hints.json"), []byte(fmt.Sprintf(tt.hints, at)), 0o600))
			before := w.requests()
			platformtest.Must(t, hinted().Refresh(ctx))
			if w.requests() == before {
				t.Fatalf("got no request with hints.json %s, want them ignored and the repository asked", fmt.Sprintf(tt.hints, at))
			}
		})
	}
}
