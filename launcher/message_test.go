package launcher

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Words leaves out the package prefixes of an error chain, wherever the
// chain puts them, and nothing else: not text in quotes, not words that
// merely look like a package name.
func TestWords(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"chain", `launcher: fetch: platform: open /x: permission denied`, `open /x: permission denied`},
		{"fetch-error-kept", `fetch "https://a.test/app.json": x509: certificate signed by unknown authority`, `fetch "https://a.test/app.json": certificate signed by unknown authority`},
		{"after-semicolon", `runtime: none; settings: file /x is bad`, `none; file /x is bad`},
		{"in-parentheses", `desktop owner settings /x unusable (owner: desktop owner settings /x: unknown key "a")`, `desktop owner settings /x unusable (desktop owner settings /x: unknown key "a")`},
		{"quoted-kept", `manifest: key "runtime: x" holds "(launcher: y"`, `key "runtime: x" holds "(launcher: y"`},
		{"escaped-quote-kept", `manifest: key "a\"runtime: b" is bad`, `key "a\"runtime: b" is bad`},
		{"not-a-prefix", `machine settings: the runtime: the x`, `machine settings: the runtime: the x`},
		{"label-kept", `runtime    "38.*": missing: runtime: no runtime fits`, `runtime    "38.*": missing: no runtime fits`},
		{"no-prefix", `want exactly one URL`, `want exactly one URL`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Words(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// Message is one line that a terminal shows as it is.
func TestMessage(t *testing.T) {
	err := fmt.Errorf("launcher: %w", errors.New("manifest: key \"x\x1b]0;t\x07\r\nrvm: y\u202e\" is bad"))
	if got, want := Message(err), `key "x\x1b]0;t\a\r\nrvm: y\u202e" is bad`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Every package of the module whose errors a user may see is one whose
// prefix Message leaves out: a package added later is added here too.
func TestPackagePrefixesCoverTheModule(t *testing.T) {
	names := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.PackageClauseOnly)
		if err != nil {
			return err
		}
		names[f.Name.Name] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range names {
		// Commands, test kits and the suite that holds no code print
		// no errors of their own into a chain.
		if name == "main" || name == "hostile" || strings.HasSuffix(name, "test") {
			continue
		}
		if !slices.Contains(packagePrefixes, name) {
			t.Errorf("package %s: its messages begin %q, which Message does not leave out: add it to packagePrefixes", name, name+": ")
		}
	}
}
