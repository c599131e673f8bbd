package trust

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// The block and its config are read with github.com/go-json-experiment/json
// and worded with package strictjson. Each object is read, in one pass,
// into a struct whose fields are its known members as they stand
// (jsontext.Value) and whose embedded map holds the members of any other
// name; this package then words a member of the wrong kind, or of an
// unknown name, by where it is (joined only on failure).
//
// With its default options the library refuses all that strictjson does:
// a byte-order mark, invalid UTF-8, a key twice at any depth, anything
// after the value. strictjson says where and why, with line and column,
// at the cost of a pass of its own: document asks it only once the
// library has refused (FuzzDocument checks that the two agree).

// document reads data, named what in errors, as one strict JSON document
// that holds an object, into out (see above).
func document(data []byte, what string, out any) *Error {
	if json.Unmarshal(data, out) == nil {
		return nil
	}
	err := strictjson.Check(data)
	if err == nil {
		return fail(Malformed, nil, "%s is %s, want an object", what, strictjson.Kind(data))
	}
	// The reason says that the JSON is not valid: strictjson's own "not
	// JSON: " would say it twice.
	problem := err
	var se *strictjson.Error
	if errors.As(err, &se) && se.Syntax {
		plain := *se
		plain.Syntax = false
		problem = &plain
	}
	return fail(Malformed, err, "%s is not valid JSON: %v", what, problem)
}

// part reads v, a part of a document that document read, into out (see
// above), or reports that it is not an object, naming it by where.
func part(v jsontext.Value, out any, where ...string) *Error {
	if v.Kind() != '{' {
		return fail(Malformed, nil, "%s is %s, want an object", strings.Join(where, ""), strictjson.Kind(v))
	}
	if err := json.Unmarshal(v, out); err != nil {
		return fail(Malformed, err, "%s: %v", strings.Join(where, ""), err)
	}
	return nil
}

// elements returns the elements of v, a part of a document that document
// read, and reports whether v is an array.
func elements(v jsontext.Value) ([]jsontext.Value, bool) {
	var elems []jsontext.Value
	if v.Kind() != '[' || json.Unmarshal(v, &elems) != nil {
		return nil, false
	}
	return elems, true
}

// unknownKey returns the first, in sorted order, of the keys of the
// members that a struct has no field for; "" when there are none.
func unknownKey(other map[string]jsontext.Value) string {
	if len(other) == 0 {
		return ""
	}
	return slices.Min(slices.Collect(maps.Keys(other)))
}

// stringOf returns the string that v, a part of a document that document
// read, holds, or an error naming it by where when v is not a string.
func stringOf(v jsontext.Value, where ...string) (string, *Error) {
	if v.Kind() == '"' && bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), nil
	}
	s, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		return "", fail(Malformed, nil, "%s is %s, want a string", strings.Join(where, ""), strictjson.Kind(v))
	}
	return string(s), nil
}
