package hostile

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
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
