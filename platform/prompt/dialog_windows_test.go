package prompt

import (
	"strings"
	"testing"
)

func TestPromptChooseWindows(t *testing.T) {
	tests := []struct {
		name     string
		desktop  bool
		terminal bool
		want     string
	}{
		{name: "desktop", desktop: true, terminal: true, want: MessageBox},
		{name: "terminal", terminal: true, want: Terminal},
		{name: "service-session", want: None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := Env{InteractiveDesktop: tt.desktop, Terminal: tt.terminal, In: strings.NewReader(""), Out: &strings.Builder{}}
			d := env.choose(Question{Text: "Allow?"})
			if d.how != tt.want || (d.box != nil) != (tt.want == MessageBox) {
				t.Errorf("got %q (in-process box %v), want %q", d.how, d.box != nil, tt.want)
			}
		})
	}
}
