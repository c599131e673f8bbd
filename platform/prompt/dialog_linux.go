package prompt

import (
	"html"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// nativeDialog asks through zenity, or else kdialog, when a display is set.
func nativeDialog(e Env, question string) (dialog, bool) {
	if e.getenv("DISPLAY") == "" && e.getenv("WAYLAND_DISPLAY") == "" {
		return dialog{}, false
	}
	if path, ok := e.lookPath("zenity"); ok {
		return dialog{how: Zenity, no: 1, argv: []string{
			path, "--question", "--title=rvm", "--no-markup", "--default-cancel", "--text=" + question,
		}}, true
	}
	if path, ok := e.lookPath("kdialog"); ok {
		// kdialog guesses whether text is rich text; <qt> makes it so
		// always, and escaping then shows the question as it is.
		text := "<qt>" + strings.ReplaceAll(html.EscapeString(question), "\n", "<br>") + "</qt>"
		return dialog{how: KDialog, no: 1, argv: []string{path, "--title", "rvm", "--yesno", text}}, true
	}
	return dialog{}, false
}

func interactiveDesktop() bool { return false }

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
