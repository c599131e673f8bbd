//go:build linux

package deploy

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestRPM(t *testing.T) {
	need(t, "rpm", "apt-get install rpm")
	p := packages(t)

	rpmArch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	if got, want := run(t, "rpm", "-qp", "--qf", "%{NAME} %{VERSION} %{RELEASE} %{ARCH}", p.rpm), "rvm "+p.version+" 1 "+rpmArch; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	files := strings.Split(strings.TrimSpace(run(t, "rpm", "-qp", "--qf",
		`[%{FILEMODES:perms} %{FILEUSERNAME}/%{FILEGROUPNAME} %{FILENAMES}\n]`, p.rpm)), "\n")
	slices.Sort(files)
	want := []string{
		"-rw-r--r-- root/root /usr/lib/systemd/system/rvm.service",
		"-rwxr-xr-x root/root /usr/bin/rvm",
		"-rwxr-xr-x root/root /usr/bin/rvm-repo",
		"-rwxr-xr-x root/root /usr/bin/rvm-trust",
		"drwxr-xr-x root/root /etc/rvm",
	}
	if !slices.Equal(files, want) {
		t.Errorf("files:\ngot  %q\nwant %q", files, want)
	}

	// The scriptlets are the deb's maintainer scripts, which take rpm's
	// arguments too (TestMaintainerScripts).
	scriptlets := map[string]string{}
	header := regexp.MustCompile(`(?m)^(\w+) scriptlet \(using /bin/sh\):\n`)
	out := run(t, "rpm", "-qp", "--scripts", p.rpm)
	heads := header.FindAllStringSubmatchIndex(out, -1)
	for i, h := range heads {
		end := len(out)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		scriptlets[out[h[2]:h[3]]] = strings.TrimSpace(out[h[1]:end])
	}
	for name, src := range map[string]string{"postinstall": "linux/postinstall.sh", "preuninstall": "linux/preremove.sh", "postuninstall": "linux/postremove.sh"} {
		if scriptlets[name] != strings.TrimSpace(source(t, src)) {
			t.Errorf("the %s scriptlet is not deploy/%s:\n%s", name, src, scriptlets[name])
		}
	}
	if len(scriptlets) != 3 {
		t.Errorf("got scriptlets %v, want postinstall, preuninstall and postuninstall", slices.Sorted(maps.Keys(scriptlets)))
	}
}

// TestRPMInstall installs the rpm into a throwaway root and erases it,
// without its scriptlets (they would run in that root, which has no
// shell); TestMaintainerScripts runs them.
func TestRPMInstall(t *testing.T) {
	need(t, "rpm", "apt-get install rpm")
	if os.Geteuid() != 0 {
		t.Skip("SKIP: TestRPMInstall: rpm installs into a root only as root")
	}
	p := packages(t)
	root := t.TempDir()
	rpm := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("rpm", append([]string{"--root", root}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("rpm %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	rpm("--initdb")
	rpm("--install", "--nodeps", "--noscripts", p.rpm)
	for path, mode := range map[string]string{"usr/bin/rvm": "-rwxr-xr-x", "usr/bin/rvm-trust": "-rwxr-xr-x",
		"usr/bin/rvm-repo": "-rwxr-xr-x", "usr/lib/systemd/system/rvm.service": "-rw-r--r--", "etc/rvm": "drwxr-xr-x"} {
		fi, err := os.Stat(filepath.Join(root, path))
		if err != nil {
			t.Errorf("%s: not installed: %v", path, err)
		} else if fi.Mode().String() != mode {
			t.Errorf("%s: got mode %s, want %s", path, fi.Mode(), mode)
		}
	}
	rpm("--erase", "--noscripts", "rvm")
	for _, path := range []string{"usr/bin/rvm", "usr/bin/rvm-trust", "usr/bin/rvm-repo", "usr/lib/systemd/system/rvm.service", "etc/rvm"} {
		if _, err := os.Lstat(filepath.Join(root, path)); !os.IsNotExist(err) {
			t.Errorf("%s after rpm --erase: got %v, want it gone", path, err)
		}
	}
}
