package settings

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

func TestMain(m *testing.M) {
	platformtest.Roles(map[string]func([]string) int{"load-owner-source": loadOwnerSource})
	os.Exit(m.Run())
}

// loadOwnerSource is a child's role: it loads the JSON file args[0] as the
// one owner source and prints what a caller would see, as JSON: every
// value, whether it failed closed, where the owner settings are, and the
// errors.
func loadOwnerSource(args []string) int {
	m := Sources{Owner: []Source{JSONFile(args[0])}}.Load("")
	type value struct {
		Value  any
		Source string
		Failed bool
	}
	out := struct {
		Values       map[string]value
		OwnerInvalid string
		Errors       []string
	}{Values: map[string]value{}}
	for name, v := range m.Values {
		out.Values[name] = value{v.Value, v.Source, v.FailedClosed}
	}
	_, _, out.OwnerInvalid = m.OwnerLocation()
	for _, err := range m.Errors {
		out.Errors = append(out.Errors, err.Error())
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// names are the names of srcs.
func names(srcs []Source) []string {
	var out []string
	for _, s := range srcs {
		out = append(out, s.Name)
	}
	return out
}

// osPaths makes the absolute Unix paths in s (JSON or plist text, a
// message) absolute on this system: on Windows "/x" names a folder of the
// current drive, which the settings refuse, so they become "C:/x".
func osPaths(s string) string {
	if runtime.GOOS != "windows" {
		return s
	}
	return strings.NewReplacer(`"/`, `"C:/`, `<string>/`, `<string>C:/`).Replace(s)
}

// osPath is osPaths for one path.
func osPath(p string) string {
	if runtime.GOOS == "windows" && strings.HasPrefix(p, "/") {
		return "C:" + p
	}
	return p
}
