package platform

import (
	"bytes"

	"golang.org/x/sys/unix"
)

const caseInsensitivePaths = true

// eachExecutable calls f with each process and the path of its
// executable (kern.procargs2, which begins with the path the process was
// executed by); processes this user may not look at are left out.
func eachExecutable(f func(pid int, exe string)) error {
	procs, err := unix.SysctlKinfoProcSlice("kern.proc.all")
	if err != nil {
		return err
	}
	for _, p := range procs {
		pid := int(p.Proc.P_pid)
		if pid <= 0 {
			continue
		}
		args, err := unix.SysctlRaw("kern.procargs2", pid)
		if err != nil || len(args) < 4 {
			continue
		}
		// argc (4 bytes), then the executable's path, NUL-terminated.
		path := args[4:]
		if i := bytes.IndexByte(path, 0); i >= 0 {
			path = path[:i]
		}
		if len(path) > 0 {
			f(pid, string(path))
		}
	}
	return nil
}
