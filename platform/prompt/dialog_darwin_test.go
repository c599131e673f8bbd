package prompt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// fakeOSAScript makes an osascript that prints what to and exits with status.
func fakeOSAScript(t *testing.T, print, status string) Env {
	dir := platformtest.TempDir(t)
	script := "#!/bin/sh\necho '" + print + "'\nexit " + status + "\n"
	platformtest.Must(t, os.WriteFile(filepath.Join(dir, "osascript"), []byte(script), 0o755))
	return Env{LookPath: func(n string) (string, error) {
		if n == "osascript" {
			return filepath.Join(dir, n), nil
		}
		return "", errors.New("not found")
	}}
}

func TestPromptOSAScript(t *testing.T) {
	tests := []struct {
		name   string
		print  string
		status string
		ssh    bool
		all    bool
		want   Answer
		how    string
		err    bool
	}{
		{name: "allow", print: "Allow", status: "0", want: Yes, how: OSAScript},
		{name: "deny", print: "Deny", status: "0", want: No, how: OSAScript},
		{name: "error", print: "", status: "1", how: OSAScript, err: true},
		{name: "all", print: AllLabel, status: "0", all: true, want: All, how: OSAScript},
		{name: "all-not-offered", print: AllLabel, status: "0", want: No, how: OSAScript},
		{name: "ssh-session", print: "Allow", status: "0", ssh: true, how: None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := fakeOSAScript(t, tt.print, tt.status)
			env.Getenv = func(name string) string {
				if tt.ssh && name == "SSH_TTY" {
					return "/dev/ttys001"
				}
				return ""
			}
			a, how, err := env.Ask(context.Background(), Question{Text: "Allow?", OfferAll: tt.all})
			if a != tt.want || how != tt.how || (err != nil) != tt.err {
				t.Fatalf("got %v, how %q, error %v, want %v by %q, error %v", a, how, err, tt.want, tt.how, tt.err)
			}
		})
	}
}
