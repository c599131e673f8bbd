package prompt

import (
	"os"

	"golang.org/x/sys/unix"
)

// askScript shows the question (the last argument, whether or not
// osascript passes on the "--" before it) and prints the button clicked.
var askScript = []string{
	"on run argv",
	`return button returned of (display dialog (item -1 of argv) with title "rvm" buttons {"Deny", "Allow"} default button "Deny" with icon caution)`,
	"end run",
}

// nativeDialog asks through osascript, unless this is an SSH session,
// whose user would not see the dialog.
func nativeDialog(e Env, question string) (dialog, bool) {
	for _, v := range []string{"SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"} {
		if e.getenv(v) != "" {
			return dialog{}, false
		}
	}
	path, ok := e.lookPath("osascript")
	if !ok {
		return dialog{}, false
	}
	argv := []string{path}
	for _, line := range askScript {
		argv = append(argv, "-e", line)
	}
	return dialog{how: OSAScript, yes: "Allow", argv: append(argv, "--", question)}, true
}

func interactiveDesktop() bool { return false }

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TIOCGETA)
	return err == nil
}
