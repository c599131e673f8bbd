package platform

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
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
			pid, err := StartDetached(self, args, out)
			if err != nil {
				t.Fatalf("got error %v, want the program started", err)
			}
			e := waitForEcho(t, report)
			if e.PID != pid {
				t.Errorf("got pid %d from the child, want %d", e.PID, pid)
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
			if pid, err := StartDetached(tt.path, nil, nil); err == nil || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("got pid %d, error %v, want an error naming %s", pid, err, tt.path)
			}
		})
	}
}
