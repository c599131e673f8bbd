package platform

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// desktopFile is the name of rvm's desktop entry.
const desktopFile = "rvm.desktop"

// applicationsDir is where the desktop entry goes.
func applicationsDir(o SchemeOptions) (string, error) {
	if o.System {
		return "/usr/share/applications", nil
	}
	if d := o.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "applications"), nil
	}
	if h := o.Getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".local", "share", "applications"), nil
	}
	return "", errors.New("neither XDG_DATA_HOME nor HOME is set")
}

// desktopEntry is rvm's desktop entry, which handles the URL schemes by
// running exe with "launch", "--" and the link.
func desktopEntry(exe string) string {
	var mime strings.Builder
	for _, s := range URLSchemes {
		mime.WriteString("x-scheme-handler/" + s + ";")
	}
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=rvm\n" +
		"Comment=Opens fins:// and fin:// links\n" +
		"Exec=" + quoteExecArg(exe) + " launch --from-link -- %u\n" +
		"Terminal=false\n" +
		"NoDisplay=true\n" +
		"MimeType=" + mime.String() + "\n"
}

// quoteExecArg quotes one argument of an Exec key as the Desktop Entry
// Specification says: in double quotes, with `"`, "`", "$" and "\" escaped
// by a backslash and "%" doubled; then every backslash doubled again,
// because the key's value is itself a string with backslash escapes.
func quoteExecArg(arg string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range arg {
		switch r {
		case '"', '`', '$', '\\':
			b.WriteString(`\` + string(r))
		case '%':
			b.WriteString("%%")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return strings.ReplaceAll(b.String(), `\`, `\\`)
}

func registerURLSchemes(o SchemeOptions) error {
	dir, err := applicationsDir(o)
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, desktopFile), []byte(desktopEntry(o.Executable)), 0o644); err != nil {
		return err
	}
	if !o.System {
		args := []string{"default", desktopFile}
		for _, s := range URLSchemes {
			args = append(args, "x-scheme-handler/"+s)
		}
		if err := runIfPresent(o, "xdg-mime", args...); err != nil {
			return err
		}
	}
	return runIfPresent(o, "update-desktop-database", dir)
}

func unregisterURLSchemes(o SchemeOptions) error {
	dir, err := applicationsDir(o)
	if err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, desktopFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return runIfPresent(o, "update-desktop-database", dir)
}

// runIfPresent runs a program when o.LookPath finds it, with HOME and the
// XDG directories that o.Getenv reports.
func runIfPresent(o SchemeOptions, name string, args ...string) error {
	path, err := o.LookPath(name)
	if err != nil {
		return nil
	}
	cmd := exec.Command(path, args...)
	cmd.Env = os.Environ()
	for _, v := range []string{"HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_DATA_DIRS"} {
		if val := o.Getenv(v); val != "" {
			cmd.Env = append(cmd.Env, v+"="+val)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func checkSchemeExecutable(string) error { return nil }
