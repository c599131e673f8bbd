package launcher_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/launcher/runtime/install"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// repoWorld is a launch world (the stand-in runtime 38.1.0.0 installed in
// the user's runtime directory) whose owner configures a runtime
// repository that has 38.2.0.0 (the stand-in too) and the channels given;
// dos, where not "", is the desktop owner settings file's content.
type repoWorld struct {
	*launchertest.World
	repo   *launchertest.Repo
	rtDir  string
	out    string
	dos    string
	shown  []int64 // the progress shown, done figures
	showMu sync.Mutex
}

func newRepoWorld(t *testing.T, channels map[string]string, dos string) *repoWorld {
	w, rtDir, out := launchWorld(t)
	rw := &repoWorld{World: w, rtDir: rtDir, out: out}
	rw.repo = w.NewRepo()
	rw.repo.Publish(map[string][]byte{"38.2.0.0": launchertest.RuntimeArchive(t)}, channels)
	w.Env.Progress = func(label string) func(done, total int64) {
		if label != "runtime 38.2.0.0" {
			t.Errorf("progress labelled %q, want runtime 38.2.0.0", label)
		}
		return func(done, total int64) {
			rw.showMu.Lock()
			rw.shown = append(rw.shown, done)
			rw.showMu.Unlock()
			if done > total {
				t.Errorf("progress %d of %d", done, total)
			}
		}
	}
	w.OwnerMachineSettings(rw.repo.OwnerSettings(""))
	rw.userSettings(dos)
	return rw
}

// userSettings writes the per-user settings: the runtime directory and,
// where dos is not "", a desktop owner settings file holding it.
func (rw *repoWorld) userSettings(dos string) {
	m := map[string]string{"RuntimeDirectory": rw.rtDir}
	if dos != "" {
		rw.dos = filepath.Join(rw.Dir, "dos.json")
		platformtest.Must(rw.T, os.WriteFile(rw.dos, []byte(dos), 0o644))
		m["DesktopOwnerSettings"] = rw.dos
	}
	b, _ := json.Marshal(m)
	rw.Settings(string(b))
}

// app serves a manifest asking for runtime version and returns its URL.
func (rw *repoWorld) app(version string) string {
	return rw.Serve("/app.json", []byte(fmt.Sprintf(`{"runtime": {"version": %q}, "startup_app": {"name": "blotter"}}`, version)))
}

func (rw *repoWorld) installed() []string {
	rts, err := runtime.Installed(rw.rtDir)
	platformtest.Must(rw.T, err)
	var v []string
	for _, r := range rts {
		v = append(v, r.Version)
	}
	return v
}

func checkRuntime(t *testing.T, doc *launcher.Document, state, version string, reason ...string) {
	t.Helper()
	rs := doc.RuntimeState
	if rs.State != state || rs.Version != version {
		t.Errorf("runtime: got %s %q (%s), want %s %q", rs.State, rs.Version, rs.Reason, state, version)
	}
	for _, want := range reason {
		if !strings.Contains(rs.Reason, want) {
			t.Errorf("runtime reason: got %q, want it to hold %q", rs.Reason, want)
		}
	}
}

// TestRuntimeDownloadedAtLaunch: the highest version that fits is the
// repository's; verify says it is to be downloaded and downloads
// nothing; launch downloads, verifies and installs it, with progress, and
// starts it; the next launch finds it installed.
func TestRuntimeDownloadedAtLaunch(t *testing.T) {
	rw := newRepoWorld(t, nil, "")
	url := rw.app("38.*")

	doc := rw.Verify(url)
	checkRuntime(t, doc, launcher.RuntimeDownload, "38.2.0.0")
	if n := rw.repo.TargetRequests(); n != 0 {
		t.Errorf("verify downloaded %d targets, want none", n)
	}

	doc, pid, err := launch(t, rw.World, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkRuntime(t, doc, launcher.RuntimeInstalled, "38.2.0.0")
	if got, want := rw.installed(), []string{"38.2.0.0", "38.1.0.0"}; !slices.Equal(got, want) {
		t.Errorf("installed: got %v, want %v", got, want)
	}
	var got launchertest.Received
	platformtest.Must(t, json.Unmarshal(launchertest.WaitForFile(t, rw.out), &got))
	if got.PID != pid || !strings.Contains(got.Decision, `"state": "installed"`) {
		t.Errorf("the runtime started got pid %d and %s, want %d with the runtime installed", got.PID, got.Decision, pid)
	}
	info, _ := os.Stat(rw.repo.Public(rw.repo.Target("38.2.0.0")))
	if len(rw.shown) == 0 || rw.shown[len(rw.shown)-1] != info.Size() {
		t.Errorf("progress shown: %v, want it to end at the archive's %d bytes", rw.shown, info.Size())
	}

	targets := rw.repo.TargetRequests()
	os.Remove(rw.out)
	doc, _, err = launch(t, rw.World, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkRuntime(t, doc, launcher.RuntimeInstalled, "38.2.0.0")
	if rw.repo.TargetRequests() != targets {
		t.Errorf("the second launch downloaded again")
	}
	launchertest.WaitForFile(t, rw.out)
}

// TestRuntimeInstalledLaunchesOffline: an exact version that is installed
// needs no refresh: it launches with the repository gone, and asks it
// nothing. A wildcard that an installed runtime fits launches too, with a
// notice that only installed runtimes were candidates.
func TestRuntimeInstalledLaunchesOffline(t *testing.T) {
	rw := newRepoWorld(t, nil, "")
	rw.repo.Server.Close()
	doc, _, err := launch(t, rw.World, rw.app("38.1.0.0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkRuntime(t, doc, launcher.RuntimeInstalled, "38.1.0.0")
	if rw.repo.Requests() != 0 || len(doc.Notices) != 0 {
		t.Errorf("got %d requests and notices %q, want none", rw.repo.Requests(), doc.Notices)
	}
	launchertest.WaitForFile(t, rw.out)

	doc, _, err = launch(t, rw.World, rw.app("38.*"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkRuntime(t, doc, launcher.RuntimeInstalled, "38.1.0.0")
	if len(doc.Notices) != 1 || !strings.Contains(doc.Notices[0], "the runtime repository could not be refreshed") || !strings.Contains(doc.Notices[0], "only installed runtimes were candidates") {
		t.Errorf("notices: got %q, want one saying the repository could not be refreshed", doc.Notices)
	}
}

// TestRuntimeChannels: with a repository, a channel resolves through its
// signed channels.json and the user's channel files are not read;
// without one, through the user's channel file.
func TestRuntimeChannels(t *testing.T) {
	for _, tt := range []struct {
		name        string
		repository  bool
		local       string // the user's channels/stable, "" for none
		state, want string
		reason      string
	}{
		{"repository", true, "38.1.0.0", launcher.RuntimeDownload, "38.2.0.0", ""},
		{"repository-local-file-ignored", true, "38.1.*", launcher.RuntimeDownload, "38.2.0.0", ""},
		{"local-file", false, "38.1.0.0", launcher.RuntimeInstalled, "38.1.0.0", ""},
		{"local-wildcard", false, "38.*", launcher.RuntimeInstalled, "38.1.0.0", ""},
		{"local-none", false, "", launcher.RuntimeMissing, "", "channel stable is not set: the runtime directory has no readable channels/stable"},
		{"local-names-a-channel", false, "beta", launcher.RuntimeMissing, "", `the channel file channels/stable holds "beta", which is neither a version nor a wildcard`},
		{"local-names-nothing-installed", false, "39.*", launcher.RuntimeMissing, "", `version "stable" (its channel names 39.*); installed: 38.1.0.0`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rw := newRepoWorld(t, map[string]string{"stable": "38.2.0.0"}, "")
			if !tt.repository {
				rw.OwnerMachineSettings(`{}`)
			}
			if tt.local != "" {
				platformtest.Must(t, os.MkdirAll(filepath.Join(rw.rtDir, "channels"), 0o755))
				platformtest.Must(t, os.WriteFile(filepath.Join(rw.rtDir, "channels", "stable"), []byte(tt.local+"\n"), 0o644))
			}
			checkRuntime(t, rw.Verify(rw.app("stable")), tt.state, tt.want, tt.reason)
		})
	}
}

// TestRuntimeOwnerRules: the owner's rules take versions out before the
// highest is chosen; where none that fits is left, the launch is refused
// with the reason, and nothing is downloaded.
func TestRuntimeOwnerRules(t *testing.T) {
	for _, tt := range []struct {
		name, desktop string
		state, want   string
		reason        string
	}{
		{"no-rules", `{}`, launcher.RuntimeDownload, "38.2.0.0", ""},
		{"allowed-leaves-the-installed", `{"allowedRuntimeVersions": ["38.1.*"]}`, launcher.RuntimeInstalled, "38.1.0.0", ""},
		{"blocked-leaves-the-installed", `{"blockedRuntimeVersions": ["38.2.0.0"]}`, launcher.RuntimeInstalled, "38.1.0.0", ""},
		{"minimum", `{"minimumRuntimeVersion": "38.2.0.0"}`, launcher.RuntimeDownload, "38.2.0.0", ""},
		{"blocked-all", `{"blockedRuntimeVersions": ["38.*"]}`, launcher.RuntimeBlocked, "",
			`allow no runtime that fits version "38.*": 38.2.0.0 is in blockedRuntimeVersions ("38.*")`},
		{"below-minimum", `{"minimumRuntimeVersion": "39"}`, launcher.RuntimeBlocked, "", "38.2.0.0 is below minimumRuntimeVersion 39"},
		{"allowed-none", `{"allowedRuntimeVersions": []}`, launcher.RuntimeBlocked, "", "38.2.0.0 is not in allowedRuntimeVersions, which is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rw := newRepoWorld(t, nil, `{"desktopSettings": `+tt.desktop+`}`)
			url := rw.app("38.*")
			doc := rw.Verify(url)
			checkRuntime(t, doc, tt.state, tt.want, tt.reason)
			if tt.state != launcher.RuntimeBlocked {
				return
			}
			if doc.Launch.Allowed || doc.Launch.Reason != doc.RuntimeState.Reason {
				t.Errorf("launch: got %+v, want refused with the runtime's reason", doc.Launch)
			}
			_, pid, err := launch(t, rw.World, url, nil)
			var refused *launcher.RefusedError
			if !errors.As(err, &refused) || pid != 0 || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("launch: got pid %d, %v, want refused naming %q", pid, err, tt.reason)
			}
			if n := rw.repo.TargetRequests(); n != 0 {
				t.Errorf("%d targets downloaded for a version the owner does not allow", n)
			}
			if got := rw.installed(); !slices.Equal(got, []string{"38.1.0.0"}) {
				t.Errorf("installed: got %v, want 38.1.0.0 alone", got)
			}
		})
	}
}

// TestRuntimeOwnerUnavailable: owner settings that cannot be read allow
// no runtime version (and no launch).
func TestRuntimeOwnerUnavailable(t *testing.T) {
	rw := newRepoWorld(t, nil, `{"desktopSettings": {`)
	doc := rw.Verify(rw.app("38.1.0.0"))
	checkRuntime(t, doc, launcher.RuntimeBlocked, "", "are configured but unavailable, so no runtime version is allowed")
	if doc.Launch.Allowed || rw.repo.Requests() != 0 {
		t.Errorf("got launch %+v and %d repository requests, want refused and none", doc.Launch, rw.repo.Requests())
	}
}

// TestRuntimeUnauthenticatedInstalledOnly: a manifest fetched relaxed
// (plain http) gets installed runtimes only: the repository is not asked.
func TestRuntimeUnauthenticatedInstalledOnly(t *testing.T) {
	rw := newRepoWorld(t, nil, "")
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"runtime": {"version": "38.*"}}`))
	}))
	t.Cleanup(plain.Close)
	url := "fin://" + strings.TrimPrefix(plain.URL, "http://") + "/app.json"
	doc := rw.Verify(url)
	if doc.Authenticated() {
		t.Fatalf("fetch %s: want a relaxed fetch", doc.Fetch.Mode)
	}
	checkRuntime(t, doc, launcher.RuntimeInstalled, "38.1.0.0")
	if rw.repo.Requests() != 0 {
		t.Errorf("the repository was asked %d times for an unauthenticated manifest", rw.repo.Requests())
	}
}

// TestRuntimeRepositoryFailed: a repository that cannot be verified, with
// nothing installed that fits, fails the launch with one line naming the
// role; with a runtime installed that fits, the launch goes on with a
// notice.
func TestRuntimeRepositoryFailed(t *testing.T) {
	rw := newRepoWorld(t, nil, "")
	rw.repo.Override("metadata/timestamp.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>503 Service Unavailable</body></html>"))
	})
	doc, _, err := launch(t, rw.World, rw.app("39.*"), nil)
	var rterr *launcher.RuntimeError
	if !errors.As(err, &rterr) || rterr.State != launcher.RuntimeFailed || strings.Contains(err.Error(), "\n") ||
		!strings.Contains(err.Error(), "the runtime repository failed: repo: timestamp metadata: ") {
		t.Fatalf("got %v, want a RuntimeError (failed) naming the timestamp metadata, on one line", err)
	}
	checkRuntime(t, doc, launcher.RuntimeFailed, "", "no installed runtime fits version \"39.*\" (installed: 38.1.0.0)")

	doc = rw.Verify(rw.app("38.*"))
	checkRuntime(t, doc, launcher.RuntimeInstalled, "38.1.0.0")
	if len(doc.Notices) != 1 || !strings.Contains(doc.Notices[0], "repo: timestamp metadata") {
		t.Errorf("notices: got %q, want the repository's failure", doc.Notices)
	}
}

// TestRuntimeRepositoryHalfSet: RuntimeRepository without
// RuntimeRepositoryRoot is no repository, and a launch that needs a
// download fails for it; an installed runtime that fits still launches.
func TestRuntimeRepositoryHalfSet(t *testing.T) {
	rw := newRepoWorld(t, nil, "")
	rw.OwnerMachineSettings(fmt.Sprintf(`{"RuntimeRepository": %q}`, rw.repo.URL()))
	checkRuntime(t, rw.Verify(rw.app("39.*")), launcher.RuntimeFailed, "",
		"the runtime repository failed: settings: no runtime repository: RuntimeRepository is set (in "+filepath.Join(rw.Dir, "owner-settings.json")+") but RuntimeRepositoryRoot is not")
	checkRuntime(t, rw.Verify(rw.app("38.*")), launcher.RuntimeInstalled, "38.1.0.0")
	if rw.repo.Requests() != 0 {
		t.Errorf("a half-set repository was asked %d times", rw.repo.Requests())
	}
}

// TestRuntimePruneAtLaunch: where the owner sets cleanUnusedRuntimes, a
// launch removes the runtimes not launched for the time set, never the one
// it launches.
func TestRuntimePruneAtLaunch(t *testing.T) {
	rw := newRepoWorld(t, nil, `{"desktopSettings": {"cleanUnusedRuntimes": true, "unusedRuntimeExpirationInMinutes": 60}}`)
	old := time.Now().Add(-2 * time.Hour)
	for _, v := range []string{"37.0.0.0", "37.5.0.0"} {
		platformtest.CopySelf(t, filepath.Join(rw.rtDir, v), platform.RuntimeExecutable())
		platformtest.Must(t, os.Chtimes(filepath.Join(rw.rtDir, v), old, old))
	}
	last := filepath.Join(rw.rtDir, "37.5.0.0", install.LastLaunchFile)
	platformtest.Must(t, os.WriteFile(last, nil, 0o644))
	now := time.Now()
	platformtest.Must(t, os.Chtimes(last, now, now))
	for _, v := range []string{"38.1.0.0"} {
		platformtest.Must(t, os.Chtimes(filepath.Join(rw.rtDir, v), old, old))
	}
	if _, _, err := launch(t, rw.World, rw.app("38.1.0.0"), nil); err != nil {
		t.Fatal(err)
	}
	if got, want := rw.installed(), []string{"38.1.0.0", "37.5.0.0"}; !slices.Equal(got, want) {
		t.Errorf("installed after the launch: got %v, want %v (37.0.0.0, never launched and installed two hours ago, removed)", got, want)
	}
}

// TestRuntimeRepositoryRootUnreadable: an installed exact version needs
// nothing of the repository, not even its trusted root; a launch that
// needs the repository fails naming RuntimeRepositoryRoot.
func TestRuntimeRepositoryRootUnreadable(t *testing.T) {
	rw := newRepoWorld(t, nil, "")
	root := rw.repo.Root()
	platformtest.Must(t, os.Remove(root))
	checkRuntime(t, rw.Verify(rw.app("38.1.0.0")), launcher.RuntimeInstalled, "38.1.0.0")
	checkRuntime(t, rw.Verify(rw.app("38.2.*")), launcher.RuntimeFailed, "", "the runtime repository failed: launcher: RuntimeRepositoryRoot "+root+": ")
	if rw.repo.Requests() != 0 {
		t.Errorf("the repository was asked %d times without a trusted root", rw.repo.Requests())
	}
}

// TestRuntimeRepositoryMaxAge: a launch resolves its channel through the
// metadata the last launch verified, without a request, for the max-age
// the repository's server gave timestamp.json; a launch whose version is
// to be downloaded still refreshes first.
func TestRuntimeRepositoryMaxAge(t *testing.T) {
	rw := newRepoWorld(t, map[string]string{"stable": "38.2.0.0"}, "")
	rw.repo.Override("metadata/timestamp.json", func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		http.ServeFile(w, req, rw.repo.Public("metadata/timestamp.json"))
	})
	url := rw.app("stable")
	if _, _, err := launch(t, rw.World, url, nil); err != nil {
		t.Fatal(err)
	}
	receivedBy(t, rw.out)
	before := rw.repo.Requests()
	// Each launch is a process of its own: a new Launcher.
	doc, err := launcher.New(rw.Env).Verify(context.Background(), url, rw.Opts)
	platformtest.Must(t, err)
	checkRuntime(t, doc, launcher.RuntimeInstalled, "38.2.0.0")
	if n := rw.repo.Requests() - before; n != 0 {
		t.Errorf("got %d requests to the repository within its max-age, want none", n)
	}
	doc, err = launcher.New(rw.Env).Verify(context.Background(), rw.app("38.*"), rw.Opts)
	platformtest.Must(t, err)
	checkRuntime(t, doc, launcher.RuntimeInstalled, "38.2.0.0")
	rw.repo.Publish(map[string][]byte{"38.3.0.0": launchertest.RuntimeArchive(t)}, nil)
	doc, err = launcher.New(rw.Env).Verify(context.Background(), rw.app("38.3.*"), rw.Opts)
	platformtest.Must(t, err)
	checkRuntime(t, doc, launcher.RuntimeDownload, "38.3.0.0")
	if n := rw.repo.Requests() - before; n == 0 {
		t.Error("got no request to the repository for a version to download, want a refresh first")
	}
}
