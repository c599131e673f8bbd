//go:build unix

package platformtest

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestAsNobody(t *testing.T) {
	dir := TempDir(t)
	Must(t, os.Chmod(dir, 0o755)) // for nobody to reach the copy
	cmd := exec.Command(CopySelf(t, dir, "child"), "-test.run=^$")
	cmd.Env = ChildEnv("uid")
	AsNobody(t, cmd)
	out, err := cmd.Output()
	Must(t, err)
	if got := strings.TrimSpace(string(out)); got != strconv.Itoa(Nobody) {
		t.Errorf("got user id %s, want %d", got, Nobody)
	}
}
