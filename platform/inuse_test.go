package platform

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// startFrom starts a copy of this test binary from the folder dir, as the
// child "hold" of the lock file lock (it holds it until killed), and
// returns it once it runs; the test kills it at its end.
func startFrom(t *testing.T, dir, lock string, edit ...func(*exec.Cmd)) *exec.Cmd {
	t.Helper()
	exe := platformtest.CopySelf(t, dir, RuntimeExecutable())
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = platformtest.ChildEnv("hold", lock)
	cmd.Stderr = os.Stderr
	for _, e := range edit {
		e(cmd)
	}
	out, err := cmd.StdoutPipe()
	platformtest.Must(t, err)
	platformtest.Must(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("the child said %q, want locked", line)
	}
	return cmd
}

// TestRunningFrom: a process whose executable lies in a folder, or below
// it, is found there, by its process id, and nowhere else; once it has
// exited it is not.
func TestRunningFrom(t *testing.T) {
	base := platformtest.TempDir(t)
	rt := filepath.Join(base, "runtime", "38.1.0.0")
	cmd := startFrom(t, rt, filepath.Join(base, "lock"))
	pid := cmd.Process.Pid
	link := filepath.Join(base, "link")
	// A link counts where the platform reports it as one (Wine makes Unix
	// links that Windows programs do not see as links).
	linked := os.Symlink(filepath.Join(base, "runtime"), link) == nil
	if real, err := filepath.EvalSymlinks(link); err != nil || real == link {
		linked = false
	}
	for _, tt := range []struct {
		name, dir string
		want      bool
	}{
		{"its-folder", rt, true},
		{"a-folder-above", filepath.Join(base, "runtime"), true},
		{"a-sibling", filepath.Join(base, "runtime", "38.2.0.0"), false},
		{"a-name-it-begins-with", filepath.Join(base, "runtime", "38.1"), false},
		{"below-it", filepath.Join(rt, "lib"), false},
		{"through-a-link", link, linked},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RunningFrom(tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(got, pid) != tt.want {
				t.Errorf("RunningFrom(%s): got %v, want %d there: %v", tt.dir, got, pid, tt.want)
			}
		})
	}
	cmd.Process.Kill()
	cmd.Wait()
	if got, err := RunningFrom(rt); err != nil || slices.Contains(got, pid) {
		t.Errorf("after it exited: got %v, %v, want no %d", got, err, pid)
	}
}
