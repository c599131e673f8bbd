package platform

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// links are links that try to pass for flags or break out of quotes.
var links = []string{
	"fins://apps.example/app.json",
	"fins://x/--help",
	"--help",
	`fins://x/" --evil "a b`,
	`fins://x/'$(id)'` + "`id`" + `\"\\ %u %% ;|&`,
	"fins://x/a%20b?$$ticker=ACME",
}

func TestURLSchemesRefuseExecutable(t *testing.T) {
	dir := platformtest.TempDir(t)
	for _, tt := range []struct{ name, exe string }{
		{name: "relative", exe: "rvm"},
		{name: "newline", exe: filepath.Join(dir, "rvm\nExec=evil")},
		{name: "not-utf-8", exe: filepath.Join(dir, "rvm\xff")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := SchemeOptions{Executable: tt.exe, Getenv: func(string) string { return dir }}
			for _, f := range []func(SchemeOptions) error{RegisterURLSchemes, UnregisterURLSchemes} {
				if err := f(o); err == nil || !strings.HasPrefix(err.Error(), "platform: ") || !strings.Contains(err.Error(), "executable") {
					t.Errorf("got error %v, want one about the executable", err)
				}
			}
		})
	}
}
