//go:build linux || darwin

package hostile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestAPIRefusesOtherUsers runs a copy of this test binary as the user
// nobody (uid 65534) against a per-user service (see peerEnv): the socket's
// mode keeps it out, and with the way opened up to it, the service hangs
// up without a word. The service's own user is served throughout. It needs
// root, to run a process as another user.
func TestAPIRefusesOtherUsers(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	r := newAPIRig(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	binDir := t.TempDir()
	bin := filepath.Join(binDir, "peer")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	// Only this test's own directories are opened up, never their parents.
	opened := []string{binDir}
	for dir := filepath.Dir(r.sock); strings.HasPrefix(dir, filepath.Clean(os.TempDir())+string(filepath.Separator)); dir = filepath.Dir(dir) {
		opened = append(opened, dir)
	}
	for _, dir := range opened {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	peer := func() string {
		t.Helper()
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), peerEnv+"="+r.sock)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var out []byte
		ends(t, "the other user's client", func() { out, err = cmd.CombinedOutput() })
		if err != nil {
			t.Fatalf("the other user's client: %v: %s", err, out)
		}
		return strings.TrimSpace(string(out))
	}

	t.Run("socket-mode-keeps-it-out", func(t *testing.T) {
		if got := peer(); !strings.Contains(got, "permission denied") {
			t.Errorf("got %q, want the connection refused by the socket's mode 0600", got)
		}
	})
	t.Run("peer-check-hangs-up", func(t *testing.T) {
		if err := os.Chmod(r.sock, 0o666); err != nil {
			t.Fatal(err)
		}
		if got := peer(); got != "" {
			t.Errorf("a peer of another user was answered: %q", got)
		}
	})
	r.decides(t)
}
