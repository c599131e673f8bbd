package platform

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
		{name: "desktop", desktop: true, terminal: true, want: PromptMessageBox},
		{name: "terminal", terminal: true, want: PromptTerminal},
		{name: "service-session", want: PromptNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := PromptEnv{InteractiveDesktop: tt.desktop, Terminal: tt.terminal, In: strings.NewReader(""), Out: &strings.Builder{}}
			d := env.choose("Allow?")
			if d.how != tt.want || (d.box != nil) != (tt.want == PromptMessageBox) {
				t.Errorf("got %q (in-process box %v), want %q", d.how, d.box != nil, tt.want)
			}
		})
	}
}
