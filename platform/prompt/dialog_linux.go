package prompt

import (
	"html"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// nativeDialog asks through zenity, or else kdialog, when a display is
// set. zenity offers All as a third button, which prints its label and
// exits 1; kdialog offers yes and no only (see the package doc).
func nativeDialog(e Env, q Question) (dialog, bool) {
	if e.getenv("DISPLAY") == "" && e.getenv("WAYLAND_DISPLAY") == "" {
		return dialog{}, false
	}
	question := q.Text
	if path, ok := e.lookPath("zenity"); ok {
		d := dialog{how: Zenity, no: 1, argv: []string{
			path, "--question", "--title=rvm", "--no-markup", "--default-cancel", "--text=" + question,
		}}
		if q.OfferAll {
			d.argv = append(d.argv, "--extra-button="+AllLabel)
			d.all = AllLabel
		}
		return d, true
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
