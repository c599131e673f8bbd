package pattern

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVectors runs every file of testdata/pattern. A file holds one
// pattern on its first line, after its mode ("strict" or "owner"), then
// lines of what must follow from it; lines starting with # are comments.
//
// good_* files: the pattern parses, and
//
//	= S       its String is S
//	+ URL     URL parses and matches
//	- URL     URL parses and does not match
//	! URL     ParseURL refuses URL
//	~ URL N   NormalizeURL(URL) is N
//
// bad_* files: Parse refuses the pattern, and
//
//	error S   the error holds S (the rule broken)
func TestVectors(t *testing.T) {
	files, err := filepath.Glob("../../testdata/pattern/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("got %d vector files (%v), want some", len(files), err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		t.Run(name, func(t *testing.T) {
			mode, pat, lines := readVector(t, file)
			p, err := Parse(pat, mode)
			switch {
			case strings.HasPrefix(name, "bad_"):
				if len(lines) == 0 {
					t.Fatalf("bad vector without an error line")
				}
				if err == nil {
					t.Fatalf("Parse(%q) = %q, want an error", pat, p)
				}
				for _, l := range lines {
					if want, ok := strings.CutPrefix(l, "error "); !ok || !strings.Contains(err.Error(), want) {
						t.Errorf("Parse(%q) error %q, want one holding %q (line %q)", pat, err, want, l)
					}
				}
				return
			case !strings.HasPrefix(name, "good_"):
				t.Fatalf("vector %s is neither good_ nor bad_", name)
			}
			if err != nil {
				t.Fatalf("Parse(%q): got %v, want no error", pat, err)
			}
			ix := NewIndex([]Entry{{Pattern: p, Owner: 7}})
			for _, l := range lines {
				op, arg, _ := strings.Cut(l, " ")
				switch op {
				case "=":
					if got := p.String(); got != arg {
						t.Errorf("String() = %q, want %q", got, arg)
					}
					continue
				case "~":
					raw, want, ok := strings.Cut(arg, " ")
					if !ok {
						t.Fatalf("line %q: want ~ URL NORMALIZED", l)
					}
					if got, err := NormalizeURL(raw); err != nil || got != want {
						t.Errorf("NormalizeURL(%q) = %q, %v; want %q", raw, got, err, want)
					}
					continue
				}
				u, err := ParseURL(arg, mode)
				switch op {
				case "!":
					if err == nil {
						t.Errorf("ParseURL(%q) = %v, want an error", arg, u)
					}
					continue
				case "+", "-":
				default:
					t.Fatalf("unknown line %q", l)
				}
				if err != nil {
					t.Errorf("ParseURL(%q): got %v, want no error", arg, err)
					continue
				}
				want := op == "+"
				if got := p.Match(u); got != want {
					t.Errorf("%s Match(%q) (normalized %v) = %v, want %v", p, arg, u, got, want)
				}
				if got := len(ix.AppendMatches(nil, u)) == 1; got != want {
					t.Errorf("index of %s matches %q = %v, want %v", p, arg, got, want)
				}
			}
		})
	}
}

// readVector reads a vector file: its mode, its pattern and its other
// lines.
func readVector(t *testing.T, file string) (Mode, string, []string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil || len(lines) == 0 {
		t.Fatalf("reading %s: got %d lines (%v), want a pattern line", file, len(lines), err)
	}
	modeName, pat, _ := strings.Cut(lines[0], " ")
	modes := map[string]Mode{"strict": Strict, "owner": Owner}
	mode, ok := modes[modeName]
	if !ok {
		t.Fatalf("%s: got mode %q, want strict or owner", file, modeName)
	}
	return mode, pat, lines[1:]
}
