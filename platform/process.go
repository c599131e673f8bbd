package platform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// RuntimeExecutable reports the file name of a runtime's executable inside
// its version folder: "runtime.exe" on Windows, "runtime" elsewhere.
func RuntimeExecutable() string { return runtimeExecutable }

// IsExecutableFile reports whether info describes a file this platform can
// run as a program: a regular file (not a symbolic link, not a directory)
// with an execute bit on Unix; any regular file on Windows, where the name
// decides.
func IsExecutableFile(info fs.FileInfo) bool {
	return info.Mode().IsRegular() && isExecutable(info)
}

// StartDetached starts the program at path with args (not counting the
// program's own name) detached from rvm: in its own session on Unix
// (setsid), with DETACHED_PROCESS and CREATE_NEW_PROCESS_GROUP on Windows,
// so that it outlives rvm and gets none of its terminal's signals. Its
// standard input is the null device; its standard output and error go to
// out, or to the null device when out is nil. It runs in the directory of
// path and inherits rvm's environment. StartDetached returns the new
// process's id without waiting for it to finish; the process is reaped in
// the background should rvm outlive it.
func StartDetached(path string, args []string, out *os.File) (pid int, err error) {
	if !filepath.IsAbs(path) {
		return 0, fmt.Errorf("platform: start %q: not an absolute path", path)
	}
	sys, err := detachedAttr()
	if err != nil {
		return 0, fmt.Errorf("platform: start %s: %w", path, err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("platform: start %s: %w", path, err)
	}
	defer null.Close()
	if out == nil {
		out = null
	}
	attr := &os.ProcAttr{
		Dir:   filepath.Dir(path),
		Files: []*os.File{null, out, out},
		Sys:   sys,
	}
	p, err := os.StartProcess(path, append([]string{path}, args...), attr)
	if err != nil {
		return 0, fmt.Errorf("platform: start %s: %w", path, err)
	}
	go p.Wait()
	return p.Pid, nil
}

// errNotSupported is reported by capabilities that this platform lacks.
var errNotSupported = errors.New("not supported on this platform")
