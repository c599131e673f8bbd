package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// recorder answers /redirect with a redirect to its Location and every
// other path with "ok", and records the request target of each request.
type recorder struct {
	mu       sync.Mutex
	asked    []string
	location string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.asked = append(rec.asked, r.RequestURI)
	loc := rec.location
	rec.mu.Unlock()
	if r.URL.Path == "/redirect" {
		w.Header()["Location"] = []string{loc} // as written, not as net/url would write it
		w.WriteHeader(http.StatusFound)
		return
	}
	fmt.Fprint(w, "ok")
}

// redirectTo sets the Location of /redirect and forgets what was asked.
func (rec *recorder) redirectTo(loc string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.location, rec.asked = loc, nil
}

func (rec *recorder) requests() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.asked
}

// TestRedirectHopNormalized redirects to other forms of a URL: each hop is
// normalized before it is followed (the server is asked for the normalized
// path, FinalURL is the normalized URL) or, where it cannot be, refused
// with an error naming it before the server is asked for it.
func TestRedirectHopNormalized(t *testing.T) {
	site, f := newSite(t)
	rec := &recorder{}
	site.Mux.Handle("/", rec)
	port := site.TLS.Port
	base := "https://apps.acme.test:" + port
	tests := []struct {
		name      string
		location  string
		wantFinal string // "" where the hop is refused
		wantAsked string // the second request's target
		wantErr   string
	}{
		{name: "full-width-host", location: "https://apps.ACME．TEST:" + port + "/app.json", wantFinal: base + "/app.json", wantAsked: "/app.json"},
		{name: "percent-encoded-host", location: "https://apps.acme%EF%BC%8Etest:" + port + "/app.json", wantFinal: base + "/app.json", wantAsked: "/app.json"},
		{name: "encoded-unreserved", location: "/%61pp.json?q=%2e", wantFinal: base + "/app.json?q=%2e", wantAsked: "/app.json?q=%2e"},
		{name: "escape-case", location: "/caf%c3%a9.json", wantFinal: base + "/caf%C3%A9.json", wantAsked: "/caf%C3%A9.json"},
		{name: "dot-dot-params", location: "/x/..;/app.json", wantErr: `redirect to "` + base + `/x/..;/app.json": dot segment with parameters "..;" in the path`},
		{name: "encoded-dot", location: "/x/%2E%2e/app.json", wantErr: `redirect to "` + base + `/x/%2E%2e/app.json": encoded dot %2E in the path`},
		{name: "encoded-slash", location: "/x/..%2Fapp.json", wantErr: "encoded slash %2F"},
		{name: "backslash", location: `/x\..\app.json`, wantErr: "encoded backslash %5C"},
		{name: "user-info", location: "https://user:pw@apps.acme.test:" + port + "/app.json", wantErr: "user info (@) is not allowed"},
		{name: "invalid-punycode", location: "https://xn--zz-.acme.test:" + port + "/app.json", wantErr: `redirect to "https://xn--zz-.acme.test:` + port + `/app.json": invalid internationalized name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.redirectTo(tt.location)
			resp, err := f.GetStrict(context.Background(), base+"/redirect", 1024, Validators{})
			asked := rec.requests()
			if tt.wantErr != "" {
				var fe *FetchError
				if !errors.As(err, &fe) || fe.Kind != KindRedirect || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %+v, %v; want a %s error holding %q", resp, err, KindRedirect, tt.wantErr)
				}
				if want := []string{"/redirect"}; !slices.Equal(asked, want) {
					t.Errorf("the server was asked for %q, want %q alone", asked, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.FinalURL != tt.wantFinal || resp.Redirects != 1 {
				t.Errorf("got FinalURL %q after %d redirects, want %q after 1", resp.FinalURL, resp.Redirects, tt.wantFinal)
			}
			if want := []string{"/redirect", tt.wantAsked}; !slices.Equal(asked, want) {
				t.Errorf("the server was asked for %q, want %q", asked, want)
			}
		})
	}
}

// TestStartURLNormalized fetches a URL in a form other than its normalized
// one, and one that cannot be normalized: the first is asked for, and
// reported, normalized; the second is refused, naming it, before anything
// is fetched.
func TestStartURLNormalized(t *testing.T) {
	site, f := newSite(t)
	rec := &recorder{}
	site.Mux.Handle("/", rec)
	port := site.TLS.Port
	resp, err := f.GetStrict(context.Background(), "https://APPS.acme．test:"+port+"/x/../%61pp.json?q=%2e", 1024, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://apps.acme.test:" + port + "/app.json?q=%2e"; resp.FinalURL != want {
		t.Errorf("FinalURL: got %q, want %q", resp.FinalURL, want)
	}
	if got, want := rec.requests(), []string{"/app.json?q=%2e"}; !slices.Equal(got, want) {
		t.Errorf("the server was asked for %q, want %q", got, want)
	}

	rec.redirectTo("")
	raw := "https://apps.acme.test:" + port + "/x/..;/app.json"
	_, err = f.GetStrict(context.Background(), raw, 1024, Validators{})
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Kind != KindURL || fe.URL != raw || !strings.Contains(err.Error(), fmt.Sprintf("fetch %q: dot segment with parameters", raw)) {
		t.Errorf("got %v, want a %s error naming %q", err, KindURL, raw)
	}
	if got := rec.requests(); len(got) != 0 {
		t.Errorf("the server was asked for %q, want nothing", got)
	}
}
