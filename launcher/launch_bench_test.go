package launcher_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// BenchmarkLaunchInstalled is the in-process work of one `rvm launch` of a
// signed manifest whose runtime is installed: a new Launcher each time
// (as a new process), the manifest fetched, the block verified, the
// runtime chosen, the decision written and the runtime started: a copy of
// true(1) where there is one (the least a runtime can cost, so that the
// launcher's own work shows), else the stand-in runtime.
// The owner configures a runtime repository, which a launch of an
// installed exact version never asks. It uses only what the launcher had
// before runtimes were downloaded, so that make bench can run it on an
// earlier commit too and compare (BENCH_BASE).
func BenchmarkLaunchInstalled(b *testing.B) {
	w := launchertest.NewWorld(b)
	rtDir := b.TempDir()
	if exe, err := os.ReadFile("/bin/true"); err == nil {
		if err := os.MkdirAll(filepath.Join(rtDir, "38.1.0.0"), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(rtDir, "38.1.0.0", platform.RuntimeExecutable()), exe, 0o755); err != nil {
			b.Fatal(err)
		}
	} else {
		rtDir = launchertest.InstallRuntime(b)
	}
	root := filepath.Join(w.Dir, "1.root.json")
	owner := filepath.Join(w.Dir, "owner-settings.json")
	settingsJSON, _ := json.Marshal(map[string]string{"RuntimeRepository": "https://runtimes.acme.test:1/", "RuntimeRepositoryRoot": root})
	for path, data := range map[string][]byte{root: []byte(`{"signed": {"_type": "root"}}`), owner: settingsJSON} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	w.Env.Settings = &settings.Sources{Owner: []settings.Source{settings.JSONFile(owner)}}
	user, _ := json.Marshal(map[string]string{"RuntimeDirectory": rtDir})
	w.Settings(string(user))
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.Pattern("/blotter/"))
	manifest := map[string]any{
		"runtime":           map[string]any{"version": "38.1.0.0"},
		"startup_app":       map[string]any{"name": "blotter", "permissions": json.RawMessage(`{"System": {"launchExternalProcess": true}}`)},
		"trustedAppConfigs": w.Block(apps, "linux"),
	}
	body, _ := json.Marshal(manifest)
	url := w.Serve("/blotter/app.json", body)
	r, err := launcher.NewRequest(url, w.Opts, "linux")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		doc, pid, err := launcher.New(w.Env).LaunchVia(ctx, r, nil)
		if err != nil || pid <= 0 || doc.Trust.Status != launcher.StatusTrusted {
			b.Fatalf("LaunchVia: pid %d, %v", pid, err)
		}
	}
}
