//go:build unix

package platform

import (
	"io/fs"
	"syscall"
)

const runtimeExecutable = "runtime"

var switches = SwitchSyntax{}

func isExecutable(info fs.FileInfo) bool { return info.Mode().Perm()&0o111 != 0 }

func detachedAttr() (*syscall.SysProcAttr, error) {
	return &syscall.SysProcAttr{Setsid: true}, nil
}
