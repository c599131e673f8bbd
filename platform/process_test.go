package platform

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// echoed is what the child in the role "echo" reports (see childRoles).
type echoed struct {
	PID      int      `json:"pid"`
	Args     []string `json:"args"`
	Dir      string   `json:"dir"`
	Detached bool     `json:"detached"`
}

// waitForEcho polls for the child's report, for at most a minute: the child
// runs on its own time, and a slow machine is not a failure.
func waitForEcho(t *testing.T, path string) echoed {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		data, err := os.ReadFile(path)
		if err == nil {
			var e echoed
			if err := json.Unmarshal(data, &e); err != nil {
				t.Fatalf("got report %q: %v", data, err)
			}
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("got no %s after a minute: %v", path, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartDetached(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		log  bool
	}{
		{name: "output-discarded"},
		{name: "output-to-log", log: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := platformtest.TempDir(t)
			report := filepath.Join(dir, "echo.json")
			platformtest.SetChildEnv(t, "echo", report)
			var out *os.File
			if tt.log {
				if out, err = os.Create(filepath.Join(dir, "out.log")); err != nil {
					t.Fatal(err)
				}
				defer out.Close()
			}
			args := []string{"--config=https://x/", "a b", `"q"`, "--help"}
			p, err := StartDetached(self, args, out)
			if err != nil {
				t.Fatalf("got error %v, want the program started", err)
			}
			e := waitForEcho(t, report)
			if e.PID != p.PID {
				t.Errorf("got pid %d from the child, want %d", e.PID, p.PID)
			}
			if code := p.ExitCode(); code != 0 {
				t.Errorf("got exit status %d, want 0", code)
			}
			if !slices.Equal(e.Args, args) {
				t.Errorf("got arguments %q, want %q", e.Args, args)
			}
			if e.Dir != filepath.Dir(self) {
				t.Errorf("got working directory %s, want %s", e.Dir, filepath.Dir(self))
			}
			switch {
			case detached():
				t.Log("this test runs detached itself (no console under Wine), so the child's detachment cannot be told")
			case !e.Detached:
				t.Errorf("got a child attached to the test's session or console, want it detached")
			}
			if tt.log {
				log, err := os.ReadFile(out.Name())
				if err != nil || !strings.Contains(string(log), "echo: started") {
					t.Errorf("got log %q (%v), want the child's output", log, err)
				}
			}
		})
	}
}

func TestStartDetachedRefuses(t *testing.T) {
	for _, tt := range []struct{ name, path string }{
		{name: "relative", path: "runtime"},
		{name: "missing", path: filepath.Join(platformtest.TempDir(t), "missing", RuntimeExecutable())},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if p, err := StartDetached(tt.path, nil, nil); err == nil || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("got process %+v, error %v, want an error naming %s", p, err, tt.path)
			}
		})
	}
}

func init() {
	platformtest.Roles(map[string]func([]string) int{
		// "exit CODE" prints "exit: CODE" and exits with it.
		"exit": func(args []string) int {
			code, _ := strconv.Atoi(args[0])
			fmt.Printf("exit: %d\n", code)
			return code
		},
		// "wait" runs until its standard input ends.
		"wait": func([]string) int {
			io.Copy(io.Discard, os.Stdin)
			return 0
		},
	})
}

func TestStartDetachedExitCode(t *testing.T) {
	self, err := os.Executable()
	platformtest.Must(t, err)
	for _, code := range []int{0, 3} {
		t.Run(fmt.Sprintf("exit-%d", code), func(t *testing.T) {
			platformtest.SetChildEnv(t, "exit", strconv.Itoa(code))
			out, err := os.Create(filepath.Join(platformtest.TempDir(t), "out.log"))
			platformtest.Must(t, err)
			defer out.Close()
			p, err := StartDetached(self, nil, out)
			platformtest.Must(t, err)
			<-p.Exited()
			if got := p.ExitCode(); got != code {
				t.Errorf("got exit status %d, want %d", got, code)
			}
			want := fmt.Sprintf("exit: %d", code)
			if log, err := os.ReadFile(out.Name()); err != nil || !strings.Contains(string(log), want) {
				t.Errorf("got output %q (%v), want it to hold %q", log, err, want)
			}
			if p.Start == 0 {
				t.Errorf("got start 0, want the start of process %d", p.PID)
			}
			if start, running, err := ProcessStart(p.PID); err != nil || running && start == p.Start {
				t.Errorf("got start %d, running %v, error %v after it exited, want it not running", start, running, err)
			}
		})
	}
}

func TestProcessStart(t *testing.T) {
	t.Run("this-process", func(t *testing.T) {
		start, running, err := ProcessStart(os.Getpid())
		if err != nil || !running || start == 0 {
			t.Fatalf("got start %d, running %v, error %v, want this process running with a start", start, running, err)
		}
		if again, _, _ := ProcessStart(os.Getpid()); again != start {
			t.Errorf("got start %d, then %d, want one start for one process", start, again)
		}
	})
	t.Run("child-running-then-reaped", func(t *testing.T) {
		cmd := platformtest.Child(t, "wait")
		stdin, err := cmd.StdinPipe()
		platformtest.Must(t, err)
		platformtest.Must(t, cmd.Start())
		pid := cmd.Process.Pid
		start, running, err := ProcessStart(pid)
		if err != nil || !running || start == 0 {
			t.Errorf("got start %d, running %v, error %v, want the child running with a start", start, running, err)
		}
		stdin.Close()
		platformtest.Must(t, cmd.Wait())
		// Were its id given to a new process already, that one would have
		// started later.
		if again, running, err := ProcessStart(pid); err != nil || running && again == start {
			t.Errorf("got start %d, running %v, error %v after it was reaped, want it gone", again, running, err)
		}
	})
	for _, pid := range []int{0, -1} {
		t.Run(fmt.Sprintf("pid-%d", pid), func(t *testing.T) {
			if start, running, err := ProcessStart(pid); start != 0 || running || err != nil {
				t.Errorf("got start %d, running %v, error %v, want no process", start, running, err)
			}
		})
	}
}

func TestSwitchName(t *testing.T) {
	unix, windows := SwitchSyntax{}, SwitchSyntax{Slash: true, FoldCase: true}
	tests := []struct {
		name   string
		syntax SwitchSyntax
		arg    string
		want   string
		ok     bool
	}{
		{name: "double-dash", syntax: unix, arg: "--decision=/x", want: "decision", ok: true},
		{name: "single-dash", syntax: unix, arg: "-d", want: "d", ok: true},
		{name: "value-with-equals", syntax: unix, arg: "--js-flags=--a=b", want: "js-flags", ok: true},
		{name: "end-of-switches", syntax: unix, arg: "--", want: "", ok: true},
		{name: "dash-alone", syntax: unix, arg: "-", want: "", ok: true},
		{name: "empty-name", syntax: unix, arg: "--=x", want: "", ok: true},
		{name: "three-dashes", syntax: unix, arg: "---decision", want: "-decision", ok: true},
		{name: "slash-not-a-switch-on-unix", syntax: unix, arg: "/decision=x"},
		{name: "slash-on-windows", syntax: windows, arg: "/decision=x", want: "decision", ok: true},
		{name: "plain", syntax: windows, arg: "a b"},
		{name: "empty", syntax: windows, arg: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.syntax.Name(tt.arg)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %q, %v, want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSwitchFold(t *testing.T) {
	unix, windows := SwitchSyntax{}, SwitchSyntax{Slash: true, FoldCase: true}
	tests := []struct {
		name   string
		syntax SwitchSyntax
		a, b   string
		same   bool
	}{
		{name: "same", syntax: unix, a: "no-sandbox", b: "no-sandbox", same: true},
		{name: "case-on-unix", syntax: unix, a: "NO-SANDBOX", b: "no-sandbox"},
		{name: "case-on-windows", syntax: windows, a: "No-Sandbox", b: "no-sandbox", same: true},
		{name: "long-s-on-windows", syntax: windows, a: "single-proceſs", b: "single-process", same: true},
		{name: "kelvin-sign-on-windows", syntax: windows, a: "\u212Aey", b: "key", same: true},
		{name: "other-letters-on-windows", syntax: windows, a: "no-sandbox", b: "no-sandbax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.syntax.Fold(tt.a) == tt.syntax.Fold(tt.b); got != tt.same {
				t.Errorf("got %q and %q the same %v, want %v", tt.a, tt.b, got, tt.same)
			}
		})
	}
}
