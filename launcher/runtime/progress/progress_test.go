package progress

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

func TestBar(t *testing.T) {
	var out strings.Builder
	p := Bar(&out, "runtime 1.2.3")
	for _, done := range []int64{0, 512 << 10, 1 << 20} {
		p(done, 1<<20)
	}
	got := out.String()
	for _, want := range []string{"runtime 1.2.3", "100%", "1.0 MB"} {
		if !strings.Contains(got, want) {
			t.Fatalf("got %q, want it to contain %q", got, want)
		}
	}
	if !strings.HasSuffix(got, "\n") {
		t.Fatalf("got %q, want the finished bar to end its line", got)
	}
}

func TestTerminalSilentElsewhere(t *testing.T) {
	f, err := os.Create(filepath.Join(platformtest.TempDir(t), "log"))
	platformtest.Must(t, err)
	defer f.Close()
	tests := []struct {
		name string
		f    *os.File
	}{
		{name: "file", f: f},
		{name: "nil", f: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p := Terminal(tt.f, "x"); p != nil {
				t.Fatal("got a progress function for a file, want none")
			}
		})
	}
}
