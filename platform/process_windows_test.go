package platform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
	"golang.org/x/sys/windows"
)

// detached reports whether this process runs without a console, as
// DETACHED_PROCESS leaves it.
func detached() bool {
	hwnd, _, _ := windows.NewLazySystemDLL("kernel32.dll").NewProc("GetConsoleWindow").Call()
	return hwnd == 0
}

func TestIsExecutableFile(t *testing.T) {
	dir := platformtest.TempDir(t)
	exe := filepath.Join(dir, RuntimeExecutable())
	platformtest.Must(t, os.WriteFile(exe, nil, 0o644))
	tests := []struct {
		name string
		path string
		want bool
	}{
		{name: "regular-file", path: exe, want: true},
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
	if got, want := Switches(), (SwitchSyntax{Slash: true, FoldCase: true}); got != want {
		t.Errorf("got %+v, want %+v: Windows programs take /name, in any case", got, want)
	}
}
