//go:build linux || darwin

package platform

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// TestRunningFromAnotherUser: an administrator sees the runtimes that
// other users run from a folder (the system service's).
func TestRunningFromAnotherUser(t *testing.T) {
	base := platformtest.TempDir(t)
	platformtest.Must(t, os.Chmod(base, 0o755))
	locks := filepath.Join(base, "locks")
	platformtest.Must(t, os.Mkdir(locks, 0o777))
	platformtest.Must(t, os.Chmod(locks, 0o777))
	rt := filepath.Join(base, "38.1.0.0")
	cmd := startFrom(t, rt, filepath.Join(locks, "lock"), func(c *exec.Cmd) { platformtest.AsNobody(t, c) })
	got, err := RunningFrom(base)
	if err != nil || !slices.Contains(got, cmd.Process.Pid) {
		t.Errorf("got %v, %v, want nobody's process %d", got, err, cmd.Process.Pid)
	}
}
