package platform

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/windows"
)

const caseInsensitivePaths = true

// eachExecutable calls f with each process and the full path of its
// image; processes this user may not query are left out.
func eachExecutable(f func(pid int, exe string)) error {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(snap)
	var entry windows.ProcessEntry32
	entry.Size = uint32(unsafe.Sizeof(entry))
	for err = windows.Process32First(snap, &entry); err == nil; err = windows.Process32Next(snap, &entry) {
		if exe, ok := imagePath(entry.ProcessID); ok {
			f(int(entry.ProcessID), exe)
		}
	}
	if !errors.Is(err, windows.ERROR_NO_MORE_FILES) {
		return err
	}
	return nil
}

// imagePath is the full path of the image of the process pid.
func imagePath(pid uint32) (string, bool) {
	if pid == 0 {
		return "", false
	}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return "", false
	}
	defer windows.CloseHandle(h)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n := uint32(len(buf))
	if err := windows.QueryFullProcessImageName(h, 0, &buf[0], &n); err != nil {
		return "", false
	}
	return windows.UTF16ToString(buf[:n]), true
}
