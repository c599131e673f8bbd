// Package strictjson is rvm's one way of reading JSON that came from
// outside (manifests, signed blocks, settings files, desktop owner
// settings, the local API): github.com/go-json-experiment/json, the
// package that becomes encoding/json/v2, with its strict defaults (invalid
// UTF-8 and duplicate object names refused, at every depth), and the rules
// it leaves to its caller: no byte-order mark, exactly one value and
// nothing after it but white space, and errors that give the line and
// column of the fault.
//
// A document is checked once, whole, by Check (or Object, which also
// splits it into its members); its parts are then read with Members,
// Unmarshal or Kind, which assume valid JSON.
package strictjson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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

func (e *Error) Error() string {
	prefix := ""
	if e.Syntax {
		prefix = "not JSON: "
	}
	if e.Pointer != "" {
		return fmt.Sprintf("%sline %d, column %d (at %s): %v", prefix, e.Line, e.Column, e.Pointer, e.Err)
	}
	return fmt.Sprintf("%sline %d, column %d: %v", prefix, e.Line, e.Column, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Position returns the line and column (from 1, counting bytes) of the
// byte at offset in data.
func Position(data []byte, offset int64) (line, column int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
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
		msg := err
		if me.Err != nil {
			msg = me.Err
		} else if me.JSONKind != 0 && me.GoType != nil {
			msg = fmt.Errorf("want %s, got %s", goKind(me.GoType.Kind().String()), kindName(me.JSONKind))
		}
		return &Error{Line: line, Column: col, Pointer: string(me.JSONPointer), Err: msg}
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

func goKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a number"
}

// Check reports whether data is one strict JSON value: no byte-order mark,
// valid UTF-8, no duplicate object names at any depth, nothing after the
// value but white space. Its error is an *Error.
func Check(data []byte) error {
	_, err := read(data)
	return err
}

// read checks data and returns its one value, without the white space
// around it.
func read(data []byte) (jsontext.Value, error) {
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
	dec := jsontext.NewDecoder(bytes.NewReader(data))
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

// Member is one member of an object: its name and its value as it stands
// in the input.
type Member struct {
	Name  string
	Value jsontext.Value
}

// Object checks data as Check does and, where it holds an object, returns
// its members in order. A value that is not an object is an *Error saying
// what it is.
func Object(data []byte) ([]Member, error) {
	v, err := read(data)
	if err != nil {
		return nil, err
	}
	if v.Kind() != '{' {
		return nil, &Error{Line: 1, Column: 1, Err: fmt.Errorf("the top level is %s, want an object", Kind(v))}
	}
	return Members(v)
}

// Members returns the members of v, valid JSON that holds an object, in
// order. It reports an error where v is not an object.
func Members(v jsontext.Value) ([]Member, error) {
	if v.Kind() != '{' {
		return nil, fmt.Errorf("want an object, got %s", Kind(v))
	}
	dec := jsontext.NewDecoder(bytes.NewReader(v))
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
		out = append(out, Member{Name: name, Value: val.Clone()})
	}
	return out, nil
}

// Elements returns the elements of v, valid JSON that holds an array, in
// order. It reports an error where v is not an array.
func Elements(v jsontext.Value) ([]jsontext.Value, error) {
	if v.Kind() != '[' {
		return nil, fmt.Errorf("want an array, got %s", Kind(v))
	}
	dec := jsontext.NewDecoder(bytes.NewReader(v))
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	var out []jsontext.Value
	for dec.PeekKind() != ']' {
		val, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		out = append(out, val.Clone())
	}
	return out, nil
}

// Unmarshal decodes data (one strict JSON value) into out. With
// rejectUnknown, an object member that out has no field for is an error.
// Its error is an *Error naming the place.
func Unmarshal(data []byte, out any, rejectUnknown bool) error {
	if _, err := read(data); err != nil {
		return err
	}
	if err := json.Unmarshal(data, out, json.RejectUnknownMembers(rejectUnknown)); err != nil {
		return errorAt(data, err)
	}
	return nil
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
