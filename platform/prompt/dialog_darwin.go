package prompt

import (
	"os"

	"golang.org/x/sys/unix"
)

// askScript shows the question (the last argument, whether or not
// osascript passes on the "--" before it) and prints the button clicked;
// askAllScript has the third button, for All.
var (
	askScript = []string{
		"on run argv",
		`return button returned of (display dialog (item -1 of argv) with title "rvm" buttons {"Deny", "Allow"} default button "Deny" with icon caution)`,
		"end run",
	}
	askAllScript = []string{
		"on run argv",
		`return button returned of (display dialog (item -1 of argv) with title "rvm" buttons {"Deny", "Allow", "` + AllLabel + `"} default button "Deny" with icon caution)`,
		"end run",
	}
)

// nativeDialog asks through osascript, unless this is an SSH session,
// whose user would not see the dialog.
func nativeDialog(e Env, q Question) (dialog, bool) {
	for _, v := range []string{"SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"} {
		if e.getenv(v) != "" {
			return dialog{}, false
		}
	}
	path, ok := e.lookPath("osascript")
	if !ok {
		return dialog{}, false
	}
	script, all := askScript, ""
	if q.OfferAll {
		script, all = askAllScript, AllLabel
	}
	argv := []string{path}
	for _, line := range script {
		argv = append(argv, "-e", line)
	}
	return dialog{how: OSAScript, yes: "Allow", all: all, argv: append(argv, "--", q.Text)}, true
}

func interactiveDesktop() bool { return false }

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TIOCGETA)
	return err == nil
}
