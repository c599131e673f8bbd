package platform

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// addUnderLock adds 1 to the number in counter, a read, a pause and a
// write that lose updates unless the lock excludes the other process.
func addUnderLock(lock, counter string) error {
	l, err := LockFile(lock)
	if err != nil {
		return err
	}
	defer l.Unlock()
	data, err := os.ReadFile(counter)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	n, _ := strconv.Atoi(string(data))
	time.Sleep(time.Millisecond)
	return WriteFileAtomic(counter, []byte(strconv.Itoa(n+1)), 0o600)
}

func TestLockFileExcludesProcesses(t *testing.T) {
	dir := platformtest.TempDir(t)
	lock, counter := filepath.Join(dir, "sub", "x.lock"), filepath.Join(dir, "counter")
	const per = 40
	var cmds []*exec.Cmd
	for range 2 {
		cmd := platformtest.Child(t, "count", lock, counter, strconv.Itoa(per))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	data, err := os.ReadFile(counter)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(data); got != strconv.Itoa(2*per) {
		t.Errorf("got counter %s, want %d: updates were lost", got, 2*per)
	}
	if fi, err := os.Stat(lock); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("got lock file %v (%v), want a regular file", fi, err)
	}
}

func TestLockFileReleasedWhenHolderDies(t *testing.T) {
	lock := filepath.Join(platformtest.TempDir(t), "x.lock")
	cmd := platformtest.Child(t, "hold", lock)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		cmd.Process.Kill()
		t.Fatalf("got %q (%v) from the child, want locked", line, err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	got := make(chan error, 1)
	go func() {
		l, err := LockFile(lock)
		if err == nil {
			err = l.Unlock()
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Errorf("got %v, want the lock", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("got no lock a minute after its holder died, want it at once")
	}
}

func TestLockFileErrors(t *testing.T) {
	dir := platformtest.TempDir(t)
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(file, "x.lock") // below a file: cannot be made
	if _, err := LockFile(path); err == nil || !strings.HasPrefix(err.Error(), "platform: lock ") || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want a platform: lock error naming %s", err, path)
	}
}
