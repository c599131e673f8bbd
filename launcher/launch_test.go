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

	"github.com/rs/zerolog"

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
	decisionPath, manifestPath := flag(got.Args, "--decision="), flag(got.Args, "--manifest=")
	wantArgs := []string{"--v=1", "--config=" + url, "--manifest=" + manifestPath, "--decision=" + decisionPath}
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
	yesToSnapshots := func(_ context.Context, q prompt.Question) (prompt.Answer, error) {
		asked = append(asked, q.Text)
		if strings.Contains(q.Text, "Window.getSnapshot") {
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
			// Wait for this launch's runtime, not the one before: it
			// would write into the test's folder as it is removed.
			os.Remove(out)
			var asked []string
			_, _, err := launch(t, w, tt.url, func(_ context.Context, q prompt.Question) (prompt.Answer, error) {
				asked = append(asked, q.Text)
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

// rvm.log records every decision with its reasons and every answer a user
// gives (SPEC 7): after a launch with answers, the decision line holds each
// permission's verdict, source and the owner's policy that decided it, and
// one line for each answer names the permission, the answer and whether it
// was stored; a launch the owner refuses is logged with why.
func TestLogRecordsDecisionsAndAnswers(t *testing.T) {
	w, rtDir, out := launchWorld(t)
	url := w.Publish("/blotter/app.json", `{"Window": {"getSnapshot": true}, "System": {"getProcessList": true, "readRegistryValue": true}}`, nil)
	dos := fmt.Sprintf(`{"applicationSettings": {"blotter-rules": {"urls": [%q], "permissions": {"System": {"readRegistryValue": false}}}}}`, "https://*.acme.test:"+w.Server.Port+"/blotter/*")
	b, _ := json.Marshal(map[string]string{"RuntimeDirectory": rtDir, "DesktopOwnerSettings": w.Owner(dos)})
	w.Settings(string(b))
	env := w.Env
	log, closer, err := launcher.OpenLog(env.DataDir, nil, zerolog.InfoLevel)
	if err != nil {
		t.Fatal(err)
	}
	env.Log = log
	l := launcher.New(env)
	yesToSnapshots := func(_ context.Context, q prompt.Question) (prompt.Answer, error) {
		if strings.Contains(q.Text, "Window.getSnapshot") {
			return prompt.Yes, nil
		}
		return prompt.No, nil
	}
	if _, _, err := l.LaunchVia(context.Background(), request(t, url, w.Opts), yesToSnapshots); err != nil {
		t.Fatal(err)
	}
	launchertest.WaitForFile(t, out)
	// A launch the owner refuses.
	b, _ = json.Marshal(map[string]string{"RuntimeDirectory": rtDir, "DesktopOwnerSettings": w.Owner(`{"desktopSettings": {"allowedManifestUrls": ["https://intranet.acme.test/*"]}}`)})
	w.Settings(string(b))
	if _, _, err := l.LaunchVia(context.Background(), request(t, url, w.Opts), nil); err == nil {
		t.Fatal("a launch outside allowedManifestUrls was not refused")
	}
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}

	type permission struct{ Decision, Source, Policy string }
	var (
		decision *struct {
			DecidedBy   string                `json:"decidedBy"`
			Permissions map[string]permission `json:"permissions"`
		}
		answers = map[string]string{}
		refusal string
	)
	data, err := os.ReadFile(filepath.Join(env.DataDir, launcher.LogFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e struct {
			Message, Permission, Answer, Reason string
			Stored                              *bool
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("rvm.log holds a line that is not JSON: %v\n%s", err, line)
		}
		switch e.Message {
		case "decision":
			if decision == nil {
				json.Unmarshal([]byte(line), &decision)
			}
		case "the user's answer":
			if e.Stored == nil {
				t.Errorf("the answer about %s does not say whether it was stored: %s", e.Permission, line)
				continue
			}
			answers[e.Permission] = fmt.Sprintf("%s, stored %v", e.Answer, *e.Stored)
		case "launch refused by policy":
			refusal = e.Reason
		}
	}
	if decision == nil {
		t.Fatalf("no decision in rvm.log:\n%s", data)
	}
	for name, want := range map[string]permission{
		"Window.getSnapshot":       {"prompt", "default", ""},
		"System.getProcessList":    {"prompt", "default", ""},
		"System.readRegistryValue": {"denied", "desktop-owner-settings", "blotter-rules"},
	} {
		if got := decision.Permissions[name]; got != want {
			t.Errorf("decision of %s in rvm.log: got %+v, want %+v", name, got, want)
		}
	}
	if decision.DecidedBy != launcher.ByInProcess {
		t.Errorf("decidedBy in rvm.log: got %q, want %q", decision.DecidedBy, launcher.ByInProcess)
	}
	for name, want := range map[string]string{"Window.getSnapshot": "yes, stored true", "System.getProcessList": "no, stored true"} {
		if answers[name] != want {
			t.Errorf("answer about %s in rvm.log: got %q, want %q", name, answers[name], want)
		}
	}
	if !strings.Contains(refusal, "allowedManifestUrls") {
		t.Errorf("the refusal in rvm.log: got %q, want it to say why (allowedManifestUrls)", refusal)
	}
}
