// Package prompt asks the user a yes-or-no question about a permission:
// a native dialog where there is a display (zenity or kdialog on Linux,
// osascript on macOS, MessageBoxW on Windows), else the terminal where
// standard input and standard error are both terminals, else nobody.
package prompt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"unicode"
)

// How Ask asked, as it reports it.
const (
	Zenity     = "zenity"      // Linux, zenity --question
	KDialog    = "kdialog"     // Linux, kdialog --yesno
	OSAScript  = "osascript"   // macOS, an AppleScript display dialog
	MessageBox = "message-box" // Windows, MessageBoxW
	Terminal   = "terminal"    // a question on standard error, the answer on standard input
	None       = "none"        // nobody could be asked: denied
)

// maxAnswer bounds the length of a line typed at the terminal.
const maxAnswer = 64

// Env is what Prompt looks at to choose how to ask and whom. The zero
// value has no display and no terminal, so every prompt is denied.
type Env struct {
	// Getenv reads the environment (DISPLAY, WAYLAND_DISPLAY, SSH_*); nil
	// reads an empty one.
	Getenv func(string) string
	// LookPath finds a dialog program (zenity, kdialog, osascript); nil
	// finds none.
	LookPath func(string) (string, error)
	// InteractiveDesktop tells, on Windows, whether the process's window
	// station is visible, so that a message box would be seen. Elsewhere
	// the environment tells, and this is not read.
	InteractiveDesktop bool
	// Terminal tells whether standard input and standard error are both
	// terminals, so that the user can be asked there.
	Terminal bool
	// In is where a terminal answer is read from, Out where the terminal
	// question is written.
	In  io.Reader
	Out io.Writer
}

// SystemEnv describes this process: its environment, its PATH, its
// desktop and whether it runs at a terminal.
func SystemEnv() Env {
	return Env{
		Getenv:             os.Getenv,
		LookPath:           exec.LookPath,
		InteractiveDesktop: interactiveDesktop(),
		Terminal:           isTerminal(os.Stdin) && isTerminal(os.Stderr),
		In:                 os.Stdin,
		Out:                os.Stderr,
	}
}

// Prompt asks the user a yes/no question (plain text; control characters
// are shown as "?") and reports whether the answer was yes and how the
// question was asked (one of the Prompt* constants). It asks through a
// native dialog where there is a display: MessageBoxW on Windows, osascript
// on macOS outside an SSH session, zenity or kdialog on Linux when DISPLAY
// or WAYLAND_DISPLAY is set. Otherwise it asks at the terminal when there
// is one, and otherwise it denies with how None. Anything but a clear
// yes is a denial: no, a closed dialog, an answer not understood, an error
// (also reported in err) or ctx ending first. A dialog on screen when ctx
// ends is closed, except a Windows message box, which stays until answered.
func (e Env) Ask(ctx context.Context, question string) (granted bool, how string, err error) {
	question = strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
			return '?'
		}
		return r
	}, question)
	d := e.choose(question)
	switch {
	case d.box != nil:
		granted, err = d.box(ctx, question)
	case d.argv != nil:
		granted, err = runDialog(ctx, d)
	case d.how == Terminal:
		granted, err = e.askTerminal(ctx, question)
	}
	if err != nil {
		return false, d.how, fmt.Errorf("platform: prompt through %s: %w", d.how, err)
	}
	return granted, d.how, nil
}

// dialog is a way of asking.
type dialog struct {
	how string
	// argv runs a dialog program: exit status 0 means yes unless yes is
	// set, in which case the program must also print yes; exit status no
	// (when not 0) means no; anything else is an error.
	argv []string
	yes  string
	no   int
	// box asks in this process (Windows MessageBoxW).
	box func(ctx context.Context, question string) (bool, error)
}

// choose decides how to ask: it depends on nothing but e.
func (e Env) choose(question string) dialog {
	if d, ok := nativeDialog(e, question); ok {
		return d
	}
	if e.Terminal && e.In != nil && e.Out != nil {
		return dialog{how: Terminal}
	}
	return dialog{how: None}
}

func (e Env) getenv(name string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(name)
}

func (e Env) lookPath(name string) (string, bool) {
	if e.LookPath == nil {
		return "", false
	}
	path, err := e.LookPath(name)
	return path, err == nil
}

// runDialog runs a dialog program and reads its answer.
func runDialog(ctx context.Context, d dialog) (bool, error) {
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, d.argv[0], d.argv[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && d.no != 0 && exit.ExitCode() == d.no {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return d.yes == "" || strings.TrimSpace(out.String()) == d.yes, nil
}

// askTerminal writes the question to e.Out and reads one line from e.In:
// y or yes (in any case) grants, anything else denies.
func (e Env) askTerminal(ctx context.Context, question string) (bool, error) {
	fmt.Fprintf(e.Out, "%s [y/N] ", question)
	type answer struct {
		line string
		err  error
	}
	answers := make(chan answer, 1)
	go func() {
		line, err := readLine(e.In)
		answers <- answer{line, err}
	}()
	var a answer
	select {
	case <-ctx.Done():
		fmt.Fprintln(e.Out)
		return false, ctx.Err()
	case a = <-answers:
	}
	if a.err != nil {
		fmt.Fprintln(e.Out)
		return false, a.err
	}
	switch strings.ToLower(strings.TrimSpace(a.line)) {
	case "y", "yes":
		return true, nil
	case "", "n", "no":
		return false, nil
	}
	fmt.Fprintln(e.Out, "Answer not understood: denied.")
	return false, nil
}

// readLine reads up to a newline, one byte at a time so that nothing after
// it is consumed: a second prompt reads the next line. A line longer than
// maxAnswer, or input that ends before a newline, is an error.
func readLine(r io.Reader) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				if s := strings.TrimSuffix(string(line), "\r"); len(s) <= maxAnswer {
					return s, nil
				}
			}
			if b[0] == '\n' || len(line) > maxAnswer { // room for a "\r" after maxAnswer bytes
				return "", fmt.Errorf("answer longer than %d bytes", maxAnswer)
			}
			line = append(line, b[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			return "", errors.New("no answer: input ended")
		}
		if err != nil {
			return "", err
		}
	}
}
