package install

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/platform"
)

// LastLaunchFile is the file of a runtime folder that each launch of the
// runtime writes (SPEC 8): its modification time is the runtime's last
// launch.
const LastLaunchFile = ".last-launch"

// LastUsed reports when the runtime whose folder is folder was last
// launched (the modification time of its LastLaunchFile), and false where
// it never was.
func LastUsed(folder string) (time.Time, bool) {
	info, err := os.Stat(filepath.Join(folder, LastLaunchFile))
	if err != nil || !info.Mode().IsRegular() {
		return time.Time{}, false
	}
	return info.ModTime(), true
}

// InUseError reports a runtime that was not removed because processes run
// from its folder.
type InUseError struct {
	Version string
	Folder  string
	PIDs    []int
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("install: runtime %s is in use (process %s runs from %s): not removed", e.Version, joinInts(e.PIDs), e.Folder)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// Remove removes the runtime version from the runtime directory dir,
// under the lock that installs of that version take (Lock), unless a
// process runs from its folder (an *InUseError; see
// platform.RunningFrom). The folder is first renamed beside itself, to
// the kind of name Clean removes, then checked again (a launch may have
// started it meanwhile: it is then renamed back) and removed: a removal
// cut short leaves no half runtime under its version. A version that is
// not installed there is an error wrapping os.ErrNotExist.
func Remove(dir, version string) error {
	lock, err := Lock(dir, version)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	folder := filepath.Join(dir, version)
	info, err := os.Lstat(folder)
	if err != nil || !info.IsDir() {
		return fmt.Errorf("install: runtime %s is not installed in %s: %w", version, dir, os.ErrNotExist)
	}
	if err := inUse(version, folder, folder); err != nil {
		return err
	}
	var suffix [8]byte
	rand.Read(suffix[:])
	aside := filepath.Join(dir, "."+version+".tmp-removed-"+hex.EncodeToString(suffix[:]))
	if err := os.Rename(folder, aside); err != nil {
		return fmt.Errorf("install: remove runtime %s: %w", version, err)
	}
	if err := inUse(version, folder, aside); err != nil {
		if rerr := os.Rename(aside, folder); rerr != nil {
			return errors.Join(err, fmt.Errorf("install: runtime %s: put it back: %w", version, rerr))
		}
		return err
	}
	if err := platform.RemoveAll(aside); err != nil {
		return fmt.Errorf("install: remove runtime %s: %w", version, err)
	}
	return nil
}

// inUse is an *InUseError where a process runs from path, the folder of
// version (named folder in messages), and an error where that cannot be
// told: a runtime is never removed on a guess.
func inUse(version, folder, path string) error {
	pids, err := platform.RunningFrom(path)
	if err != nil {
		return fmt.Errorf("install: runtime %s: cannot tell whether it is in use, so it is not removed: %w", version, err)
	}
	if len(pids) > 0 {
		return &InUseError{Version: version, Folder: folder, PIDs: pids}
	}
	return nil
}

// Prune removes from the runtime directory dir every runtime not launched
// for at least unused at now: its last launch (LastUsed), or where it was
// never launched the time its folder was made, is that old. It never
// removes keep (the runtime being launched; "" for none) nor a runtime in
// use, which it leaves without an error. It returns the versions it
// removed and the errors of those it could not.
func Prune(dir string, unused time.Duration, now time.Time, keep string) ([]string, error) {
	installed, err := runtime.Installed(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, r := range installed {
		if r.Version == keep {
			continue
		}
		folder := filepath.Dir(r.Path)
		last, ok := LastUsed(folder)
		if !ok {
			info, err := os.Stat(folder)
			if err != nil {
				continue
			}
			last = info.ModTime()
		}
		if now.Sub(last) < unused {
			continue
		}
		err := Remove(dir, r.Version)
		var busy *InUseError
		switch {
		case errors.As(err, &busy):
		case err != nil:
			errs = append(errs, err)
		default:
			removed = append(removed, r.Version)
		}
	}
	return removed, errors.Join(errs...)
}
