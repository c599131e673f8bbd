//go:build !windows

package platformtest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// wines are the Wine prefixes set up so far, by folder ("" for the
// default one).
var wines struct {
	sync.Mutex
	set map[string]*wineSetup
}

type wineSetup struct {
	once    sync.Once
	wrapper string
	skip    string // why Windows programs cannot run here, where they cannot
}

// Wine returns the program that runs a Windows program under Wine, as
// `wrapper program.exe args...` (the go test -exec wrapper that
// .ci/wine-setup.sh writes), in the Wine prefix folder prefix: "" for
// the one the Windows tests use (RVM_WINEPREFIX, else $HOME/.wine-rvm);
// a test that installs software machine-wide names a prefix of its own.
// The prefix is set up the first time a test binary asks for it. Wine
// skips the test, saying what is missing, where wine64 or the MinGW-w64
// compiler that the setup needs is not installed (.ci/wine-setup.sh, run
// as root, installs both), or where the setup fails.
func Wine(t testing.TB, prefix string) string {
	t.Helper()
	wines.Lock()
	if wines.set == nil {
		wines.set = map[string]*wineSetup{}
	}
	w := wines.set[prefix]
	if w == nil {
		w = &wineSetup{}
		wines.set[prefix] = w
	}
	wines.Unlock()
	w.once.Do(func() { w.wrapper, w.skip = setUpWine(prefix) })
	if w.skip != "" {
		t.Skip("SKIP: Windows programs under Wine: " + w.skip)
	}
	return w.wrapper
}

func setUpWine(prefix string) (wrapper, skip string) {
	found := false
	for _, w := range []string{"wine64", "/usr/lib/wine/wine64", "wine"} {
		if _, err := exec.LookPath(w); err == nil {
			found = true
		}
	}
	if !found {
		return "", "wine64 is not installed (.ci/wine-setup.sh installs it)"
	}
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		return "", "x86_64-w64-mingw32-gcc is not installed (.ci/wine-setup.sh installs it)"
	}
	setup, err := repoFile(".ci/wine-setup.sh")
	if err != nil {
		return "", err.Error()
	}
	cmd := exec.Command(setup)
	if prefix != "" {
		cmd.Env = append(os.Environ(), "RVM_WINEPREFIX="+prefix)
	}
	out, err := cmd.Output()
	if err != nil {
		why := err.Error()
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			why = strings.TrimSpace(string(ee.Stderr))
		}
		return "", ".ci/wine-setup.sh failed: " + why
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1], ""
}

// repoFile is the path of name in the repository that holds the current
// directory: the first folder up from it with a go.mod.
func repoFile(name string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, name), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the current directory")
		}
		dir = parent
	}
}

// WinePath is the Windows name, under Wine, of the absolute Unix path p:
// Wine's drive Z: is the Unix root.
func WinePath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// WineRun runs a Windows program under Wine with wrapper (see Wine) and
// returns its standard output, with Windows line ends made "\n", its
// standard error, and whether it exited with 0. The output goes through
// files, not pipes: Wine's own processes (wineserver, services.exe), which
// the first program may start, keep what they were given open long after
// it exits.
func WineRun(t testing.TB, wrapper string, args ...string) (stdout, stderr string, ok bool) {
	t.Helper()
	dir := TempDir(t)
	var files [2]*os.File
	for i, name := range []string{"stdout", "stderr"} {
		f, err := os.Create(filepath.Join(dir, name))
		Must(t, err)
		defer f.Close()
		files[i] = f
	}
	cmd := exec.Command(wrapper, args...)
	cmd.Stdout, cmd.Stderr = files[0], files[1]
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	out, rerr := os.ReadFile(files[0].Name())
	Must(t, rerr)
	errOut, rerr := os.ReadFile(files[1].Name())
	Must(t, rerr)
	return strings.ReplaceAll(string(out), "\r\n", "\n"), string(errOut), err == nil
}
