package permissions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rvm-launcher/rvm/manifest/jsonscan"
)

// Limits on a permissions object, so that a hostile document costs little.
const (
	// MaxPermissions is the most leaves one permissions object may hold.
	MaxPermissions = 1024
	// MaxDepth is the deepest nesting of a permissions object.
	MaxDepth = 8
)

// Entry is one leaf of a permissions object: its dotted Name, whether it is
// Enabled, and for the object form the whole object as Constraints (nil for
// a plain boolean).
type Entry struct {
	Name        string
	Enabled     bool
	Constraints json.RawMessage
}

// Parse flattens a nested permissions object into its leaves, sorted by
// name. where names the object in errors (for example
// "startup_app.permissions"). It refuses anything but objects and booleans,
// keys that are empty or hold a dot or a control character, duplicate keys
// (in a constraints object, at any depth), nesting deeper than MaxDepth and
// more than MaxPermissions leaves. A nil or JSON null object has no leaves.
func Parse(raw json.RawMessage, where string) ([]Entry, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	top, err := objectMembers(raw, where)
	if err != nil {
		return nil, err
	}
	var out []Entry
	if err := flatten(top, where, "", 0, &out); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// flatten appends to out the leaves of the object at prefix (where itself
// when prefix is ""), split into its members ms.
func flatten(ms []member, where, prefix string, depth int, out *[]Entry) error {
	at := where
	if prefix != "" {
		at = where + "." + prefix
	}
	if depth > MaxDepth {
		return fmt.Errorf("permissions: %s: nested deeper than %d levels", at, MaxDepth)
	}
	for _, m := range ms {
		if err := checkKey(m.Key, at); err != nil {
			return err
		}
		name := m.Key
		if prefix != "" {
			name = prefix + "." + m.Key
		}
		v := bytes.TrimSpace(m.Value)
		switch {
		case string(v) == "true" || string(v) == "false":
			if err := add(out, Entry{Name: name, Enabled: string(v) == "true"}, where); err != nil {
				return err
			}
		case len(v) > 0 && v[0] == '{':
			// v is part of an object that members has read, and so
			// valid JSON.
			inner, err := members(v, where+"."+name, true)
			if err != nil {
				return err
			}
			enabled, isLeaf, err := enabledField(inner, where+"."+name)
			if err != nil {
				return err
			}
			if isLeaf {
				if err := checkConstraints(v, where+"."+name); err != nil {
					return err
				}
				if err := add(out, Entry{Name: name, Enabled: enabled, Constraints: append(json.RawMessage(nil), v...)}, where); err != nil {
					return err
				}
				continue
			}
			if err := flatten(inner, where, name, depth+1, out); err != nil {
				return err
			}
		default:
			return fmt.Errorf("permissions: %s.%s: want true, false or an object", where, name)
		}
	}
	return nil
}

func add(out *[]Entry, e Entry, where string) error {
	if len(*out) >= MaxPermissions {
		return fmt.Errorf("permissions: %s: more than %d permissions", where, MaxPermissions)
	}
	*out = append(*out, e)
	return nil
}

func checkKey(key, at string) error {
	if key == "" {
		return fmt.Errorf("permissions: %s: empty key", at)
	}
	if strings.Contains(key, ".") {
		return fmt.Errorf("permissions: %s: key %q holds a dot", at, key)
	}
	for _, r := range key {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return fmt.Errorf("permissions: %s: key %q holds a control or invalid character", at, key)
		}
	}
	return nil
}

// enabledField reports whether the object split into ms is a leaf (it has
// an "enabled" member) and if so the value of that member, which must be a
// boolean.
func enabledField(ms []member, at string) (enabled, isLeaf bool, err error) {
	for _, m := range ms {
		if m.Key != "enabled" {
			continue
		}
		switch string(bytes.TrimSpace(m.Value)) {
		case "true":
			return true, true, nil
		case "false":
			return false, true, nil
		}
		return false, false, fmt.Errorf("permissions: %s.enabled: want true or false", at)
	}
	return false, false, nil
}

// checkConstraints refuses a duplicate key in any object, at any depth, of
// the constraints object raw (valid JSON): it travels to the runtime as it
// stands, and two readers must not see two different constraints.
// mayRefuse clears most objects at little cost; decodeConstraints words
// the error.
func checkConstraints(raw json.RawMessage, at string) error {
	if !mayRefuse(raw) {
		return nil
	}
	return decodeConstraints(raw, at)
}

// decodeConstraints reads raw once, token by token, so that deep nesting
// costs no more than its length, and reports its first duplicate key (or
// a number that does not fit a float64, which is how the decoder reads
// numbers).
func decodeConstraints(raw json.RawMessage, at string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	// One entry per open object (the keys it has so far) or array (nil).
	var open []map[string]bool
	wantKey := false // the next token is a key or the '}' of the innermost object
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("permissions: %s: %w", at, err)
		}
		if key, ok := tok.(string); ok && wantKey {
			keys := open[len(open)-1]
			if keys[key] {
				return fmt.Errorf("permissions: %s: duplicate key %q", at, key)
			}
			keys[key] = true
			wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			open = append(open, map[string]bool{})
			wantKey = true
			continue
		case json.Delim('['):
			open = append(open, nil)
			wantKey = false
			continue
		case json.Delim('}'), json.Delim(']'):
			open = open[:len(open)-1]
		}
		// A value ended: inside an object, a key comes next.
		wantKey = len(open) > 0 && open[len(open)-1] != nil
	}
}

// member is one member of an object, as jsonscan splits it.
type member = jsonscan.Member

// objectMembers splits a JSON object into its members in order, refusing
// duplicate keys, anything that is not an object, a byte-order mark and
// text that is not UTF-8 (which encoding/json would quietly replace).
func objectMembers(raw json.RawMessage, at string) ([]member, error) {
	return members(raw, at, false)
}

// members is objectMembers; valid says that raw is known to be valid JSON.
// Valid JSON (the common case) is split by splitValid, a plain scan at a
// fraction of the cost of a json.Decoder; anything else, and every error,
// goes through the decoder, which words the error.
func members(raw json.RawMessage, at string, valid bool) ([]member, error) {
	if bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		return nil, fmt.Errorf("permissions: %s: starts with a byte-order mark, which JSON does not allow", at)
	}
	if !utf8.Valid(raw) {
		return nil, fmt.Errorf("permissions: %s: not valid UTF-8", at)
	}
	if valid || json.Valid(raw) {
		if out, ok := splitValid(raw); ok {
			return out, nil
		}
	}
	return decodeMembers(raw, at)
}

// decodeMembers splits raw with a json.Decoder, naming what is wrong.
func decodeMembers(raw json.RawMessage, at string) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("permissions: %s: %w", at, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("permissions: %s: want an object", at)
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("permissions: %s: %w", at, err)
		}
		key := tok.(string)
		if seen[key] {
			return nil, fmt.Errorf("permissions: %s: duplicate key %q", at, key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("permissions: %s.%s: %w", at, key, err)
		}
		out = append(out, member{Key: key, Value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("permissions: %s: %w", at, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("permissions: %s: data after the object", at)
	}
	return out, nil
}

// splitValid splits raw, valid JSON, into the members of the object it
// holds, as the json.Decoder of members does. It reports false where raw
// is not an object or holds a key twice, for the decoder to word the
// error.
func splitValid(raw []byte) ([]member, bool) {
	return jsonscan.Members(raw)
}

// mayRefuse reports whether decodeConstraints may refuse raw, valid JSON:
// whether an object anywhere in it holds a key twice, or a number does not
// fit a float64.
func mayRefuse(raw []byte) bool {
	keys := make([]string, 0, 16) // the keys of the open objects, innermost last
	var open []int                // per open object, where its keys start; -1 for an array
	wantKey := false              // a string now is a key
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '"':
			end := jsonscan.StringEnd(raw, i)
			if wantKey {
				keys = append(keys, jsonscan.Unquote(raw[i:end]))
				wantKey = false
			}
			i = end - 1
		case '{':
			open = append(open, len(keys))
			wantKey = true
		case '[':
			open = append(open, -1)
		case '}', ']':
			if start := open[len(open)-1]; start >= 0 {
				if jsonscan.HasDuplicate(keys[start:]) {
					return true
				}
				keys = keys[:start]
			}
			open = open[:len(open)-1]
		case ',':
			wantKey = open[len(open)-1] >= 0
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			end := jsonscan.ValueEnd(raw, i)
			if _, err := strconv.ParseFloat(string(raw[i:end]), 64); err != nil {
				return true
			}
			i = end - 1
		}
	}
	return false
}

// Requested merges the leaves of several permissions objects (a manifest's
// startup_app and platform) into the set an app requests: every name that
// is enabled in at least one of them, once, sorted by name. Where both
// enable a name, the first object's constraints are kept.
func Requested(lists ...[]Entry) []Entry {
	seen := map[string]bool{}
	var out []Entry
	for _, l := range lists {
		for _, e := range l {
			if !e.Enabled || seen[e.Name] {
				continue
			}
			seen[e.Name] = true
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
