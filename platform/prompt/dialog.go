// Package prompt asks the user a yes-or-no question about a permission:
// a native dialog where there is a display (zenity or kdialog on Linux,
// osascript on macOS, MessageBoxW on Windows), else the terminal where
// standard input and standard error are both terminals, else nobody. A
// dialog that fails to show falls back to the terminal. At the terminal,
// y, yes, n and no (in any case, trimmed) count; anything else asks again,
// at most MaxTries times; end of input cancels.
//
// A question may also offer a third answer, All: yes to every app from
// the signer of the app asked about (SPEC 5.7). The terminal then also
// takes a and all; zenity shows a third button (--extra-button) and
// osascript a third button, each of which must be clicked (its label is
// what the program prints): closing a dialog never means All. kdialog's
// --yesnocancel and MessageBoxW's Yes/No/Cancel would make a closed
// window the third answer, so they offer the two answers only, and All
// is given at the terminal.
package prompt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
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

// Answer is what the user answered. The zero value, NoAnswer, denies.
type Answer int

// The answers.
const (
	// NoAnswer: nobody could be asked (no display, no terminal, a dialog
	// that failed to show with no terminal to fall back on), or the answer
	// at the terminal was not understood MaxTries times. It denies for
	// this launch, and nothing should be stored.
	NoAnswer Answer = iota
	Yes
	No
	// All is yes, to this question and to every app from the same
	// signer; only a Question that offers it gets it.
	All
)

func (a Answer) String() string {
	switch a {
	case Yes:
		return "yes"
	case No:
		return "no"
	case All:
		return "all"
	}
	return "no answer"
}

// Question is what Ask asks: Text, and whether to offer the answer All.
type Question struct {
	Text string
	// OfferAll offers the answer All (see AllLabel); the zero value
	// offers yes and no only.
	OfferAll bool
}

// AllLabel is the label of the dialogs' button for the answer All.
const AllLabel = "Allow all from this signer"

// ErrCancelled reports that the user ended the input or interrupted the
// question (the context ended): the caller cancels what it asked for.
var ErrCancelled = errors.New("prompt: cancelled by the user")

// MaxTries is how many times the terminal asks before an answer that is
// not understood counts as NoAnswer.
const MaxTries = 3

// maxAnswer bounds the length of a line typed at the terminal that is
// read as an answer; a longer one is not understood.
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

// Ask asks the user a yes/no question (and All, where q offers it) and
// reports the Answer and how it was asked (one of the constants above). It asks through a native dialog
// where there is a display: MessageBoxW on Windows, osascript on macOS
// outside an SSH session, zenity or kdialog on Linux when DISPLAY or
// WAYLAND_DISPLAY is set; a dialog that fails to show (no display after
// all, under a service or Wine) falls back to the terminal where there is
// one, else the answer is NoAnswer, with the dialog's error. Without a
// dialog it asks at the terminal, and otherwise nobody (NoAnswer, how
// None). Control, bidirectional and other invisible characters of the
// question are shown escaped (see Printable). An error wrapping
// ErrCancelled means that the user ended the input, or ctx ended (Ctrl-C).
func (e Env) Ask(ctx context.Context, q Question) (Answer, string, error) {
	lines := strings.Split(q.Text, "\n")
	for i, l := range lines {
		lines[i] = Printable(l)
	}
	q.Text = strings.Join(lines, "\n")
	d := e.choose(q)
	var (
		a   Answer
		err error
	)
	switch {
	case d.box != nil:
		var granted bool
		granted, err = d.box(ctx, q.Text)
		a = No
		if granted {
			a = Yes
		}
	case d.argv != nil:
		a, err = runDialog(ctx, d)
	case d.how == Terminal:
		return e.askTerminal(ctx, q)
	default:
		return NoAnswer, None, nil
	}
	switch {
	case ctx.Err() != nil:
		return NoAnswer, d.how, fmt.Errorf("%w (%w)", ErrCancelled, ctx.Err())
	case err == nil:
		return a, d.how, nil
	case e.terminal():
		a, _, terr := e.askTerminal(ctx, q)
		if terr != nil {
			terr = fmt.Errorf("%w (after %s failed: %v)", terr, d.how, err)
		}
		return a, Terminal, terr
	}
	return NoAnswer, d.how, fmt.Errorf("prompt: %s failed, and there is no terminal to ask at: %w", d.how, err)
}

// Printable is s with every character that a terminal or a dialog would
// not show as itself (control characters, line and paragraph separators,
// bidirectional and other formatting characters) written as a Go escape
// (\x1b, \u202e), so that text from outside cannot redraw the screen or
// reorder what is shown. Other text is left as it is.
func Printable(s string) string {
	if strings.IndexFunc(s, hidden) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !hidden(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRuneToASCII(r)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

// hidden reports whether r is a character that Printable escapes: one
// that is not graphic (letters, marks, numbers, punctuation, symbols and
// spaces). Bidirectional controls are formatting characters (Cf), and so
// hidden.
func hidden(r rune) bool { return !unicode.IsGraphic(r) }

// dialog is a way of asking.
type dialog struct {
	how string
	// argv runs a dialog program: exit status 0 means yes unless yes is
	// set, in which case the program must also print yes; where all is
	// set, printing all (with exit status 0, or no) means All; exit
	// status no (when not 0) means no; anything else is an error.
	argv []string
	yes  string
	all  string
	no   int
	// box asks in this process (Windows MessageBoxW).
	box func(ctx context.Context, question string) (bool, error)
}

// choose decides how to ask: it depends on nothing but e.
func (e Env) choose(q Question) dialog {
	if d, ok := nativeDialog(e, q); ok {
		return d
	}
	if e.terminal() {
		return dialog{how: Terminal}
	}
	return dialog{how: None}
}

// terminal reports whether the user can be asked at the terminal.
func (e Env) terminal() bool { return e.Terminal && e.In != nil && e.Out != nil }

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
func runDialog(ctx context.Context, d dialog) (Answer, error) {
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, d.argv[0], d.argv[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return NoAnswer, ctx.Err()
	}
	printed := strings.TrimSpace(out.String())
	var exit *exec.ExitError
	if errors.As(err, &exit) && d.no != 0 && exit.ExitCode() == d.no && !noDisplay(stderr.Bytes()) {
		if d.all != "" && printed == d.all {
			return All, nil
		}
		return No, nil
	}
	switch {
	case err != nil:
		return NoAnswer, fmt.Errorf("%w: %q", err, bytes.TrimSpace(stderr.Bytes()))
	case d.all != "" && printed == d.all:
		return All, nil
	case d.yes == "" || printed == d.yes:
		return Yes, nil
	}
	return No, nil
}

// noDisplay reports whether a dialog program's standard error says that it
// could not reach the display: GTK then exits with the status of a "No"
// (zenity's 1), which must not count as the user's answer.
func noDisplay(stderr []byte) bool {
	return bytes.Contains(bytes.ToLower(stderr), []byte("cannot open display"))
}

// askTerminal writes the question to e.Out and reads a line from e.In: y
// or yes grants, n or no denies, and where q offers it a or all answers
// All (in any case, trimmed); anything else asks again, MaxTries times in
// all, then counts as NoAnswer. End of input, or ctx ending while it
// waits, cancels.
func (e Env) askTerminal(ctx context.Context, q Question) (Answer, string, error) {
	choices, again := "[y/n]", "Please answer y (yes) or n (no): "
	if q.OfferAll {
		choices, again = "[y/n/a]", "Please answer y (yes), n (no) or a (all apps from this signer): "
	}
	fmt.Fprintf(e.Out, "%s %s ", q.Text, choices)
	for try := 1; ; try++ {
		line, err := e.readLine(ctx)
		if err != nil {
			fmt.Fprintln(e.Out)
			return NoAnswer, Terminal, err
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return Yes, Terminal, nil
		case "n", "no":
			return No, Terminal, nil
		case "a", "all":
			if q.OfferAll {
				return All, Terminal, nil
			}
		}
		if try == MaxTries {
			fmt.Fprintf(e.Out, "Not understood %d times: denied for this launch.\n", MaxTries)
			return NoAnswer, Terminal, nil
		}
		fmt.Fprint(e.Out, again)
	}
}

// readLine reads a line from e.In, or returns an error wrapping
// ErrCancelled when ctx ends first or the input ends before a newline.
func (e Env) readLine(ctx context.Context) (string, error) {
	type result struct {
		line string
		err  error
	}
	lines := make(chan result, 1)
	go func() {
		line, err := readLine(e.In)
		lines <- result{line, err}
	}()
	select {
	case <-ctx.Done():
		return "", fmt.Errorf("%w (%w)", ErrCancelled, ctx.Err())
	case r := <-lines:
		return r.line, r.err
	}
}

// readLine reads up to a newline, one byte at a time so that nothing after
// it is consumed: a second question reads the next line. A line longer
// than maxAnswer is read to its end and returned as "", an answer that is
// not understood. Input that ends first cancels (ErrCancelled).
func readLine(r io.Reader) (string, error) {
	var line []byte
	long := false
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			switch {
			case b[0] == '\n':
				s := strings.TrimSuffix(string(line), "\r")
				if long || len(s) > maxAnswer {
					return "", nil
				}
				return s, nil
			case len(line) > maxAnswer: // room for a "\r" after maxAnswer bytes
				long, line = true, line[:0]
			case !long:
				line = append(line, b[0])
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("%w (input ended)", ErrCancelled)
		}
		if err != nil {
			return "", fmt.Errorf("prompt: reading the answer: %w", err)
		}
	}
}
