// Package rvm_test checks the layering of rvm's packages (issue 10 and
// STYLE.md): imports run one way, and only platform/ knows what differs by
// operating system. It reads every non-test Go file of the module, under
// every build constraint, with go/parser.
package rvm_test

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// goPackage is what the layering rules look at in one package: its direct
// imports and the files that read runtime.GOOS, over all of its non-test
// files.
type goPackage struct {
	imports map[string]bool
	goos    []string // "file:line" of each runtime.GOOS
}

// readModule returns the module path of the module rooted at dir and its
// packages by import path. Directories named testdata, and those starting
// with "." or "_", are not read, as the go command does not.
func readModule(t *testing.T, dir string) (string, map[string]*goPackage) {
	t.Helper()
	module := modulePath(t, filepath.Join(dir, "go.mod"))
	pkgs := map[string]*goPackage{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, filepath.Dir(p))
		if err != nil {
			return err
		}
		importPath := path.Join(module, filepath.ToSlash(rel))
		pkg := pkgs[importPath]
		if pkg == nil {
			pkg = &goPackage{imports: map[string]bool{}}
			pkgs[importPath] = pkg
		}
		for _, line := range readsGOOS(fset, f) {
			pkg.goos = append(pkg.goos, fmt.Sprintf("%s:%d", filepath.ToSlash(filepath.Join(rel, name)), line))
		}
		for _, imp := range f.Imports {
			ip, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			pkg.imports[ip] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return module, pkgs
}

// modulePath reads the module line of a go.mod file.
func modulePath(t *testing.T, gomod string) string {
	t.Helper()
	f, err := os.Open(gomod)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	t.Fatalf("%s: no module line", gomod)
	return ""
}

// readsGOOS returns the lines of f that read runtime.GOOS, under whatever
// name f imports package runtime. A dot import of runtime counts as a read,
// at its line: what it brings in cannot be told from a field of that name
// without type-checking.
func readsGOOS(fset *token.FileSet, f *ast.File) []int {
	var names []string
	var lines []int
	for _, imp := range f.Imports {
		if imp.Path.Value != `"runtime"` {
			continue
		}
		switch {
		case imp.Name == nil:
			names = append(names, "runtime")
		case imp.Name.Name == ".":
			lines = append(lines, fset.Position(imp.Pos()).Line)
		default:
			names = append(names, imp.Name.Name)
		}
	}
	if len(names) == 0 {
		return lines
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "GOOS" {
			if id, ok := sel.X.(*ast.Ident); ok && slices.Contains(names, id.Name) {
				lines = append(lines, fset.Position(sel.Pos()).Line)
			}
		}
		return true
	})
	return lines
}

// under reports whether the import path p is dir or below it.
func under(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/")
}

// importChain returns a chain of imports, within pkgs, from the package
// from to one that bad accepts ("from -> ... -> bad"), or "".
func importChain(pkgs map[string]*goPackage, from string, bad func(string) bool) string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		pkg := pkgs[p]
		if pkg == nil {
			continue
		}
		imports := make([]string, 0, len(pkg.imports))
		for ip := range pkg.imports {
			imports = append(imports, ip)
		}
		slices.Sort(imports)
		for _, ip := range imports {
			if _, seen := prev[ip]; seen {
				continue
			}
			prev[ip] = p
			if bad(ip) {
				chain := []string{ip}
				for at := p; at != ""; at = prev[at] {
					chain = append(chain, at)
				}
				slices.Reverse(chain)
				return strings.Join(chain, " -> ")
			}
			queue = append(queue, ip)
		}
	}
	return ""
}

// layeringProblems checks the rules of issue 10 on the packages of the
// module module:
//
//   - permissions and permissions/pattern import nothing under manifest,
//     directly or through another package;
//   - nothing under manifest/trust imports manifest itself, directly or
//     through another package;
//   - outside platform/, no package imports github.com/kardianos/service,
//     and no file reads runtime.GOOS.
func layeringProblems(module string, pkgs map[string]*goPackage) []string {
	var out []string
	manifest := module + "/manifest"
	paths := make([]string, 0, len(pkgs))
	for p := range pkgs {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		pkg := pkgs[p]
		if p == module+"/permissions" || p == module+"/permissions/pattern" {
			if chain := importChain(pkgs, p, func(ip string) bool { return under(ip, manifest) }); chain != "" {
				out = append(out, "permissions imports manifest: "+chain)
			}
		}
		if under(p, module+"/manifest/trust") {
			if chain := importChain(pkgs, p, func(ip string) bool { return ip == manifest }); chain != "" {
				out = append(out, "manifest/trust imports its parent: "+chain)
			}
		}
		if under(p, module+"/platform") {
			continue
		}
		for ip := range pkg.imports {
			if under(ip, "github.com/kardianos/service") {
				out = append(out, fmt.Sprintf("%s imports %s: only platform/ may", p, ip))
			}
		}
		for _, at := range pkg.goos {
			out = append(out, fmt.Sprintf("%s reads runtime.GOOS: only platform/ may", at))
		}
	}
	return out
}

// TestLayering checks the rules of layeringProblems on this module.
func TestLayering(t *testing.T) {
	module, pkgs := readModule(t, ".")
	for _, want := range []string{"/permissions", "/permissions/pattern", "/manifest", "/manifest/trust", "/platform", "/cmd/rvm"} {
		if pkgs[module+want] == nil {
			t.Fatalf("got no package %s%s: the module was not read", module, want)
		}
	}
	for _, p := range layeringProblems(module, pkgs) {
		t.Error(p)
	}
}

// TestLayeringRules feeds each rule a module that breaks it, and one that
// keeps it.
func TestLayeringRules(t *testing.T) {
	const m = "example.com/rvm"
	pkg := func(goos []string, imports ...string) *goPackage {
		p := &goPackage{imports: map[string]bool{}, goos: goos}
		for _, ip := range imports {
			p.imports[ip] = true
		}
		return p
	}
	for _, tc := range []struct {
		name string
		pkgs map[string]*goPackage
		want []string
	}{
		{"clean", map[string]*goPackage{
			m + "/permissions":         pkg(nil, m+"/permissions/pattern", m+"/platform/strictjson"),
			m + "/permissions/pattern": pkg(nil, "golang.org/x/net/idna"),
			m + "/permissions/owner":   pkg(nil, m+"/permissions", m+"/manifest/fetch"),
			m + "/manifest":            pkg(nil, m+"/manifest/trust", m+"/manifest/fetch"),
			m + "/manifest/trust":      pkg(nil, m+"/permissions", m+"/manifest/fetch"),
			m + "/manifest/fetch":      pkg(nil, m+"/platform"),
			m + "/platform/service":    pkg([]string{"platform/service/service.go:3"}, "github.com/kardianos/service"),
			m + "/cmd/rvm":             pkg(nil, m+"/platform/service", "runtime"),
		}, nil},
		{"permissions-imports-manifest", map[string]*goPackage{
			m + "/permissions": pkg(nil, m+"/manifest/fetch"),
		}, []string{"permissions imports manifest: " + m + "/permissions -> " + m + "/manifest/fetch"}},
		{"pattern-imports-manifest-through-another", map[string]*goPackage{
			m + "/permissions/pattern": pkg(nil, m+"/platform"),
			m + "/platform":            pkg(nil, m+"/manifest"),
		}, []string{"permissions imports manifest: " + m + "/permissions/pattern -> " + m + "/platform -> " + m + "/manifest"}},
		{"trust-imports-manifest", map[string]*goPackage{
			m + "/manifest/trust/authority": pkg(nil, m+"/manifest"),
		}, []string{"manifest/trust imports its parent: " + m + "/manifest/trust/authority -> " + m + "/manifest"}},
		{"trust-imports-manifest-through-fetch", map[string]*goPackage{
			m + "/manifest/trust": pkg(nil, m+"/manifest/fetch"),
			m + "/manifest/fetch": pkg(nil, m+"/manifest"),
		}, []string{"manifest/trust imports its parent: " + m + "/manifest/trust -> " + m + "/manifest/fetch -> " + m + "/manifest"}},
		{"kardianos-outside-platform", map[string]*goPackage{
			m + "/cmd/rvm": pkg(nil, "github.com/kardianos/service"),
		}, []string{m + "/cmd/rvm imports github.com/kardianos/service: only platform/ may"}},
		{"goos-outside-platform", map[string]*goPackage{
			m + "/launcher": pkg([]string{"launcher/x.go:7"}, "runtime"),
		}, []string{"launcher/x.go:7 reads runtime.GOOS: only platform/ may"}},
		{"platformer-is-not-platform", map[string]*goPackage{
			m + "/platformer": pkg([]string{"platformer/x.go:1"}),
		}, []string{"platformer/x.go:1 reads runtime.GOOS: only platform/ may"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := layeringProblems(m, tc.pkgs); !slices.Equal(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestReadsGOOS(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []int
	}{
		{"plain", "package p\nimport \"runtime\"\nvar x = runtime.GOOS\n", []int{3}},
		{"renamed", "package p\nimport rt \"runtime\"\nvar x = rt.GOOS\nvar y = rt.GOARCH\n", []int{3}},
		{"dot-import", "package p\nimport . \"runtime\"\nvar x = GOOS\n", []int{2}},
		{"dot-import-and-plain", "package p\nimport (\n\t. \"runtime\"\n\tr \"runtime\"\n)\nvar x = r.GOOS\n", []int{3, 6}},
		{"arch-only", "package p\nimport \"runtime\"\nvar x = runtime.GOARCH\n", nil},
		{"other-package", "package p\nimport \"example.com/runtime\"\nvar x = runtime.GOOS\n", nil},
		{"a-field-of-that-name", "package p\nvar s struct{ GOOS string }\nvar x = s.GOOS\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "x.go", tc.src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := readsGOOS(fset, f); !slices.Equal(got, tc.want) {
				t.Errorf("got lines %v, want %v", got, tc.want)
			}
		})
	}
}
