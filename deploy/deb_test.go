//go:build linux

package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// packagedFiles is every file and folder of the deb, as dpkg-deb lists it:
// mode, owner/group and path, by path.
var packagedFiles = []string{
	"drwxr-xr-x root/root ./etc/",
	"drwxr-xr-x root/root ./etc/rvm/",
	"drwxr-xr-x root/root ./usr/",
	"drwxr-xr-x root/root ./usr/bin/",
	"-rwxr-xr-x root/root ./usr/bin/rvm",
	"-rwxr-xr-x root/root ./usr/bin/rvm-repo",
	"-rwxr-xr-x root/root ./usr/bin/rvm-trust",
	"drwxr-xr-x root/root ./usr/lib/",
	"drwxr-xr-x root/root ./usr/lib/systemd/",
	"drwxr-xr-x root/root ./usr/lib/systemd/system/",
	"-rw-r--r-- root/root ./usr/lib/systemd/system/rvm.service",
}

func TestDeb(t *testing.T) {
	need(t, "dpkg-deb", "apt-get install dpkg")
	p := packages(t)

	for field, want := range map[string]string{"Package": "rvm", "Version": p.version, "Architecture": runtime.GOARCH} {
		if got := strings.TrimSpace(run(t, "dpkg-deb", "--field", p.deb, field)); got != want {
			t.Errorf("%s: got %q, want %q", field, got, want)
		}
	}

	var got []string
	for _, line := range strings.Split(strings.TrimSpace(run(t, "dpkg-deb", "--contents", p.deb)), "\n") {
		f := strings.Fields(line) // mode owner/group size date time path
		if len(f) != 6 {
			t.Fatalf("dpkg-deb --contents: a line of %d fields: %q", len(f), line)
		}
		got = append(got, f[0]+" "+f[1]+" "+f[5])
	}
	byPath := func(a, b string) int { return strings.Compare(strings.Fields(a)[2], strings.Fields(b)[2]) }
	slices.SortFunc(got, byPath)
	if !slices.Equal(got, packagedFiles) {
		t.Errorf("files:\ngot  %q\nwant %q", got, packagedFiles)
	}

	root := t.TempDir()
	run(t, "dpkg-deb", "--extract", p.deb, root)
	unit, err := os.ReadFile(filepath.Join(root, "usr/lib/systemd/system/rvm.service"))
	if err != nil {
		t.Fatal(err)
	}
	if string(unit) != source(t, "linux/rvm.service") {
		t.Errorf("rvm.service is not deploy/linux/rvm.service:\n%s", unit)
	}
	for _, want := range []string{"\nExecStart=/usr/bin/rvm service run\n", "\nRestart=on-failure\n", "\nWantedBy=multi-user.target\n"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("rvm.service lacks %q", strings.TrimSpace(want))
		}
	}
	if entries, err := os.ReadDir(filepath.Join(root, "etc/rvm")); err != nil || len(entries) != 0 {
		t.Errorf("/etc/rvm: got %v (%v), want an empty folder: the package ships no settings", entries, err)
	}
	wantVersion := "rvm " + p.version + "\ncommit " + p.commit + "\nbuilt with " + runtime.Version() + " for linux/" + runtime.GOARCH + "\n"
	if got := run(t, filepath.Join(root, "usr/bin/rvm"), "--version"); got != wantVersion {
		t.Errorf("rvm --version: got %q, want %q", got, wantVersion)
	}

	control := t.TempDir()
	run(t, "dpkg-deb", "--control", p.deb, control)
	for script, src := range map[string]string{"postinst": "linux/postinstall.sh", "prerm": "linux/preremove.sh", "postrm": "linux/postremove.sh"} {
		b, err := os.ReadFile(filepath.Join(control, script))
		if err != nil {
			t.Errorf("%s: %v", script, err)
			continue
		}
		if string(b) != source(t, src) {
			t.Errorf("%s is not deploy/%s", script, src)
		}
		if fi, err := os.Stat(filepath.Join(control, script)); err != nil {
			t.Error(err)
		} else if fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: got mode %v, want -rwxr-xr-x", script, fi.Mode())
		}
	}
}

// TestDebInstall installs the deb into a throwaway root with dpkg --root,
// then removes and purges it. The maintainer scripts run there as for any
// other root (DPKG_ROOT set): they leave the host's systemd alone and say
// so; TestMaintainerScripts runs them as on a machine.
func TestDebInstall(t *testing.T) {
	need(t, "dpkg", "apt-get install dpkg")
	p := packages(t)
	var prefix []string
	if os.Geteuid() != 0 {
		need(t, "fakeroot", "apt-get install fakeroot; or run as root")
		prefix = []string{"fakeroot"}
	}
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dpkg := func(args ...string) string {
		t.Helper()
		argv := append(append(prefix, "dpkg", "--root="+root, "--force-script-chrootless", "--log=/dev/null"), args...)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	out := dpkg("--install", p.deb)
	if want := "rvm: installed into " + root + ": the rvm service was not enabled or started there"; !strings.Contains(out, want) {
		t.Errorf("dpkg --install said:\n%s\nwant it to say %q", out, want)
	}
	for _, f := range packagedFiles {
		mode, path := f[:10], strings.TrimSuffix(strings.Fields(f)[2], "/")
		fi, err := os.Stat(filepath.Join(root, path))
		if err != nil {
			t.Errorf("%s: not installed: %v", path, err)
			continue
		}
		if fi.Mode().String() != mode {
			t.Errorf("%s: got mode %s, want %s", path, fi.Mode(), mode)
		}
	}
	if got := strings.TrimSpace(dpkg("--status", "rvm")); !strings.Contains(got, "Status: install ok installed") {
		t.Errorf("dpkg --status rvm:\n%s\nwant it installed", got)
	}

	// The owner's settings outlive the package.
	settings := filepath.Join(root, "etc/rvm/settings.json")
	if err := os.WriteFile(settings, []byte(`{"allowInvalidNetworkCertificates": 0}`), 0o644); err != nil {
		t.Fatal(err)
	}
	dpkg("--remove", "rvm")
	for _, f := range []string{"usr/bin/rvm", "usr/bin/rvm-trust", "usr/bin/rvm-repo", "usr/lib/systemd/system/rvm.service"} {
		if _, err := os.Lstat(filepath.Join(root, f)); !os.IsNotExist(err) {
			t.Errorf("%s after dpkg --remove: got %v, want it gone", f, err)
		}
	}
	dpkg("--purge", "rvm")
	if b, err := os.ReadFile(settings); err != nil || string(b) != `{"allowInvalidNetworkCertificates": 0}` {
		t.Errorf("/etc/rvm/settings.json after purge: got %q (%v), want the owner's file as it was", b, err)
	}
	if status, err := os.ReadFile(filepath.Join(root, "var/lib/dpkg/status")); err != nil || strings.Contains(string(status), "Package: rvm") {
		t.Errorf("dpkg's status after purge: got %q (%v), want no rvm", status, err)
	}
}
