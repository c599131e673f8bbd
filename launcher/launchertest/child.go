package launchertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// The roles this test binary plays as a child process (see
// platformtest.Roles and Main).
const (
	// RuntimeRole is a runtime that a launch started: it reports what it
	// received to the file that RuntimeOutEnv names, where it names one,
	// and exits 0; or it fails at once, as RuntimeExitEnv says.
	RuntimeRole = "launchertest-runtime"
	// PeerRole is a client of a local API socket (see Peer).
	PeerRole = "launchertest-peer"
)

// RuntimeOutEnv names the file that the stand-in runtime (RuntimeRole)
// writes a Received to.
const RuntimeOutEnv = "RVM_TEST_RUNTIME_OUT"

// RuntimeExitEnv, set to a number, makes the stand-in runtime print
// RuntimeFailure on its standard error and exit with that status at once,
// reporting nothing.
const RuntimeExitEnv = "RVM_TEST_RUNTIME_EXIT"

// RuntimeFailure is what the stand-in runtime prints before it exits as
// RuntimeExitEnv says.
const RuntimeFailure = "stand-in runtime: cannot open the display"

// Received is what the stand-in runtime reports: its process id, its
// arguments, and what it read through them as a parser that takes
// abbreviations does (getopt's, argparse's: --deci for --decision, -c for
// --config, "/" and any case on Windows), the last of a flag winning and
// nothing after "--" read as a flag: its --config, and the content of the
// files that its --manifest and --decision name.
type Received struct {
	PID      int      `json:"pid"`
	Args     []string `json:"args"`
	Config   string   `json:"config"`
	Manifest string   `json:"manifest"`
	Decision string   `json:"decision"`
}

// Main is the TestMain of the launcher's test packages. Started as a child,
// this test binary plays RuntimeRole or PeerRole; otherwise it runs the
// tests, with the environment of RuntimeRole set in this process, so that
// every runtime a launch starts (which inherits it) is the stand-in.
// Children that a test starts with an environment of their own (see
// platformtest.Child) play the role that names.
func Main(m *testing.M) {
	platformtest.Roles(map[string]func([]string) int{RuntimeRole: standInRuntime, PeerRole: peer})
	// platformtest.ChildEnv adds the role's variables to the environment.
	for _, kv := range platformtest.ChildEnv(RuntimeRole)[len(os.Environ()):] {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	os.Exit(m.Run())
}

// standInRuntime is RuntimeRole. A runtime gets its arguments on its command line
// from the launch, not through the role's.
func standInRuntime([]string) int {
	if status := os.Getenv(RuntimeExitEnv); status != "" {
		fmt.Fprintln(os.Stderr, RuntimeFailure)
		code, _ := strconv.Atoi(status)
		return code
	}
	out := os.Getenv(RuntimeOutEnv)
	if out == "" {
		return 0
	}
	r := Received{PID: os.Getpid(), Args: os.Args[1:]}
	config, manifest, decision := readFlags(r.Args)
	r.Config = config
	if manifest != "" {
		data, _ := os.ReadFile(manifest)
		r.Manifest = string(data)
	}
	if decision != "" {
		data, _ := os.ReadFile(decision)
		r.Decision = string(data)
	}
	data, _ := json.Marshal(r)
	if platform.WriteFileAtomic(out, data, 0o600) != nil {
		return 1
	}
	return 0
}

// readFlags reads --config, --manifest and --decision from args as a
// parser that takes abbreviations reads them (see Received).
func readFlags(args []string) (config, manifest, decision string) {
	syntax := platform.Switches()
	for i := 0; i < len(args); i++ {
		if args[i] == "--" {
			return
		}
		name, ok := syntax.Name(args[i])
		if !ok || name == "" {
			continue
		}
		var flag *string
		for full, p := range map[string]*string{"config": &config, "manifest": &manifest, "decision": &decision} {
			if strings.HasPrefix(syntax.Fold(full), syntax.Fold(name)) {
				flag = p
			}
		}
		if flag == nil {
			continue
		}
		if _, value, ok := strings.Cut(args[i], "="); ok {
			*flag = value
		} else if i+1 < len(args) {
			i++
			*flag = args[i]
		}
	}
	return
}

// InstallRuntime installs this test binary as runtime 38.1.0.0 in a new
// runtime directory and returns the directory: a launch starts it as the
// stand-in runtime (see Main).
func InstallRuntime(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	platformtest.CopySelf(t, filepath.Join(dir, "38.1.0.0"), platform.RuntimeExecutable())
	return dir
}

// WaitForFile polls for path to appear, for at most a minute: a started
// runtime runs on its own time, and a slow machine is not a failure.
func WaitForFile(t testing.TB, path string) []byte {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		data, err := os.ReadFile(path)
		if err == nil {
			return data
		}
		if time.Now().After(deadline) {
			t.Fatalf("got no %s after a minute: %v", path, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// peer is PeerRole, with the argument socket: it writes what it reads on
// standard input, as it stands, to the socket and prints everything that
// comes back within 30 seconds, or "connect: " and why it could not
// connect.
func peer(args []string) int {
	if len(args) != 1 {
		fmt.Println("peer: want the argument socket")
		return 2
	}
	request, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Println("peer: reading the request:", err)
		return 2
	}
	c, err := net.Dial("unix", args[0])
	if err != nil {
		fmt.Println("connect:", err)
		return 0
	}
	defer c.Close()
	c.Write(request)
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	got, _ := io.ReadAll(c)
	os.Stdout.Write(got)
	return 0
}
