package hostile

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/permissions"
)

// ownerHost is the name the owner's https server answers as.
const ownerHost = "owner.acme.test"

// TestRemoteOwnerSettings serves one desktop owner settings file, as a
// user's machine settings name it, over https with a certificate the test
// makes and over plain http on loopback, where a network, or any local
// user who binds the port first, could have written it. The file is
// lenient where it can be: its default allows, and it grants by a policy
// named by the manifest's URL; it also denies, and allows only one
// manifest to launch. Over https all of it applies. Over http only what
// restricts does: the policy's grant gives nothing and the allow counts
// as prompt, each with a notice in the decision and in `rvm settings`,
// while its denial and its allow-list apply.
func TestRemoteOwnerSettings(t *testing.T) {
	v := newVendor(t)
	var block []byte
	app := v.server(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/app.json", "/other.json":
			w.Write(appManifest(`{"System": {"launchExternalProcess": true, "readRegistryValue": true, "getCookies": true}, "Window": {"getSnapshot": true}}`, block))
		default:
			http.NotFound(w, r)
		}
	}), false)
	block = v.grantAll(app.Port, `{"System": {"launchExternalProcess": true}}`)
	appJSON, otherJSON := appURL(app.Port, "/app.json"), appURL(app.Port, "/other.json")
	dos := fmt.Sprintf(`{
  "desktopSettings": {"securedAPIDefaultPermission": "allow", "allowedManifestUrls": [%q]},
  "applicationSettings": {
    %q: {"permissions": {"Window": {"getSnapshot": true}, "System": {"getCookies": false}}},
    "default": {"permissions": {"System": {"launchExternalProcess": false}}}
  }
}`, appJSON, appJSON)
	serveDOS := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/dos.json" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, dos)
	})
	// Where the policy's permissions start, on the file's fourth line.
	permissionsColumn := strings.Index(strings.Split(dos, "\n")[3], `{"Window"`) + 1
	secure := v.server(serveDOS, false, ownerHost)
	plain := httptest.NewServer(serveDOS)
	t.Cleanup(plain.Close)

	type decision struct {
		verdict permissions.Verdict
		source  permissions.Source
	}
	for _, tc := range []struct {
		name, location string
		want           map[string]decision
		notices        []string
	}{
		{
			name:     "https",
			location: "https://" + ownerHost + ":" + secure.Port + "/dos.json",
			want: map[string]decision{
				"Window.getSnapshot":           {permissions.Granted, permissions.SourceOwnerSettings},
				"System.getCookies":            {permissions.Denied, permissions.SourceOwnerSettings},
				"System.launchExternalProcess": {permissions.Denied, permissions.SourceOwnerSettings},
				"System.readRegistryValue":     {permissions.Granted, permissions.SourceOwnerDefault},
			},
		},
		{
			name:     "plain-http",
			location: plain.URL + "/dos.json",
			want: map[string]decision{
				"Window.getSnapshot":           {permissions.Prompt, permissions.SourceDefault},
				"System.getCookies":            {permissions.Denied, permissions.SourceOwnerSettings},
				"System.launchExternalProcess": {permissions.Denied, permissions.SourceOwnerSettings},
				"System.readRegistryValue":     {permissions.Prompt, permissions.SourceDefault},
			},
			notices: []string{
				"came over plain http://, which anyone on the network could have written: only what it denies or restricts applies",
				`line 2, column 54: desktopSettings.securedAPIDefaultPermission: "allow" ignored (it counts as "prompt"): the file came over plain http://, which can only deny`,
				fmt.Sprintf(`line 4, column %d: applicationSettings[%q].permissions: grants ignored: the file came over plain http://, which can only deny: "Window.getSnapshot"`, permissionsColumn, appJSON),
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := v.launcher()
			o := v.options(fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, tc.location), resolveTo(app.Port), ownerHost+":"+secure.Port+":127.0.0.1")
			doc, err := verify(t, l, appJSON, o)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Trust.Status != launcher.StatusTrusted || !doc.Launch.Allowed || len(doc.Fetch.Warnings) > 0 {
				t.Errorf("got trust %+v, launch %+v, warnings %q; want trusted, allowed and no warning", doc.Trust, doc.Launch, doc.Fetch.Warnings)
			}
			for name, want := range tc.want {
				launchertest.CheckPermission(t, doc, name, want.verdict, want.source)
			}
			checkNotices(t, "decision", doc.Notices, tc.location, tc.notices)
			checkNotices(t, "rvm settings", settingsReport(t, l, o).DesktopOwnerSettings.Notices, tc.location, tc.notices)

			// The allow-list applies, whoever could have written it.
			other, err := verify(t, l, otherJSON, o)
			if err != nil {
				t.Fatal(err)
			}
			if other.Launch.Allowed || !strings.Contains(other.Launch.Reason, "matches none of the allowedManifestUrls") {
				t.Errorf("%s: got launch %+v, want it refused by allowedManifestUrls", otherJSON, other.Launch)
			}
		})
	}
}

// checkNotices fails the test unless got is one notice for each of want,
// in order, each naming the file at location.
func checkNotices(t *testing.T, where string, got []string, location string, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got notices %q, want %d", where, got, len(want))
		return
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], "owner: desktop owner settings "+location) || !strings.Contains(got[i], w) {
			t.Errorf("%s: notice %d: got %q, want it to name %s and hold %q", where, i+1, got[i], location, w)
		}
	}
}
