package hostile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

// launchAsking launches the rig's manifest as `rvm launch` does, asking
// through env, and returns the decision.
func (r *mitmRig) launchAsking(t *testing.T, env prompt.Env) *launcher.Document {
	t.Helper()
	out := filepath.Join(t.TempDir(), "received.json")
	t.Setenv(launchertest.RuntimeOutEnv, out)
	req, err := launcher.NewRequest(r.url, r.opts, "linux")
	if err != nil {
		t.Fatal(err)
	}
	l := launcher.New(launcher.Env{DataDir: r.dataDir, TLSRoots: r.v.ca.Pool})
	doc, _, err := l.LaunchVia(context.Background(), req, launcher.PrompterFor(env))
	if err != nil {
		t.Fatal(err)
	}
	launchertest.WaitForFile(t, out)
	return doc
}

// TestUnauthenticatedAnswersHoldForOneLaunch (flaw 12, with flaw 1): a
// user who says yes, at the terminal, to the man in the middle's manifest
// is told that it is unauthenticated and that the answer holds for this
// launch only; the answer is not stored, so the vendor's own manifest is
// asked about again.
func TestUnauthenticatedAnswersHoldForOneLaunch(t *testing.T) {
	r := newMITMRig(t)
	os.Remove(filepath.Join(r.dataDir, permissions.StoreFile)) // no answers yet
	r.path.via(r.mitm)
	var screen strings.Builder
	doc := r.launchAsking(t, prompt.Env{Terminal: true, In: strings.NewReader("y\ny\ny\n"), Out: &screen})
	if doc.Fetch.Mode != manifest.ModeRelaxed {
		t.Fatalf("got fetch %+v, want relaxed", doc.Fetch)
	}
	for _, want := range []string{"unauthenticated", "this launch only"} {
		if !strings.Contains(screen.String(), want) {
			t.Errorf("the questions do not say %q:\n%s", want, screen.String())
		}
	}
	launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceUser)

	r.path.via(r.vendor)
	launchertest.CheckPermission(t, r.verify(t), "Window.getSnapshot", permissions.Prompt, permissions.SourceDefault)
}

// TestDialogWithoutDisplayStoresNothing (flaw 12): a dialog program that
// cannot open the display (rvm under a service, or Wine) exits as a "No"
// would; that is no answer of the user's: the permission is denied for
// this launch and nothing is stored.
func TestDialogWithoutDisplayStoresNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("zenity is the Linux dialog")
	}
	r := newMITMRig(t)
	os.Remove(filepath.Join(r.dataDir, permissions.StoreFile))
	r.path.via(r.vendor)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "zenity"), []byte("#!/bin/sh\necho '(zenity:4242): Gtk-WARNING **: cannot open display: :0' >&2\nexit 1\n"))
	os.Chmod(filepath.Join(dir, "zenity"), 0o755)
	env := prompt.Env{
		Getenv: func(name string) string { return map[string]string{"DISPLAY": ":0"}[name] },
		LookPath: func(name string) (string, error) {
			if name == "zenity" {
				return filepath.Join(dir, name), nil
			}
			return "", errors.New("not found")
		},
	}
	doc := r.launchAsking(t, env)
	if d := doc.Permissions["Window.getSnapshot"]; d.Granted() {
		t.Errorf("Window.getSnapshot: got %+v, want denied", d)
	}
	if data, err := os.ReadFile(filepath.Join(r.dataDir, permissions.StoreFile)); err == nil {
		t.Errorf("a dialog that never showed stored answers:\n%s", data)
	}
}
