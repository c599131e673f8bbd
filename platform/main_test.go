package platform

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// TestMain lets the tests run this test binary as a child process in the
// roles of childRoles.
func TestMain(m *testing.M) {
	platformtest.Roles(childRoles)
	os.Exit(m.Run())
}

// childRoles are the child programs that this package's tests start:
//
//   - "count LOCK COUNTER N" adds 1 to the number in COUNTER N times, each
//     time under the lock LOCK (see addUnderLock);
//   - "hold LOCK" takes the lock, prints "locked" and sleeps until it is
//     killed;
//   - "echo REPORT" prints "echo: started" and writes what it received (its
//     command line, working directory, whether it is detached) to REPORT,
//     atomically: for a child started the way a launcher or a desktop
//     starts rvm, with a command line not of the test's making.
var childRoles = map[string]func(args []string) int{
	"count": func(args []string) int {
		n, _ := strconv.Atoi(args[2])
		for range n {
			if err := addUnderLock(args[0], args[1]); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	},
	"hold": func(args []string) int {
		if _, err := LockFile(args[0]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("locked")
		time.Sleep(time.Hour)
		return 1
	},
	"echo": func(args []string) int {
		e := echoed{PID: os.Getpid(), Args: os.Args[1:], Detached: detached()}
		e.Dir, _ = os.Getwd()
		data, _ := json.Marshal(e)
		fmt.Println("echo: started")
		if WriteFileAtomic(args[0], data, 0o600) != nil {
			return 1
		}
		return 0
	},
}
