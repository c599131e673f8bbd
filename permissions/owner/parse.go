package owner

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/permissions/pattern"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// InvalidError is a desktop owner settings file that rvm refuses, with
// every problem found in it (at most MaxProblems of them; More counts the
// rest), so that an owner fixes the file in one round. A file that is not
// strict JSON (a syntax error, a key twice, invalid UTF-8) has one
// problem: the first such fault, since nothing after it can be read.
type InvalidError struct {
	// Source is where the file came from, as Parse was given it.
	Source   string
	Problems []Problem
	More     int
}

func (e *InvalidError) Error() string {
	at := "owner: desktop owner settings " + e.Source + ": "
	if len(e.Problems) == 1 && e.More == 0 {
		return at + e.Problems[0].Error()
	}
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	if e.More > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", e.More))
	}
	return fmt.Sprintf("%s%d problems: %s", at, len(e.Problems)+e.More, strings.Join(parts, "; "))
}

// Lines are the problems of e one a line, each naming the file, as `rvm
// settings` lists them.
func (e *InvalidError) Lines() []string {
	at := "owner: desktop owner settings " + e.Source + ": "
	out := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		out = append(out, at+p.Error())
	}
	if e.More > 0 {
		out = append(out, fmt.Sprintf("%sand %d more problems (rvm lists the first %d)", at, e.More, MaxProblems))
	}
	return out
}

// Problem is one fault of a file: the line and column (from 1) of the
// value at fault, 0 for a fault of the whole file (its size), and what is
// wrong, naming the key.
type Problem struct {
	Line, Column int
	Err          error
}

func (p Problem) Error() string {
	// A file that is not strict JSON says where itself.
	var je *strictjson.Error
	if p.Line == 0 || errors.As(p.Err, &je) {
		return p.Err.Error()
	}
	return fmt.Sprintf("line %d, column %d: %v", p.Line, p.Column, p.Err)
}

func (p Problem) Unwrap() error { return p.Err }

// parser reads one desktop owner settings file, collecting every problem
// and every notice instead of stopping at the first. A key of a section
// is one case of that section's switch, which reads the key's field with
// the helpers below: a value of the wrong type, or not one of its listed
// strings, is a problem (the file is then refused whole), and under
// denyOnly what would loosen anything is dropped with a notice.
type parser struct {
	data   []byte
	source string
	// denyOnly is set for a file read over plain http://: anyone on the
	// network could have written it, so that only what restricts applies.
	denyOnly bool

	problems    []Problem
	notices     []notice
	moreProblem int
	moreNotice  int
}

// notice is one notice and where in the file it is, for sorting.
type notice struct {
	offset int64
	text   string
}

// field is one value of the file as the parser reads it: its path for
// messages (desktopSettings.allowedManifestUrls[2],
// applicationSettings.acme.urls, applicationSettings["https://x/a.json"]),
// its name (the key that holds it; "" for an array element), the value,
// and the byte offset in the file where the value starts.
type field struct {
	path   string
	name   string
	value  jsontext.Value
	offset int64
}

// key is the member m of f, under a key of rvm's format or one it does
// not know: its path is dotted where the key is a plain word (letters,
// digits, - and _), and shows it quoted otherwise.
func (f field) key(m strictjson.Member) field {
	path := fmt.Sprintf("%s[%q]", f.path, m.Name)
	if plainWord(m.Name) {
		path = m.Name
		if f.path != "" {
			path = f.path + "." + m.Name
		}
	}
	return field{path: path, name: m.Name, value: m.Value, offset: f.offset + m.Offset}
}

// plainWord reports whether s is a word that a message may show as it is.
func plainWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return s != ""
}

// position is the line and column of offset in the file.
func (p *parser) position(offset int64) (line, column int) {
	return strictjson.Position(p.data, offset)
}

// problem records a fault of f, which makes the file invalid.
func (p *parser) problem(f field, format string, args ...any) {
	if len(p.problems) >= MaxProblems {
		p.moreProblem++
		return
	}
	line, col := p.position(f.offset)
	p.problems = append(p.problems, Problem{Line: line, Column: col, Err: fmt.Errorf("%s: %s", f.path, fmt.Sprintf(format, args...))})
}

// problemErr records err, which names f itself, as a fault of f.
func (p *parser) problemErr(f field, err error) {
	if len(p.problems) >= MaxProblems {
		p.moreProblem++
		return
	}
	line, col := p.position(f.offset)
	p.problems = append(p.problems, Problem{Line: line, Column: col, Err: err})
}

// notice records what rvm leaves out of f and why; the file stays valid.
func (p *parser) notice(f field, format string, args ...any) {
	if len(p.notices) >= MaxNotices {
		p.moreNotice++
		return
	}
	line, col := p.position(f.offset)
	p.notices = append(p.notices, notice{f.offset, fmt.Sprintf("owner: desktop owner settings %s: line %d, column %d: %s: %s", p.source, line, col, f.path, fmt.Sprintf(format, args...))})
}

// finish is the notices of the file in the order of the file, with a
// last one counting those over MaxNotices, and the error of its problems
// (nil where it has none), in the same order.
func (p *parser) finish() ([]string, error) {
	slices.SortStableFunc(p.notices, func(a, b notice) int { return cmp.Compare(a.offset, b.offset) })
	out := make([]string, len(p.notices), len(p.notices)+1)
	for i, n := range p.notices {
		out[i] = n.text
	}
	if p.moreNotice > 0 {
		out = append(out, fmt.Sprintf("owner: desktop owner settings %s: and %d more notices (rvm lists the first %d)", p.source, p.moreNotice, MaxNotices))
	}
	if len(p.problems) > 0 {
		slices.SortStableFunc(p.problems, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		return out, &InvalidError{Source: p.source, Problems: p.problems, More: p.moreProblem}
	}
	return out, nil
}

// members is the members of f, which must hold an object.
func (p *parser) members(f field) ([]strictjson.Member, bool) {
	ms, err := strictjson.Members(f.value)
	if err != nil {
		p.problem(f, "%v", err)
		return nil, false
	}
	return ms, true
}

// unhandled deals with a key that rvm does not act on, at any level:
// OpenFin's restrictive keys that rvm cannot honour are problems (the
// file fails closed rather than run without the restriction), naming
// rvm's equivalent; any other key is ignored with a notice.
func (p *parser) unhandled(f field) {
	const runtimeKeys = "desktopSettings.allowedRuntimeVersions, blockedRuntimeVersions and minimumRuntimeVersion"
	switch f.name {
	case "whitelist":
		p.problem(f, "OpenFin's list of allowed apps (by license key, uuid or domain) is not something rvm can honour, and a restriction must not be left out: list the manifest URLs that may launch in desktopSettings.allowedManifestUrls instead")
		return
	case "deployment":
		if f.value.Kind() != '{' {
			break
		}
		ms, _ := p.members(f)
		for _, m := range ms {
			switch c := f.key(m); c.name {
			case "runtimeControls":
				p.problem(c, "OpenFin's runtime controls are not something rvm can honour, and a restriction must not be left out: restrict the runtimes that may start with %s instead", runtimeKeys)
			case "rvmControls":
				p.problem(c, "OpenFin's RVM controls are not something rvm can honour, and a restriction must not be left out: restrict the runtimes that may start with %s instead", runtimeKeys)
			default:
				p.notice(c, "ignored: rvm does not act on this key")
			}
		}
		return
	}
	p.notice(f, "ignored: rvm does not act on this key")
}

// oneOf reads a string that must be one of allowed.
func (p *parser) oneOf(f field, allowed ...string) (string, bool) {
	if f.value.Kind() != '"' {
		p.problem(f, "want a string (%s), got %s", orList(allowed), strictjson.Kind(f.value))
		return "", false
	}
	v := stringValue(f.value)
	for _, a := range allowed {
		if v == a {
			return v, true
		}
	}
	p.problem(f, "want %s, got %q", orList(allowed), v)
	return "", false
}

// stringValue is the string that v, a JSON string of the checked file,
// holds.
func stringValue(v jsontext.Value) string {
	var s string
	json.Unmarshal(v, &s) // a string of strict JSON always decodes
	return s
}

// orList is "a, b or c".
func orList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// boolean reads true or false.
func (p *parser) boolean(f field) (v, ok bool) {
	switch f.value.Kind() {
	case 't':
		return true, true
	case 'f':
		return false, true
	}
	p.problem(f, "want true or false, got %s", strictjson.Kind(f.value))
	return false, false
}

// elements is the elements of f, which must hold an array, as fields.
func (p *parser) elements(f field) ([]field, bool) {
	vs, err := strictjson.Elements(f.value)
	if err != nil {
		p.problem(f, "want an array, got %s", strictjson.Kind(f.value))
		return nil, false
	}
	out := make([]field, len(vs))
	at := 1 // after the [
	for i, v := range vs {
		// v is a slice of f.value, after the previous element (or the
		// [) and what may stand before it (white space and a comma),
		// none of which a value starts with: the first copy of v from
		// there is v.
		at += bytes.Index(f.value[at:], v)
		out[i] = field{path: fmt.Sprintf("%s[%d]", f.path, i), value: v, offset: f.offset + int64(at)}
		at += len(v)
	}
	return out, true
}

// str is a string of the file and the field that holds it.
type str struct {
	field
	s string
}

// stringList reads an array of at most max strings: the strings, and a
// problem for the array, or for each element that is not a string (which
// is left out).
func (p *parser) stringList(f field, max int) ([]str, bool) {
	if f.value.Kind() != '[' {
		p.problem(f, "want an array of strings, got %s", strictjson.Kind(f.value))
		return nil, false
	}
	elems, _ := p.elements(f)
	if len(elems) > max {
		p.problem(f, "more than %d entries", max)
		return nil, false
	}
	out := make([]str, 0, len(elems))
	ok := true
	for _, e := range elems {
		if e.value.Kind() != '"' {
			p.problem(e, "want a string, got %s", strictjson.Kind(e.value))
			ok = false
			continue
		}
		out = append(out, str{e, stringValue(e.value)})
	}
	return out, ok
}

// patterns reads an array of at most MaxPatterns owner-mode patterns: a
// problem for each that does not parse.
func (p *parser) patterns(f field) ([]pattern.Pattern, bool) {
	list, ok := p.stringList(f, MaxPatterns)
	pats := make([]pattern.Pattern, 0, len(list))
	for _, e := range list {
		pat, err := pattern.Parse(e.s, pattern.Owner)
		if err != nil {
			p.problem(e.field, "%v", err)
			ok = false
			continue
		}
		pats = append(pats, pat)
	}
	return pats, ok
}
