//go:build linux

package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// machineScript runs a maintainer script as on a machine, inside a private
// mount namespace: /run and /var/lib are empty file systems of its own
// (with /run/systemd/system where systemd "runs", and the service's data
// in /var/lib/rvm), and systemctl is a stand-in that records its
// arguments, one call a line, in the file $CALLS, and fails a restart
// where FAIL_RESTART is set. After the script it says whether /var/lib/rvm
// is still there.
const machineScript = `set -u
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/lib
if [ "$SYSTEMD" = yes ]; then mkdir -p /run/systemd/system; fi
mkdir -p /var/lib/rvm/runtime
PATH="$FAKE:$PATH" sh "$SCRIPT" "$ARG"
rc=$?
if [ -d /var/lib/rvm ]; then echo "data: kept" >"$DATA"; else echo "data: gone" >"$DATA"; fi
exit $rc
`

const fakeSystemctl = `#!/bin/sh
echo "$*" >>"$CALLS"
if [ "$1" = restart ] && [ -n "${FAIL_RESTART:-}" ]; then exit 1; fi
exit 0
`

var namespace struct {
	once sync.Once
	argv []string // the unshare command that makes a private mount namespace
	skip string
}

// privateMounts returns the unshare command line that runs a program in a
// private mount namespace, as root or, where this is not root, in a user
// namespace of its own; it skips the test where neither can be made.
func privateMounts(t *testing.T) []string {
	t.Helper()
	namespace.once.Do(func() {
		if _, err := exec.LookPath("unshare"); err != nil {
			namespace.skip = "unshare is not installed (apt-get install util-linux)"
			return
		}
		var why []string
		for _, argv := range [][]string{
			{"unshare", "--mount", "--propagation", "private"},
			{"unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"},
		} {
			out, err := exec.Command(argv[0], append(argv[1:], "sh", "-c", "mount -t tmpfs tmpfs /run")...).CombinedOutput()
			if err == nil {
				namespace.argv = argv
				return
			}
			why = append(why, strings.Join(argv, " ")+": "+strings.TrimSpace(string(out)))
		}
		namespace.skip = "no private mount namespace here: " + strings.Join(why, "; ")
	})
	if namespace.skip != "" {
		t.Skipf("SKIP: %s: %s", t.Name(), namespace.skip)
	}
	return namespace.argv
}

// TestMaintainerScripts runs the deb's maintainer scripts (which are the
// rpm's scriptlets, TestRPM checks) with each argument dpkg and rpm give
// them, on a machine with systemd and on one without.
func TestMaintainerScripts(t *testing.T) {
	need(t, "dpkg-deb", "apt-get install dpkg")
	unshare := privateMounts(t)
	p := packages(t)
	control := t.TempDir()
	run(t, "dpkg-deb", "--control", p.deb, control)
	fake := t.TempDir()
	if err := os.WriteFile(filepath.Join(fake, "systemctl"), []byte(fakeSystemctl), 0o755); err != nil {
		t.Fatal(err)
	}

	const (
		running    = "rvm: the rvm service is enabled and running (systemctl status rvm)\n"
		notStarted = "rvm: the rvm service is enabled but did not start: see 'systemctl status rvm' and 'journalctl -u rvm'\n"
		noSystemd  = "rvm: systemd is not running on this machine (no /run/systemd/system), so the rvm service was not enabled or started:\n" +
			"rvm: run '/usr/bin/rvm service run' as root from this machine's init system, or register it with 'rvm service install'\n"
		nothingToStop = "rvm: systemd is not running on this machine: no rvm service to stop (one registered by hand goes with 'rvm service uninstall')\n"
	)
	start := []string{"daemon-reload", "enable rvm.service", "restart rvm.service"}
	stop := []string{"disable --now rvm.service"}
	reload := []string{"daemon-reload"}
	for _, tc := range []struct {
		name, script, arg string
		systemd           bool
		failRestart       bool
		calls             []string
		stdout, stderr    string
		data              string // whether /var/lib/rvm is "kept" or "gone"
	}{
		{"deb-configure", "postinst", "configure", true, false, start, running, "", "kept"},
		{"deb-abort-upgrade", "postinst", "abort-upgrade", true, false, start, running, "", "kept"},
		{"rpm-install", "postinst", "1", true, false, start, running, "", "kept"},
		{"rpm-upgrade", "postinst", "2", true, false, start, running, "", "kept"},
		{"service-does-not-start", "postinst", "configure", true, true, start, "", notStarted, "kept"},
		{"no-systemd-configure", "postinst", "configure", false, false, nil, noSystemd, "", "kept"},
		{"deb-remove-stops", "prerm", "remove", true, false, stop, "", "", "kept"},
		{"deb-upgrade-keeps-running", "prerm", "upgrade", true, false, nil, "", "", "kept"},
		{"rpm-erase-stops", "prerm", "0", true, false, stop, "", "", "kept"},
		{"rpm-upgrade-keeps-running", "prerm", "1", true, false, nil, "", "", "kept"},
		{"no-systemd-remove", "prerm", "remove", false, false, nil, nothingToStop, "", "kept"},
		{"deb-removed", "postrm", "remove", true, false, reload, "", "", "kept"},
		{"deb-purged", "postrm", "purge", true, false, reload, "", "", "gone"},
		{"deb-upgraded", "postrm", "upgrade", true, false, nil, "", "", "kept"},
		{"rpm-erased", "postrm", "0", true, false, reload, "", "", "kept"},
		{"rpm-upgraded", "postrm", "1", true, false, nil, "", "", "kept"},
		{"no-systemd-purged", "postrm", "purge", false, false, nil, "", "", "gone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			calls, data := filepath.Join(dir, "calls"), filepath.Join(dir, "data")
			cmd := exec.Command(unshare[0], append(unshare[1:], "sh", "-c", machineScript)...)
			systemd := "no"
			if tc.systemd {
				systemd = "yes"
			}
			cmd.Env = append(withoutEnv("DPKG_ROOT", "FAIL_RESTART"), "SYSTEMD="+systemd, "FAKE="+fake,
				"SCRIPT="+filepath.Join(control, tc.script), "ARG="+tc.arg, "CALLS="+calls, "DATA="+data)
			if tc.failRestart {
				cmd.Env = append(cmd.Env, "FAIL_RESTART=yes")
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s %s: %v\n%s%s", tc.script, tc.arg, err, stdout.String(), stderr.String())
			}
			if stdout.String() != tc.stdout || stderr.String() != tc.stderr {
				t.Errorf("%s %s said\n%q on stdout and %q on stderr, want\n%q and %q",
					tc.script, tc.arg, stdout.String(), stderr.String(), tc.stdout, tc.stderr)
			}
			b, _ := os.ReadFile(calls)
			var got []string
			if s := strings.TrimSpace(string(b)); s != "" {
				got = strings.Split(s, "\n")
			}
			if !slices.Equal(got, tc.calls) {
				t.Errorf("systemctl calls: got %q, want %q", got, tc.calls)
			}
			if b, _ := os.ReadFile(data); strings.TrimSpace(string(b)) != "data: "+tc.data {
				t.Errorf("/var/lib/rvm: got %q, want %s", b, tc.data)
			}
		})
	}
}
