package hostile

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/permissions"
)

// The attacks on URL forms (issue 11, flaws 4 and 5; SPEC 2): a URL that
// names the owner's host in another form (full-width or ideographic full
// stops, capitals, a Unicode name) must meet the owner's policies for that
// host, and a path with dot segments must be fetched as it is matched,
// normalized, or not at all.

// literalSite is a vendor's server that takes paths literally, as some
// do: it serves the real manifest at /blotter/app.json alone and a planted
// one (an upload, with the real manifest's signed block copied into it) at
// every other path, and records the request target of every request, as
// rvm sent it.
type literalSite struct {
	real, planted []byte

	mu    sync.Mutex
	asked []string
}

func (s *literalSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.asked = append(s.asked, r.RequestURI)
	s.mu.Unlock()
	if to, ok := strings.CutPrefix(r.URL.Path, "/redirect/"); ok {
		// The hop as the server means it, byte for byte, not as net/url
		// would write it.
		w.Header()["Location"] = []string{strings.ReplaceAll(redirects[to], "$PORT", portOf(r.Host))}
		w.WriteHeader(http.StatusFound)
		return
	}
	if path, _, _ := strings.Cut(r.RequestURI, "?"); path == "/blotter/app.json" {
		w.Write(s.real)
		return
	}
	w.Write(s.planted)
}

// requests returns the request targets the site was asked for, and forgets
// them.
func (s *literalSite) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.asked
	s.asked = nil
	return out
}

func portOf(hostPort string) string { return hostPort[strings.LastIndexByte(hostPort, ':')+1:] }

// urlRig is a vendor's literalSite answering as host, with a certificate
// the test made; a desktop owner whose policy "acme-apps" denies
// System.launchExternalProcess for https://*.acme.test:PORT/* (the port is
// the server's: a test cannot bind 443) and whose default is allow; and a
// block, signed by a root that the options trust, that grants
// Window.getSnapshot for the patterns match.
type urlRig struct {
	v    *vendor
	site *literalSite
	port string
	l    *launcher.Launcher
	dos  string // the owner settings file
}

// realURLRequest is what the real manifest requests; the planted one requests
// System.getProcessList too, so that a decision shows whose it is.
const realURLRequest = `{"System": {"launchExternalProcess": true}, "Window": {"getSnapshot": true}}`

func newURLRig(t *testing.T, host string, match ...string) *urlRig {
	t.Helper()
	r := &urlRig{v: newVendor(t), site: &literalSite{}}
	srv := r.v.server(r.site, false, host)
	r.port = srv.Port
	var pats []string
	for _, m := range match {
		pats = append(pats, fmt.Sprintf("%q", strings.ReplaceAll(m, "$PORT", r.port)))
	}
	block := r.v.sign(r.v.config(fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%s], "permissions": {"Window": {"getSnapshot": true}}}]`, strings.Join(pats, ", "))))
	r.site.real = appManifest(realURLRequest, block)
	r.site.planted = appManifest(`{"System": {"launchExternalProcess": true, "getProcessList": true}, "Window": {"getSnapshot": true}}`, block)
	r.dos = filepath.Join(r.v.dir, "owner.json")
	writeFile(t, r.dos, fmt.Appendf(nil, `{"desktopSettings": {"securedAPIDefaultPermission": "allow"}, "applicationSettings": {"acme-apps": {"urls": ["https://*.acme.test:%s/*"], "permissions": {"System": {"launchExternalProcess": false}}}}}`, r.port))
	r.l = r.v.launcher()
	return r
}

// options are those of a request that trusts the rig's root and owner and
// sends each of hosts, on the rig's port, to the server.
func (r *urlRig) options(hosts ...string) launcher.Options {
	settings, err := json.Marshal(map[string]string{"DesktopOwnerSettings": r.dos})
	if err != nil {
		r.v.t.Fatal(err)
	}
	var resolve []string
	for _, h := range hosts {
		resolve = append(resolve, h+":"+r.port+":127.0.0.1")
	}
	return r.v.options(string(settings), resolve...)
}

// wantOwnersDecision fails unless doc decides the real manifest's
// permissions, and only them, as the owner and the block say: the owner's
// policy denies launchExternalProcess, the trusted block grants
// getSnapshot.
func wantOwnersDecision(t *testing.T, doc *launcher.Document) {
	t.Helper()
	names := make([]string, 0, len(doc.Permissions))
	for n := range doc.Permissions {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"System.launchExternalProcess", "Window.getSnapshot"}; !slices.Equal(names, want) {
		t.Errorf("decided %q, want %q: the decision is not of the real manifest", names, want)
	}
	if got := doc.Permissions["System.launchExternalProcess"]; got.Verdict != permissions.Denied || got.Source != permissions.SourceOwnerSettings || got.Policy != "acme-apps" {
		t.Errorf("System.launchExternalProcess: got %s (%s, policy %q), want denied (%s, policy \"acme-apps\")", got.Verdict, got.Source, got.Policy, permissions.SourceOwnerSettings)
	}
	if doc.Trust.Status != launcher.StatusTrusted {
		t.Errorf("trust: got %s (%s: %s), want trusted", doc.Trust.Status, doc.Trust.Code, doc.Trust.Reason)
	}
	if got := doc.Permissions["Window.getSnapshot"]; got.Verdict != permissions.Granted || got.Source != permissions.SourceTrusted {
		t.Errorf("Window.getSnapshot: got %s (%s), want granted (%s)", got.Verdict, got.Source, permissions.SourceTrusted)
	}
}

// requestTarget is what a server is asked for when rvm fetches the
// normalized URL u: its path and query.
func requestTarget(t *testing.T, u string) string {
	t.Helper()
	_, rest, ok := strings.Cut(u, "://")
	i := strings.IndexByte(rest, '/')
	if !ok || i < 0 {
		t.Fatalf("%q is not an absolute URL with a path", u)
	}
	return rest[i:]
}

// TestURLVectors requests the URL of every *_url_*.url file of
// testdata/hostile/manifest ($PORT is the server's port) as a user would,
// from a server that takes paths literally. A good_ URL must be fetched
// as the first line of its .want file (the manifestUrl) says, and only
// so, then decided by the owner's policy for its host; further .want lines
// are the userAppConfigArgs, NAME=VALUE. A bad_ URL must be refused
// before anything is fetched, with an error holding each line of its .err
// file.
func TestURLVectors(t *testing.T) {
	files, err := filepath.Glob("../../testdata/hostile/manifest/*_url_*.url")
	if err != nil || len(files) == 0 {
		t.Fatalf("got %d URL vectors (%v), want some", len(files), err)
	}
	r := newURLRig(t, appHost, "https://*.acme.test:$PORT/blotter/*")
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".url")
		t.Run(name, func(t *testing.T) {
			raw := strings.ReplaceAll(lines(t, file)[0], "$PORT", r.port)
			host, _, _ := strings.Cut(raw[strings.Index(raw, "://")+3:], ":")
			// Versions before SPEC 2's normalization fetched what they were
			// given: the vector's host too reaches the server (and appHost
			// with a trailing dot, which they dialled for a trailing full
			// stop), so that only a refusal stops the fetch.
			opts := r.options(appHost, appHost+".", strings.ToLower(host))
			doc, err := verify(t, r.l, raw, opts)
			asked := r.site.requests()
			if strings.HasPrefix(name, "bad_") {
				var want []string
				for _, l := range lines(t, strings.TrimSuffix(file, ".url")+".err") {
					want = append(want, strings.ReplaceAll(l, "$PORT", r.port))
				}
				if err == nil {
					t.Fatalf("verify of %q decided (manifestUrl %q), want it refused", raw, doc.ManifestURL)
				}
				wantError(t, err, want...)
				if len(asked) != 0 {
					t.Errorf("the server was asked for %q, want nothing fetched", asked)
				}
				return
			}
			want := lines(t, strings.TrimSuffix(file, ".url")+".want")
			wantURL := strings.ReplaceAll(want[0], "$PORT", r.port)
			if err != nil {
				t.Fatalf("verify of %q: %v", raw, err)
			}
			if doc.RequestedURL != raw {
				t.Errorf("requestedUrl: got %q, want %q (as given)", doc.RequestedURL, raw)
			}
			if doc.ManifestURL != wantURL {
				t.Errorf("manifestUrl: got %q, want %q", doc.ManifestURL, wantURL)
			}
			if target := requestTarget(t, wantURL); !slices.Equal(asked, []string{target}) {
				t.Errorf("the server was asked for %q, want %q alone", asked, target)
			}
			var args map[string]string
			for _, l := range want[1:] {
				k, v, _ := strings.Cut(l, "=")
				if args == nil {
					args = map[string]string{}
				}
				args[k] = v
			}
			if !maps.Equal(doc.UserAppConfigArgs, args) {
				t.Errorf("userAppConfigArgs: got %q, want %q", doc.UserAppConfigArgs, args)
			}
			wantOwnersDecision(t, doc)
		})
	}
}

// redirects are the Location headers of the literalSite's /redirect/NAME
// ($PORT is the server's port).
var redirects = map[string]string{
	"fullwidth-host":         "https://apps.ACME．TEST:$PORT/blotter/app.json",
	"percent-encoded-host":   "https://apps.acme%EF%BC%8Etest:$PORT/blotter/app.json",
	"encoded-unreserved":     "/%62lotter/app.json",
	"dot-dot-params":         "/x/..;/blotter/app.json",
	"encoded-dot-dot":        "/x/%2e%2e/blotter/app.json",
	"encoded-slash":          "/blotter/..%2Fx/app.json",
	"absolute-dot-dot-param": "https://apps.acme.test:$PORT/x/..;/blotter/app.json",
}

// TestRedirectHops redirects a request for a manifest to another form of
// its URL: each hop must be normalized before it is followed, so that the
// manifest is decided as its host's owner policy says and fetched as
// matched, or, where the hop cannot be normalized, refused with an error
// that names it, before the server is asked for it.
func TestRedirectHops(t *testing.T) {
	r := newURLRig(t, appHost, "https://*.acme.test:$PORT/blotter/*")
	opts := r.options(appHost)
	tests := []struct {
		name string
		want []string // in the error; nil: followed to /blotter/app.json
	}{
		{name: "fullwidth-host"},
		{name: "percent-encoded-host"},
		{name: "encoded-unreserved"},
		{name: "dot-dot-params", want: []string{`redirect to "https://apps.acme.test:$PORT/x/..;/blotter/app.json"`, `dot segment with parameters "..;"`}},
		{name: "encoded-dot-dot", want: []string{`redirect to "https://apps.acme.test:$PORT/x/%2e%2e/blotter/app.json"`, "encoded dot %2E"}},
		{name: "encoded-slash", want: []string{`redirect to "https://apps.acme.test:$PORT/blotter/..%2Fx/app.json"`, "encoded slash %2F"}},
		{name: "absolute-dot-dot-param", want: []string{`redirect to "https://apps.acme.test:$PORT/x/..;/blotter/app.json"`, `dot segment with parameters "..;"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := appURL(r.port, "/redirect/"+tt.name)
			doc, err := verify(t, r.l, start, opts)
			asked := r.site.requests()
			if tt.want != nil {
				if err == nil {
					t.Fatalf("verify of %q decided (manifestUrl %q), want the hop refused", start, doc.ManifestURL)
				}
				var want []string
				for _, w := range tt.want {
					want = append(want, strings.ReplaceAll(w, "$PORT", r.port))
				}
				wantError(t, err, want...)
				if want := []string{"/redirect/" + tt.name}; !slices.Equal(asked, want) {
					t.Errorf("the server was asked for %q, want %q alone", asked, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("verify of %q: %v", start, err)
			}
			if want := appURL(r.port, "/blotter/app.json"); doc.ManifestURL != want {
				t.Errorf("manifestUrl: got %q, want %q", doc.ManifestURL, want)
			}
			if want := []string{"/redirect/" + tt.name, "/blotter/app.json"}; !slices.Equal(asked, want) {
				t.Errorf("the server was asked for %q, want %q", asked, want)
			}
			wantOwnersDecision(t, doc)
		})
	}
}

// TestUnicodeHostMatchesItsOwnPattern requests a manifest by the Unicode
// form of an internationalized host name, whose signed pattern is written
// in Unicode too: the pattern, and the owner's policy for the names below
// acme.test, must apply to the manifest URL, in its ASCII form.
func TestUnicodeHostMatchesItsOwnPattern(t *testing.T) {
	const ascii = "xn--bltter-xxa.acme.test" // blötter.acme.test
	r := newURLRig(t, ascii, "https://BLÖTTER.acme.test:$PORT/blotter/*")
	opts := r.options(ascii)
	raw := "https://Blötter.acme.test:" + r.port + "/blotter/app.json"
	doc, err := verify(t, r.l, raw, opts)
	if err != nil {
		t.Fatalf("verify of %q: %v", raw, err)
	}
	if want := "https://" + ascii + ":" + r.port + "/blotter/app.json"; doc.ManifestURL != want {
		t.Errorf("manifestUrl: got %q, want %q", doc.ManifestURL, want)
	}
	wantOwnersDecision(t, doc)
}
