package platform

import (
	"os"
	"strconv"
	"strings"
)

const caseInsensitivePaths = false

// eachExecutable calls f with each process and the path of its
// executable, as /proc tells them; processes whose executable this user
// may not read (another user's) are left out.
func eachExecutable(f func(pid int, exe string)) error {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		exe, err := os.Readlink("/proc/" + e.Name() + "/exe")
		if err != nil {
			continue
		}
		// An executable removed or replaced since it started is named
		// with this suffix.
		f(pid, strings.TrimSuffix(exe, " (deleted)"))
	}
	return nil
}
