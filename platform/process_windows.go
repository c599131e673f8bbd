package platform

import (
	"errors"
	"io/fs"
	"syscall"

	"golang.org/x/sys/windows"
)

const runtimeExecutable = "runtime.exe"

var switches = SwitchSyntax{Slash: true, FoldCase: true}

func isExecutable(fs.FileInfo) bool { return true }

func detachedAttr() (*syscall.SysProcAttr, error) {
	return &syscall.SysProcAttr{
		CreationFlags: windows.DETACHED_PROCESS | windows.CREATE_NEW_PROCESS_GROUP,
	}, nil
}

// processStart opens the process for its times: its creation time, and
// whether its handle is signalled (it has exited). A process object lives
// on, exited, while anyone holds a handle to it.
func processStart(pid int) (uint64, bool, error) {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION|windows.SYNCHRONIZE, false, uint32(pid))
	if errors.Is(err, windows.ERROR_INVALID_PARAMETER) {
		return 0, false, nil // no process has that id
	}
	if err != nil {
		return 0, false, err
	}
	defer windows.CloseHandle(h)
	var created, exited, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return 0, false, err
	}
	start := uint64(created.HighDateTime)<<32 | uint64(created.LowDateTime)
	ev, err := windows.WaitForSingleObject(h, 0)
	if err != nil {
		return 0, false, err
	}
	return start, ev == uint32(windows.WAIT_TIMEOUT), nil
}
