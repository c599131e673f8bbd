package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// The test here gives rvm a journal to write to where journald listens,
// /run/systemd/journal/socket, without touching the machine's /run: the
// test binary re-executes itself in a mount namespace of its own, binds a
// folder of the test's on /run, whose systemd/journal/socket the test
// listens on, and then runs rvm.

func init() {
	platformtest.Roles(map[string]func([]string) int{"journal-run": journalRun})
}

// exitNoBind is the exit code of the journal-run role where it could not
// bind its folder on /run.
const exitNoBind = 124

// journalRun is a child's role: args are the folder to bind on /run,
// rvm's environment (JSON) and rvm's command line. It runs in a mount
// namespace of its own (see journalRVM).
func journalRun(args []string) int {
	run, envJSON, argv := args[0], args[1], args[2:]
	if err := syscall.Mount(run, "/run", "", syscall.MS_BIND, ""); err != nil {
		fmt.Fprintln(os.Stderr, "journal-run: bind a folder on /run:", err)
		return exitNoBind
	}
	return execRVM("journal-run", envJSON, argv)
}

// journal is the stand-in for journald's socket that rvm finds at
// /run/systemd/journal/socket when journalRVM runs it.
type journal struct {
	run  string // the folder bound on /run
	conn *net.UnixConn
}

func newJournal(t *testing.T) *journal {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to bind a folder on /run in a mount namespace")
	}
	run := platformtest.TempDir(t)
	sock := filepath.Join(run, "systemd", "journal", "socket")
	platformtest.Must(t, os.MkdirAll(filepath.Dir(sock), 0o755))
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &journal{run: run, conn: c}
}

// rvm runs rvm with env and args where j is the journal, and returns its
// exit code, stdout and stderr.
func (j *journal) rvm(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	envJSON, err := json.Marshal(env)
	platformtest.Must(t, err)
	cmd := platformtest.Child(t, "journal-run", append([]string{j.run, string(envJSON), rvmBin}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	code, stdout, stderr := runCmd(t, cmd)
	if code == exitNoBind {
		t.Skipf("cannot bind a folder on /run here: %s", stderr)
	}
	if code == exitNoExec {
		t.Fatalf("could not run rvm: %s", stderr)
	}
	return code, stdout, stderr
}

// events is every entry that reached the journal so far, each as its
// fields, in the order sent. A datagram is queued on the socket when its
// send returns, so once rvm has exited all it sent is here: events reads
// without waiting.
func (j *journal) events(t *testing.T) []map[string]string {
	t.Helper()
	raw, err := j.conn.SyscallConn()
	platformtest.Must(t, err)
	var out []map[string]string
	buf := make([]byte, 1<<20)
	for {
		var n int
		var rerr error
		platformtest.Must(t, raw.Read(func(fd uintptr) bool {
			n, _, rerr = unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT)
			return true
		}))
		if errors.Is(rerr, unix.EAGAIN) {
			return out
		}
		platformtest.Must(t, rerr)
		entry := map[string]string{}
		for _, line := range strings.Split(strings.TrimSuffix(string(buf[:n]), "\n"), "\n") {
			name, value, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("journal datagram: got field %q, want NAME=value", line)
			}
			entry[name] = value
		}
		out = append(out, entry)
	}
}

// TestSecurityEventsReachTheSystemLog (SPEC 10): a launch refused, a trust
// failure, owner settings unavailable and a user's answer each reach the
// journal as an entry of rvm's, at its priority, with the manifest and
// why; an ordinary verify sends nothing.
func TestSecurityEventsReachTheSystemLog(t *testing.T) {
	j := newJournal(t)
	s := newServer(t, map[string]string{
		"/app.json": appManifest,
		"/bad.json": `{"runtime": {"version": "38.*"}, "trustedAppConfigs": {"config": "bm90IGEgYmxvY2s="}}`,
	})
	rtDir, _ := scriptRuntime(t)
	dir := t.TempDir()
	dos := filepath.Join(dir, "dos.json")
	platformtest.Must(t, os.WriteFile(dos, []byte(`{"desktopSettings": {"allowedManifestUrls": ["https://intranet.acme.test/*"]}}`), 0o644))
	settings := func(name, js string) string {
		p := filepath.Join(dir, name)
		platformtest.Must(t, os.WriteFile(p, []byte(js), 0o644))
		return p
	}
	plain := settings("plain.json", fmt.Sprintf(`{"RuntimeDirectory": %q}`, rtDir))
	refusing := settings("refusing.json", fmt.Sprintf(`{"RuntimeDirectory": %q, "DesktopOwnerSettings": %q}`, rtDir, dos))
	unavailable := settings("unavailable.json", fmt.Sprintf(`{"RuntimeDirectory": %q, "DesktopOwnerSettings": %q}`, rtDir, filepath.Join(dir, "none.json")))

	// Each entry names its message, its priority and the fields that say
	// what happened; every entry is rvm's, facility auth.
	type entry struct {
		message, priority string
		fields            map[string]string
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []entry
	}{
		{"ordinary-verify", []string{"verify", "--machine-settings", plain, s.resolve(), "--", s.url("/app.json")}, 0, nil},
		{"trust-failure", []string{"verify", "--machine-settings", plain, s.resolve(), "--", s.url("/bad.json")}, 0, []entry{
			{"trust failure", "4", map[string]string{"RVM_MANIFEST": s.url("/bad.json"), "RVM_CODE": "malformed"}},
		}},
		{"launch-refused", []string{"launch", "--machine-settings", refusing, s.resolve(), "--", s.url("/app.json")}, 3, []entry{
			{"launch refused by policy", "4", map[string]string{"RVM_MANIFEST": s.url("/app.json")}},
		}},
		{"owner-settings-unavailable", []string{"launch", "--machine-settings", unavailable, s.resolve(), "--", s.url("/app.json")}, 3, []entry{
			{"desktop owner settings unusable", "4", map[string]string{"RVM_LOCATION": filepath.Join(dir, "none.json")}},
			{"launch refused by policy", "4", map[string]string{"RVM_MANIFEST": s.url("/app.json")}},
		}},
		// No terminal and no display: nobody could be asked, and that
		// answer is logged too.
		{"answer", []string{"launch", "--machine-settings", plain, s.resolve(), "--", s.url("/app.json")}, 0, []entry{
			{"the user's answer", "6", map[string]string{"RVM_MANIFEST": s.url("/app.json"), "RVM_PERMISSION": "Window.getSnapshot", "RVM_ANSWER": "no answer", "RVM_STORED": "false"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := j.rvm(t, s.env, tc.args...)
			if code != tc.code {
				t.Fatalf("got exit %d, stdout %q, stderr %q; want %d", code, stdout, stderr, tc.code)
			}
			got := j.events(t)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d journal entries, want %d: %q", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				if g["MESSAGE"] != w.message || g["PRIORITY"] != w.priority || g["SYSLOG_IDENTIFIER"] != "rvm" || g["SYSLOG_FACILITY"] != "4" {
					t.Errorf("entry %d: got %q, want message %q, priority %s, rvm's, facility 4", i, g, w.message, w.priority)
				}
				for name, value := range w.fields {
					if g[name] != value {
						t.Errorf("entry %d (%s): got %s=%q, want %q", i, w.message, name, g[name], value)
					}
				}
				if _, ok := g["RVM_SECURITY"]; ok {
					t.Errorf("entry %d (%s): got the marker as a field: %q", i, w.message, g)
				}
			}
		})
	}
}
