package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestLastLines(t *testing.T) {
	tests := []struct {
		name   string
		output string
		want   []string
	}{
		{name: "one-line", output: "failed\n", want: []string{"failed"}},
		{name: "no-final-newline", output: "a\nb", want: []string{"a", "b"}},
		{name: "blank-lines-and-crlf", output: "a\r\n\r\n  \nb\r\n", want: []string{"a", "b"}},
		{name: "ten-last", output: "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", want: []string{"3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}},
		{name: "line-cut-at-the-bound-left-out", output: strings.Repeat("x", tailBytes) + "\nend\n", want: []string{"end"}},
		{name: "escapes-kept-for-quoting", output: "\x1b]0;owned\x07\n", want: []string{"\x1b]0;owned\x07"}},
		{name: "nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.log")
			if err := os.WriteFile(path, []byte(tt.output), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := lastLines(path); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := lastLines(filepath.Join(t.TempDir(), "missing.log")); got != nil {
		t.Errorf("missing file: got %q, want nothing", got)
	}
}

// TestWriteNew: a launch's files are made new, never through a file or a
// link already at their name.
func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "made-through-a-link"), dangling); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{target, link, dangling} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if err := writeNew(path, []byte("written")); err == nil {
				t.Errorf("got no error writing over %s, want it refused", path)
			}
		})
	}
	if data, _ := os.ReadFile(target); string(data) != "kept" {
		t.Errorf("got target %q, want it untouched", data)
	}
	if _, err := os.Lstat(filepath.Join(dir, "made-through-a-link")); err == nil {
		t.Errorf("got a file made through a dangling link, want none")
	}
}

// BenchmarkPrune is the pass over a decisions folder as a month of
// launches leaves it: 300 outputs of runtimes that exited, kept for 30
// days. Start makes it once the runtime is started, off the way to its
// exec.
func BenchmarkPrune(b *testing.B) {
	dir := b.TempDir()
	for i := range 300 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%032x.log", i)), []byte("output\n"), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	now := time.Now()
	for b.Loop() {
		prune(dir, newName(), now, zerolog.Nop())
	}
}
