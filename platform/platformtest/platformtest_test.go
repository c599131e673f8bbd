package platformtest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	Roles(map[string]func([]string) int{
		// "args" prints its arguments, and then its command line, as
		// JSON lines.
		"args": func(args []string) int {
			a, _ := json.Marshal(args)
			c, _ := json.Marshal(os.Args[1:])
			fmt.Printf("%s\n%s\n", a, c)
			return 3
		},
		// "uid" prints the user id it runs as.
		"uid": func([]string) int {
			fmt.Println(os.Getuid())
			return 0
		},
	})
	os.Exit(m.Run())
}

// awkward are arguments that a naive encoding would lose or split.
var awkward = []string{"a b", "", "x\ny", `"q"`, `\`, "=", "ünï", "--rvm-test-child=args"}

func TestChildRole(t *testing.T) {
	for _, tt := range []struct {
		name             string
		role, args       string
		argv             []string
		wantRole, errMsg string
		wantArgs         []string
	}{
		{name: "parent", argv: []string{"x.test", "-test.v"}},
		{name: "parent-without-arguments", argv: []string{"x.test"}},
		{name: "environment", role: "echo", args: `["a","b c"]`, argv: []string{"x.test", "-test.run=^$"}, wantRole: "echo", wantArgs: []string{"a", "b c"}},
		{name: "environment-without-arguments", role: "echo", argv: []string{"x.test"}, wantRole: "echo"},
		{name: "environment-beats-argument", role: "echo", args: `[]`, argv: []string{"x.test", "--rvm-test-child=other", "z"}, wantRole: "echo", wantArgs: []string{}},
		{name: "argument", argv: []string{"x.test", "--rvm-test-child=service", "dir", "name"}, wantRole: "service", wantArgs: []string{"dir", "name"}},
		{name: "argument-not-first", argv: []string{"x.test", "-test.v", "--rvm-test-child=service"}},
		{name: "argument-empty-role", argv: []string{"x.test", "--rvm-test-child="}},
		{name: "bad-arguments", role: "echo", args: `a b`, argv: []string{"x.test"}, errMsg: "RVM_TEST_CHILD_ARGS: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			role, args, err := childRole(tt.role, tt.args, tt.argv)
			switch {
			case tt.errMsg != "":
				if err == nil || !strings.Contains(err.Error(), tt.errMsg) {
					t.Errorf("got error %v, want one holding %q", err, tt.errMsg)
				}
			case err != nil:
				t.Errorf("got error %v, want none", err)
			case role != tt.wantRole || !slices.Equal(args, tt.wantArgs) || (args == nil) != (tt.wantArgs == nil):
				t.Errorf("got role %q, arguments %q, want %q, %q", role, args, tt.wantRole, tt.wantArgs)
			}
		})
	}
}

// runArgs runs cmd, a child in the role "args", and returns the arguments
// it got and its command line.
func runArgs(t *testing.T, cmd *exec.Cmd) (args, cmdline []string) {
	t.Helper()
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Fatalf("got %v (%s), want the role's exit status 3", err, out)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got output %q, want two lines", out)
	}
	Must(t, json.Unmarshal([]byte(lines[0]), &args))
	Must(t, json.Unmarshal([]byte(lines[1]), &cmdline))
	return args, cmdline
}

func TestChild(t *testing.T) {
	args, cmdline := runArgs(t, Child(t, "args", awkward...))
	if !slices.Equal(args, awkward) {
		t.Errorf("got arguments %q, want %q", args, awkward)
	}
	if want := []string{"-test.run=^$"}; !slices.Equal(cmdline, want) {
		t.Errorf("got command line %q, want %q: the child runs no test", cmdline, want)
	}
}

func TestSetChildEnv(t *testing.T) {
	SetChildEnv(t, "args", awkward...)
	self, err := os.Executable()
	Must(t, err)
	args, cmdline := runArgs(t, exec.Command(self, "launch", "--", "x"))
	if !slices.Equal(args, awkward) || !slices.Equal(cmdline, []string{"launch", "--", "x"}) {
		t.Errorf("got arguments %q and command line %q, want %q and the command line as started", args, cmdline, awkward)
	}
}

func TestChildArgs(t *testing.T) {
	self, err := os.Executable()
	Must(t, err)
	cmd := exec.Command(self, ChildArgs("args", awkward...)...)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, childEnv+"=") })
	if args, _ := runArgs(t, cmd); !slices.Equal(args, awkward) {
		t.Errorf("got arguments %q, want %q", args, awkward)
	}
}

func TestCopySelf(t *testing.T) {
	dir := filepath.Join(TempDir(t), "sub", "dir")
	exe := CopySelf(t, dir, "copy.exe")
	if exe != filepath.Join(dir, "copy.exe") {
		t.Errorf("got %s, want it in %s", exe, dir)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = ChildEnv("args", "copied")
	if args, _ := runArgs(t, cmd); !slices.Equal(args, []string{"copied"}) {
		t.Errorf("got arguments %q from the copy, want [copied]", args)
	}
}

func TestTempDir(t *testing.T) {
	var dir string
	t.Run("make", func(t *testing.T) {
		dir = TempDir(t)
		Must(t, os.MkdirAll(filepath.Join(dir, "a", "b"), 0o700))
		Must(t, os.WriteFile(filepath.Join(dir, "a", "b", "f"), []byte("x"), 0o600))
	})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("got %v after the test, want %s removed", err, dir)
	}
}
