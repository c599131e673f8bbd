package platformtest

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// childEnv, set in a test binary's environment, names the role the binary
// plays as a child process (see Roles and Child).
const childEnv = "RVM_TEST_CHILD"

// argsEnv carries a child's arguments, for children that another program
// (a service manager, a runtime starter) starts with arguments of its own.
const argsEnv = "RVM_TEST_CHILD_ARGS"

// Roles turns this test binary into a child program when the environment
// names one of roles: it runs that role with the child's arguments and
// exits with its status. Call it from TestMain (or init) of a package that
// starts children; it returns at once in the parent.
func Roles(roles map[string]func(args []string) int) {
	role := os.Getenv(childEnv)
	if role == "" {
		return
	}
	run, ok := roles[role]
	if !ok {
		return // another package's role
	}
	var args []string
	if a := os.Getenv(argsEnv); a != "" {
		args = strings.Split(a, "\x00")
	}
	os.Exit(run(args))
}

// ChildEnv is the environment that makes this test binary play role with
// args (added to the current environment).
func ChildEnv(role string, args ...string) []string {
	return append(os.Environ(), childEnv+"="+role, argsEnv+"="+strings.Join(args, "\x00"))
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
// runtime folder, a folder another user can reach). It links where it can.
func CopySelf(t testing.TB, dir, name string) string {
	t.Helper()
	self, err := os.Executable()
	Must(t, err)
	dst := filepath.Join(dir, name)
	Must(t, os.MkdirAll(dir, 0o755))
	if os.Link(self, dst) == nil {
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
