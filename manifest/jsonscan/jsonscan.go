// Package jsonscan splits valid JSON objects into their members with a
// plain byte scan, at a fraction of the cost of a json.Decoder. The
// manifest and the permission objects are read through it: callers first
// check the input with json.Valid (or know it to be valid), split it here,
// and fall back to a json.Decoder only to word an error. Nothing here
// validates: every function assumes valid JSON and reads within its bounds
// on any input.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Member is one member of a JSON object: its key, unquoted, and its value
// as it stands in the input.
type Member struct {
	Key   string
	Value json.RawMessage
}

// Members splits raw, valid JSON, into the members of the object it holds,
// in order, as a json.Decoder reads them; the values are slices of raw. It
// reports false where raw is not an object or holds a key twice.
func Members(raw []byte) ([]Member, bool) {
	i := SkipSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return nil, false
	}
	out := make([]Member, 0, 8)
	keys := make([]string, 0, 16)
	for i = SkipSpace(raw, i+1); i < len(raw) && raw[i] != '}'; {
		end := StringEnd(raw, i)
		key := Unquote(raw[i:end])
		i = SkipSpace(raw, SkipSpace(raw, end)+1) // past the ':'
		end = ValueEnd(raw, i)
		out = append(out, Member{key, raw[i:end:end]})
		keys = append(keys, key)
		if i = SkipSpace(raw, end); i < len(raw) && raw[i] == ',' {
			i = SkipSpace(raw, i+1)
		}
	}
	return out, !HasDuplicate(keys)
}

// HasDuplicate reports whether keys holds a key twice: pairwise for a few
// keys, sorted for many, so that a wide object costs n log n, not n².
func HasDuplicate(keys []string) bool {
	if len(keys) > 16 {
		sorted := slices.Sorted(slices.Values(keys))
		for i := 1; i < len(sorted); i++ {
			if sorted[i] == sorted[i-1] {
				return true
			}
		}
		return false
	}
	for i := range keys {
		for j := range i {
			if keys[i] == keys[j] {
				return true
			}
		}
	}
	return false
}

// Unquote returns the string that s, a valid JSON string with its quotes,
// stands for, as a json.Decoder reads it.
func Unquote(s []byte) string {
	if len(s) < 2 {
		return ""
	}
	if bytes.IndexByte(s, '\\') < 0 {
		return string(s[1 : len(s)-1])
	}
	var out string
	json.Unmarshal(s, &out)
	return out
}

// SkipSpace returns the index of the first byte at or after i in raw that
// is not JSON white space.
func SkipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// StringEnd returns the index just past the JSON string that starts at
// raw[i] (its opening quote).
func StringEnd(raw []byte, i int) int {
	for i++; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(raw)
}

// ValueEnd returns the index just past the JSON value that starts at
// raw[i].
func ValueEnd(raw []byte, i int) int {
	depth := 0
	for ; i < len(raw); i++ {
		switch raw[i] {
		case '"':
			i = StringEnd(raw, i) - 1
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // a number or literal, closed by its parent
			}
			if depth--; depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}
