package platform

import (
	"io/fs"
	"syscall"

	"golang.org/x/sys/windows"
)

const runtimeExecutable = "runtime.exe"

func isExecutable(fs.FileInfo) bool { return true }

func detachedAttr() (*syscall.SysProcAttr, error) {
	return &syscall.SysProcAttr{
		CreationFlags: windows.DETACHED_PROCESS | windows.CREATE_NEW_PROCESS_GROUP,
	}, nil
}
