package api

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// serviceRuntimeWorld is a world whose owner configures a repository that
// has runtime 38.2.0.0 (the stand-in), a user runtime directory holding
// 38.1.0.0 and the versions more, and a system service whose runtime
// directory the world's Launcher looks in first: the service downloads
// into it, and the world's Launcher records the progress it shows.
type serviceRuntimeWorld struct {
	w           *launchertest.World
	repo        *launchertest.Repo
	rtDir, sys  string
	out         string
	mu          sync.Mutex
	shown       []int64
	shownLabels []string
}

func newServiceRuntimeWorld(t *testing.T, more ...string) *serviceRuntimeWorld {
	w := launchertest.NewWorld(t)
	sw := &serviceRuntimeWorld{w: w, rtDir: launchertest.InstallRuntime(t), sys: filepath.Join(platformtest.TempDir(t), "runtime")}
	for _, v := range more {
		platformtest.CopySelf(t, filepath.Join(sw.rtDir, v), platform.RuntimeExecutable())
	}
	sw.repo = w.NewRepo()
	sw.repo.Publish(map[string][]byte{"38.2.0.0": launchertest.RuntimeArchive(t)}, nil)
	b, _ := json.Marshal(map[string]string{"RuntimeDirectory": sw.rtDir})
	w.Settings(string(b))
	w.Env.SystemRuntimeDir = sw.sys
	w.Env.Progress = func(label string) func(done, total int64) {
		return func(done, total int64) {
			sw.mu.Lock()
			defer sw.mu.Unlock()
			sw.shownLabels = append(sw.shownLabels, label)
			sw.shown = append(sw.shown, done)
		}
	}
	w.OwnerMachineSettings(sw.repo.OwnerSettings(""))
	sw.out = filepath.Join(t.TempDir(), "received.json")
	t.Setenv(launchertest.RuntimeOutEnv, sw.out)
	startServer(t, w, true, func(e *launcher.Env) { e.SystemService, e.Progress = true, nil })
	return sw
}

func (sw *serviceRuntimeWorld) launch(t *testing.T, version string) *launcher.Document {
	t.Helper()
	url := sw.w.Serve("/app.json", []byte(fmt.Sprintf(`{"runtime": {"version": %q}}`, version)))
	r, err := launcher.NewRequest(url, sw.w.Opts, "linux")
	platformtest.Must(t, err)
	doc, _, err := sw.w.L.LaunchVia(context.Background(), r, nil)
	if err != nil {
		t.Fatalf("LaunchVia: %v", err)
	}
	if doc.DecidedBy.By != launcher.ByService {
		t.Errorf("decided by %s, want the service", doc.DecidedBy.By)
	}
	return doc
}

func versionsIn(t *testing.T, dir string) []string {
	rts, err := runtime.Installed(dir)
	platformtest.Must(t, err)
	var v []string
	for _, r := range rts {
		v = append(v, r.Version)
	}
	return v
}

// TestLaunchDownloadsThroughTheService: the service downloads the runtime
// into its own runtime directory, the client shows the progress the
// service streams, and starts the runtime from there.
func TestLaunchDownloadsThroughTheService(t *testing.T) {
	sw := newServiceRuntimeWorld(t)
	doc := sw.launch(t, "38.*")
	if rs := doc.RuntimeState; rs.State != launcher.RuntimeInstalled || rs.Version != "38.2.0.0" {
		t.Errorf("runtime: got %+v, want 38.2.0.0 installed", rs)
	}
	if got := versionsIn(t, sw.sys); !slices.Equal(got, []string{"38.2.0.0"}) {
		t.Errorf("the service's runtime directory holds %v, want 38.2.0.0", got)
	}
	if got := versionsIn(t, sw.rtDir); !slices.Equal(got, []string{"38.1.0.0"}) {
		t.Errorf("the user's runtime directory holds %v, want 38.1.0.0 alone", got)
	}
	info, _ := os.Stat(sw.repo.Public(sw.repo.Target("38.2.0.0")))
	sw.mu.Lock()
	if len(sw.shown) < 2 || sw.shown[len(sw.shown)-1] != info.Size() || sw.shownLabels[0] != "runtime 38.2.0.0" {
		t.Errorf("progress shown: %v labelled %q, want it from 0 to the archive's %d bytes, labelled runtime 38.2.0.0", sw.shown, sw.shownLabels, info.Size())
	}
	sw.mu.Unlock()
	// Only the service's folder holds it: that is where it started from.
	launchertest.WaitForFile(t, sw.out)
}

// TestServiceChoosesTheUsersRuntime: the service chooses among the
// runtimes of the user's directory too (as the request says), and
// downloads nothing where the user has a higher one.
func TestServiceChoosesTheUsersRuntime(t *testing.T) {
	sw := newServiceRuntimeWorld(t, "38.3.0.0")
	doc := sw.launch(t, "38.*")
	if rs := doc.RuntimeState; rs.State != launcher.RuntimeInstalled || rs.Version != "38.3.0.0" {
		t.Errorf("runtime: got %+v, want the user's 38.3.0.0", rs)
	}
	if n := sw.repo.TargetRequests(); n != 0 || len(versionsIn(t, sw.sys)) != 0 {
		t.Errorf("the service downloaded %d targets, want none", n)
	}
	launchertest.WaitForFile(t, sw.out)
}

// TestSameRuntimeDocumentThroughTheService: the runtime part of a
// decision is the same whether the service or this process decides, the
// user's runtime directory included.
func TestSameRuntimeDocumentThroughTheService(t *testing.T) {
	sw := newServiceRuntimeWorld(t, "38.3.0.0")
	for _, version := range []string{"38.*", "38.2.0.0", "39.*"} {
		url := sw.w.Serve("/app.json", []byte(fmt.Sprintf(`{"runtime": {"version": %q}}`, version)))
		there, err := verifyVia(t, sw.w, url)
		platformtest.Must(t, err)
		here := sw.w.Verify(url)
		if here.RuntimeState != there.RuntimeState || !slices.Equal(here.Notices, there.Notices) || there.DecidedBy.By != launcher.ByService {
			t.Errorf("%s: in-process %+v %q, through the service %+v %q", version, here.RuntimeState, here.Notices, there.RuntimeState, there.Notices)
		}
	}
}
