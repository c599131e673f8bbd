package hostile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// runtimeRig is a world whose owner configures a runtime repository that
// has runtime 38.2.0.0 (the stand-in), with the stand-in 38.1.0.0
// installed in the user's runtime directory, and a manifest asking for
// 38.2.*: only a download fits.
type runtimeRig struct {
	w     *launchertest.World
	repo  *launchertest.Repo
	rtDir string
	out   string
	url   string
}

func newRuntimeRig(t *testing.T, dos string) *runtimeRig {
	w := launchertest.NewWorld(t)
	r := &runtimeRig{w: w, rtDir: launchertest.InstallRuntime(t), out: filepath.Join(t.TempDir(), "received.json")}
	t.Setenv(launchertest.RuntimeOutEnv, r.out)
	r.repo = w.NewRepo()
	r.repo.Publish(map[string][]byte{"38.2.0.0": launchertest.RuntimeArchive(t)}, nil)
	w.OwnerMachineSettings(r.repo.OwnerSettings(""))
	m := map[string]string{"RuntimeDirectory": r.rtDir}
	if dos != "" {
		m["DesktopOwnerSettings"] = filepath.Join(w.Dir, "dos.json")
		platformtest.Must(t, os.WriteFile(m["DesktopOwnerSettings"], []byte(dos), 0o644))
	}
	b, _ := json.Marshal(m)
	w.Settings(string(b))
	r.url = w.Serve("/app.json", []byte(`{"runtime": {"version": "38.2.*"}}`))
	return r
}

// launch launches the manifest with a new Launcher, as a new `rvm launch`
// process would.
func (r *runtimeRig) launch(t *testing.T) (*launcher.Document, error) {
	t.Helper()
	req, err := launcher.NewRequest(r.url, r.w.Opts, "linux")
	platformtest.Must(t, err)
	doc, _, err := launcher.New(r.w.Env).LaunchVia(context.Background(), req, nil)
	return doc, err
}

// nothingInstalled fails the test where the user's runtime directory holds
// anything but 38.1.0.0 and lock files, or the runtime started.
func (r *runtimeRig) nothingInstalled(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(r.rtDir)
	platformtest.Must(t, err)
	var got []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			got = append(got, e.Name())
		}
	}
	if !slices.Equal(got, []string{"38.1.0.0"}) {
		t.Errorf("the runtime directory holds %q, want 38.1.0.0 alone", got)
	}
	if _, err := os.Stat(r.out); err == nil {
		t.Errorf("a runtime started")
	}
}

// TestHostileRuntimeRepository mirrors, end to end through a launch, the
// repository's hostile cases that a user meets most: each ends with one
// clear line naming the role or the target, runtime.state failed (or
// blocked), and nothing installed or started.
func TestHostileRuntimeRepository(t *testing.T) {
	for _, tt := range []struct {
		name   string
		dos    string
		attack func(t *testing.T, r *runtimeRig)
		state  string
		want   []string
	}{
		{
			name: "rollback",
			// The client has seen the repository's newest timestamp; a
			// mirror then serves the one before it.
			attack: func(t *testing.T, r *runtimeRig) {
				old, err := os.ReadFile(r.repo.Public("metadata/timestamp.json"))
				platformtest.Must(t, err)
				r.repo.Publish(nil, map[string]string{"stable": "38.2.0.0"})
				if _, err := launcher.New(r.w.Env).Verify(context.Background(), r.url, r.w.Opts); err != nil {
					t.Fatal(err)
				}
				r.repo.Override("metadata/timestamp.json", func(w http.ResponseWriter, _ *http.Request) { w.Write(old) })
			},
			state: launcher.RuntimeFailed,
			want:  []string{"the runtime repository failed: repo: timestamp metadata: ", "version"},
		},
		{
			name: "arbitrary-software",
			// The archive's bytes are not those signed: same length, one
			// byte changed.
			attack: func(t *testing.T, r *runtimeRig) {
				evil, err := os.ReadFile(r.repo.Public(r.repo.Target("38.2.0.0")))
				platformtest.Must(t, err)
				evil[len(evil)/2] ^= 0xff
				r.repo.Override(r.repo.Target("38.2.0.0"), func(w http.ResponseWriter, _ *http.Request) { w.Write(evil) })
			},
			state: launcher.RuntimeFailed,
			want:  []string{"runtime 38.2.0.0 could not be installed from the runtime repository: repo: target runtimes/38.2.0.0/", "not the archive the publisher signed"},
		},
		{
			name: "html-page-for-an-archive",
			// A CDN answers an error page where the archive should be.
			attack: func(t *testing.T, r *runtimeRig) {
				r.repo.Override("targets/*", func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					w.Write(bytes.Repeat([]byte("<html><body>Service Unavailable</body></html>\n"), 20))
				})
			},
			state: launcher.RuntimeFailed,
			want:  []string{"repo: target runtimes/38.2.0.0/", "the server sent an HTML page, an error page perhaps, in its place"},
		},
		{
			name:  "a-version-the-owner-blocks",
			dos:   `{"desktopSettings": {"blockedRuntimeVersions": ["38.2.*"]}}`,
			state: launcher.RuntimeBlocked,
			want:  []string{`allow no runtime that fits version "38.2.*": 38.2.0.0 is in blockedRuntimeVersions ("38.2.*")`},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRuntimeRig(t, tt.dos)
			if tt.attack != nil {
				tt.attack(t, r)
			}
			targets := r.repo.TargetRequests()
			doc, err := r.launch(t)
			if err == nil || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want an error on one line", err)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got %q, want it to hold %q", err, want)
				}
			}
			if doc == nil || doc.RuntimeState.State != tt.state || doc.RuntimeState.Reason == "" {
				t.Fatalf("got runtime %+v, want %s with the reason", doc.RuntimeState, tt.state)
			}
			var refused *launcher.RefusedError
			var rterr *launcher.RuntimeError
			switch {
			case tt.state == launcher.RuntimeBlocked && (!errors.As(err, &refused) || doc.Launch.Allowed):
				t.Errorf("got %T, launch %+v, want refused by policy (exit 3)", err, doc.Launch)
			case tt.state == launcher.RuntimeBlocked && r.repo.TargetRequests() != targets:
				t.Errorf("a version the owner blocks was downloaded")
			case tt.state == launcher.RuntimeFailed && !errors.As(err, &rterr):
				t.Errorf("got %T, want a RuntimeError (exit 1)", err)
			}
			r.nothingInstalled(t)
		})
	}
}

// TestHostileRuntimeRepositoryRecovers: once the mirror serves what was
// signed again, the next launch installs and starts the runtime.
func TestHostileRuntimeRepositoryRecovers(t *testing.T) {
	r := newRuntimeRig(t, "")
	r.repo.Override("targets/*", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "not an archive") })
	if _, err := r.launch(t); err == nil {
		t.Fatal("a broken mirror installed a runtime")
	}
	r.repo.Override("targets/*", nil)
	doc, err := r.launch(t)
	if err != nil || doc.RuntimeState.State != launcher.RuntimeInstalled || doc.RuntimeState.Version != "38.2.0.0" {
		t.Fatalf("got %v, %+v, want 38.2.0.0 installed", err, doc.RuntimeState)
	}
	launchertest.WaitForFile(t, r.out)
}
