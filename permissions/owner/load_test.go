package owner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// newLoader is a Loader whose clock stands at now and whose store is in a
// temporary directory.
func newLoader(t *testing.T, now time.Time) *Loader {
	return &Loader{Store: &fetch.Store{Dir: platformtest.TempDir(t)}, Now: func() time.Time { return now }}
}

// fileURL is the file:// URL of the absolute path: file:///etc/x, or
// file:///C:/x on Windows.
func fileURL(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return "file://" + p
}

// writeFile writes content to dir/name and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	platformtest.Must(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// fileURLFault is what a load of the file URL value that names no file
// here says: the platform's refusal of the form where it refuses it (a
// UNC path or a backslash form outside Windows), else that the file is
// missing.
func fileURLFault(value string) string {
	if _, err := platform.FileURLPath(value); err != nil {
		return err.Error()
	}
	return "and no good copy"
}

func TestLoadLocal(t *testing.T) {
	const unc, windowsForm = "file://fileserver.invalid/share/dos.json", `file:\\\C:\ProgramData\RVM\no-such-dos.json`
	dir := platformtest.TempDir(t)
	good := writeFile(t, dir, "good.json", `{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
	exact := writeFile(t, dir, "exact.json", `{}`+strings.Repeat(" ", MaxSize-2))
	for _, tc := range []struct {
		name        string
		loc         Location
		configured  bool
		unavailable bool
		warning     string
	}{
		{name: "not-configured"},
		{name: "invalid-value", loc: Location{Invalid: "HKLM\\Software\\Policies\\RVM"}, configured: true, unavailable: true,
			warning: "DesktopOwnerSettings in HKLM\\Software\\Policies\\RVM is invalid: every permission denied"},
		{name: "path", loc: Location{Value: good, SetBy: "/etc/rvm/settings.json"}, configured: true},
		{name: "file-url", loc: Location{Value: fileURL(good), SetBy: "/etc/rvm/settings.json"}, configured: true},
		{name: "size-at-bound", loc: Location{Value: exact}, configured: true},
		{name: "size-one-over-bound", loc: Location{Value: writeFile(t, dir, "big.json", `{}`+strings.Repeat(" ", MaxSize-1))}, configured: true, unavailable: true,
			warning: fmt.Sprintf("larger than %d bytes) and no good copy: every permission denied", MaxSize)},
		{name: "missing", loc: Location{Value: filepath.Join(dir, "missing.json")}, configured: true, unavailable: true, warning: "and no good copy"},
		{name: "invalid-file", loc: Location{Value: writeFile(t, dir, "bad.json", `{"desktopSettings": {"trustedAppConfigs": 1}}`)}, configured: true, unavailable: true,
			warning: `desktopSettings.trustedAppConfigs: want a string (enabled or disabled), got a number) and no good copy`},
		{name: "invalid-file-every-problem-listed", loc: Location{Value: writeFile(t, dir, "worse.json", "{\"desktopSettings\": {\"trustedAppConfigs\": 1},\n \"whitelist\": []}")}, configured: true, unavailable: true,
			warning: "unusable (2 problems, each listed after this) and no good copy: every permission denied\n" +
				"owner: desktop owner settings " + filepath.Join(dir, "worse.json") + ": line 1, column 43: desktopSettings.trustedAppConfigs: want a string (enabled or disabled), got a number\n" +
				"owner: desktop owner settings " + filepath.Join(dir, "worse.json") + ": line 2, column 15: whitelist: OpenFin's list of allowed apps"},
		{name: "file-url-of-another-machine", loc: Location{Value: unc}, configured: true, unavailable: true, warning: fileURLFault(unc)},
		{name: "windows-file-url-form", loc: Location{Value: windowsForm}, configured: true, unavailable: true, warning: fileURLFault(windowsForm)},
		{name: "other-scheme", loc: Location{Value: "ftp://owner.example.com/dos.json", SetBy: "/etc/rvm/settings.json"}, configured: true, unavailable: true,
			warning: `DesktopOwnerSettings "ftp://owner.example.com/dos.json" (in /etc/rvm/settings.json): want https://, http://, file:// or a path`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := newLoader(t, time.Now()).Load(context.Background(), tc.loc)
			if got.Configured != tc.configured || got.Unavailable() != tc.unavailable {
				t.Errorf("got configured %v, unavailable %v, want %v, %v", got.Configured, got.Unavailable(), tc.configured, tc.unavailable)
			}
			if tc.configured && !tc.unavailable && (got.Settings == nil || len(got.Raw) == 0 || len(got.Warnings) > 0) {
				t.Errorf("got settings %v, raw %d bytes, warnings %q, want the file in use", got.Settings, len(got.Raw), got.Warnings)
			}
			if w := strings.Join(got.Warnings, "\n"); !strings.Contains(w, tc.warning) || (tc.warning == "") != (w == "") {
				t.Errorf("got warnings %q, want one holding %q", w, tc.warning)
			}
		})
	}
}

// TestLoadKeepsLastGoodCopy: a file that turns bad, or goes away, is
// replaced by the last good copy, with a warning that says when it was
// read; a good file again replaces the copy.
func TestLoadKeepsLastGoodCopy(t *testing.T) {
	dir := platformtest.TempDir(t)
	first := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	l := newLoader(t, first)
	path := writeFile(t, dir, "dos.json", `{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
	loc := Location{Value: path}
	ctx := context.Background()
	if got := l.Load(ctx, loc); got.Settings.DefaultPermission() != permissions.Deny {
		t.Fatalf("got %+v, want the file in use", got)
	}
	stored := filepath.Join(l.Store.Dir, mustOnlyFile(t, l.Store.Dir))
	before, err := os.Stat(stored)
	platformtest.Must(t, err)

	l.Now = func() time.Time { return first.Add(time.Hour) }
	if got := l.Load(ctx, loc); got.Settings == nil || len(got.Warnings) > 0 {
		t.Fatalf("got %+v, want the unchanged file in use", got)
	}
	if after, err := os.Stat(stored); err != nil || !os.SameFile(before, after) {
		t.Errorf("got the stored copy of an unchanged file written again (%v), want it left as it was", err)
	}

	for _, broken := range []func(){
		func() { writeFile(t, dir, "dos.json", `{"desktopSettings": {"securedAPIDefaultPermission": "maybe"}}`) },
		func() { platformtest.Must(t, os.Remove(path)) },
	} {
		broken()
		got := l.Load(ctx, loc)
		if got.Unavailable() || got.Settings.DefaultPermission() != permissions.Deny || got.Settings.Source != path {
			t.Errorf("got %+v, want the last good copy in use", got)
		}
		if w := strings.Join(got.Warnings, "\n"); !strings.Contains(w, "using the copy from 2026-05-01T12:00:00Z") {
			t.Errorf("got warnings %q, want one saying which copy is in use", w)
		}
	}

	writeFile(t, dir, "dos.json", `{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`)
	if got := l.Load(ctx, loc); got.Settings.DefaultPermission() != permissions.Allow || len(got.Warnings) > 0 {
		t.Errorf("got %+v, want the new file in use", got)
	}
	platformtest.Must(t, os.Remove(path))
	if got := l.Load(ctx, loc); got.Settings.DefaultPermission() != permissions.Allow {
		t.Errorf("got %+v, want the new file's copy in use", got)
	}

	// Without a store, nothing stands in.
	l.Store = nil
	if got := l.Load(ctx, loc); !got.Unavailable() {
		t.Errorf("got %+v without a store, want the settings unavailable", got)
	}
}

func mustOnlyFile(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	platformtest.Must(t, err)
	if len(entries) != 1 {
		t.Fatalf("got %d files in the store, want 1", len(entries))
	}
	return entries[0].Name()
}

// TestLoadRemote: an https:// file is fetched strictly at every load with
// the validators of the last good copy, so an unchanged one costs a 304;
// when the server fails, the copy stands in.
func TestLoadRemote(t *testing.T) {
	site, err := manifesttest.NewSite("owner.acme.test")
	platformtest.Must(t, err)
	t.Cleanup(site.Close)
	var requests, notModified atomic.Int32
	var failing atomic.Bool
	site.Mux.HandleFunc("/dos.json", func(w http.ResponseWriter, req *http.Request) {
		requests.Add(1)
		switch {
		case failing.Load():
			http.Error(w, "down", http.StatusServiceUnavailable)
		case req.Header.Get("If-None-Match") == `"v1"`:
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
		default:
			w.Header().Set("ETag", `"v1"`)
			fmt.Fprint(w, `{"applicationSettings": {"default": {"permissions": {"System": {"getCookies": false}}}}}`)
		}
	})
	l := newLoader(t, time.Now())
	l.HTTP = &fetch.Fetcher{RootCAs: site.CA.Pool, Resolve: site.Resolve, Timeouts: fetch.Timeouts{Headers: 2 * time.Second, Total: 5 * time.Second}}
	loc := Location{Value: site.HTTPSURL("/dos.json"), SetBy: "test"}
	ctx := context.Background()
	for i := range 3 {
		got := l.Load(ctx, loc)
		if got.Settings == nil || len(got.Warnings) > 0 || !strings.Contains(string(got.Raw), "getCookies") {
			t.Fatalf("load %d: got %+v, want the remote file in use", i, got)
		}
	}
	if requests.Load() != 3 || notModified.Load() != 2 {
		t.Errorf("got %d requests, %d answered 304, want 3 and 2", requests.Load(), notModified.Load())
	}
	failing.Store(true)
	got := l.Load(ctx, loc)
	if got.Settings == nil || !strings.Contains(strings.Join(got.Warnings, "\n"), "using the copy from") {
		t.Errorf("got %+v with the server down, want the last good copy and a warning", got)
	}
}

// TestLoadPlainHTTP: an http:// file is fetched (conditionally, as an
// https:// one is) and read deny-only: its grants are left out with a
// notice, its denials apply, and its last good copy stays deny-only.
func TestLoadPlainHTTP(t *testing.T) {
	const dos = `{"desktopSettings": {"securedAPIDefaultPermission": "allow"},
		"applicationSettings": {"default": {"permissions": {"System": {"getCookies": false, "clearCache": true}}}}}`
	var requests, notModified atomic.Int32
	var failing atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		requests.Add(1)
		switch {
		case failing.Load():
			http.Error(w, "down", http.StatusServiceUnavailable)
		case req.Header.Get("If-None-Match") == `"v1"`:
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
		default:
			w.Header().Set("ETag", `"v1"`)
			fmt.Fprint(w, dos)
		}
	}))
	t.Cleanup(srv.Close)
	l := newLoader(t, time.Now())
	l.HTTP = &fetch.Fetcher{Timeouts: fetch.Timeouts{Headers: 2 * time.Second, Total: 5 * time.Second}}
	loc := Location{Value: srv.URL + "/dos.json", SetBy: "test"}
	check := func(got Loaded) {
		t.Helper()
		if got.Settings == nil || !got.Settings.DenyOnly {
			t.Fatalf("got %+v, want the file in use, deny-only", got)
		}
		if d := got.Settings.DefaultPermission(); d != permissions.Ask {
			t.Errorf("got default %v, want ask: an allow over http counts as prompt", d)
		}
		u := mustURL(t, "https://apps.acme.com/app.json")
		for name, want := range map[string]bool{"System.getCookies": true, "System.clearCache": false} {
			d, set := got.Settings.For(u, true).Policy(permissions.Entry{Name: name, Enabled: true})
			if set != want || (set && d.Verdict != permissions.Denied) {
				t.Errorf("%s: got %v (set %v), want the denial only", name, d.Verdict, set)
			}
		}
		notices := strings.Join(got.Notices(), "\n")
		for _, want := range []string{
			"owner: desktop owner settings " + loc.Value + " came over plain http://",
			`desktopSettings.securedAPIDefaultPermission: "allow" ignored (it counts as "prompt")`,
			`applicationSettings.default.permissions: grants ignored: the file came over plain http://, which can only deny: "System.clearCache"`,
		} {
			if !strings.Contains(notices, want) {
				t.Errorf("got notices %q, want one holding %q", got.Notices(), want)
			}
		}
	}
	ctx := context.Background()
	check(l.Load(ctx, loc))
	check(l.Load(ctx, loc))
	if requests.Load() != 2 || notModified.Load() != 1 {
		t.Errorf("got %d requests, %d answered 304, want 2 and 1", requests.Load(), notModified.Load())
	}
	failing.Store(true)
	got := l.Load(ctx, loc)
	check(got)
	if !strings.Contains(strings.Join(got.Warnings, "\n"), "using the copy from") {
		t.Errorf("got warnings %q with the server down, want the last good copy", got.Warnings)
	}
}

func TestLocalPath(t *testing.T) {
	dir := platformtest.TempDir(t)
	path := filepath.Join(dir, "dos.json")
	for _, tc := range []struct{ name, value, want string }{
		{"path", path, path},
		{"file-url", fileURL(path), path},
		{"file-url-upper-case-scheme", "FILE" + strings.TrimPrefix(fileURL(path), "file"), path},
		{"https", "https://owner.acme.test/dos.json", ""},
		{"https-upper-case", "HTTPS://owner.acme.test/dos.json", ""},
		{"file-url-other-host", "file://server/share/dos.json", ""},
		{"http", "http://owner.acme.test/dos.json", ""},
		{"other-scheme", "ftp://owner.acme.test/dos.json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := LocalPath(tc.value); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLoadRetryAfter: after a 503 with Retry-After, the server is not
// asked again until then (at most fetch.MaxRetryAfter, whatever it says)
// and the last good copy stands in, with a warning that names why; then
// it is asked again.
func TestLoadRetryAfter(t *testing.T) {
	site, err := manifesttest.NewSite("owner.acme.test")
	platformtest.Must(t, err)
	t.Cleanup(site.Close)
	var requests atomic.Int32
	var busy atomic.Bool
	site.Mux.HandleFunc("/dos.json", func(w http.ResponseWriter, req *http.Request) {
		requests.Add(1)
		if busy.Load() {
			w.Header().Set("Retry-After", "86400") // a day, bounded to ten minutes
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, `{"applicationSettings": {"default": {"permissions": {"System": {"getCookies": false}}}}}`)
	})
	now := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	l := &Loader{Store: &fetch.Store{Dir: platformtest.TempDir(t)}, Now: func() time.Time { return now }}
	l.HTTP = &fetch.Fetcher{RootCAs: site.CA.Pool, Resolve: site.Resolve, Timeouts: fetch.Timeouts{Headers: 2 * time.Second, Total: 5 * time.Second}}
	loc := Location{Value: site.HTTPSURL("/dos.json"), SetBy: "test"}
	ctx := context.Background()
	if got := l.Load(ctx, loc); got.Settings == nil || len(got.Warnings) > 0 {
		t.Fatalf("got %+v, want the remote file in use", got)
	}
	busy.Store(true)
	l.Load(ctx, loc) // the 503
	before := requests.Load()
	now = now.Add(9 * time.Minute)
	got := l.Load(ctx, loc)
	if got.Settings == nil || !strings.Contains(strings.Join(got.Warnings, "\n"), "Retry-After") {
		t.Fatalf("got %+v within Retry-After, want the last good copy and a warning naming Retry-After", got)
	}
	if n := requests.Load() - before; n != 0 {
		t.Fatalf("got %d requests within Retry-After, want none", n)
	}
	busy.Store(false)
	now = now.Add(2 * time.Minute) // past the ten minutes it is bounded to
	if got := l.Load(ctx, loc); got.Settings == nil || len(got.Warnings) > 0 || requests.Load() == before {
		t.Fatalf("got %+v after %d requests past Retry-After's bound, want the server asked and its file in use", got, requests.Load()-before)
	}
}
