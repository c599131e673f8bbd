package prompt

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// headless is a machine with no display, no dialog program and no terminal.
func headless() Env {
	return Env{
		Getenv:   func(string) string { return "" },
		LookPath: func(name string) (string, error) { return "", errors.New("not found") },
		In:       strings.NewReader("y\n"),
		Out:      io.Discard,
	}
}

func TestPromptHeadlessDenies(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  Env
	}{
		{name: "zero-value", env: Env{}},
		{name: "no-display-no-terminal", env: headless()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, how, err := tt.env.Ask(context.Background(), Question{Text: "Allow?"})
			if a != NoAnswer || how != None || err != nil {
				t.Fatalf("got %v, how %q, error %v, want no answer by %q", a, how, err, None)
			}
		})
	}
}

// atTerminal is a headless machine with a terminal where answer is typed.
func atTerminal(answer string, out io.Writer) Env {
	env := headless()
	env.Terminal, env.In, env.Out = true, strings.NewReader(answer), out
	return env
}

func TestPromptTerminal(t *testing.T) {
	const asked = "Allow Acme to run programs? [y/n] "
	const again = "Please answer y (yes) or n (no): "
	tests := []struct {
		name      string
		answer    string
		want      Answer
		cancelled bool
		// out is what the terminal shows after the question.
		out string
	}{
		{name: "y", answer: "y\n", want: Yes},
		{name: "yes-upper-case", answer: "YES\n", want: Yes},
		{name: "yes-mixed-case", answer: "yEs\n", want: Yes},
		{name: "y-with-spaces-and-crlf", answer: "  y \r\n", want: Yes},
		{name: "n", answer: "n\n", want: No},
		{name: "no", answer: "No\n", want: No},
		{name: "maybe-then-yes", answer: "maybe\nyes\n", want: Yes, out: again},
		{name: "just-enter-then-no", answer: "\nn\n", want: No, out: again},
		{name: "three-times-not-understood", answer: "sure, why not\nyy\n\ny\n", want: NoAnswer, out: again + again + "Not understood 3 times: denied for this launch.\n"},
		{name: "answer-of-64-bytes", answer: "y" + strings.Repeat(" ", maxAnswer-1) + "\n", want: Yes},
		{name: "answer-of-64-bytes-crlf", answer: "y" + strings.Repeat(" ", maxAnswer-1) + "\r\n", want: Yes},
		{name: "answer-of-65-bytes-then-y", answer: "y" + strings.Repeat(" ", maxAnswer) + "\ny\n", want: Yes, out: again},
		{name: "long-answer-then-y", answer: strings.Repeat("y", 10000) + "\ny\n", want: Yes, out: again},
		{name: "endless-answer", answer: strings.Repeat("y", 10000), cancelled: true, out: "\n"},
		{name: "no-newline", answer: "y", cancelled: true, out: "\n"},
		{name: "nothing", answer: "", cancelled: true, out: "\n"},
		{name: "maybe-then-end-of-input", answer: "maybe\n", cancelled: true, out: again + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			a, how, err := atTerminal(tt.answer, &out).Ask(context.Background(), Question{Text: "Allow Acme to run programs?"})
			if a != tt.want || how != Terminal || errors.Is(err, ErrCancelled) != tt.cancelled || (err != nil) != tt.cancelled {
				t.Fatalf("got %v, how %q, error %v, want %v by %q, cancelled %v", a, how, err, tt.want, Terminal, tt.cancelled)
			}
			if got := out.String(); got != asked+tt.out {
				t.Errorf("got terminal output %q, want %q", got, asked+tt.out)
			}
		})
	}
}

// TestPromptTerminalAll: where the question offers All, a and all (any
// case, trimmed) answer it and the terminal says so; elsewhere they are
// not understood.
func TestPromptTerminalAll(t *testing.T) {
	const asked = "Allow? [y/n/a] "
	for _, tt := range []struct {
		name, answer string
		offerAll     bool
		want         Answer
		out          string
	}{
		{name: "a", answer: "a\n", offerAll: true, want: All, out: asked},
		{name: "all-upper-case", answer: " ALL \n", offerAll: true, want: All, out: asked},
		{name: "y", answer: "y\n", offerAll: true, want: Yes, out: asked},
		{name: "maybe-then-n", answer: "maybe\nn\n", offerAll: true, want: No, out: asked + "Please answer y (yes), n (no) or a (all apps from this signer): "},
		{name: "a-not-offered", answer: "a\nn\n", want: No, out: "Allow? [y/n] Please answer y (yes) or n (no): "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			a, _, err := atTerminal(tt.answer, &out).Ask(context.Background(), Question{Text: "Allow?", OfferAll: tt.offerAll})
			if a != tt.want || err != nil {
				t.Fatalf("got %v, %v, want %v", a, err, tt.want)
			}
			if got := out.String(); got != tt.out {
				t.Errorf("got terminal output %q, want %q", got, tt.out)
			}
		})
	}
}

// TestPromptTerminalLineByLine asks twice: each prompt reads its own line.
func TestPromptTerminalLineByLine(t *testing.T) {
	env := atTerminal("y\nn\n", io.Discard)
	for i, want := range []Answer{Yes, No} {
		if a, _, err := env.Ask(context.Background(), Question{Text: "Allow?"}); a != want || err != nil {
			t.Fatalf("prompt %d: got %v, error %v, want %v", i+1, a, err, want)
		}
	}
}

func TestPromptTerminalShowsNoControlCharacters(t *testing.T) {
	var out strings.Builder
	atTerminal("n\n", &out).Ask(context.Background(), Question{Text: "Allow \x1b[2J\x1b]0;x\aEvil\u202egnp.exe\r\u2028\u200b\u0085?\nSecond line"})
	want := `Allow \x1b[2J\x1b]0;x\aEvil\u202egnp.exe\r\u2028\u200b\u0085?` + "\nSecond line [y/n] "
	if got := out.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPrintable(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"plain", "Acme Blotter 2.0", "Acme Blotter 2.0"},
		{"unicode-letters", "ａｐｐｓ Ünïcödé 日本", "ａｐｐｓ Ünïcödé 日本"},
		{"escape", "a\x1b[31mred", `a\x1b[31mred`},
		{"newline-and-tab", "a\nb\tc", `a\nb\tc`},
		{"right-to-left-override", "evil\u202etxt.exe", `evil\u202etxt.exe`},
		{"isolates", "\u2066x\u2069", `\u2066x\u2069`},
		{"line-separator", "a\u2028b", `a\u2028b`},
		{"c1-control", "a\u009bb", `a\u009bb`},
		{"backslash-kept", `C:\x`, `C:\x`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Printable(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPromptTerminalCancelled(t *testing.T) {
	in, w := io.Pipe() // nobody ever answers
	defer w.Close()
	env := atTerminal("", io.Discard)
	env.In = in
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a, how, err := env.Ask(ctx, Question{Text: "Allow?"})
	if a != NoAnswer || how != Terminal || !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, how %q, error %v, want no answer by %q, cancelled", a, how, err, Terminal)
	}
}
