package launcher_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
)

// TestVerifyReadsSettingsOnce: a verify decided in-process opens the
// settings file its request names once, and the user's side of it (the
// runtime folder) takes the settings the decision was made with. The
// kernel counts the opens (inotify).
func TestVerifyReadsSettingsOnce(t *testing.T) {
	w := launchertest.NewWorld(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.Pattern("/blotter/"))
	url := w.Publish("/blotter/app.json", launchertest.Requested, w.Block(apps, "linux"))
	file := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(file, fmt.Appendf(nil, `{"RuntimeDirectory": %q}`, launchertest.InstallRuntime(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	// Closes too: the kernel folds an event into the one before it where
	// both are the same and unread.
	if _, err := unix.InotifyAddWatch(fd, file, unix.IN_OPEN|unix.IN_CLOSE); err != nil {
		t.Fatal(err)
	}
	o := w.Opts
	o.MachineSettings = file
	doc, err := launcher.New(w.Env).Verify(context.Background(), url, o)
	if err != nil {
		t.Fatal(err)
	}
	if doc.RuntimeState.State != launcher.RuntimeInstalled {
		t.Errorf("got runtime %+v, want the one in the settings' RuntimeDirectory, installed", doc.RuntimeState)
	}
	opens := 0
	buf := make([]byte, 64*unix.SizeofInotifyEvent)
	for {
		n, err := unix.Read(fd, buf)
		if n <= 0 || err != nil {
			break
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			if ev.Mask&unix.IN_OPEN != 0 {
				opens++
			}
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
	}
	if opens != 1 {
		t.Errorf("got the settings file opened %d times, want once", opens)
	}
}
