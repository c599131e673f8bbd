package platform

import (
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// TestSchemeCommandLink puts each link in place of %1, as the shell does,
// and checks what the program gets: "launch", "--from-link", "--" and then
// the link, as
// one argument when it holds no quote. A link with a quote can end the
// quoted %1 and become several arguments, but all of them after "--", so
// none is read as a flag; rvm launch takes exactly one.
func TestSchemeCommandLink(t *testing.T) {
	self, err := os.Executable()
	platformtest.Must(t, err)
	for _, exe := range []string{`C:\Program Files\rvm\rvm.exe`, self} {
		for _, link := range links {
			line := strings.ReplaceAll(schemeCommand(exe), "%1", link)
			argv, err := windows.DecomposeCommandLine(line)
			platformtest.Must(t, err)
			if len(argv) < 5 || argv[0] != exe || argv[1] != "launch" || argv[2] != "--from-link" || argv[3] != "--" {
				t.Fatalf("command %q: got %q, want %q, launch, --from-link, -- and the link", line, argv, exe)
			}
			if !strings.Contains(link, `"`) && !slices.Equal(argv[4:], []string{link}) {
				t.Errorf("command %q: got %q after --, want the link alone", line, argv[4:])
			}
			if exe != self {
				continue
			}
			// The program itself reads its command line the same way.
			report := filepath.Join(platformtest.TempDir(t), "echo.json")
			cmd := exec.Command(self)
			cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: line}
			cmd.Env = platformtest.ChildEnv("echo", report)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("command %q: %v: %s", line, err, out)
			}
			if got := waitForEcho(t, report).Args; !slices.Equal(got, argv[1:]) {
				t.Errorf("command %q: the program got %q, want %q", line, got, argv[1:])
			}
		}
	}
}

func TestSchemeExecutableRefused(t *testing.T) {
	for _, exe := range []string{`C:\a"b\rvm.exe`, `C:\100%\rvm.exe`, `C:\x\%1.exe`} {
		if err := RegisterURLSchemes(SchemeOptions{Executable: exe, ClassesKey: `Software\rvm-test-never`}); err == nil {
			t.Errorf("executable %q: got no error, want it refused", exe)
		}
	}
}

func TestRegisterURLSchemesWindows(t *testing.T) {
	base := `Software\rvm-test-` + rand.Text()[:10]
	t.Cleanup(func() {
		if err := deleteRegistryTree(registry.CURRENT_USER, base); err != nil {
			t.Errorf("cleanup of %s: %v", base, err)
		}
	})
	exe := `C:\Program Files\rvm\rvm.exe`
	o := SchemeOptions{Executable: exe, ClassesKey: base + `\Classes`}
	platformtest.Must(t, RegisterURLSchemes(o))
	read := func(path, name string) (string, error) {
		k, err := registry.OpenKey(registry.CURRENT_USER, path, registry.QUERY_VALUE)
		if err != nil {
			return "", err
		}
		defer k.Close()
		v, _, err := k.GetStringValue(name)
		return v, err
	}
	for _, scheme := range []string{"fins", "fin"} {
		key := o.ClassesKey + `\` + scheme
		for _, tt := range []struct{ path, name, want string }{
			{key, "", "URL:" + scheme + " Protocol"},
			{key, "URL Protocol", ""},
			{key + `\shell\open\command`, "", `"C:\Program Files\rvm\rvm.exe" launch --from-link -- "%1"`},
		} {
			if got, err := read(tt.path, tt.name); err != nil || got != tt.want {
				t.Errorf(`%s\%s: got %q (%v), want %q`, tt.path, tt.name, got, err, tt.want)
			}
		}
	}
	for range 2 { // the second time, there is nothing left to remove
		platformtest.Must(t, UnregisterURLSchemes(o))
		for _, scheme := range []string{"fins", "fin"} {
			if _, err := read(o.ClassesKey+`\`+scheme, ""); !errors.Is(err, registry.ErrNotExist) {
				t.Errorf("%s: got %v, want the key removed", scheme, err)
			}
		}
	}
}
