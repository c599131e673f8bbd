package install

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// TestMain lets a test run this test binary as a runtime in use: the
// child "wait" says "running" and runs until its standard input ends.
func TestMain(m *testing.M) {
	platformtest.Roles(map[string]func([]string) int{"wait": func([]string) int {
		fmt.Println("running")
		io.Copy(io.Discard, os.Stdin)
		return 0
	}})
	os.Exit(m.Run())
}

// installFake installs version into dir as a folder with an executable,
// made at made, and returns the folder.
func installFake(t *testing.T, dir, version string, made time.Time) string {
	t.Helper()
	folder := filepath.Join(dir, version)
	platformtest.Must(t, os.MkdirAll(folder, 0o755))
	platformtest.Must(t, os.WriteFile(filepath.Join(folder, exe), []byte("#!/bin/sh\n"), 0o755))
	platformtest.Must(t, os.Chtimes(folder, made, made))
	return folder
}

// launched records a launch of the runtime in folder at when.
func launched(t *testing.T, folder string, when time.Time) {
	t.Helper()
	p := filepath.Join(folder, LastLaunchFile)
	platformtest.Must(t, os.WriteFile(p, []byte(when.Format(time.RFC3339)+"\n"), 0o644))
	platformtest.Must(t, os.Chtimes(p, when, when))
}

// runFrom runs a copy of this test binary as the runtime of version in
// dir, until the test ends or stop is called.
func runFrom(t *testing.T, dir, version string) (pid int, stop func()) {
	t.Helper()
	folder := filepath.Join(dir, version)
	os.Remove(filepath.Join(folder, exe))
	cmd := exec.Command(platformtest.CopySelf(t, folder, exe), "-test.run=^$")
	cmd.Env = platformtest.ChildEnv("wait")
	in, err := cmd.StdinPipe()
	platformtest.Must(t, err)
	out, err := cmd.StdoutPipe()
	platformtest.Must(t, err)
	platformtest.Must(t, cmd.Start())
	stop = func() { in.Close(); cmd.Wait() }
	t.Cleanup(stop)
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "running\n" {
		t.Fatalf("the runtime said %q", line)
	}
	return cmd.Process.Pid, stop
}

func versions(t *testing.T, dir string) []string {
	t.Helper()
	rts, err := runtime.Installed(dir)
	platformtest.Must(t, err)
	var v []string
	for _, r := range rts {
		v = append(v, r.Version)
	}
	return v
}

func TestRemove(t *testing.T) {
	dir := platformtest.TempDir(t)
	now := time.Now()
	installFake(t, dir, "1.0.0", now)
	installFake(t, dir, "2.0.0", now)
	platformtest.Must(t, Remove(dir, "1.0.0"))
	if got := versions(t, dir); !slices.Equal(got, []string{"2.0.0"}) {
		t.Errorf("installed after removing 1.0.0: got %v, want 2.0.0 alone", got)
	}
	if got := leftovers(t, dir); !slices.Equal(got, []string{"2.0.0"}) {
		t.Errorf("left in the runtime directory: %q", got)
	}
	if err := Remove(dir, "1.0.0"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("removing it again: got %v, want not installed", err)
	}
	if err := Remove(dir, "../2.0.0"); err == nil || err.Error() != `install: "../2.0.0" is not an exact runtime version` {
		t.Errorf("removing ../2.0.0: got %v, want it refused as no version", err)
	}
}

// TestRemoveInUse: a runtime that a process runs from is not removed, and
// stays installed; once it has exited it is.
func TestRemoveInUse(t *testing.T) {
	dir := platformtest.TempDir(t)
	installFake(t, dir, "1.0.0", time.Now())
	pid, stop := runFrom(t, dir, "1.0.0")
	err := Remove(dir, "1.0.0")
	var busy *InUseError
	if !errors.As(err, &busy) || !slices.Contains(busy.PIDs, pid) || busy.Version != "1.0.0" {
		t.Fatalf("got %v, want an InUseError naming process %d", err, pid)
	}
	if want := fmt.Sprintf("install: runtime 1.0.0 is in use (process %d runs from %s): not removed", pid, filepath.Join(dir, "1.0.0")); err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if got := versions(t, dir); !slices.Equal(got, []string{"1.0.0"}) {
		t.Errorf("installed after the refusal: got %v, want 1.0.0", got)
	}
	stop()
	platformtest.Must(t, Remove(dir, "1.0.0"))
	if got := versions(t, dir); len(got) != 0 {
		t.Errorf("installed after it exited and was removed: %v", got)
	}
}

// TestPrune: what has not been launched for the time given goes (by its
// last launch, or where never launched by when it was installed); what
// was launched since, the runtime being launched and one in use stay.
func TestPrune(t *testing.T) {
	dir := platformtest.TempDir(t)
	now := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	old, recent := now.Add(-48*time.Hour), now.Add(-time.Hour)
	launched(t, installFake(t, dir, "1.0.0", old), old)                    // not launched for 48 h: removed
	launched(t, installFake(t, dir, "1.1.0", old), recent)                 // launched an hour ago: kept
	installFake(t, dir, "1.2.0", old)                                      // never launched, installed 48 h ago: removed
	installFake(t, dir, "1.3.0", recent)                                   // never launched, installed an hour ago: kept
	launched(t, installFake(t, dir, "1.4.0", old), old)                    // the one being launched: kept
	launched(t, installFake(t, dir, "1.5.0", old), old)                    // in use: kept
	launched(t, installFake(t, dir, "1.6.0", old), now.Add(-24*time.Hour)) // exactly a day: removed
	runFrom(t, dir, "1.5.0")
	launched(t, filepath.Join(dir, "1.5.0"), old)
	removed, err := Prune(dir, 24*time.Hour, now, "1.4.0")
	platformtest.Must(t, err)
	slices.Sort(removed)
	if want := []string{"1.0.0", "1.2.0", "1.6.0"}; !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	if got, want := versions(t, dir), []string{"1.5.0", "1.4.0", "1.3.0", "1.1.0"}; !slices.Equal(got, want) {
		t.Errorf("left installed %v, want %v", got, want)
	}
}

func TestLastUsed(t *testing.T) {
	dir := platformtest.TempDir(t)
	folder := installFake(t, dir, "1.0.0", time.Now())
	if _, ok := LastUsed(folder); ok {
		t.Errorf("a runtime never launched has a last launch")
	}
	when := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	launched(t, folder, when)
	if got, ok := LastUsed(folder); !ok || !got.Equal(when) {
		t.Errorf("got %v %v, want %v", got, ok, when)
	}
}
