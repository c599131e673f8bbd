package prompt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

func TestPromptChooseLinux(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		programs []string
		terminal bool
		want     string
	}{
		{name: "x11-zenity", env: map[string]string{"DISPLAY": ":0"}, programs: []string{"zenity", "kdialog"}, terminal: true, want: Zenity},
		{name: "wayland-kdialog", env: map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, programs: []string{"kdialog"}, want: KDialog},
		{name: "display-without-dialog-program", env: map[string]string{"DISPLAY": ":0"}, terminal: true, want: Terminal},
		{name: "dialog-program-without-display", programs: []string{"zenity"}, terminal: true, want: Terminal},
		{name: "headless", programs: []string{"zenity", "kdialog"}, want: None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := Env{
				Getenv: func(name string) string { return tt.env[name] },
				LookPath: func(name string) (string, error) {
					if slices.Contains(tt.programs, name) {
						return "/usr/bin/" + name, nil
					}
					return "", errors.New("not found")
				},
				Terminal: tt.terminal,
				In:       strings.NewReader(""),
				Out:      os.Stderr,
			}
			if got := env.choose(Question{Text: "Allow?"}).how; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// fakeDialog makes a dialog program that records its arguments, one a
// line, in a file beside it, and exits with status.
func fakeDialog(t *testing.T, name, status string) (env Env, argsFile string) {
	return fakeDialogSaying(t, name, status, "")
}

// fakeDialogSaying is fakeDialog, the program also writing stderr to its
// standard error.
func fakeDialogSaying(t *testing.T, name, status, stderr string) (env Env, argsFile string) {
	dir := platformtest.TempDir(t)
	argsFile = filepath.Join(dir, "args")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + argsFile + "'\nprintf '%s\\n' '" + stderr + "' >&2\nexit " + status + "\n"
	platformtest.Must(t, os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755))
	return Env{
		Getenv: func(name string) string { return map[string]string{"DISPLAY": ":0"}[name] },
		LookPath: func(n string) (string, error) {
			if n == name {
				return filepath.Join(dir, name), nil
			}
			return "", errors.New("not found")
		},
	}, argsFile
}

func TestPromptDialogProgram(t *testing.T) {
	question := `Allow "Acme <b>Blotter</b>" to run --help & co?`
	tests := []struct {
		name     string
		program  string
		status   string
		want     Answer
		err      bool
		wantArgs []string
	}{
		{name: "zenity-yes", program: "zenity", status: "0", want: Yes,
			wantArgs: []string{"--question", "--title=rvm", "--no-markup", "--default-cancel", "--text=" + question}},
		{name: "zenity-no", program: "zenity", status: "1", want: No},
		{name: "zenity-fails", program: "zenity", status: "255", err: true},
		{name: "kdialog-yes", program: "kdialog", status: "0", want: Yes,
			wantArgs: []string{"--title", "rvm", "--yesno", `<qt>Allow &#34;Acme &lt;b&gt;Blotter&lt;/b&gt;&#34; to run --help &amp; co?</qt>`}},
		{name: "kdialog-no", program: "kdialog", status: "1", want: No},
		{name: "kdialog-fails", program: "kdialog", status: "2", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, argsFile := fakeDialog(t, tt.program, tt.status)
			a, how, err := env.Ask(context.Background(), Question{Text: question})
			if a != tt.want || how != tt.program || (err != nil) != tt.err {
				t.Fatalf("got %v, how %q, error %v, want %v by %q, error %v", a, how, err, tt.want, tt.program, tt.err)
			}
			if tt.wantArgs == nil {
				return
			}
			data, err := os.ReadFile(argsFile)
			platformtest.Must(t, err)
			if got := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"); !slices.Equal(got, tt.wantArgs) {
				t.Errorf("got arguments %q, want %q", got, tt.wantArgs)
			}
		})
	}
}

func TestPromptDialogCancelled(t *testing.T) {
	env, _ := fakeDialog(t, "zenity", "0")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a, how, err := env.Ask(ctx, Question{Text: "Allow?"})
	if a != NoAnswer || how != Zenity || !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, how %q, error %v, want no answer by %q, cancelled", a, how, err, Zenity)
	}
}

// TestPromptDialogFailsFallsBackToTheTerminal: a dialog that cannot show
// (zenity without a display that works) asks at the terminal where there
// is one; where there is none, nobody answers, and the error says why.
func TestPromptDialogFailsFallsBackToTheTerminal(t *testing.T) {
	for _, tt := range []struct{ name, status, stderr string }{
		{"zenity-fails", "255", ""},
		// GTK, without a display it can open, exits as a "No" does.
		{"zenity-without-a-display", "1", "(zenity:4242): Gtk-WARNING **: 12:00:00.000: cannot open display: :0"},
	} {
		t.Run(tt.name, func(t *testing.T) { dialogFallsBack(t, tt.status, tt.stderr) })
	}
}

func dialogFallsBack(t *testing.T, status, stderr string) {
	env, _ := fakeDialogSaying(t, "zenity", status, stderr)
	var out strings.Builder
	env.Terminal, env.In, env.Out = true, strings.NewReader("yes\n"), &out
	a, how, err := env.Ask(context.Background(), Question{Text: "Allow?"})
	if a != Yes || how != Terminal || err != nil {
		t.Fatalf("got %v, how %q, error %v, want yes at the terminal", a, how, err)
	}
	if !strings.HasPrefix(out.String(), "Allow? [y/n] ") {
		t.Errorf("got terminal output %q, want the question", out.String())
	}

	env.Terminal = false
	a, how, err = env.Ask(context.Background(), Question{Text: "Allow?"})
	if a != NoAnswer || how != Zenity || err == nil || !strings.Contains(err.Error(), "zenity failed, and there is no terminal to ask at") {
		t.Fatalf("got %v, how %q, error %v, want no answer and an error naming zenity", a, how, err)
	}
}

// TestPromptZenityAll: zenity offers All as a third button, which counts
// only where it was offered and clicked (zenity prints its label and
// exits 1); a dialog closed (exit 1, nothing printed) is no.
func TestPromptZenityAll(t *testing.T) {
	tests := []struct {
		name     string
		offerAll bool
		print    string
		status   string
		want     Answer
	}{
		{name: "all-clicked", offerAll: true, print: AllLabel, status: "1", want: All},
		{name: "closed", offerAll: true, status: "1", want: No},
		{name: "yes", offerAll: true, status: "0", want: Yes},
		{name: "all-printed-but-not-offered", print: AllLabel, status: "1", want: No},
		{name: "other-label-printed", offerAll: true, print: "Allow all", status: "1", want: No},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, argsFile := fakeDialog(t, "zenity", tt.status)
			path, _ := env.LookPath("zenity")
			script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + argsFile + "'\nprintf '%s\\n' '" + tt.print + "'\nexit " + tt.status + "\n"
			platformtest.Must(t, os.WriteFile(path, []byte(script), 0o755))
			a, how, err := env.Ask(context.Background(), Question{Text: "Allow?", OfferAll: tt.offerAll})
			if a != tt.want || how != Zenity || err != nil {
				t.Fatalf("got %v, how %q, error %v, want %v by zenity", a, how, err, tt.want)
			}
			data, err := os.ReadFile(argsFile)
			platformtest.Must(t, err)
			if got := slices.Contains(strings.Split(string(data), "\n"), "--extra-button="+AllLabel); got != tt.offerAll {
				t.Errorf("got an extra button %v, want %v: %q", got, tt.offerAll, data)
			}
		})
	}
}

// TestPromptKDialogOffersTwo: kdialog's three-button box would make a
// closed window the third answer, so it asks yes or no even where All is
// offered.
func TestPromptKDialogOffersTwo(t *testing.T) {
	env, argsFile := fakeDialog(t, "kdialog", "0")
	a, _, err := env.Ask(context.Background(), Question{Text: "Allow?", OfferAll: true})
	if a != Yes || err != nil {
		t.Fatalf("got %v, %v, want yes", a, err)
	}
	data, err := os.ReadFile(argsFile)
	platformtest.Must(t, err)
	if !strings.Contains(string(data), "--yesno\n") {
		t.Errorf("got arguments %q, want a --yesno box", data)
	}
}
