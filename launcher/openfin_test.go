package launcher_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/permissions"
)

// openFinNames reads OpenFin's secured API names, one dotted name a line
// with # comments (testdata/permissions/openfin.txt).
func openFinNames(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../testdata/permissions/openfin.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// TestOpenFinCatalogue: a manifest that requests every secured API of
// OpenFin's (the webAPIs in OpenFin's array form) gets a decision for each,
// and none is an unknown permission.
func TestOpenFinCatalogue(t *testing.T) {
	names := openFinNames(t)
	if len(names) != 82 {
		t.Fatalf("got %d names in openfin.txt, want OpenFin's 82", len(names))
	}
	perms := map[string]any{}
	var webAPIs []string
	for _, n := range names {
		if api, ok := strings.CutPrefix(n, "webAPIs."); ok {
			webAPIs = append(webAPIs, api)
			continue
		}
		labels := strings.Split(n, ".")
		group := perms
		for _, l := range labels[:len(labels)-1] {
			if group[l] == nil {
				group[l] = map[string]any{}
			}
			group = group[l].(map[string]any)
		}
		group[labels[len(labels)-1]] = true
	}
	perms["webAPIs"] = webAPIs
	body, err := json.Marshal(perms)
	if err != nil {
		t.Fatal(err)
	}
	w := launchertest.NewWorld(t)
	doc := w.Verify(w.Publish("/catalogue/app.json", string(body), nil))
	var got []string
	for n, d := range doc.Permissions {
		got = append(got, n)
		if d.Source == permissions.SourceUnknown {
			t.Errorf("%s: got %s (%s), want a known permission", n, d.Verdict, d.Source)
		}
	}
	slices.Sort(got)
	slices.Sort(names)
	if !slices.Equal(got, names) {
		t.Errorf("got decisions for\n%q\nwant\n%q", got, names)
	}
}

// TestWorkspaceManifest: a Workspace-style platform manifest requests what
// its platform options and its snapshot's windows and views carry (but
// not what customData holds), in OpenFin's forms, and the decision
// document carries the manifest's notices. The webAPIs array form holds
// in a signed block and a desktop owner policy as well.
func TestWorkspaceManifest(t *testing.T) {
	w := launchertest.NewWorld(t)
	w.Owner(`{"applicationSettings": {"default": {"permissions": {"webAPIs": ["notifications"], "System": {"getOSInfo": false}}}}}`)
	apps := fmt.Sprintf(`[{"name": "Acme Workspace", "match": [%q], "permissions": {"webAPIs": ["audio", "clipboard-read"], "Window": {"getSnapshot": true}}}]`, w.Pattern("/workspace/"))
	block := w.Block(apps, "linux")
	body := fmt.Sprintf(`{
  "runtime": {"version": "stable-v4"},
  "platform": {
    "uuid": "acme-workspace",
    "defaultWindowOptions": {"permissions": {"Window": {"getSnapshot": true}}},
    "defaultViewOptions": {"permissions": {"webAPIs": ["clipboard-read"]}}
  },
  "snapshot": {"windows": [
    {"layout": {"content": [{"type": "row", "content": [{"type": "stack", "content": [
      {"type": "component", "componentName": "view", "componentState": {"url": "https://apps.acme.test/news/", "permissions": {"webAPIs": ["audio", "notifications"], "System": {"getOSInfo": true}},
        "customData": {"permissions": {"System": {"launchExternalProcess": true}}}}},
      {"type": "component", "componentName": "view", "componentState": "https://apps.acme.test/chart/"}
    ]}]}]}}
  ]},
  "trustedAppConfigs": %s
}`, block)
	doc := w.Verify(w.Serve("/workspace/app.json", []byte(body)))
	launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceTrusted)
	launchertest.CheckPermission(t, doc, "webAPIs.clipboard-read", permissions.Granted, permissions.SourceTrusted)
	launchertest.CheckPermission(t, doc, "webAPIs.audio", permissions.Granted, permissions.SourceTrusted)
	launchertest.CheckPermission(t, doc, "webAPIs.notifications", permissions.Granted, permissions.SourceOwnerSettings)
	launchertest.CheckPermission(t, doc, "System.getOSInfo", permissions.Denied, permissions.SourceOwnerSettings)
	if _, ok := doc.Permissions["System.launchExternalProcess"]; ok {
		t.Errorf("got System.launchExternalProcess decided, want it not requested: customData is not read")
	}
	if len(doc.Permissions) != 5 {
		t.Errorf("got %d permissions decided, want 5", len(doc.Permissions))
	}
	want := "manifest: snapshot.windows[0].layout.content[0].content[0].content[1].componentState: want an object, got a string (the permissions under it are not requested)"
	if !slices.Contains(doc.Notices, want) {
		t.Errorf("got notices %q, want them to hold %q", doc.Notices, want)
	}
	if doc.RuntimeState.Requested != "stable-v4" {
		t.Errorf("got runtime %q requested, want stable-v4", doc.RuntimeState.Requested)
	}
}
