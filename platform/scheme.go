package platform

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"unicode"
	"unicode/utf8"
)

// URLSchemes are the link schemes that rvm opens (SPEC sections 2 and 7).
var URLSchemes = []string{"fins", "fin"}

// ErrURLSchemesNeedAppBundle is what RegisterURLSchemes reports on macOS,
// where only an application bundle can claim a URL scheme: its Info.plist
// lists the schemes under CFBundleURLTypes, and its executable receives
// each link as an Apple event (kAEGetURL), not as an argument.
var ErrURLSchemesNeedAppBundle = errors.New("platform: on macOS, fins:// and fin:// links are opened by an application bundle whose Info.plist names them in CFBundleURLTypes; rvm cannot register them by itself")

// SchemeOptions say where RegisterURLSchemes registers the URL schemes.
// The zero value registers this program for the current user.
type SchemeOptions struct {
	// Executable is the rvm program that links run; "" means this program.
	Executable string
	// System registers for every user of the machine
	// (HKLM\Software\Classes on Windows, /usr/share/applications on
	// Linux) instead of the current user (HKCU\Software\Classes,
	// $XDG_DATA_HOME/applications or ~/.local/share/applications).
	System bool
	// Getenv reads XDG_DATA_HOME and HOME on Linux, also for the programs
	// that RegisterURLSchemes runs; nil means os.Getenv.
	Getenv func(string) string
	// LookPath finds xdg-mime and update-desktop-database on Linux; nil
	// means exec.LookPath.
	LookPath func(string) (string, error)
	// ClassesKey is, on Windows, the registry key under HKCU or HKLM that
	// the schemes are registered in; "" means Software\Classes. Tests use
	// a key of their own.
	ClassesKey string
}

// RegisterURLSchemes makes the system open fins:// and fin:// links by
// running `rvm launch --from-link -- <link>`, the link always one argument after "--"
// so that no link is ever read as a flag. On Windows that is a URL
// protocol under Software\Classes whose command is
// `"C:\path\rvm.exe" launch --from-link -- "%1"`; on Linux a desktop entry rvm.desktop
// for x-scheme-handler/fins and x-scheme-handler/fin, made the default
// handler with xdg-mime (for the current user, where xdg-mime is
// installed). On macOS it reports ErrURLSchemesNeedAppBundle.
func RegisterURLSchemes(o SchemeOptions) error {
	o, err := o.withDefaults()
	if err != nil {
		return err
	}
	err = registerURLSchemes(o)
	if err != nil && !errors.Is(err, ErrURLSchemesNeedAppBundle) {
		return fmt.Errorf("platform: register URL schemes: %w", err)
	}
	return err
}

// UnregisterURLSchemes removes what RegisterURLSchemes made; what is
// already gone is no error.
func UnregisterURLSchemes(o SchemeOptions) error {
	o, err := o.withDefaults()
	if err != nil {
		return err
	}
	if err := unregisterURLSchemes(o); err != nil {
		return fmt.Errorf("platform: unregister URL schemes: %w", err)
	}
	return nil
}

func (o SchemeOptions) withDefaults() (SchemeOptions, error) {
	if o.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return o, fmt.Errorf("platform: URL schemes: %w", err)
		}
		o.Executable = exe
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.LookPath == nil {
		o.LookPath = exec.LookPath
	}
	if o.ClassesKey == "" {
		o.ClassesKey = `Software\Classes`
	}
	return o, checkExecutablePath(o.Executable)
}

// checkExecutablePath refuses a path that a command line for the schemes
// could not hold as one argument.
func checkExecutablePath(exe string) error {
	if !filepath.IsAbs(exe) {
		return fmt.Errorf("platform: URL schemes: executable %q is not an absolute path", exe)
	}
	if !utf8.ValidString(exe) {
		return fmt.Errorf("platform: URL schemes: executable %q is not UTF-8", exe)
	}
	for _, r := range exe {
		if unicode.IsControl(r) {
			return fmt.Errorf("platform: URL schemes: executable %q holds a control character", exe)
		}
	}
	return checkSchemeExecutable(exe)
}
