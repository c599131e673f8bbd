package platform

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// TestProcessStartZombie: a child that has exited but that no one has
// waited for yet (a zombie, as a runtime is between its exit and rvm's
// wait) is not running, and keeps its start.
func TestProcessStartZombie(t *testing.T) {
	cmd := platformtest.Child(t, "wait")
	stdin, err := cmd.StdinPipe()
	platformtest.Must(t, err)
	platformtest.Must(t, cmd.Start())
	defer cmd.Wait()
	pid := cmd.Process.Pid
	start, running, err := ProcessStart(pid)
	if err != nil || !running {
		t.Fatalf("got start %d, running %v, error %v, want the child running", start, running, err)
	}
	stdin.Close()
	var info unix.Siginfo
	platformtest.Must(t, unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil))
	if got, running, err := ProcessStart(pid); err != nil || running || got != start {
		t.Errorf("got start %d, running %v, error %v, want start %d, not running", got, running, err, start)
	}
}
