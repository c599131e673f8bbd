package fetch

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/manifesttest"
)

// newSite starts a site on loopback and a fetcher that trusts its CA and
// reaches it by name.
func newSite(t *testing.T) (*manifesttest.Site, *Fetcher) {
	t.Helper()
	site, err := manifesttest.NewSite("apps.acme.test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(site.Close)
	return site, &Fetcher{RootCAs: site.CA.Pool, Resolve: site.Resolve, Timeouts: Timeouts{Headers: 2 * time.Second, Total: 5 * time.Second}}
}

func TestGetStrictConditional(t *testing.T) {
	site, f := newSite(t)
	site.Mux.HandleFunc("/dos.json", func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, `{}`)
	})
	ctx := context.Background()
	first, err := f.GetStrict(ctx, site.HTTPSURL("/dos.json"), 1024, Validators{})
	if err != nil || string(first.Body) != "{}" || first.Validators.ETag != `"v1"` {
		t.Fatalf("got %+v, %v; want the body and its ETag", first, err)
	}
	again, err := f.GetStrict(ctx, site.HTTPSURL("/dos.json"), 1024, first.Validators)
	if err != nil || !again.NotModified {
		t.Fatalf("got %+v, %v; want NotModified", again, err)
	}
	if _, err := f.GetStrict(ctx, site.HTTPURL("/dos.json"), 1024, Validators{}); err == nil {
		t.Fatal("GetStrict fetched an http: URL")
	}
}
