package launcher

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

	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// launchWorld is a world whose machine settings point at a runtime
// directory holding this test binary as runtime 38.1.0.0.
func launchWorld(t *testing.T) (*world, string) {
	w := newWorld(t)
	rt := startable(t)
	dir := filepath.Dir(filepath.Dir(rt.Path))
	b, _ := json.Marshal(map[string]string{"RuntimeDirectory": dir})
	w.settings(string(b))
	out := filepath.Join(t.TempDir(), "received.json")
	t.Setenv(runtimeOutEnv, out)
	return w, out
}

func TestLaunch(t *testing.T) {
	w, out := launchWorld(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.pattern("/blotter/"))
	url := w.publish("/blotter/app.json", requested, w.block(apps, "linux"))

	headless := PrompterFor(platform.PromptEnv{})
	doc, pid, err := w.l.LaunchVia(context.Background(), url, w.opts, headless)
	if err != nil {
		t.Fatalf("LaunchVia: %v", err)
	}
	if pid <= 0 {
		t.Errorf("pid: got %d, want a process id", pid)
	}
	checkPermission(t, doc, "System.launchExternalProcess", permissions.Granted, permissions.SourceTrusted)
	// Nobody to ask: prompt becomes denied, and nothing is stored.
	checkPermission(t, doc, "Window.getSnapshot", permissions.Denied, permissions.SourceDefault)
	if choices, _ := permissions.OpenStore(w.l.env.DataDir).List(); len(choices) != 0 {
		t.Errorf("a headless launch stored %v", choices)
	}

	var got received
	if err := json.Unmarshal(waitForFile(t, out), &got); err != nil {
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
	w, out := launchWorld(t)
	url := w.publish("/blotter/app.json", `{"Window": {"getSnapshot": true}, "System": {"getProcessList": true}}`, nil)
	var asked []string
	yesToSnapshots := func(_ context.Context, q string) (bool, bool) {
		asked = append(asked, q)
		return strings.Contains(q, "Window.getSnapshot"), true
	}
	doc, _, err := w.l.LaunchVia(context.Background(), url, w.opts, yesToSnapshots)
	if err != nil {
		t.Fatal(err)
	}
	waitForFile(t, out)
	if len(asked) != 2 {
		t.Fatalf("asked %d questions, want 2: %q", len(asked), asked)
	}
	checkPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceUser)
	checkPermission(t, doc, "System.getProcessList", permissions.Denied, permissions.SourceUser)
	// The answers are stored: the next decision does not prompt.
	again := w.verify(url)
	checkPermission(t, again, "Window.getSnapshot", permissions.Granted, permissions.SourceUser)
	checkPermission(t, again, "System.getProcessList", permissions.Denied, permissions.SourceUser)
}

func TestLaunchRefused(t *testing.T) {
	w, _ := launchWorld(t)
	url := w.publish("/blotter/app.json", requested, nil)
	rtDir, _, _ := w.l.machineSettings(w.opts).String(settings.RuntimeDirectory)
	b, _ := json.Marshal(map[string]string{"RuntimeDirectory": rtDir, "DesktopOwnerSettings": w.owner(`{"desktopSettings": {"allowedManifestUrls": ["https://intranet.acme.test/*"]}}`)})
	w.settings(string(b))
	doc, pid, err := w.l.LaunchVia(context.Background(), url, w.opts, nil)
	var refused *RefusedError
	if !errors.As(err, &refused) || pid != 0 || doc == nil || doc.Launch.Allowed {
		t.Fatalf("got doc %v pid %d err %v, want a RefusedError with the decision", doc != nil, pid, err)
	}
}

func TestLaunchNoRuntime(t *testing.T) {
	w, _ := launchWorld(t)
	url := w.publish("/blotter/app.json", requested, nil)
	w.mu.Lock()
	w.manifest["/blotter/app.json"] = []byte(`{"runtime": {"version": "99.*"}}`)
	w.mu.Unlock()
	_, _, err := w.l.LaunchVia(context.Background(), url, w.opts, nil)
	var none *NoRuntimeError
	if !errors.As(err, &none) || !strings.Contains(err.Error(), "38.1.0.0") {
		t.Fatalf("got %v, want a NoRuntimeError listing 38.1.0.0", err)
	}
}
