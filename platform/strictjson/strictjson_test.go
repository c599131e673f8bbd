package strictjson

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// maxDepth is the library's bound on nesting.
const maxDepth = 10000

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        string
		want      string // "" for valid; else what the error says, after its position
		line, col int
		syntax    bool
	}{
		{name: "object", in: `{"a": [1, "x", true, false, null, {"b": {}}]}`},
		{name: "array", in: `[]`},
		{name: "string", in: `"x"`},
		{name: "number", in: `-1.5e300`},
		{name: "number-beyond-float64", in: `1E700`},
		{name: "literal", in: `null`},
		{name: "white-space-around", in: " \t\r\n{} \t\r\n"},
		{name: "escaped-keys-distinct", in: `{"a": 1, "\u0062": 2, "\"": 3, "\\": 4, "A": 5}`},
		{name: "same-key-in-other-objects", in: `{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}`},
		{name: "value-strings-are-not-keys", in: `{"a": "a", "b": ["a", "a"]}`},
		{name: "utf-8", in: `{"é": "ünï ☃ 🐉"}`},
		{name: "escaped-surrogate-pair", in: `"\ud83d\udc09"`},
		{name: "depth-at-bound", in: strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)},

		{name: "empty", in: ``, want: "empty input", line: 1, col: 1, syntax: true},
		{name: "white-space-only", in: " \n ", want: "empty input", line: 1, col: 1, syntax: true},
		{name: "byte-order-mark", in: "\xef\xbb\xbf{}", want: "starts with a byte-order mark, which JSON does not allow", line: 1, col: 1},
		{name: "invalid-utf-8-in-value", in: "{\"a\":\n \"x\xffy\"}", want: "not valid UTF-8", line: 2, col: 4},
		{name: "invalid-utf-8-in-key", in: "{\"\xc3\": 1}", want: "not valid UTF-8", line: 1, col: 3},
		{name: "overlong-utf-8", in: "\"\xc0\xaf\"", want: "not valid UTF-8", line: 1, col: 2},
		{name: "encoded-surrogate", in: "\"\xed\xa0\x80\"", want: "not valid UTF-8", line: 1, col: 2},
		{name: "duplicate-key", in: `{"a": 1, "a": 2}`, want: `(at /a): duplicate key "a"`, line: 1, col: 10},
		{name: "duplicate-escaped-key", in: `{"a": 1, "\u0061": 2}`, want: `duplicate key "a"`, line: 1, col: 10},
		{name: "duplicate-nested-key", in: "{\"x\": [\n  {\"b\": 1, \"b\": 2}]}", want: `(at /x/0/b): duplicate key "b"`, line: 2, col: 12},
		{name: "duplicate-after-many-keys", in: `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k3":3}`, want: `duplicate key "k3"`},
		{name: "data-after-object", in: `{} {}`, want: "data after the JSON object", line: 1, col: 4},
		{name: "data-after-value", in: "1\n 2", want: "data after the JSON value", line: 2, col: 2},
		{name: "nul-after-object", in: "{}\x00", want: "data after the JSON object", line: 1, col: 3},
		{name: "truncated", in: "{\"a\": [1,\n", want: "unexpected end of input", line: 2, col: 1, syntax: true},
		{name: "unterminated-string", in: `{"a": "x`, want: "unexpected end of input", syntax: true},
		{name: "trailing-comma", in: `{"a": 1,}`, want: "invalid character '}'", line: 1, col: 9, syntax: true},
		{name: "single-quotes", in: `{'a': 1}`, want: `invalid character '\'' at start of string`, line: 1, col: 2, syntax: true},
		{name: "comment", in: "{} // x", want: "data after the JSON object", line: 1, col: 4},
		{name: "nan", in: `NaN`, want: "invalid character 'N'", syntax: true},
		{name: "leading-zero", in: `[01]`, want: "invalid character '1'", syntax: true},
		{name: "plus-sign", in: `+1`, want: "invalid character '+'", syntax: true},
		{name: "control-character-in-string", in: "\"a\tb\"", want: "invalid character '\\t' in string", syntax: true},
		{name: "bad-escape", in: `"\x"`, want: "invalid escape sequence", syntax: true},
		{name: "lone-surrogate", in: `{"a": "\ud800"}`, want: "(at /a): invalid surrogate pair", line: 1, col: 8, syntax: true},
		{name: "html", in: "<html>", want: "invalid character '<' at start of value", line: 1, col: 1, syntax: true},
		{name: "non-string-key", in: `{1: 2}`, want: "invalid character '1'", syntax: true},
		{name: "depth-one-over-bound", in: strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), want: "exceeded max depth", line: 1, col: maxDepth + 1, syntax: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check([]byte(tc.in))
			if tc.want == "" {
				if err != nil {
					t.Errorf("got %v, want no error", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v (%T), want an *Error", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to hold %q", err, tc.want)
			}
			if tc.line != 0 && (e.Line != tc.line || e.Column != tc.col) {
				t.Errorf("got line %d, column %d, want %d, %d", e.Line, e.Column, tc.line, tc.col)
			}
			if e.Syntax != tc.syntax || strings.HasPrefix(err.Error(), "not JSON: ") != tc.syntax {
				t.Errorf("got %q (syntax %v), want syntax %v", err, e.Syntax, tc.syntax)
			}
			if !strings.Contains(err.Error(), "line ") || !strings.Contains(err.Error(), "column ") {
				t.Errorf("got %q, want it to give line and column", err)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	inner := errors.New("why")
	for _, tc := range []struct {
		name string
		e    *Error
		want string
	}{
		{"position", &Error{Line: 2, Column: 3, Err: inner}, "line 2, column 3: why"},
		{"syntax", &Error{Line: 1, Column: 1, Syntax: true, Err: inner}, "not JSON: line 1, column 1: why"},
		{"pointer", &Error{Line: 1, Column: 9, Pointer: "/a/0", Err: inner}, "line 1, column 9 (at /a/0): why"},
		{"pointer-at-bound", &Error{Line: 1, Column: 9, Pointer: "/" + strings.Repeat("a", maxPointerText-1), Err: inner}, "line 1, column 9 (at /" + strings.Repeat("a", maxPointerText-1) + "): why"},
		{"pointer-one-over-bound", &Error{Line: 1, Column: 9, Pointer: "/a" + strings.Repeat("/0", maxPointerText/2), Err: inner}, "line 1, column 9 (at /a" + strings.Repeat("/0", maxPointerText/2-1) + "/...): why"},
		{"long-token-over-bound", &Error{Line: 1, Column: 9, Pointer: "/" + strings.Repeat("a", maxPointerText+5), Err: inner}, "line 1, column 9 (at /" + strings.Repeat("a", maxPointerText-1) + "/...): why"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.e.Error(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if !errors.Is(tc.e, inner) {
				t.Errorf("got %v not wrapping its cause", tc.e)
			}
		})
	}
	// A document nested to the bound names where it went wrong in a
	// message of bounded size.
	err := Check([]byte(`{"deep": ` + strings.Repeat("[", maxDepth+1)))
	if err == nil || len(err.Error()) > maxPointerText+100 || !strings.Contains(err.Error(), "(at /deep/0/0/") {
		t.Errorf("got %d bytes: %.300q, want a short message naming /deep", len(err.Error()), err)
	}
}

func TestPosition(t *testing.T) {
	data := []byte("ab\ncd\n\nef")
	for _, tc := range []struct {
		name      string
		offset    int64
		line, col int
	}{
		{"start", 0, 1, 1},
		{"first-line", 1, 1, 2},
		{"the-newline", 2, 1, 3},
		{"second-line", 3, 2, 1},
		{"empty-line", 6, 3, 1},
		{"last-byte", 8, 4, 2},
		{"end", 9, 4, 3},
		{"past-the-end", 100, 4, 3},
		{"negative", -5, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if line, col := Position(data, tc.offset); line != tc.line || col != tc.col {
				t.Errorf("got %d:%d, want %d:%d", line, col, tc.line, tc.col)
			}
		})
	}
}

func TestObject(t *testing.T) {
	in := "\n  {\"a\": 1,\n   \"b\" :  {\"c\": [true]},\"\\u0064\":\"x\"}  "
	ms, err := Object([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	type member struct {
		name, value string
		line, col   int
	}
	var got []member
	for _, m := range ms {
		line, col := Position([]byte(in), m.Offset)
		got = append(got, member{m.Name, string(m.Value), line, col})
	}
	want := []member{{"a", "1", 2, 9}, {"b", `{"c": [true]}`, 3, 11}, {"d", `"x"`, 3, 34}}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	for _, tc := range []struct {
		name, in, want string
		line, col      int
	}{
		{"array", ` [{"a": 1}]`, "line 1, column 2: the top level is an array, want an object", 1, 2},
		{"string", "\n\"x\"", "line 2, column 1: the top level is a string, want an object", 2, 1},
		{"null", `null`, "line 1, column 1: the top level is null, want an object", 1, 1},
		{"duplicate", `{"a": 1, "a": 2}`, `line 1, column 10 (at /a): duplicate key "a"`, 1, 10},
		{"trailing", `{}]`, "line 1, column 3: data after the JSON object", 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := Object([]byte(tc.in))
			var e *Error
			if ms != nil || !errors.As(err, &e) || err.Error() != tc.want || e.Line != tc.line || e.Column != tc.col {
				t.Errorf("got %v, %v, want no members and %q", ms, err, tc.want)
			}
		})
	}
}

func TestMembersAndElements(t *testing.T) {
	ms, err := Members(jsontext.Value(`{"x": [1, {"y": 2}], "": null}`))
	if err != nil || len(ms) != 2 || ms[0].Name != "x" || string(ms[0].Value) != `[1, {"y": 2}]` || ms[0].Offset != 6 ||
		ms[1].Name != "" || string(ms[1].Value) != "null" || ms[1].Offset != 25 {
		t.Fatalf("got %+v, %v, want x and the empty name, with their values and offsets", ms, err)
	}
	els, err := Elements(ms[0].Value)
	if err != nil || len(els) != 2 || string(els[0]) != "1" || string(els[1]) != `{"y": 2}` {
		t.Errorf("got %q, %v, want 1 and the object", els, err)
	}
	if els, err := Elements(jsontext.Value(`[]`)); err != nil || len(els) != 0 {
		t.Errorf("got %q, %v from an empty array, want nothing", els, err)
	}
	if ms, err := Members(jsontext.Value(`{}`)); err != nil || len(ms) != 0 {
		t.Errorf("got %v, %v from an empty object, want nothing", ms, err)
	}
	for _, tc := range []struct {
		name string
		f    func() error
		want string
	}{
		{"members-of-array", func() error { _, err := Members(jsontext.Value(`[]`)); return err }, "want an object, got an array"},
		{"members-of-nothing", func() error { _, err := Members(nil); return err }, "want an object, got not JSON"},
		{"elements-of-object", func() error { _, err := Elements(jsontext.Value(`{}`)); return err }, "want an array, got an object"},
		{"elements-of-string", func() error { _, err := Elements(jsontext.Value(`"[]"`)); return err }, "want an array, got a string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.f(); err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	// The values are slices of the input, not copies, and a later read
	// does not overwrite an earlier value.
	v := []byte(`{"a": "1", "b": "2", "c": {"d": [3]}}`)
	ms, _ = Members(v)
	if string(ms[0].Value) != `"1"` || string(ms[1].Value) != `"2"` || string(ms[2].Value) != `{"d": [3]}` {
		t.Errorf("got %q, %q and %q, want the members' values", ms[0].Value, ms[1].Value, ms[2].Value)
	}
	if &ms[0].Value[0] != &v[6] {
		t.Errorf("got a copy of the first value, want a slice of the input")
	}
}

// textValue is a type read from JSON text, as a verdict is.
type textValue string

func (v *textValue) UnmarshalText(b []byte) error {
	if string(b) != "yes" && string(b) != "no" {
		return errors.New("want yes or no")
	}
	*v = textValue(b)
	return nil
}

func TestUnmarshal(t *testing.T) {
	type doc struct {
		Version int       `json:"version"`
		Small   uint8     `json:"small"`
		Real    float32   `json:"real"`
		Name    string    `json:"name"`
		On      bool      `json:"on"`
		List    []string  `json:"list"`
		Text    textValue `json:"text"`
	}
	for _, tc := range []struct {
		name, in      string
		rejectUnknown bool
		want          string // the error; "" for none
	}{
		{name: "good", in: `{"version": 1, "small": 255, "real": 1.5, "name": "n", "on": true, "list": ["a"], "text": "yes"}`},
		{name: "unknown-allowed", in: `{"version": 1, "extra": {"x": 1}}`},
		{name: "unknown-refused", in: `{"version": 1, "extra": 1}`, rejectUnknown: true, want: `line 1, column 16 (at /extra): unknown key "extra"`},
		{name: "key-case-refused", in: `{"Version": 1}`, rejectUnknown: true, want: `(at /Version): unknown key "Version"`},
		{name: "string-for-number", in: `{"version": "1"}`, want: "line 1, column 13 (at /version): want a number, got a string"},
		{name: "number-for-string", in: `{"name": 1}`, want: "(at /name): want a string, got a number"},
		{name: "string-for-boolean", in: `{"on": "true"}`, want: "(at /on): want a boolean, got a string"},
		{name: "object-for-array", in: `{"list": {}}`, want: "(at /list): want an array, got an object"},
		{name: "number-in-array", in: `{"list": ["a", 2]}`, want: "(at /list/1): want a string, got a number"},
		{name: "array-for-object", in: `[]`, want: "line 1, column 1: want an object, got an array"},
		{name: "fraction-for-integer", in: `{"version": 1.5}`, want: "(at /version): want an integer that fits int, got 1.5"},
		{name: "integer-at-bound", in: `{"small": 255}`},
		{name: "integer-one-over-bound", in: `{"small": 256}`, want: "(at /small): want an integer that fits uint8, got 256"},
		{name: "negative-for-unsigned", in: `{"small": -1}`, want: "(at /small): want an integer that fits uint8, got -1"},
		{name: "real-out-of-range", in: `{"real": 1e39}`, want: "(at /real): want a number that fits float32, got 1e39"},
		{name: "number-shown-at-bound", in: `{"small": ` + strings.Repeat("9", 40) + `}`, want: "got " + strings.Repeat("9", 40) + "\x00"},
		{name: "number-shown-one-over-bound", in: `{"small": ` + strings.Repeat("9", 41) + `}`, want: "got " + strings.Repeat("9", 40) + "...\x00"},
		{name: "text-type-given-a-number", in: `{"text": 1}`, want: "(at /text): want a string, got a number"},
		{name: "text-type-refuses", in: `{"text": "maybe"}`, want: "(at /text): want yes or no"},
		{name: "duplicate", in: `{"version": 1, "version": 2}`, want: `duplicate key "version"`},
		{name: "trailing", in: `{"version": 1} x`, want: "data after the JSON object"},
		{name: "truncated", in: `{"version": 1, "na`, want: "not JSON: line 1, column 19: unexpected end of input"},
		{name: "byte-order-mark", in: "\xef\xbb\xbf{}", want: "byte-order mark"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			err := Unmarshal([]byte(tc.in), &d, tc.rejectUnknown)
			if err != nil {
				err = fmt.Errorf("%w\x00", err) // "\x00" in want: the message ends there
			}
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error holding %q", err, tc.want)
			case tc.want != "" && !errors.As(err, new(*Error)):
				t.Errorf("got %T, want an *Error", err)
			}
		})
	}
}

func TestKind(t *testing.T) {
	for in, want := range map[string]string{
		`{}`: "an object", `[]`: "an array", `""`: "a string", `-1`: "a number",
		`true`: "a boolean", `false`: "a boolean", `null`: "null", ``: "not JSON",
	} {
		if got := Kind(jsontext.Value(in)); got != want {
			t.Errorf("Kind(%q): got %q, want %q", in, got, want)
		}
	}
}

// FuzzStrictJSON: no input makes the reader panic; whatever Check accepts,
// encoding/json accepts too, with no object holding a key twice and with
// the members that Object splits it into; and what Check refuses that
// encoding/json accepts is refused for one of the rules that encoding/json
// leaves out.
func FuzzStrictJSON(f *testing.F) {
	for _, s := range []string{
		`{"a": [1, "x\"y", true, null, {"b": {}}], "c": -2.5e3}`,
		`{"a": 1, "\u0061": 2}`,
		`[{"a": 1}, {"a": 1, "b": {"a": 1, "a": 2}}]`,
		"\xef\xbb\xbf{}", "{\"a\": \"\xff\"}", `"\ud800"`, `{} {}`, `{"a": 1,}`, "  ",
	} {
		f.Add([]byte(s))
	}
	for _, dir := range []string{"manifest", "owner", "settings", "trust", "hostile/manifest", "hostile/machine", "hostile/block"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", dir, "*.json"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := Check(data)
		ms, objErr := Object(data)
		switch {
		case err != nil && (objErr == nil || objErr.Error() != err.Error()):
			t.Fatalf("Check: %v, but Object: %v", err, objErr)
		case err == nil && objErr != nil && !strings.HasSuffix(objErr.Error(), ", want an object"):
			t.Fatalf("Check accepted, but Object: %v", objErr)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 || e.Column < 1 || e.Line > bytes.Count(data, []byte("\n"))+1 {
				t.Fatalf("got %v (%T), want an *Error at a position within the input", err, err)
			}
			if stdjson.Valid(data) && !refusedBeyondStandard(err) {
				t.Fatalf("got %v for input that encoding/json accepts, want only duplicate keys, UTF-8, surrogates and depth refused beyond it", err)
			}
			return
		}
		if !stdjson.Valid(data) {
			t.Fatalf("Check accepted what encoding/json refuses")
		}
		if dup := duplicateKey(t, data); dup != "" {
			t.Fatalf("Check accepted the key %q twice in one object", dup)
		}
		if objErr != nil {
			return // valid, but not an object
		}
		want := standardMembers(t, data)
		if len(ms) != len(want) {
			t.Fatalf("got %d members, encoding/json %d", len(ms), len(want))
		}
		for i, m := range ms {
			if m.Name != want[i].Name || !bytes.Equal(m.Value, want[i].Value) {
				t.Fatalf("member %d: got %q: %s, encoding/json %q: %s", i, m.Name, m.Value, want[i].Name, want[i].Value)
			}
			if !bytes.HasPrefix(data[m.Offset:], m.Value) {
				t.Fatalf("member %q: offset %d does not hold its value", m.Name, m.Offset)
			}
		}
	})
}

// refusedBeyondStandard reports whether err is one of the refusals that
// strictjson adds to what encoding/json checks.
func refusedBeyondStandard(err error) bool {
	for _, why := range []string{"duplicate key", "not valid UTF-8", "surrogate", "exceeded max depth", "byte-order mark"} {
		if strings.Contains(err.Error(), why) {
			return true
		}
	}
	return false
}

// duplicateKey reads data, valid JSON, with encoding/json token by token
// and returns a key that an object holds twice, or "".
func duplicateKey(t *testing.T, data []byte) string {
	dec := stdjson.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var open []map[string]bool // one per open object (its keys) or array (nil)
	wantKey := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return ""
		}
		if err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if key, ok := tok.(string); ok && wantKey {
			keys := open[len(open)-1]
			if keys[key] {
				return key
			}
			keys[key] = true
			wantKey = false
			continue
		}
		switch tok {
		case stdjson.Delim('{'):
			open = append(open, map[string]bool{})
			wantKey = true
			continue
		case stdjson.Delim('['):
			open = append(open, nil)
			continue
		case stdjson.Delim('}'), stdjson.Delim(']'):
			open = open[:len(open)-1]
		}
		wantKey = len(open) > 0 && open[len(open)-1] != nil
	}
}

// standardMembers splits data, a valid JSON object, with encoding/json.
func standardMembers(t *testing.T, data []byte) []Member {
	dec := stdjson.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var out []Member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v stdjson.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, Member{Name: tok.(string), Value: jsontext.Value(v)})
	}
	return out
}
