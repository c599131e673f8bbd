package platformtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// childEnv, set in a test binary's environment, names the role the binary
// plays as a child process (see Roles and Child).
const childEnv = "RVM_TEST_CHILD"

// argsEnv carries a child's arguments, JSON-encoded (an environment value
// cannot hold the NUL that would otherwise separate them), for children
// that another program (a service manager, a runtime starter) starts with
// arguments of its own.
const argsEnv = "RVM_TEST_CHILD_ARGS"

// childArg, as the first argument of a test binary, names the role it plays
// and makes the arguments after it the role's: for a child whose
// environment is not the test's to set (Wine's service manager passes none
// on). See ChildArgs.
const childArg = "--rvm-test-child="

// Roles turns this test binary into a child program when its environment
// (see Child, ChildEnv and SetChildEnv) or its first argument (see
// ChildArgs) names one of roles: it runs that role with the child's
// arguments and exits with its status. Call it from TestMain, before m.Run,
// or from init, of a package that starts children; it returns at once in
// the parent, and for a role that is not in roles.
// A role that needs the command line the child was really started with
// (to check what a launcher passed) reads os.Args itself.
func Roles(roles map[string]func(args []string) int) {
	role, args, err := childRole(os.Getenv(childEnv), os.Getenv(argsEnv), os.Args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "platformtest:", err)
		os.Exit(2)
	}
	if role == "" {
		return
	}
	run, ok := roles[role]
	if !ok {
		return // a role of another call of Roles (each init may make one)
	}
	os.Exit(run(args))
}

// childRole reads the role and arguments that the environment values
// role and encodedArgs, or else the first of argv's arguments, name; role
// is "" in a parent.
func childRole(role, encodedArgs string, argv []string) (string, []string, error) {
	if role != "" {
		var args []string
		if encodedArgs != "" {
			if err := json.Unmarshal([]byte(encodedArgs), &args); err != nil {
				return "", nil, fmt.Errorf("%s: %w", argsEnv, err)
			}
		}
		return role, args, nil
	}
	if len(argv) > 1 {
		if r, ok := strings.CutPrefix(argv[1], childArg); ok && r != "" {
			return r, argv[2:], nil
		}
	}
	return "", nil, nil
}

// ChildEnv is the environment that makes this test binary play role with
// args: the current environment and the two values that name them.
func ChildEnv(role string, args ...string) []string {
	return append(os.Environ(), childEnv+"="+role, argsEnv+"="+encodeArgs(args))
}

// SetChildEnv sets, for the rest of the test, the environment that makes
// this test binary play role with args, for a child that the code under
// test starts with this process's environment (a detached process, a
// runtime). Like t.Setenv, it cannot be used in parallel tests.
func SetChildEnv(t testing.TB, role string, args ...string) {
	t.Helper()
	t.Setenv(childEnv, role)
	t.Setenv(argsEnv, encodeArgs(args))
}

// ChildArgs is the command line, after the program name, that makes this
// test binary play role with args, for a child started where the
// environment is not passed on (a service under Wine's service manager).
func ChildArgs(role string, args ...string) []string {
	return append([]string{childArg + role}, args...)
}

func encodeArgs(args []string) string {
	if args == nil {
		args = []string{}
	}
	data, _ := json.Marshal(args) // a []string always marshals
	return string(data)
}

// Child returns a command that runs this test binary as role with args
// (see Roles); its tests do not run.
func Child(t testing.TB, role string, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	Must(t, err)
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = ChildEnv(role, args...)
	cmd.Stderr = os.Stderr
	return cmd
}

// CopySelf copies this test binary to dir/name (mode 0755) and returns its
// path: for a child that must run from a place of the test's choosing (a
// runtime folder, a folder another user can reach). It links where it can,
// except on Windows, where a link to the running test binary could not be
// removed until the test binary ends (TempDir's clean-up would fail).
func CopySelf(t testing.TB, dir, name string) string {
	t.Helper()
	self, err := os.Executable()
	Must(t, err)
	dst := filepath.Join(dir, name)
	Must(t, os.MkdirAll(dir, 0o755))
	if runtime.GOOS != "windows" && os.Link(self, dst) == nil {
		return dst
	}
	src, err := os.Open(self)
	Must(t, err)
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	Must(t, err)
	_, err = io.Copy(out, src)
	Must(t, errors.Join(err, out.Close()))
	return dst
}
