//go:build unix

package platformtest

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// Nobody is the user id (and group id) of the second user that tests run
// children as: nobody on Debian.
const Nobody = 65534

// AsNobody makes cmd run as the user Nobody; the test is skipped where this
// process is not root and so cannot start it as another user. The
// program cmd runs, and the folders above it, must be reachable by that
// user (see CopySelf).
func AsNobody(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to run a child as another user")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: Nobody, Gid: Nobody}}
}
