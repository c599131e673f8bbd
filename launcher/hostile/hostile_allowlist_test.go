package hostile

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

// TestAllowListAdmitsBothURLs: allowedManifestUrls must match the URL asked
// for as well as the one a redirect leads to (SPEC 2), so that neither an
// allowed host's redirect to another nor another's redirect to an allowed
// path gets a manifest launched.
func TestAllowListAdmitsBothURLs(t *testing.T) {
	v := newVendor(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/allowed/app.json", func(w http.ResponseWriter, _ *http.Request) { w.Write(appManifest(`{}`, nil)) })
	mux.HandleFunc("/other/app.json", func(w http.ResponseWriter, _ *http.Request) { w.Write(appManifest(`{}`, nil)) })
	mux.HandleFunc("/allowed/to-other", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/other/app.json", http.StatusFound)
	})
	mux.HandleFunc("/other/to-allowed", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/allowed/app.json", http.StatusFound)
	})
	srv := v.server(mux, false)
	owner := filepath.Join(t.TempDir(), "owner.json")
	dos, _ := json.Marshal(map[string]any{"desktopSettings": map[string]any{
		"allowedManifestUrls": []string{"https://" + appHost + ":" + srv.Port + "/allowed/*"},
	}})
	writeFile(t, owner, dos)
	machine, _ := json.Marshal(map[string]string{"DesktopOwnerSettings": owner})
	o := v.options(string(machine), resolveTo(srv.Port))
	l := v.launcher()
	for _, tt := range []struct {
		name, path string
		allowed    bool
		reason     string
	}{
		{"allowed", "/allowed/app.json", true, ""},
		{"not-allowed", "/other/app.json", false, "matches none"},
		{"allowed-redirects-to-other", "/allowed/to-other", false, "matches none"},
		{"other-redirects-to-allowed", "/other/to-allowed", false, "the requested URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := l.Verify(context.Background(), appURL(srv.Port, tt.path), o)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Launch.Allowed != tt.allowed || !strings.Contains(doc.Launch.Reason, tt.reason) {
				t.Errorf("got launch %+v, want allowed %v and a reason holding %q", doc.Launch, tt.allowed, tt.reason)
			}
		})
	}
}

// TestLinkHandlerIsTheOwnersSwitch: every launch of a fins:// or fin://
// URL is a link launch, --from-link or not (SPEC 7): refused where the
// owner turns links off, or where linkHandler.allowedManifestUrls leaves
// the manifest out; the same manifest by its https URL is not a link.
func TestLinkHandlerIsTheOwnersSwitch(t *testing.T) {
	v := newVendor(t)
	mux := http.NewServeMux()
	for _, p := range []string{"/allowed/app.json", "/other/app.json"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, _ *http.Request) { w.Write(appManifest(`{}`, nil)) })
	}
	srv := v.server(mux, false)
	owner := filepath.Join(t.TempDir(), "owner.json")
	machine, _ := json.Marshal(map[string]string{"DesktopOwnerSettings": owner})
	o := v.options(string(machine), resolveTo(srv.Port))
	l := v.launcher()
	link := func(path string) string { return "fins://" + appHost + ":" + srv.Port + path }
	for _, tt := range []struct {
		name, handler, url string
		allowed            bool
		reason             string
	}{
		{"links-off-refuses-a-link", `{"enabled": false}`, link("/allowed/app.json"), false, "turn links off"},
		{"links-off-leaves-https", `{"enabled": false}`, appURL(srv.Port, "/allowed/app.json"), true, ""},
		{"links-on", `{"enabled": true}`, link("/allowed/app.json"), true, ""},
		{"link-list-admits", `{"allowedManifestUrls": ["https://` + appHost + `:` + srv.Port + `/allowed/*"]}`, link("/allowed/app.json"), true, ""},
		{"link-list-refuses", `{"allowedManifestUrls": ["https://` + appHost + `:` + srv.Port + `/allowed/*"]}`, link("/other/app.json"), false, "linkHandler.allowedManifestUrls"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			writeFile(t, owner, []byte(`{"desktopSettings": {"linkHandler": `+tt.handler+`}}`))
			doc, err := l.Verify(context.Background(), tt.url, o)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Launch.Allowed != tt.allowed || !strings.Contains(doc.Launch.Reason, tt.reason) {
				t.Errorf("got launch %+v, want allowed %v and a reason holding %q", doc.Launch, tt.allowed, tt.reason)
			}
		})
	}
}

// TestRefusedLinkFetchesNothing: a web page must not be able to make rvm
// contact the server a link names where the owner refuses the link
// whatever the manifest holds (links off, or a link list that does not
// admit the URL): the launch is refused before any fetch, exit 3's error,
// and the server never hears of it. A link the owner allows is fetched.
func TestRefusedLinkFetchesNothing(t *testing.T) {
	v := newVendor(t)
	var fetches atomic.Int64
	srv := v.server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		w.Write(appManifest(`{}`, nil))
	}), false)
	owner := filepath.Join(t.TempDir(), "owner.json")
	machine, _ := json.Marshal(map[string]string{"DesktopOwnerSettings": owner})
	o := v.options(string(machine), resolveTo(srv.Port))
	link := "fins://" + appHost + ":" + srv.Port + "/other/app.json"
	for _, tt := range []struct {
		name, handler string
		refused       bool
		reason        string
	}{
		{"links-off", `{"enabled": false}`, true, "turn links off"},
		{"link-list-refuses", `{"allowedManifestUrls": ["https://` + appHost + `:` + srv.Port + `/allowed/*"]}`, true, "linkHandler.allowedManifestUrls"},
		{"link-list-admits", `{"allowedManifestUrls": ["https://` + appHost + `:` + srv.Port + `/other/*"]}`, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			writeFile(t, owner, []byte(`{"desktopSettings": {"linkHandler": `+tt.handler+`}}`))
			req, err := launcher.NewRequest(link, o, "linux")
			if err != nil {
				t.Fatal(err)
			}
			before := fetches.Load()
			_, _, err = v.launcher().LaunchVia(context.Background(), req, launcher.PrompterFor(prompt.Env{}))
			var refused *launcher.RefusedError
			fetched := fetches.Load() - before
			switch {
			case tt.refused && (!errors.As(err, &refused) || !strings.Contains(err.Error(), tt.reason)):
				t.Errorf("got %v, want a refusal naming %q", err, tt.reason)
			case tt.refused && fetched != 0:
				t.Errorf("the server got %d requests for a link the owner refuses, want none", fetched)
			case !tt.refused && fetched == 0:
				t.Errorf("a link the owner allows was not fetched (%v)", err)
			}
		})
	}
}
