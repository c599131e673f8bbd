package launcher_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

func TestMain(m *testing.M) { launchertest.Main(m) }

// launchWorld is a world whose machine settings point at a runtime
// directory holding the stand-in runtime 38.1.0.0 (see launchertest.Main),
// which reports what it received to the file returned.
func launchWorld(t *testing.T) (w *launchertest.World, runtimeDir, out string) {
	w = launchertest.NewWorld(t)
	runtimeDir = launchertest.InstallRuntime(t)
	b, _ := json.Marshal(map[string]string{"RuntimeDirectory": runtimeDir})
	w.Settings(string(b))
	out = filepath.Join(t.TempDir(), "received.json")
	t.Setenv(launchertest.RuntimeOutEnv, out)
	return w, runtimeDir, out
}

// launch is LaunchVia of url with w.Opts.
func launch(t *testing.T, w *launchertest.World, url string, ask launcher.Prompter) (*launcher.Document, int, error) {
	t.Helper()
	return w.L.LaunchVia(context.Background(), request(t, url, w.Opts), ask)
}

func TestLaunch(t *testing.T) {
	w, _, out := launchWorld(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.Pattern("/blotter/"))
	url := w.Publish("/blotter/app.json", launchertest.Requested, w.Block(apps, "linux"))

	headless := launcher.PrompterFor(prompt.Env{})
	doc, pid, err := launch(t, w, url, headless)
	if err != nil {
		t.Fatalf("LaunchVia: %v", err)
	}
	if pid <= 0 {
		t.Errorf("pid: got %d, want a process id", pid)
	}
	launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Granted, permissions.SourceTrusted)
	// Nobody to ask: prompt becomes denied (resolved, source user: SPEC
	// 5.6), and nothing is stored.
	launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Denied, permissions.SourceUser)
	if choices, _ := permissions.OpenStore(w.Env.DataDir, platform.UserID()).List(); len(choices) != 0 {
		t.Errorf("a headless launch stored %v", choices)
	}

	var got launchertest.Received
	if err := json.Unmarshal(launchertest.WaitForFile(t, out), &got); err != nil {
		t.Fatal(err)
	}
	decisionPath := ""
	for _, a := range got.Args {
		if p, ok := strings.CutPrefix(a, "--decision="); ok {
			decisionPath = p
		}
	}
	wantArgs := []string{"--config=" + url, "--decision=" + decisionPath, "--v=1"}
	if !slices.Equal(got.Args, wantArgs) {
		t.Errorf("runtime arguments: got %q, want %q", got.Args, wantArgs)
	}
	if got.Decision != string(doc.JSON()) {
		t.Errorf("the runtime read a decision document other than the one returned:\n%s", got.Decision)
	}
	info, err := os.Stat(decisionPath)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("decision document mode: got %v, want 0600", info.Mode().Perm())
	}
}

func TestLaunchPromptsAndStores(t *testing.T) {
	w, _, out := launchWorld(t)
	url := w.Publish("/blotter/app.json", `{"Window": {"getSnapshot": true}, "System": {"getProcessList": true}}`, nil)
	var asked []string
	yesToSnapshots := func(_ context.Context, q string) (prompt.Answer, error) {
		asked = append(asked, q)
		if strings.Contains(q, "Window.getSnapshot") {
			return prompt.Yes, nil
		}
		return prompt.No, nil
	}
	doc, _, err := launch(t, w, url, yesToSnapshots)
	if err != nil {
		t.Fatal(err)
	}
	launchertest.WaitForFile(t, out)
	if len(asked) != 2 {
		t.Fatalf("asked %d questions, want 2: %q", len(asked), asked)
	}
	launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceUser)
	launchertest.CheckPermission(t, doc, "System.getProcessList", permissions.Denied, permissions.SourceUser)
	// The answers are stored: the next decision does not prompt.
	again := w.Verify(url)
	launchertest.CheckPermission(t, again, "Window.getSnapshot", permissions.Granted, permissions.SourceUser)
	launchertest.CheckPermission(t, again, "System.getProcessList", permissions.Denied, permissions.SourceUser)
}

func TestLaunchRefused(t *testing.T) {
	w, rtDir, _ := launchWorld(t)
	url := w.Publish("/blotter/app.json", launchertest.Requested, nil)
	b, _ := json.Marshal(map[string]string{"RuntimeDirectory": rtDir, "DesktopOwnerSettings": w.Owner(`{"desktopSettings": {"allowedManifestUrls": ["https://intranet.acme.test/*"]}}`)})
	w.Settings(string(b))
	doc, pid, err := launch(t, w, url, nil)
	var refused *launcher.RefusedError
	if !errors.As(err, &refused) || pid != 0 || doc == nil || doc.Launch.Allowed {
		t.Fatalf("got doc %v pid %d err %v, want a RefusedError with the decision", doc != nil, pid, err)
	}
}

func TestLaunchNoRuntime(t *testing.T) {
	w, _, _ := launchWorld(t)
	url := w.Serve("/blotter/app.json", []byte(`{"runtime": {"version": "99.*"}}`))
	doc, _, err := launch(t, w, url, nil)
	var none *launcher.RuntimeError
	want := `launcher: no runtime to start for version "99.*" (missing): no runtime fits version "99.*"; installed: 38.1.0.0`
	if !errors.As(err, &none) || none.State != launcher.RuntimeMissing || err.Error() != want {
		t.Fatalf("got %v, want a RuntimeError: %s", err, want)
	}
	if doc.RuntimeState.State != launcher.RuntimeMissing || !doc.Launch.Allowed {
		t.Errorf("got runtime %+v and launch %+v, want missing, the launch itself allowed", doc.RuntimeState, doc.Launch)
	}
}

// TestLaunchQuestions: each question names the app by its signed name and
// signer where the block is trusted, and otherwise as unverified with the
// manifest's name; the host of the manifest URL; the constraints asked
// for; and how to take the answer back.
func TestLaunchQuestions(t *testing.T) {
	w, _, out := launchWorld(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.Pattern("/blotter/"))
	signed := w.Publish("/blotter/app.json", launchertest.Requested, w.Block(apps, "linux"))
	unsigned := w.Publish("/other/app.json", launchertest.Requested, nil)
	for _, tt := range []struct {
		name, url string
		want      []string
	}{
		{"trusted", signed, []string{
			`The app "Acme Blotter" from apps.acme.test, signed by "Acme Corp", asks to use System.readRegistryValue with {"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"]}.`,
			"rvm permissions revoke " + signed + " System.readRegistryValue",
		}},
		{"unverified", unsigned, []string{
			`The unverified app "blotter" from apps.acme.test asks to use System.launchExternalProcess.`,
			"Your answer is remembered; to take it back: rvm permissions revoke " + unsigned + " System.launchExternalProcess",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var asked []string
			_, _, err := launch(t, w, tt.url, func(_ context.Context, q string) (prompt.Answer, error) {
				asked = append(asked, q)
				return prompt.No, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			launchertest.WaitForFile(t, out)
			all := strings.Join(asked, "\n")
			for _, want := range tt.want {
				if !strings.Contains(all, want) {
					t.Errorf("no question shows %q:\n%s", want, all)
				}
			}
			if !slices.IsSorted(asked) {
				t.Errorf("questions not in name order:\n%s", all)
			}
		})
	}
}
