//go:build linux || darwin

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
)

// terminal is `rvm launch` run at a terminal, as a user runs it: standard
// input and standard error on a pseudo-terminal, the decision document
// (--json) on standard output.
type terminal struct {
	t      *testing.T
	cmd    *exec.Cmd
	pty    *os.File
	stdout bytes.Buffer
	mu     sync.Mutex
	screen strings.Builder // what the terminal showed
	more   chan struct{}   // signalled on each read
	done   chan struct{}   // closed when the terminal is closed
}

// atTerminal starts rvm with args on a new pseudo-terminal.
func atTerminal(t *testing.T, env []string, args ...string) *terminal {
	t.Helper()
	tm := &terminal{t: t, cmd: exec.Command(rvmBin, args...), more: make(chan struct{}, 1), done: make(chan struct{})}
	tm.cmd.Env = env
	tm.cmd.Stdout = &tm.stdout
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	tm.pty = ptmx
	tm.cmd.Stdin, tm.cmd.Stderr = tty, tty
	// A session of its own with the terminal as its controlling one, so
	// that Ctrl-C reaches rvm as SIGINT.
	tm.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := tm.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	go func() {
		defer close(tm.done)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			tm.mu.Lock()
			tm.screen.Write(buf[:n])
			tm.mu.Unlock()
			select {
			case tm.more <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		tm.cmd.Process.Kill()
		tm.cmd.Wait()
		ptmx.Close()
	})
	return tm
}

// waitFor waits until the terminal has shown want n times in all, and
// returns what it shows; a minute without it fails the test (a bound for a
// hang, never what decides a pass).
func (tm *terminal) waitFor(want string, n int) string {
	tm.t.Helper()
	deadline := time.After(time.Minute)
	for {
		tm.mu.Lock()
		screen := tm.screen.String()
		tm.mu.Unlock()
		if strings.Count(screen, want) >= n {
			return screen
		}
		select {
		case <-tm.more:
		case <-tm.done:
			tm.t.Fatalf("the terminal closed before showing %q %d times:\n%s", want, n, screen)
		case <-deadline:
			tm.t.Fatalf("the terminal did not show %q %d times within a minute:\n%s", want, n, screen)
		}
	}
}

// typeLine types line and Enter, as a user does.
func (tm *terminal) typeLine(line string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.pty, line+"\r"); err != nil {
		tm.t.Fatal(err)
	}
}

// exit waits for rvm to end and returns its exit code.
func (tm *terminal) exit() int {
	tm.t.Helper()
	err := tm.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		tm.t.Fatal(err)
	}
	return 0
}

// asked ends each question the terminal shows.
const asked = "? [y/"

// launchDocument is what a test reads of the decision document.
type launchDocument struct {
	Launch struct {
		Allowed bool
		Reason  string
	}
	Permissions map[string]struct{ Decision, Source string }
}

// TestLaunchPromptsAtTheTerminal runs `rvm launch` at a pseudo-terminal and
// answers as a user would: one question a permission, in name order, each
// naming the app as unverified, the host and how to take the answer back;
// "maybe" asks again; yes and no count and are remembered; three answers
// not understood deny for this launch only; Ctrl-C cancels the launch
// (exit 4) with nothing stored and nothing started.
func TestLaunchPromptsAtTheTerminal(t *testing.T) {
	const manifest = `{"runtime": {"version": "38.*"}, "startup_app": {"name": "Acme \u001b[2JBlotter", "permissions": {"Window": {"getSnapshot": true}, "System": {"getProcessList": true}}}}`
	s := newServer(t, map[string]string{"/app.json": manifest})
	url := s.url("/app.json")
	launch := func(t *testing.T) (tm *terminal, out string, env []string) {
		rtDir, out := scriptRuntime(t)
		settings := filepath.Join(t.TempDir(), "settings.json")
		os.WriteFile(settings, []byte(fmt.Sprintf(`{"RuntimeDirectory": %q}`, rtDir)), 0o644)
		env = append(append([]string{}, s.env...), "RVM_HOME="+filepath.Join(t.TempDir(), "home"), "RVM_MACHINE_SETTINGS="+settings)
		return atTerminal(t, env, "launch", "--json", s.resolve(), "--", url), out, env
	}
	stored := func(t *testing.T, env []string) string {
		code, stdout, stderr := rvm(t, env, "permissions", "list")
		if code != 0 {
			t.Fatalf("permissions list: exit %d: %s", code, stderr)
		}
		return stdout
	}

	t.Run("maybe-then-yes-and-no", func(t *testing.T) {
		tm, out, env := launch(t)
		screen := tm.waitFor(asked, 1)
		for _, want := range []string{
			`The unverified app "Acme \x1b[2JBlotter" from apps.acme.test asks to use System.getProcessList.`,
			"Your answer is remembered; to take it back: rvm permissions revoke " + url + " System.getProcessList",
		} {
			if !strings.Contains(screen, want) {
				t.Errorf("the first question does not show %q:\n%s", want, screen)
			}
		}
		if strings.Contains(screen, "\x1b[2J") {
			t.Errorf("the terminal got the manifest's escape sequence raw:\n%q", screen)
		}
		tm.typeLine("maybe")
		tm.waitFor("Please answer y (yes) or n (no)", 1)
		tm.typeLine("yes")
		screen = tm.waitFor(asked, 2)
		if !strings.Contains(screen[strings.Index(screen, "Please answer"):], "asks to use Window.getSnapshot") {
			t.Errorf("the second question is not about Window.getSnapshot:\n%s", screen)
		}
		tm.typeLine(" N ")
		if code := tm.exit(); code != 0 {
			t.Fatalf("exit %d, want 0:\n%s", code, tm.screen.String())
		}
		var doc launchDocument
		if err := json.Unmarshal(tm.stdout.Bytes(), &doc); err != nil {
			t.Fatalf("stdout is not the decision document: %v\n%s", err, tm.stdout.String())
		}
		if p := doc.Permissions["System.getProcessList"]; p.Decision != "granted" || p.Source != "user" {
			t.Errorf("System.getProcessList: got %+v, want granted by the user", p)
		}
		if p := doc.Permissions["Window.getSnapshot"]; p.Decision != "denied" || p.Source != "user" {
			t.Errorf("Window.getSnapshot: got %+v, want denied by the user", p)
		}
		list := stored(t, env)
		if !strings.Contains(list, "granted  System.getProcessList") || !strings.Contains(list, "denied   Window.getSnapshot") {
			t.Errorf("stored answers: got %q, want both answers", list)
		}
		launchertest.WaitForFile(t, out)
	})

	t.Run("not-understood-three-times", func(t *testing.T) {
		tm, _, env := launch(t)
		tm.waitFor(asked, 1)
		for _, answer := range []string{"maybe", "", "ok"} {
			tm.typeLine(answer)
		}
		tm.waitFor("Not understood 3 times: denied for this launch.", 1)
		tm.waitFor(asked, 2)
		tm.typeLine("y")
		if code := tm.exit(); code != 0 {
			t.Fatalf("exit %d, want 0:\n%s", code, tm.screen.String())
		}
		var doc launchDocument
		if err := json.Unmarshal(tm.stdout.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if p := doc.Permissions["System.getProcessList"]; p.Decision != "denied" {
			t.Errorf("System.getProcessList: got %+v, want denied for this launch", p)
		}
		if list := stored(t, env); strings.Contains(list, "System.getProcessList") || !strings.Contains(list, "granted  Window.getSnapshot") {
			t.Errorf("stored answers: got %q, want only the clear yes to Window.getSnapshot", list)
		}
	})

	t.Run("ctrl-c-cancels", func(t *testing.T) {
		tm, out, env := launch(t)
		tm.waitFor(asked, 1)
		tm.typeLine("y")
		tm.waitFor(asked, 2)
		if _, err := tm.pty.Write([]byte{0x03}); err != nil { // Ctrl-C
			t.Fatal(err)
		}
		if code := tm.exit(); code != 4 {
			t.Fatalf("exit %d, want 4:\n%s", code, tm.screen.String())
		}
		var doc launchDocument
		if err := json.Unmarshal(tm.stdout.Bytes(), &doc); err != nil {
			t.Fatalf("stdout is not the decision document: %v\n%s", err, tm.stdout.String())
		}
		if doc.Launch.Allowed || !strings.Contains(doc.Launch.Reason, "cancelled") {
			t.Errorf("launch: got %+v, want refused, the reason saying the user cancelled", doc.Launch)
		}
		if list := stored(t, env); !strings.Contains(list, "no stored answers") {
			t.Errorf("stored answers: got %q, want none: a cancelled launch stores nothing", list)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("the runtime was started")
		}
	})
}

// TestLaunchTrustsTheSignerAtTheTerminal runs `rvm launch` at a
// pseudo-terminal for an app whose block is trusted and answers a (all):
// the question offers it and says how to take it back, every permission
// is granted by the trust in the signer (user-signer) without a second
// question, and the trust is stored under the signer's name. A second app
// of the same signer then launches without a question; after
// `rvm permissions distrust --signer` both blocks are revoked for this
// user, and their permissions are asked about again.
func TestLaunchTrustsTheSignerAtTheTerminal(t *testing.T) {
	files := map[string]string{}
	s := newServer(t, files)
	root := trusttest.NewRoot(t, trusttest.Options{Name: "Acme Root"})
	signer := root.Issue(t, trusttest.Options{Name: "Acme Corp"})
	spki := fmt.Sprintf("%x", sha256.Sum256(signer.RawSubjectPublicKeyInfo))
	for _, app := range []string{"blotter", "charts"} {
		apps := trusttest.Apps(trusttest.App{Name: "Acme " + app, Match: []string{fmt.Sprintf("https://*.acme.test:%s/%s/*", s.srv.Port, app)}})
		files["/"+app+"/app.json"] = fmt.Sprintf(`{"runtime": {"version": "38.*"}, "startup_app": {"name": %q, "permissions": {"Window": {"getSnapshot": true}, "System": {"getProcessList": true}}}, "trustedAppConfigs": %s}`,
			app, trusttest.Block(t, signer, trusttest.Config(signer, apps)))
	}
	roots := trusttest.WriteRoots(t, root)
	rtDir, out := scriptRuntime(t)
	env := setEnv(s.env, "RVM_MACHINE_SETTINGS", writeSettings(t, fmt.Sprintf(`{"RuntimeDirectory": %q}`, rtDir)))
	launchJSON := func(t *testing.T, tm *terminal) launchDocument {
		t.Helper()
		if code := tm.exit(); code != 0 {
			t.Fatalf("exit %d, want 0:\n%s", code, tm.screen.String())
		}
		var doc launchDocument
		if err := json.Unmarshal(tm.stdout.Bytes(), &doc); err != nil {
			t.Fatalf("stdout is not the decision document: %v\n%s", err, tm.stdout.String())
		}
		return doc
	}
	wantAll := func(t *testing.T, doc launchDocument, decision, source string) {
		t.Helper()
		for _, p := range []string{"System.getProcessList", "Window.getSnapshot"} {
			if got := doc.Permissions[p]; got.Decision != decision || got.Source != source {
				t.Errorf("%s: got %+v, want %s by %s", p, got, decision, source)
			}
		}
	}

	tm := atTerminal(t, env, "launch", "--json", "--trust-roots", roots, s.resolve(), "--", s.url("/blotter/app.json"))
	screen := tm.waitFor("[y/n/a] ", 1)
	for _, want := range []string{
		`The app "Acme blotter" from apps.acme.test, signed by "Acme Corp", asks to use System.getProcessList.`,
		`Answer a (all) to say yes to every question from the apps signed by "Acme Corp" (key ` + spki + `), now and later; to take that back: rvm permissions revoke --signer ` + spki,
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("the question does not show %q:\n%s", want, screen)
		}
	}
	tm.typeLine("a")
	doc := launchJSON(t, tm)
	if n := strings.Count(tm.screen.String(), asked); n != 1 {
		t.Errorf("asked %d questions, want 1: the answer all answers the rest:\n%s", n, tm.screen.String())
	}
	wantAll(t, doc, "granted", "user-signer")
	code, list, _ := rvm(t, env, "permissions", "list")
	if want := "trusted    signer " + spki + ` "Acme Corp"`; code != 0 || !strings.Contains(list, want) || !strings.Contains(list, "no stored answers") {
		t.Errorf("permissions list: exit %d %q, want the signer trust %q and no answers", code, list, want)
	}
	launchertest.WaitForFile(t, out)
	os.Remove(out)

	// The second app: no question at all.
	tm = atTerminal(t, env, "launch", "--json", "--trust-roots", roots, s.resolve(), "--", s.url("/charts/app.json"))
	doc = launchJSON(t, tm)
	if strings.Contains(tm.screen.String(), asked) {
		t.Errorf("the second app of the signer was asked about:\n%s", tm.screen.String())
	}
	wantAll(t, doc, "granted", "user-signer")
	launchertest.WaitForFile(t, out)

	if code, stdout, stderr := rvm(t, env, "permissions", "distrust", "--signer", spki); code != 0 {
		t.Fatalf("distrust: exit %d: %s%s", code, stdout, stderr)
	}
	for _, app := range []string{"blotter", "charts"} {
		code, stdout, stderr := rvm(t, env, "verify", "--json", "--trust-roots", roots, s.resolve(), s.url("/"+app+"/app.json"))
		var got struct {
			Trust       struct{ Status, Code, SignerSpki string }
			Permissions map[string]struct{ Decision, Source string }
		}
		if err := json.Unmarshal([]byte(stdout), &got); code != 0 || err != nil {
			t.Fatalf("verify %s: exit %d (%v): %s%s", app, code, err, stdout, stderr)
		}
		if got.Trust.Status != "untrusted" || got.Trust.Code != "revoked" || got.Trust.SignerSpki != spki {
			t.Errorf("%s: got trust %+v, want untrusted, revoked, naming the key", app, got.Trust)
		}
		if p := got.Permissions["Window.getSnapshot"]; p.Decision != "prompt" || p.Source != "default" {
			t.Errorf("%s: Window.getSnapshot: got %+v, want a prompt again", app, p)
		}
	}
}
