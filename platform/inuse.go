package platform

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// RunningFrom reports the processes running now whose executable lies in
// the folder dir or below it, by process id, lowest first: a runtime
// folder with one is in use and must not be removed. It sees the
// processes this process may look at: on Linux and macOS every process
// for an administrator, and otherwise this user's own (others' are left
// out); on Windows those it may query. It fails where the platform cannot
// list processes at all.
func RunningFrom(dir string) ([]int, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("platform: processes running from %s: %w", dir, err)
	}
	// The kernel names executables by their real paths.
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	var pids []int
	err = eachExecutable(func(pid int, exe string) {
		if inFolder(exe, abs) {
			pids = append(pids, pid)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("platform: processes running from %s: %w", dir, err)
	}
	slices.Sort(pids)
	return pids, nil
}

// inFolder reports whether path lies in dir or below it (without regard
// to case where file names have none).
func inFolder(path, dir string) bool {
	if caseInsensitivePaths {
		path, dir = strings.ToLower(path), strings.ToLower(dir)
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && filepath.IsLocal(rel)
}
