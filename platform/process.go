package platform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
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

// Process is a process that StartDetached started.
type Process struct {
	// PID is its process id.
	PID int
	// Start is when it started, as ProcessStart reports it, read before
	// the process could be reaped: PID and Start together name this
	// process alone, and not a later one given the same id. It is 0 where
	// the platform cannot tell.
	Start uint64

	exited chan struct{}
	code   int
}

// Exited is closed once the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// ExitCode waits for the process to exit and reports its exit status: -1
// where a signal ended it or it could not be waited for.
func (p *Process) ExitCode() int {
	<-p.exited
	return p.code
}

// StartDetached starts the program at path with args (not counting the
// program's own name) detached from rvm: in its own session on Unix
// (setsid), with DETACHED_PROCESS and CREATE_NEW_PROCESS_GROUP on Windows,
// so that it outlives rvm and gets none of its terminal's signals. Its
// standard input is the null device; its standard output and error go to
// out, or to the null device when out is nil. It runs in the directory of
// path and inherits rvm's environment. StartDetached returns without
// waiting for the process to finish; the process is reaped in the
// background should rvm outlive it, and Exited says when.
func StartDetached(path string, args []string, out *os.File) (*Process, error) {
	if !filepath.IsAbs(path) {
		return nil, fmt.Errorf("platform: start %q: not an absolute path", path)
	}
	sys, err := detachedAttr()
	if err != nil {
		return nil, fmt.Errorf("platform: start %s: %w", path, err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("platform: start %s: %w", path, err)
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
		return nil, fmt.Errorf("platform: start %s: %w", path, err)
	}
	// Nothing has waited for the process yet, so it cannot have been
	// reaped and its id cannot have been given to another.
	start, _, _ := processStart(p.Pid)
	proc := &Process{PID: p.Pid, Start: start, exited: make(chan struct{}), code: -1}
	go func() {
		if state, err := p.Wait(); err == nil {
			proc.code = state.ExitCode()
		}
		close(proc.exited)
	}()
	return proc, nil
}

// ProcessStart reports when the process pid started, as a number that
// stays the same for the process's life and differs for a later process
// given the same id (Linux: clock ticks from boot; macOS: microseconds
// from 1970; Windows: its creation time, in 100 ns from 1601), and whether
// it is running: one that has exited, reaped or not, is not, and one that
// does not exist has start 0. It fails where the platform cannot tell (on
// a platform without the means, or for a process it may not look at).
func ProcessStart(pid int) (start uint64, running bool, err error) {
	if pid <= 0 {
		return 0, false, nil
	}
	start, running, err = processStart(pid)
	if err != nil {
		return 0, false, fmt.Errorf("platform: process %d: %w", pid, err)
	}
	return start, running, nil
}

// SwitchSyntax is how programs on a platform read a switch on their
// command line: "--name" and "-name", each with an optional "=value"; with
// Slash, "/name" too; with FoldCase, names that differ only in case are
// one switch. Switches reports this platform's.
type SwitchSyntax struct {
	// Slash makes "/name" a switch (Windows).
	Slash bool
	// FoldCase compares switch names without case (Windows).
	FoldCase bool
}

// Switches reports how programs on this platform read switches: with
// Slash and FoldCase on Windows, as Chromium's command line does there,
// and with neither elsewhere.
func Switches() SwitchSyntax { return switches }

// Name reports whether arg is a switch and, where it is, its name: what
// follows "--" or "-" (or, with Slash, "/") up to the first "=". The name
// may be empty ("-", "--=x"). "--" alone, which ends the switches, is a
// switch with the empty name; callers that treat it apart check it first.
func (s SwitchSyntax) Name(arg string) (name string, ok bool) {
	switch {
	case strings.HasPrefix(arg, "--"):
		name = arg[2:]
	case strings.HasPrefix(arg, "-"), s.Slash && strings.HasPrefix(arg, "/"):
		name = arg[1:]
	default:
		return "", false
	}
	name, _, _ = strings.Cut(name, "=")
	return name, true
}

// Fold returns the form of a switch name under which names that s takes
// for one switch are equal: with FoldCase, every letter in one case of
// its simple case folding (so "ſ" and the Kelvin sign fold with "s" and
// "k", as in parsers that compare by Unicode case); otherwise name as it
// is.
func (s SwitchSyntax) Fold(name string) string {
	if !s.FoldCase {
		return name
	}
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, name)
}

// errNotSupported is reported by capabilities that this platform lacks.
var errNotSupported = errors.New("not supported on this platform")
