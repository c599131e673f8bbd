package platform

import "golang.org/x/sys/unix"

// szomb is the state of a process that has exited and awaits its parent's
// wait (sys/proc.h).
const szomb = 5

// processStart asks the kernel for the process (sysctl kern.proc.pid):
// its start time and its state.
func processStart(pid int) (uint64, bool, error) {
	procs, err := unix.SysctlKinfoProcSlice("kern.proc.pid", pid)
	if err != nil {
		return 0, false, err
	}
	if len(procs) == 0 || int(procs[0].Proc.P_pid) != pid {
		return 0, false, nil
	}
	p := procs[0].Proc
	start := uint64(p.P_starttime.Sec)*1e6 + uint64(p.P_starttime.Usec)
	return start, p.P_stat != szomb, nil
}
