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
			granted, how, err := tt.env.Ask(context.Background(), "Allow?")
			if granted || how != None || err != nil {
				t.Fatalf("got granted %v, how %q, error %v, want denied by %q", granted, how, err, None)
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
	tests := []struct {
		name    string
		answer  string
		granted bool
		err     bool
	}{
		{name: "y", answer: "y\n", granted: true},
		{name: "yes-upper-case", answer: "YES\n", granted: true},
		{name: "y-with-spaces-and-crlf", answer: "  y \r\n", granted: true},
		{name: "n", answer: "n\n"},
		{name: "no", answer: "no\n"},
		{name: "just-enter", answer: "\n"},
		{name: "garbage", answer: "sure, why not\n"},
		{name: "y-then-more", answer: "yy\n"},
		{name: "answer-of-64-bytes", answer: "y" + strings.Repeat(" ", maxAnswer-1) + "\n", granted: true},
		{name: "answer-of-64-bytes-crlf", answer: "y" + strings.Repeat(" ", maxAnswer-1) + "\r\n", granted: true},
		{name: "answer-of-65-bytes", answer: "y" + strings.Repeat(" ", maxAnswer) + "\n", err: true},
		{name: "endless-answer", answer: strings.Repeat("y", 10000), err: true},
		{name: "no-newline", answer: "y", err: true},
		{name: "nothing", answer: "", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			granted, how, err := atTerminal(tt.answer, &out).Ask(context.Background(), "Allow Acme to run programs?")
			if granted != tt.granted || how != Terminal || (err != nil) != tt.err {
				t.Fatalf("got granted %v, how %q, error %v, want granted %v by %q, error %v", granted, how, err, tt.granted, Terminal, tt.err)
			}
			if !strings.HasPrefix(out.String(), "Allow Acme to run programs? [y/N] ") {
				t.Errorf("got terminal output %q, want the question", out.String())
			}
		})
	}
}

// TestPromptTerminalLineByLine asks twice: each prompt reads its own line.
func TestPromptTerminalLineByLine(t *testing.T) {
	env := atTerminal("y\nn\n", io.Discard)
	for i, want := range []bool{true, false} {
		if granted, _, err := env.Ask(context.Background(), "Allow?"); granted != want || err != nil {
			t.Fatalf("prompt %d: got granted %v, error %v, want %v", i+1, granted, err, want)
		}
	}
}

func TestPromptTerminalShowsNoControlCharacters(t *testing.T) {
	var out strings.Builder
	atTerminal("n\n", &out).Ask(context.Background(), "Allow \x1b[2J\x1b]0;x\aEvil\u202egnp.exe\r?\nSecond line")
	want := "Allow ?[2J?]0;x?Evil?gnp.exe??\nSecond line [y/N] "
	if got := out.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPromptTerminalCancelled(t *testing.T) {
	in, w := io.Pipe() // nobody ever answers
	defer w.Close()
	env := atTerminal("", io.Discard)
	env.In = in
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	granted, how, err := env.Ask(ctx, "Allow?")
	if granted || how != Terminal || !errors.Is(err, context.Canceled) {
		t.Fatalf("got granted %v, how %q, error %v, want denied by %q with context.Canceled", granted, how, err, Terminal)
	}
}
