//go:build unix

package platform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
	"golang.org/x/sys/unix"
)

// detached reports whether this process leads its own session.
func detached() bool {
	sid, err := unix.Getsid(0)
	return err == nil && sid == os.Getpid()
}

func TestIsExecutableFile(t *testing.T) {
	dir := platformtest.TempDir(t)
	exe := filepath.Join(dir, "exe")
	plain := filepath.Join(dir, "plain")
	link := filepath.Join(dir, "link")
	platformtest.Must(t, os.WriteFile(exe, nil, 0o755))
	platformtest.Must(t, os.WriteFile(plain, nil, 0o644))
	platformtest.Must(t, os.Symlink(exe, link))
	tests := []struct {
		name string
		path string
		want bool
	}{
		{name: "executable", path: exe, want: true},
		{name: "not-executable", path: plain},
		{name: "symbolic-link", path: link},
		{name: "folder", path: dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := os.Lstat(tt.path)
			platformtest.Must(t, err)
			if got := IsExecutableFile(info); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSwitches(t *testing.T) {
	if got, want := Switches(), (SwitchSyntax{}); got != want {
		t.Errorf("got %+v, want %+v: Unix programs take --name and -name, case-sensitively", got, want)
	}
}
