package runtime_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// startable is the stand-in runtime 38.1.0.0 (see launchertest.Main),
// installed in a new RuntimeDirectory.
func startable(t *testing.T) runtime.Runtime {
	t.Helper()
	r, err := runtime.Resolve(launchertest.InstallRuntime(t), "38.*")
	must(t, err)
	return r
}

const (
	startURL      = "https://apps.example/app.json"
	startManifest = `{"runtime": {"version": "38.*"}, "startup_app": {"name": "app"}}`
	startDecision = `{"manifestUrl":"https://apps.example/app.json","launch":{"allowed":true}}`
)

// startOptions are the options of a launch of startURL into a new data
// directory at the time now.
func startOptions(t *testing.T, now time.Time) runtime.StartOptions {
	return runtime.StartOptions{
		ManifestURL: startURL,
		Manifest:    []byte(startManifest),
		Decision:    []byte(startDecision),
		DataDir:     filepath.Join(t.TempDir(), "data"),
		Now:         func() time.Time { return now },
	}
}

// received starts r with o, with the stand-in reporting to a new file,
// and returns what Start and the runtime reported.
func received(t *testing.T, r runtime.Runtime, o runtime.StartOptions) (runtime.Started, launchertest.Received) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "received.json")
	t.Setenv(launchertest.RuntimeOutEnv, out)
	started, err := r.Start(o)
	if err != nil {
		t.Fatalf("got error %v, want the runtime started", err)
	}
	var got launchertest.Received
	must(t, json.Unmarshal(launchertest.WaitForFile(t, out), &got))
	return started, got
}

var launchFile = regexp.MustCompile(`^[0-9a-f]{32}\.(decision\.json|manifest\.json|log|pid)$`)

func TestStartRuntime(t *testing.T) {
	r := startable(t)
	now := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
	o := startOptions(t, now)
	o.Arguments = runtime.FilterArguments([]string{"--foo", "bar baz", `"quoted"`, "--help"}, runtime.ArgumentPolicy{StrictlyFetched: true})
	started, got := received(t, r, o)

	dir := filepath.Join(o.DataDir, runtime.DecisionsFolder)
	base := strings.TrimSuffix(started.Output, ".log")
	if filepath.Dir(base) != dir || !launchFile.MatchString(filepath.Base(started.Output)) {
		t.Fatalf("got output %s, want <32 hex digits>.log in %s", started.Output, dir)
	}
	wantArgs := []string{"--foo", "bar baz", `"quoted"`, "--help",
		"--config=" + startURL, "--manifest=" + base + ".manifest.json", "--decision=" + base + ".decision.json"}
	if !slices.Equal(got.Args, wantArgs) {
		t.Errorf("got arguments %q, want %q", got.Args, wantArgs)
	}
	if got.Config != startURL || got.Manifest != startManifest || got.Decision != startDecision {
		t.Errorf("got config %q, manifest %q, decision %q, want %q, %q, %q", got.Config, got.Manifest, got.Decision, startURL, startManifest, startDecision)
	}
	if got.PID != started.PID {
		t.Errorf("got pid %d from the runtime, want %d as Start reported", got.PID, started.PID)
	}

	info, err := os.Lstat(dir)
	must(t, err)
	if info.Mode().Perm() != 0o700 || !info.IsDir() {
		t.Errorf("got decisions folder mode %v, want a folder, 0700", info.Mode())
	}
	entries, err := os.ReadDir(dir)
	must(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, err := e.Info()
		must(t, err)
		if !launchFile.MatchString(e.Name()) || info.Mode() != 0o600 {
			t.Errorf("got %s, mode %v, want a launch's file, 0600", e.Name(), info.Mode())
		}
	}
	if len(names) != 4 {
		t.Errorf("got files %q, want a launch's four", names)
	}
	var rec struct {
		PID      int       `json:"pid"`
		Start    uint64    `json:"start"`
		Launched time.Time `json:"launched"`
	}
	data, err := os.ReadFile(base + ".pid")
	must(t, err)
	must(t, json.Unmarshal(data, &rec))
	if rec.PID != started.PID || rec.Start == 0 || !rec.Launched.Equal(now) {
		t.Errorf("got record %s, want pid %d, its start and launched %v", data, started.PID, now)
	}
	last, err := os.ReadFile(filepath.Join(filepath.Dir(r.Path), runtime.LastLaunchFile))
	if want := "2031-02-03T04:05:06Z\n"; err != nil || string(last) != want {
		t.Errorf("got %s %q (%v), want %q", runtime.LastLaunchFile, last, err, want)
	}
}

// TestStartRuntimeNamesAreUnguessable: two launches of one app have files
// of their own, named by nothing a manifest or another user knows.
func TestStartRuntimeNamesAreUnguessable(t *testing.T) {
	r := startable(t)
	o := startOptions(t, time.Now())
	first, _ := received(t, r, o)
	second, _ := received(t, r, o)
	if first.Output == second.Output {
		t.Errorf("got output %s for both launches, want one for each", first.Output)
	}
}

// TestStartRuntimeOrder: whatever the arguments (had FilterArguments let
// them through), rvm's flags come last, so that a parser where the last
// flag wins reads rvm's.
func TestStartRuntimeOrder(t *testing.T) {
	r := startable(t)
	o := startOptions(t, time.Now())
	o.Arguments = runtime.FilterArguments([]string{"--v=1"}, runtime.ArgumentPolicy{StrictlyFetched: true})
	_, got := received(t, r, o)
	if n := len(got.Args); n != 4 || got.Args[0] != "--v=1" || !strings.HasPrefix(got.Args[n-1], "--decision=") {
		t.Errorf("got arguments %q, want --v=1 first and rvm's flags last", got.Args)
	}
}

func TestStartRuntimeRefuses(t *testing.T) {
	r := startable(t)
	tests := []struct {
		name   string
		change func(t *testing.T, o *runtime.StartOptions)
		want   string
	}{
		{name: "no-manifest-url", change: func(_ *testing.T, o *runtime.StartOptions) { o.ManifestURL = "" }, want: "no manifest URL"},
		{name: "no-manifest", change: func(_ *testing.T, o *runtime.StartOptions) { o.Manifest = nil }, want: "no manifest bytes"},
		{name: "empty-decision", change: func(_ *testing.T, o *runtime.StartOptions) { o.Decision = nil }, want: "empty decision"},
		{name: "relative-data-directory", change: func(_ *testing.T, o *runtime.StartOptions) { o.DataDir = "data" }, want: `"data"`},
		{name: "decisions-folder-is-a-link", change: func(t *testing.T, o *runtime.StartOptions) {
			must(t, os.MkdirAll(o.DataDir, 0o700))
			must(t, os.Symlink(t.TempDir(), filepath.Join(o.DataDir, runtime.DecisionsFolder)))
		}, want: "is a link or not a folder"},
		{name: "decisions-folder-is-a-file", change: func(t *testing.T, o *runtime.StartOptions) {
			must(t, os.MkdirAll(o.DataDir, 0o700))
			must(t, os.WriteFile(filepath.Join(o.DataDir, runtime.DecisionsFolder), nil, 0o600))
		}, want: "is a link or not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := startOptions(t, time.Now())
			tt.change(t, &o)
			started, err := r.Start(o)
			if err == nil || !strings.HasPrefix(err.Error(), "runtime: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %+v, error %v, want a runtime error holding %q", started, err, tt.want)
			}
			dir := filepath.Join(o.DataDir, runtime.DecisionsFolder)
			if target, err := filepath.EvalSymlinks(dir); err == nil {
				if entries, _ := os.ReadDir(target); len(entries) != 0 {
					t.Errorf("got %d files written in %s, want none", len(entries), target)
				}
			}
		})
	}
}

// TestStartRuntimeDecisionsFolderMode: a decisions folder that others may
// read is made private again.
func TestStartRuntimeDecisionsFolderMode(t *testing.T) {
	r := startable(t)
	o := startOptions(t, time.Now())
	dir := filepath.Join(o.DataDir, runtime.DecisionsFolder)
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.Chmod(dir, 0o755))
	received(t, r, o)
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("got decisions folder %v (%v), want mode 0700", info.Mode(), err)
	}
}

func TestStartRuntimeMissingLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	r := runtime.Runtime{Version: "38.1.0.0", Path: filepath.Join(dir, "38.1.0.0", platform.RuntimeExecutable())}
	o := startOptions(t, time.Now())
	_, err := r.Start(o)
	if err == nil || !strings.Contains(err.Error(), "38.1.0.0") {
		t.Fatalf("got error %v, want one naming the runtime", err)
	}
	if entries, err := os.ReadDir(filepath.Join(o.DataDir, runtime.DecisionsFolder)); err != nil || len(entries) != 0 {
		t.Errorf("got %d files left (%v), want none", len(entries), err)
	}
}

// TestStartRuntimeExitsAtOnce: a runtime that exits with a non-zero status
// at its start did not start: the error quotes the end of its output,
// which stays in its file, and its decision document and manifest copy
// are gone.
func TestStartRuntimeExitsAtOnce(t *testing.T) {
	r := startable(t)
	o := startOptions(t, time.Now())
	t.Setenv(launchertest.RuntimeExitEnv, "3")
	started, err := r.Start(o)
	var exit *runtime.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("got %+v, error %v, want an *runtime.ExitError", started, err)
	}
	if exit.Status != 3 || !slices.Equal(exit.Lines, []string{launchertest.RuntimeFailure}) {
		t.Errorf("got status %d, lines %q, want 3, %q", exit.Status, exit.Lines, launchertest.RuntimeFailure)
	}
	if want := strconv.Quote(launchertest.RuntimeFailure); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), exit.Output) {
		t.Errorf("got error %q, want it to hold %s and name %s", err, want, exit.Output)
	}
	if out, err := os.ReadFile(exit.Output); err != nil || !strings.Contains(string(out), launchertest.RuntimeFailure) {
		t.Errorf("got output file %q (%v), want the runtime's output kept", out, err)
	}
	base := strings.TrimSuffix(exit.Output, ".log")
	for _, f := range []string{base + ".decision.json", base + ".manifest.json"} {
		if _, err := os.Lstat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %s (%v), want it removed", f, err)
		}
	}
}

func TestExitErrorQuotes(t *testing.T) {
	tests := []struct {
		name string
		err  runtime.ExitError
		want string
	}{
		{name: "lines", err: runtime.ExitError{Version: "38.1.0.0", Status: 3, Output: "/d/x.log", Lines: []string{"a", "\x1b]0;owned\x07"}},
			want: `runtime: runtime 38.1.0.0 exited with status 3 at its start; the last lines of its output (/d/x.log): "a", "\x1b]0;owned\a"`},
		{name: "no-output", err: runtime.ExitError{Version: "38.1.0.0", Status: 1, Output: "/d/x.log"},
			want: "runtime: runtime 38.1.0.0 exited with status 1 at its start, with no output (/d/x.log)"},
		{name: "signal", err: runtime.ExitError{Version: "38.1.0.0", Status: -1, Output: "/d/x.log"},
			want: "runtime: runtime 38.1.0.0 was ended by a signal at its start, with no output (/d/x.log)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestStartRuntimePrunes: each start removes what outlived its launch.
func TestStartRuntimePrunes(t *testing.T) {
	r := startable(t)
	now := time.Now()
	o := startOptions(t, now)
	dir := filepath.Join(o.DataDir, runtime.DecisionsFolder)
	must(t, os.MkdirAll(dir, 0o700))

	self, running, err := platform.ProcessStart(os.Getpid())
	if err != nil || !running {
		t.Fatalf("got start %d, running %v, error %v for this process", self, running, err)
	}
	exited := platformtest.Child(t, launchertest.RuntimeRole)
	must(t, exited.Run())
	gone, _, _ := platform.ProcessStart(exited.Process.Pid)

	day := 24 * time.Hour
	type launch struct {
		record  string // the .pid file's content; "" for none
		modTime time.Time
	}
	record := func(pid int, start uint64, launched time.Time) string {
		data, _ := json.Marshal(map[string]any{"pid": pid, "start": start, "launched": launched})
		return string(data)
	}
	launches := map[string]launch{
		"running":         {record: record(os.Getpid(), self, now.Add(-29*day))},
		"running-30-days": {record: record(os.Getpid(), self, now.Add(-30*day))},
		"exited":          {record: record(exited.Process.Pid, gone, now.Add(-time.Hour))},
		"recycled-id":     {record: record(os.Getpid(), self+1, now.Add(-time.Hour))},
		"unreadable":      {record: "not JSON", modTime: now.Add(-time.Hour)},
		"unrecorded-new":  {modTime: now.Add(-29 * day)},
		"unrecorded-old":  {modTime: now.Add(-30 * day)},
	}
	names := map[string]string{}
	for what, l := range launches {
		name := fmt.Sprintf("%032x", len(names)+1)
		names[what] = name
		files := map[string]string{".decision.json": "{}", ".manifest.json": "{}", ".log": "output"}
		if l.record != "" {
			files[".pid"] = l.record
		}
		for suffix, content := range files {
			path := filepath.Join(dir, name+suffix)
			must(t, os.WriteFile(path, []byte(content), 0o600))
			if !l.modTime.IsZero() {
				must(t, os.Chtimes(path, l.modTime, l.modTime))
			}
		}
	}
	oldFormat := filepath.Join(dir, "0123456789abcdef.json") // as rvm named decisions before
	must(t, os.WriteFile(oldFormat, []byte("{}"), 0o600))
	must(t, os.Chtimes(oldFormat, now.Add(-31*day), now.Add(-31*day)))

	started, _ := received(t, r, o)
	names["this-launch"] = strings.TrimSuffix(filepath.Base(started.Output), ".log")
	all := []string{".decision.json", ".manifest.json", ".log", ".pid"}
	for what, want := range map[string][]string{
		"this-launch":     all,
		"running":         all,
		"running-30-days": nil,
		"exited":          {".log"},
		"recycled-id":     {".log"},
		"unreadable":      all,
		"unrecorded-new":  {".decision.json", ".manifest.json", ".log"},
		"unrecorded-old":  nil,
	} {
		t.Run(what, func(t *testing.T) {
			var got []string
			for _, suffix := range all {
				if _, err := os.Lstat(filepath.Join(dir, names[what]+suffix)); err == nil {
					got = append(got, suffix)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %q left, want %q", got, want)
			}
		})
	}
	if _, err := os.Lstat(oldFormat); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %s (%v), want a decision of the old naming removed after 30 days", oldFormat, err)
	}
}
