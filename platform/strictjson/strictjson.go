// Package strictjson is rvm's one way of reading JSON that came from
// outside (manifests, signed blocks, settings files, desktop owner
// settings, the local API): github.com/go-json-experiment/json, the
// package that becomes encoding/json/v2, with its strict defaults (invalid
// UTF-8 and duplicate object names refused, at every depth), and the rules
// it leaves to its caller: no byte-order mark, exactly one value and
// nothing after it but white space, and errors that give the line and
// column of the fault. Nesting is bounded by the library: at most 10000
// levels of objects and arrays.
//
// A document is checked once, whole, by Check, Object (which also splits
// it into its members) or Unmarshal (which also decodes it into a Go
// value); its parts are then read with Members, Elements and Kind, which
// assume valid JSON.
package strictjson

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Error is JSON that could not be read: where (line and column, from 1,
// and the JSON Pointer of the value at fault) and why.
type Error struct {
	Line, Column int
	// Pointer is the JSON Pointer (RFC 6901) of the value at fault; "" for
	// the whole document.
	Pointer string
	// Syntax reports that the input is not JSON at all (as opposed to JSON
	// that breaks a rule: a duplicate key, a wrong type).
	Syntax bool
	Err    error
}

// maxPointerText bounds the JSON Pointer that an error message shows: a
// document nested thousands of levels deep would otherwise make a message
// of tens of kilobytes. Its start, which names the top-level key, is kept.
const maxPointerText = 200

func (e *Error) Error() string {
	prefix := ""
	if e.Syntax {
		prefix = "not JSON: "
	}
	if e.Pointer != "" {
		return fmt.Sprintf("%sline %d, column %d (at %s): %v", prefix, e.Line, e.Column, shortPointer(e.Pointer), e.Err)
	}
	return fmt.Sprintf("%sline %d, column %d: %v", prefix, e.Line, e.Column, e.Err)
}

// shortPointer is p, or its first tokens and "/..." where p is longer than
// maxPointerText.
func shortPointer(p string) string {
	if len(p) <= maxPointerText {
		return p
	}
	cut := strings.LastIndexByte(p[:maxPointerText+1], '/')
	if cut <= 0 {
		cut = maxPointerText
	}
	return p[:cut] + "/..."
}

func (e *Error) Unwrap() error { return e.Err }

// Position returns the line and column (from 1, counting bytes) of the
// byte at offset in data; an offset outside data counts as its nearer end.
func Position(data []byte, offset int64) (line, column int) {
	offset = max(0, min(offset, int64(len(data))))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	column = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, column
}

// errorAt turns a jsontext or json error on data into an *Error.
func errorAt(data []byte, err error) error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		line, col := Position(data, se.ByteOffset)
		if errors.Is(se.Err, jsontext.ErrDuplicateName) {
			return &Error{Line: line, Column: col, Pointer: string(se.JSONPointer), Err: fmt.Errorf("duplicate key %q", se.JSONPointer.LastToken())}
		}
		return &Error{Line: line, Column: col, Pointer: string(se.JSONPointer), Syntax: true, Err: describe(se.Err)}
	}
	var me *json.SemanticError
	if errors.As(err, &me) {
		line, col := Position(data, me.ByteOffset)
		return &Error{Line: line, Column: col, Pointer: string(me.JSONPointer), Err: semantic(data, me)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		line, col := Position(data, int64(len(data)))
		return &Error{Line: line, Column: col, Syntax: true, Err: errors.New("unexpected end of input")}
	}
	return err
}

// describe words the library's terse errors for a person.
func describe(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("unexpected end of input")
	}
	return err
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// semantic words an error of a value that does not fit its Go type.
func semantic(data []byte, me *json.SemanticError) error {
	t := me.GoType
	switch {
	case errors.Is(me.Err, json.ErrUnknownName):
		return fmt.Errorf("unknown key %q", me.JSONPointer.LastToken())
	case t != nil && me.JSONKind != 0 && me.JSONKind != '"' && reflect.PointerTo(t).Implements(textUnmarshaler):
		return fmt.Errorf("want a string, got %s", kindName(me.JSONKind))
	case t != nil && me.JSONKind == '0' && (errors.Is(me.Err, strconv.ErrSyntax) || errors.Is(me.Err, strconv.ErrRange)):
		return fmt.Errorf("want %s, got %s", fits(t.Kind()), numberAt(data, me.ByteOffset))
	case me.Err != nil:
		return me.Err
	case t != nil && me.JSONKind != 0:
		return fmt.Errorf("want %s, got %s", goKind(t.Kind()), kindName(me.JSONKind))
	}
	return me
}

// numberAt is the JSON number that starts at offset in data, cut short
// where it is long.
func numberAt(data []byte, offset int64) string {
	if offset < 0 || offset >= int64(len(data)) {
		return "a number"
	}
	n := data[offset:]
	end := 0
	for end < len(n) && end < 40 && strings.IndexByte("+-.0123456789eE", n[end]) >= 0 {
		end++
	}
	if end < len(n) && strings.IndexByte("+-.0123456789eE", n[end]) >= 0 {
		return string(n[:end]) + "..."
	}
	return string(n[:end])
}

// goKind describes what a Go value of kind k holds, for "want ...".
func goKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a number"
}

// fits describes the numbers that a Go number of kind k holds.
func fits(k reflect.Kind) string {
	if k == reflect.Float32 || k == reflect.Float64 {
		return "a number that fits " + k.String()
	}
	return "an integer that fits " + k.String()
}

// Check reports whether data is one strict JSON value: no byte-order mark,
// valid UTF-8, no duplicate object names at any depth, nothing after the
// value but white space. Its error is an *Error.
func Check(data []byte) error {
	_, err := read(data, strict)
	return err
}

// The decoder options of a strict read, and of a lax one, which leaves
// duplicate keys and escapes that stand for invalid UTF-8 (the input's
// bytes are always valid UTF-8) to the caller, level by level.
var (
	strict = []jsontext.Options{}
	lax    = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}
)

// read checks data and returns its one value, without the white space
// around it.
func read(data []byte, opts []jsontext.Options) (jsontext.Value, error) {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, &Error{Line: 1, Column: 1, Err: errors.New("starts with a byte-order mark, which JSON does not allow")}
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		line, col := Position(data, int64(off))
		return nil, &Error{Line: line, Column: col, Err: errors.New("not valid UTF-8")}
	}
	dec := jsontext.NewDecoder(bytes.NewBuffer(data), opts...)
	v, err := dec.ReadValue()
	if err == io.EOF {
		return nil, &Error{Line: 1, Column: 1, Syntax: true, Err: errors.New("empty input")}
	}
	if err != nil {
		return nil, errorAt(data, err)
	}
	end := dec.InputOffset()
	rest := data[end:]
	if trimmed := bytes.TrimLeft(rest, " \t\r\n"); len(trimmed) > 0 {
		line, col := Position(data, end+int64(len(rest)-len(trimmed)))
		what := "value"
		if v.Kind() == '{' {
			what = "object"
		}
		return nil, &Error{Line: line, Column: col, Err: fmt.Errorf("data after the JSON %s", what)}
	}
	return v, nil
}

// Member is one member of an object: its name, its value as it stands in
// the input (a slice of it, not a copy: the input must not change while
// the value is in use), and Offset, where the value starts: in bytes from the start
// of the value that Members split, or for Object of the document (see
// Position).
type Member struct {
	Name   string
	Value  jsontext.Value
	Offset int64
}

// Object checks data as Check does and, where it holds an object, returns
// its members in order. A value that is not an object is an *Error saying
// what it is.
func Object(data []byte) ([]Member, error) {
	return object(data, strict)
}

// Outer is Object for a document whose parts are read selectively (a
// manifest): it checks data as Check does, except that inside the values
// of its members duplicate keys and escapes that stand for invalid UTF-8
// are left for the caller to refuse in the parts it reads (with Members,
// which refuses a key twice at its own level, and Check). Keys a reader
// ignores are kept as they were found.
func Outer(data []byte) ([]Member, error) {
	return object(data, lax)
}

// Follow, given the name of a top-level member, may read that member's
// value itself from dec, positioned at the value, within the one pass
// that checks the document (OuterFollowing): it reports whether it read
// the value, whole, and an error where it could not (the document is then
// read again, without it).
type Follow func(name string, dec *jsontext.Decoder) (bool, error)

// OuterFollowing is Outer, where follow reads the values of the members it
// chooses as the document is checked, so that a part a reader walks is
// read once. followed reports whether follow's reads stand: false where
// the document is refused, or was read again without follow (then follow
// may have read a part of it, which its caller throws away and reads from
// the members).
func OuterFollowing(data []byte, follow Follow) (ms []Member, followed bool, err error) {
	if ms, ok := objectOnePass(data, lax, follow); ok {
		return ms, true, nil
	}
	ms, err = object(data, lax)
	return ms, false, err
}

func object(data []byte, opts []jsontext.Options) ([]Member, error) {
	if ms, ok := objectOnePass(data, opts, nil); ok {
		return ms, nil
	}
	// Something is wrong: read and Members word it, as for any value.
	v, err := read(data, opts)
	if err != nil {
		return nil, err
	}
	start := int64(len(data) - len(bytes.TrimLeft(data, " \t\r\n")))
	if v.Kind() != '{' {
		line, col := Position(data, start)
		return nil, &Error{Line: line, Column: col, Err: fmt.Errorf("the top level is %s, want an object", Kind(v))}
	}
	ms, err := Members(v)
	for i := range ms {
		ms[i].Offset += start
	}
	if err != nil {
		line, col := Position(data, start)
		return nil, &Error{Line: line, Column: col, Err: err}
	}
	return ms, nil
}

// objectOnePass is object for data that it accepts: the checks of read
// and the split of Members in one pass of one decoder, the members'
// values slices of data. It reports false for anything it does not
// accept (not an object, a fault, a key twice at the top level), which
// object then reads again to word the refusal: a manifest is read once
// where it is good, not twice.
func objectOnePass(data []byte, opts []jsontext.Options, follow Follow) ([]Member, bool) {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || !utf8.Valid(data) {
		return nil, false
	}
	dec := jsontext.NewDecoder(bytes.NewBuffer(data), opts...)
	if dec.PeekKind() != '{' {
		return nil, false
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, false
	}
	out := make([]Member, 0, 16)
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, false
		}
		name := tok.String() // before the next read, which reuses its bytes
		var val jsontext.Value
		from := dec.InputOffset()
		if followed, ferr := followMember(follow, name, dec); ferr != nil {
			return nil, false
		} else if followed {
			// What follow read: the value, after the colon and the white
			// space around it.
			val = bytes.TrimLeft(data[from:dec.InputOffset()], " \t\r\n:")
		} else if val, err = dec.ReadValue(); err != nil {
			return nil, false
		}
		out = append(out, Member{Name: name, Value: val, Offset: dec.InputOffset() - int64(len(val))})
	}
	if _, err := dec.ReadToken(); err != nil { // }
		return nil, false
	}
	if rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, false
	}
	if _, dup := duplicate(out); dup {
		return nil, false
	}
	return out, true
}

// followMember lets follow (where set) read the value of the member name.
func followMember(follow Follow, name string, dec *jsontext.Decoder) (bool, error) {
	if follow == nil {
		return false, nil
	}
	return follow(name, dec)
}

// Members returns the members of v, valid JSON that holds an object, in
// order. It reports an error where v is not an object or holds a key
// twice at its own level (deeper levels are checked where they are read:
// see Outer).
func Members(v jsontext.Value) ([]Member, error) {
	if v.Kind() != '{' {
		return nil, fmt.Errorf("want an object, got %s", Kind(v))
	}
	dec := jsontext.NewDecoder(bytes.NewBuffer(v), lax...)
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	out := make([]Member, 0, 8)
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		name := tok.String() // before the next read, which reuses its bytes
		val, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		out = append(out, Member{Name: name, Value: val, Offset: dec.InputOffset() - int64(len(val))})
	}
	if name, dup := duplicate(out); dup {
		return nil, fmt.Errorf("duplicate key %q", name)
	}
	return out, nil
}

// duplicate reports a name that ms holds twice.
func duplicate(ms []Member) (string, bool) {
	if len(ms) < 2 {
		return "", false
	}
	seen := make(map[string]bool, len(ms))
	for _, m := range ms {
		if seen[m.Name] {
			return m.Name, true
		}
		seen[m.Name] = true
	}
	return "", false
}

// Elements returns the elements of v, valid JSON that holds an array, in
// order, as slices of v. It reports an error where v is not an array.
func Elements(v jsontext.Value) ([]jsontext.Value, error) {
	if v.Kind() != '[' {
		return nil, fmt.Errorf("want an array, got %s", Kind(v))
	}
	dec := jsontext.NewDecoder(bytes.NewBuffer(v), lax...)
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	var out []jsontext.Value
	for dec.PeekKind() != ']' {
		val, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		out = append(out, val)
	}
	return out, nil
}

// Unmarshal decodes data (one strict JSON value) into out. With
// rejectUnknown, an object member that out has no field for is an error.
// Its error is an *Error naming the place.
func Unmarshal(data []byte, out any, rejectUnknown bool) error {
	// The library refuses all that Check does; Check runs only to word
	// its refusal.
	err := json.Unmarshal(data, out, json.RejectUnknownMembers(rejectUnknown))
	if err == nil {
		return nil
	}
	if _, rerr := read(data, strict); rerr != nil {
		return rerr
	}
	return errorAt(data, err)
}

// Kind names the kind of the JSON value v for a message: "an object", "an
// array", "a string", "a number", "a boolean" or "null".
func Kind(v jsontext.Value) string {
	return kindName(v.Kind())
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "not JSON"
}
