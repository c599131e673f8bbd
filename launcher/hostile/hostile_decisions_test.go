package hostile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

// signedKeys are the constraints a vendor's block signs for
// System.readRegistryValue.
const signedKeys = `{"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"]}`

// TestSignedConstraintsHold mounts the review's attack on flaw 2: a block
// signs System.readRegistryValue for one registry key; the manifest asks
// for another key, or for none at all (every key). The trusted grant
// carries the keys the block signed, never the manifest's.
func TestSignedConstraintsHold(t *testing.T) {
	r := newDocRig(t)
	block := r.v.sign(r.v.config(fmt.Sprintf(`[{"name": "Acme Blotter", "match": ["https://*.acme.test:%s/*"], "permissions": {"System": {"readRegistryValue": %s}}}]`, r.srv, signedKeys)))
	for _, tt := range []struct{ name, asks string }{
		{"manifest-asks-for-the-sam", `{"enabled": true, "registryKeys": ["HKEY_LOCAL_MACHINE\\SAM"]}`},
		{"manifest-asks-for-every-key", `true`},
		{"manifest-asks-for-the-signed-key", signedKeys},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := r.manifest(t, appManifest(`{"System": {"readRegistryValue": `+tt.asks+`}}`, block), "")
			if err != nil {
				t.Fatal(err)
			}
			d := doc.Permissions["System.readRegistryValue"]
			var got struct{ RegistryKeys []string }
			json.Unmarshal(d.Constraints, &got)
			if !d.Granted() || d.Source != permissions.SourceTrusted || len(got.RegistryKeys) != 1 || got.RegistryKeys[0] != `HKEY_CURRENT_USER\Software\Acme` {
				t.Errorf("got %s (%s) with constraints %s, want granted by the block with the signed %s", d.Verdict, d.Source, d.Constraints, signedKeys)
			}
		})
	}
}

// storeAnswers writes a user's stored answers for url into the data
// directory dir, as an earlier rvm wrote them (a store of version 1):
// answers maps a permission to granted.
func storeAnswers(t *testing.T, dir, url string, answers map[string]bool) {
	t.Helper()
	var choices []string
	for _, name := range []string{"System.launchExternalProcess", "System.readRegistryValue", "Window.getSnapshot"} {
		if granted, ok := answers[name]; ok {
			decision := "denied"
			if granted {
				decision = "granted"
			}
			choices = append(choices, fmt.Sprintf(`{"url": %q, "permission": %q, "decision": %q}`, url, name, decision))
		}
	}
	writeFile(t, filepath.Join(dir, permissions.StoreFile), []byte(`{"version": 1, "choices": [`+strings.Join(choices, ", ")+`]}`))
}

// TestStoredAnswersAndTheOwnersDefault (flaw 11): a user's stored yes does
// not beat the owner's securedAPIDefaultPermission deny, and a stored no
// beats the owner's allow (SPEC 5.5 rules 4 to 6).
func TestStoredAnswersAndTheOwnersDefault(t *testing.T) {
	r := newDocRig(t)
	url := r.publish(appManifest(`{"Window": {"getSnapshot": true}, "System": {"readRegistryValue": true}}`, nil))
	for _, tt := range []struct {
		name, def string
		answers   map[string]bool
		want      map[string]permissions.Decision
	}{
		{"owner-deny-beats-a-stored-yes", "deny", map[string]bool{"Window.getSnapshot": true}, map[string]permissions.Decision{
			"Window.getSnapshot":       {Verdict: permissions.Denied, Source: permissions.SourceOwnerDefault},
			"System.readRegistryValue": {Verdict: permissions.Denied, Source: permissions.SourceOwnerDefault},
		}},
		{"a-stored-no-beats-owner-allow", "allow", map[string]bool{"Window.getSnapshot": false}, map[string]permissions.Decision{
			"Window.getSnapshot":       {Verdict: permissions.Denied, Source: permissions.SourceUser},
			"System.readRegistryValue": {Verdict: permissions.Granted, Source: permissions.SourceOwnerDefault},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			storeAnswers(t, dir, url, tt.answers)
			owner := filepath.Join(t.TempDir(), "owner.json")
			writeFile(t, owner, []byte(fmt.Sprintf(`{"desktopSettings": {"securedAPIDefaultPermission": %q}}`, tt.def)))
			l := launcher.New(launcher.Env{DataDir: dir, TLSRoots: r.v.ca.Pool})
			doc, err := verify(t, l, url, r.v.options(fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, owner), resolveTo(r.srv)))
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				launchertest.CheckPermission(t, doc, name, want.Verdict, want.Source)
			}
		})
	}
}

// TestOwnerSettingsUnavailableRefuseLaunch mounts the review's attack on
// flaw 6: owner settings that are configured but cannot be read may hold
// an allow-list, so nothing launches (exit 3) and every permission is
// denied, whatever made them unavailable.
func TestOwnerSettingsUnavailableRefuseLaunch(t *testing.T) {
	r := newDocRig(t)
	url := r.publish(appManifest(`{"Window": {"getSnapshot": true}}`, nil))
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	notJSON := filepath.Join(t.TempDir(), "owner.json")
	writeFile(t, notJSON, []byte(`{"desktopSettings": {"allowedManifestUrls": ["https://intranet.acme.test/*"]`))
	runtimeDir := launchertest.InstallRuntime(t)
	out := filepath.Join(t.TempDir(), "received.json")
	t.Setenv(launchertest.RuntimeOutEnv, out)
	for _, tt := range []struct {
		name, location string
		resolve        []string
	}{
		{name: "missing-file", location: `"` + filepath.Join(t.TempDir(), "none.json") + `"`},
		{name: "not-json", location: fmt.Sprintf("%q", notJSON)},
		{name: "404", location: fmt.Sprintf("%q", appURL(r.srv, "/owner-none.json")), resolve: []string{resolveTo(r.srv)}},
		{name: "unreachable", location: fmt.Sprintf("%q", appURL(fmt.Sprint(closedPort), "/owner.json")), resolve: []string{resolveTo(fmt.Sprint(closedPort))}},
		{name: "wrong-type", location: `7`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := r.v.options(fmt.Sprintf(`{"DesktopOwnerSettings": %s, "RuntimeDirectory": %q}`, tt.location, runtimeDir), append([]string{resolveTo(r.srv)}, tt.resolve...)...)
			req, err := launcher.NewRequest(url, o, "linux")
			if err != nil {
				t.Fatal(err)
			}
			l := launcher.New(launcher.Env{DataDir: filepath.Join(t.TempDir(), "data"), TLSRoots: r.v.ca.Pool})
			doc, pid, err := l.LaunchVia(context.Background(), req, launcher.PrompterFor(prompt.Env{}))
			var refused *launcher.RefusedError
			if !errors.As(err, &refused) || pid != 0 || doc == nil || doc.Launch.Allowed {
				t.Fatalf("got pid %d, error %v, want the launch refused by policy", pid, err)
			}
			if !strings.Contains(doc.Launch.Reason, "unavailable") {
				t.Errorf("got reason %q, want it to say the owner settings are unavailable", doc.Launch.Reason)
			}
			launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Denied, permissions.SourceOwnerUnavailable)
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a runtime was started")
			}
		})
	}
}

// TestSameDocumentThroughTheService: a request gives the same document
// whether this process decides it or a service does (decidedBy aside):
// the user's stored answers and runtime directory apply on the user's
// side either way (SPEC 6).
func TestSameDocumentThroughTheService(t *testing.T) {
	rig := newAPIRig(t)
	v := rig.v
	srv := v.server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"runtime": {"version": "38.*"}, "startup_app": {"name": "Acme Blotter", "permissions": {"Window": {"getSnapshot": true}, "System": {"readRegistryValue": {"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"]}, "launchExternalProcess": true}}}}`))
	}), false)
	url := appURL(srv.Port, "/app.json")
	dir := filepath.Join(t.TempDir(), "data")
	storeAnswers(t, dir, url, map[string]bool{"Window.getSnapshot": true, "System.launchExternalProcess": false})
	b, _ := json.Marshal(map[string]string{"RuntimeDirectory": launchertest.InstallRuntime(t)})
	o := v.options(string(b), resolveTo(srv.Port))
	env := launcher.Env{DataDir: dir, TLSRoots: v.ca.Pool}

	here, err := verify(t, launcher.New(env), url, o)
	if err != nil {
		t.Fatal(err)
	}
	client := launcher.New(env)
	client.Remote = api.NewClient(rig.dir, false, zerolog.Nop())
	there, err := verifyVia(t, client, url, o)
	if err != nil {
		t.Fatal(err)
	}
	if here.DecidedBy.By != launcher.ByInProcess || there.DecidedBy.By != launcher.ByService {
		t.Errorf("got decidedBy %+v here and %+v there, want in-process and service", here.DecidedBy, there.DecidedBy)
	}
	here.DecidedBy, there.DecidedBy = launcher.DecidedBy{}, launcher.DecidedBy{}
	if a, b := string(here.JSON()), string(there.JSON()); a != b {
		t.Errorf("in-process:\n%s\nthrough the service:\n%s", a, b)
	}
	launchertest.CheckPermission(t, there, "Window.getSnapshot", permissions.Granted, permissions.SourceUser)
	launchertest.CheckPermission(t, there, "System.launchExternalProcess", permissions.Denied, permissions.SourceUser)
	if there.RuntimeState.State != launcher.RuntimeInstalled || there.RuntimeState.Version != "38.1.0.0" {
		t.Errorf("got runtime %+v, want 38.1.0.0 installed in the user's runtime directory", there.RuntimeState)
	}
}

// TestOwnerPolicyConstraintsHold (flaw 2, the owner's side): an owner
// policy in the object form grants with its own constraints, whatever the
// manifest asks; two matching policies that grant with different
// constraints deny.
func TestOwnerPolicyConstraintsHold(t *testing.T) {
	r := newDocRig(t)
	owner := filepath.Join(t.TempDir(), "owner.json")
	writeFile(t, owner, []byte(fmt.Sprintf(`{"applicationSettings": {
		"acme": {"urls": ["https://*.acme.test:%[1]s/*"], "permissions": {"System": {"readRegistryValue": %[2]s}}},
		"tools": {"urls": ["https://*.acme.test:%[1]s/tools/*"], "permissions": {"System": {"readRegistryValue": true}}}}}`, r.srv, signedKeys)))
	o := r.v.options(fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, owner), resolveTo(r.srv))
	sam := appManifest(`{"System": {"readRegistryValue": {"enabled": true, "registryKeys": ["HKEY_LOCAL_MACHINE\\SAM"]}}}`, nil)

	doc, err := verify(t, r.l, r.publish(sam), o)
	if err != nil {
		t.Fatal(err)
	}
	d := doc.Permissions["System.readRegistryValue"]
	var got struct{ RegistryKeys []string }
	json.Unmarshal(d.Constraints, &got)
	if !d.Granted() || d.Source != permissions.SourceOwnerSettings || len(got.RegistryKeys) != 1 || got.RegistryKeys[0] != `HKEY_CURRENT_USER\Software\Acme` {
		t.Errorf("got %s (%s, policy %q) with %s, want granted by the owner with the policy's keys", d.Verdict, d.Source, d.Policy, d.Constraints)
	}

	r.mu.Lock()
	r.docs["/tools/app.json"] = sam
	r.mu.Unlock()
	doc, err = verify(t, r.l, appURL(r.srv, "/tools/app.json"), o)
	if err != nil {
		t.Fatal(err)
	}
	launchertest.CheckPermission(t, doc, "System.readRegistryValue", permissions.Denied, permissions.SourceOwnerSettings)
}
