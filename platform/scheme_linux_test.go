package platform

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// execArgv parses the Exec value of a desktop entry as a desktop
// environment does (Desktop Entry Specification, "The Exec key") and
// expands %u to link: first the string escapes of the value, then the
// quoting of arguments, then the field codes.
func execArgv(t *testing.T, value, link string) []string {
	t.Helper()
	var s strings.Builder
	for i := 0; i < len(value); i++ {
		if value[i] != '\\' {
			s.WriteByte(value[i])
			continue
		}
		i++
		if i == len(value) {
			t.Fatalf("Exec %q ends in a backslash", value)
		}
		r, ok := map[byte]byte{'s': ' ', 'n': '\n', 't': '\t', 'r': '\r', '\\': '\\'}[value[i]]
		if !ok {
			t.Fatalf("Exec %q has an unknown string escape \\%c", value, value[i])
		}
		s.WriteByte(r)
	}
	var args []string
	var arg strings.Builder
	quoted, inArg := false, false
	str := s.String()
	for i := 0; i < len(str); i++ {
		c := str[i]
		switch {
		case quoted && c == '\\':
			i++
			if i == len(str) || !strings.ContainsRune("\"`$\\", rune(str[i])) {
				t.Fatalf("Exec %q escapes something other than \" ` $ \\ in quotes", value)
			}
			arg.WriteByte(str[i])
		case quoted && c == '"':
			quoted = false
		case quoted:
			arg.WriteByte(c)
		case c == '"':
			quoted, inArg = true, true
		case c == ' ':
			if inArg {
				args = append(args, arg.String())
				arg.Reset()
				inArg = false
			}
		case strings.ContainsRune("\t\n'\\><~|&;$*?#()`", rune(c)):
			t.Fatalf("Exec %q has the reserved character %q outside quotes", value, c)
		default:
			arg.WriteByte(c)
			inArg = true
		}
	}
	if quoted {
		t.Fatalf("Exec %q has an unclosed quote", value)
	}
	if inArg {
		args = append(args, arg.String())
	}
	for i, a := range args {
		if a == "%u" {
			args[i] = link
			continue
		}
		if strings.Contains(strings.ReplaceAll(a, "%%", ""), "%") {
			t.Fatalf("Exec %q has a field code other than %%u in %q", value, a)
		}
		args[i] = strings.ReplaceAll(a, "%%", "%")
	}
	return args
}

// execLine returns the value of the Exec key of a desktop entry.
func execLine(t *testing.T, entry string) string {
	t.Helper()
	for _, line := range strings.Split(entry, "\n") {
		if v, ok := strings.CutPrefix(line, "Exec="); ok {
			return v
		}
	}
	t.Fatalf("got entry %q, want an Exec key", entry)
	return ""
}

// TestDesktopEntryLinkIsOneArgument runs this test binary, from a copy
// whose path holds every character that desktop entries quote, with the
// arguments that a desktop environment makes from rvm's entry for each
// link: the program must get "launch", "--" and the link, exactly.
func TestDesktopEntryLinkIsOneArgument(t *testing.T) {
	dir := filepath.Join(platformtest.TempDir(t), `My "Apps" $HOME`)
	exe := platformtest.CopySelf(t, dir, "r`v\\m 100% (x)")
	for i, link := range links {
		report := filepath.Join(platformtest.TempDir(t), "echo.json")
		argv := execArgv(t, execLine(t, desktopEntry(exe)), link)
		if argv[0] != exe {
			t.Fatalf("link %d: got program %q, want %q", i, argv[0], exe)
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = platformtest.ChildEnv("echo", report)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("link %d: %v: %s", i, err, out)
		}
		if got, want := waitForEcho(t, report).Args, []string{"launch", "--from-link", "--", link}; !slices.Equal(got, want) {
			t.Errorf("link %q: got arguments %q, want %q", link, got, want)
		}
	}
}

// fakeTools makes xdg-mime and update-desktop-database programs that
// record their arguments, one a line, in <name>.args beside them.
func fakeTools(t *testing.T) (lookPath func(string) (string, error), argsOf func(string) []string) {
	dir := platformtest.TempDir(t)
	for _, name := range []string{"xdg-mime", "update-desktop-database"} {
		script := "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '" + filepath.Join(dir, name+".args") + "'\n"
		platformtest.Must(t, os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755))
	}
	lookPath = func(name string) (string, error) {
		if p := filepath.Join(dir, name); name == "xdg-mime" || name == "update-desktop-database" {
			return p, nil
		}
		return "", errors.New("not found")
	}
	argsOf = func(name string) []string {
		data, err := os.ReadFile(filepath.Join(dir, name+".args"))
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		platformtest.Must(t, err)
		return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	}
	return lookPath, argsOf
}

func TestRegisterURLSchemesLinux(t *testing.T) {
	data := platformtest.TempDir(t)
	lookPath, argsOf := fakeTools(t)
	exe := "/opt/r v m/rvm"
	o := SchemeOptions{
		Executable: exe,
		Getenv:     func(name string) string { return map[string]string{"XDG_DATA_HOME": data}[name] },
		LookPath:   lookPath,
	}
	platformtest.Must(t, RegisterURLSchemes(o))
	apps := filepath.Join(data, "applications")
	path := filepath.Join(apps, "rvm.desktop")
	entry, err := os.ReadFile(path)
	platformtest.Must(t, err)
	for _, want := range []string{
		"[Desktop Entry]\n",
		"\nType=Application\n",
		"\nExec=\"/opt/r v m/rvm\" launch --from-link -- %u\n",
		"\nMimeType=x-scheme-handler/fins;x-scheme-handler/fin;\n",
	} {
		if !strings.Contains(string(entry), want) {
			t.Errorf("got entry %q, want it to hold %q", entry, want)
		}
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("got %v (%v), want mode 0644", info.Mode(), err)
	}
	if got, want := argsOf("xdg-mime"), []string{"default", "rvm.desktop", "x-scheme-handler/fins", "x-scheme-handler/fin"}; !slices.Equal(got, want) {
		t.Errorf("got xdg-mime %q, want %q", got, want)
	}
	if got, want := argsOf("update-desktop-database"), []string{apps}; !slices.Equal(got, want) {
		t.Errorf("got update-desktop-database %q, want %q", got, want)
	}

	for range 2 { // the second time, there is nothing left to remove
		platformtest.Must(t, UnregisterURLSchemes(o))
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v, want the entry removed", err)
		}
	}
}

func TestRegisterURLSchemesWithoutTools(t *testing.T) {
	home := platformtest.TempDir(t)
	o := SchemeOptions{
		Executable: "/opt/rvm/rvm",
		Getenv:     func(name string) string { return map[string]string{"HOME": home}[name] },
		LookPath:   func(string) (string, error) { return "", errors.New("not found") },
	}
	platformtest.Must(t, RegisterURLSchemes(o))
	if _, err := os.Stat(filepath.Join(home, ".local", "share", "applications", "rvm.desktop")); err != nil {
		t.Errorf("got %v, want the entry under HOME", err)
	}
}

func TestApplicationsDir(t *testing.T) {
	tests := []struct {
		name   string
		system bool
		env    map[string]string
		want   string
	}{
		{name: "system", system: true, env: map[string]string{"XDG_DATA_HOME": "/home/u/data"}, want: "/usr/share/applications"},
		{name: "xdg-data-home", env: map[string]string{"XDG_DATA_HOME": "/home/u/data", "HOME": "/home/u"}, want: "/home/u/data/applications"},
		{name: "relative-xdg-data-home-ignored", env: map[string]string{"XDG_DATA_HOME": "data", "HOME": "/home/u"}, want: "/home/u/.local/share/applications"},
		{name: "nothing-set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := applicationsDir(SchemeOptions{System: tt.system, Getenv: func(n string) string { return tt.env[n] }})
			if got != tt.want || (err != nil) != (tt.want == "") {
				t.Errorf("got %q, error %v, want %q", got, err, tt.want)
			}
		})
	}
}
