package platform

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// TestFileURLPath runs the file URL forms of SPEC 4 through the one door,
// on this platform: want is the path elsewhere, winWant on Windows; an
// empty one is a refusal, whose error holds the cause.
func TestFileURLPath(t *testing.T) {
	tests := []struct {
		name, in, want, winWant, cause string
	}{
		{name: "unix-path", in: "file:///etc/rvm/owner.json", want: "/etc/rvm/owner.json", winWant: `\etc\rvm\owner.json`},
		{name: "upper-case-scheme", in: "FILE:///etc/rvm/owner.json", want: "/etc/rvm/owner.json", winWant: `\etc\rvm\owner.json`},
		{name: "one-slash", in: "file:/etc/rvm/owner.json", want: "/etc/rvm/owner.json", winWant: `\etc\rvm\owner.json`},
		{name: "localhost", in: "file://localhost/etc/rvm/owner.json", want: "/etc/rvm/owner.json", winWant: `\etc\rvm\owner.json`},
		{name: "escapes-decoded", in: "file:///opt/My%20Apps/owner.json", want: "/opt/My Apps/owner.json", winWant: `\opt\My Apps\owner.json`},
		{name: "drive-letter", in: "file:///C:/ProgramData/RVM/owner.json", want: "/C:/ProgramData/RVM/owner.json", winWant: `C:\ProgramData\RVM\owner.json`},
		{name: "drive-letter-localhost", in: "file://localhost/C:/ProgramData/RVM/owner.json", want: "/C:/ProgramData/RVM/owner.json", winWant: `C:\ProgramData\RVM\owner.json`},
		{name: "backslash-drive-letter", in: `file:\\\C:\ProgramData\RVM\owner.json`, winWant: `C:\ProgramData\RVM\owner.json`, cause: "a Windows form"},
		{name: "unc", in: "file://fileserver/share/rvm/owner.json", winWant: `\\fileserver\share\rvm\owner.json`, cause: `names a file on "fileserver", another machine`},
		{name: "backslash-unc", in: `file:\\fileserver\share\rvm\owner.json`, winWant: `\\fileserver\share\rvm\owner.json`, cause: "a Windows form"},
		{name: "port", in: "file://fileserver:445/share/owner.json", cause: "another machine"},
		{name: "user", in: "file://me@localhost/etc/owner.json", cause: "no user, query or fragment"},
		{name: "query", in: "file:///etc/owner.json?x=1", cause: "no user, query or fragment"},
		{name: "fragment", in: "file:///etc/owner.json#top", cause: "no user, query or fragment"},
		{name: "opaque", in: "file:etc/owner.json", cause: "want file:///path"},
		{name: "no-path", in: "file://", cause: "has no path"},
		{name: "root-only", in: "file:///", cause: "has no path"},
		{name: "not-a-file-url", in: "https://owner.example.com/owner.json", cause: "is not a file: URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := filepath.FromSlash(tt.want)
			if runtime.GOOS == "windows" {
				want = tt.winWant
			}
			got, err := FileURLPath(tt.in)
			switch {
			case want == "" && (err == nil || !strings.Contains(err.Error(), tt.cause) || !strings.HasPrefix(err.Error(), "platform: ")):
				t.Errorf("got %q, %v; want a platform: error holding %q", got, err, tt.cause)
			case want != "" && (err != nil || got != want):
				t.Errorf("got %q, %v; want %q", got, err, want)
			}
		})
	}
}

// TestFileURLPathReadsTheFile reads a real file through each local form
// of its URL that this platform has (under Wine for the Windows ones).
func TestFileURLPathReadsTheFile(t *testing.T) {
	dir := platformtest.TempDir(t)
	path := filepath.Join(dir, "owner settings.json")
	platformtest.Must(t, os.WriteFile(path, []byte(`{}`), 0o600))
	slashed := filepath.ToSlash(path)
	escaped := strings.ReplaceAll(slashed, " ", "%20")
	forms := map[string]string{
		"file-url":           "file://" + escaped,
		"file-url-localhost": "file://localhost" + escaped,
	}
	if runtime.GOOS == "windows" {
		// C:/x/y: the forms put a slash before the drive letter.
		forms = map[string]string{
			"file-url":           "file:///" + escaped,
			"file-url-localhost": "file://localhost/" + escaped,
			"backslash":          `file:\\\` + path,
		}
	}
	for name, u := range forms {
		t.Run(name, func(t *testing.T) {
			got, err := FileURLPath(u)
			if err != nil || got != path {
				t.Fatalf("got %q, %v; want %q", got, err, path)
			}
			data, err := ReadFileLimit(got, 16)
			if err != nil || string(data) != "{}" {
				t.Errorf("read %q: got %q, %v; want {}", got, data, err)
			}
		})
	}
}
