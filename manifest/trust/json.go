package trust

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of a config document: the apps array, an
// app, and a permissions object with its own depth bound and constraints
// fit well inside it.
const maxJSONDepth = 32

// node is one value of a strictly parsed JSON document.
type node struct {
	kind  byte     // '{' object, '[' array, '"' string, '0' number, 't' true, 'f' false, 'n' null
	raw   []byte   // the value as it stands in the document
	str   string   // a string's value
	keys  []string // an object's keys, in order
	elems []*node  // an object's values (parallel to keys) or an array's elements
}

// jsonError is a syntax error at a byte offset.
type jsonError struct {
	msg string
	off int
}

func (e *jsonError) Error() string { return e.msg + " at byte " + strconv.Itoa(e.off) }

// parseJSON parses one JSON document strictly: RFC 8259 syntax, valid
// UTF-8 in strings, no duplicate key in any object, nesting at most
// maxJSONDepth, nothing but whitespace after the value.
func parseJSON(data []byte) (*node, error) {
	s := &scanner{data: data}
	n, err := s.value(0)
	if err != nil {
		return nil, err
	}
	s.ws()
	if s.pos != len(s.data) {
		return nil, s.errorf("data after the top-level value")
	}
	return n, nil
}

// scanner reads JSON from data, byte by byte.
type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) errorf(msg string) error { return &jsonError{msg, s.pos} }

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after whitespace, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos == len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

func (s *scanner) value(depth int) (*node, error) {
	if depth >= maxJSONDepth {
		return nil, s.errorf("nested deeper than " + strconv.Itoa(maxJSONDepth) + " levels")
	}
	c := s.peek()
	start := s.pos
	var n *node
	var err error
	switch c {
	case '{':
		n, err = s.object(depth)
	case '[':
		n, err = s.array(depth)
	case '"':
		var str string
		str, err = s.str()
		n = &node{kind: '"', str: str}
	case 't':
		n, err = s.literal("true", 't')
	case 'f':
		n, err = s.literal("false", 'f')
	case 'n':
		n, err = s.literal("null", 'n')
	case 0:
		return nil, s.errorf("unexpected end of input")
	default:
		n, err = s.number()
	}
	if err != nil {
		return nil, err
	}
	n.raw = s.data[start:s.pos]
	return n, nil
}

// scannedKeys is how many keys an object may have before duplicates are
// looked for in a map rather than by scanning the keys so far: a scan
// costs a hostile object of thousands of keys time quadratic in their
// number.
const scannedKeys = 16

func (s *scanner) object(depth int) (*node, error) {
	s.pos++ // '{'
	n := &node{kind: '{'}
	if s.peek() == '}' {
		s.pos++
		return n, nil
	}
	var seen map[string]bool // the keys, once there are more than scannedKeys
	for {
		if s.peek() != '"' {
			return nil, s.errorf("want a string key")
		}
		key, err := s.str()
		if err != nil {
			return nil, err
		}
		if seen == nil && len(n.keys) == scannedKeys {
			seen = make(map[string]bool, 4*scannedKeys)
			for _, k := range n.keys {
				seen[k] = true
			}
		}
		dup := seen[key]
		if seen == nil {
			dup = slices.Contains(n.keys, key)
		}
		if dup {
			return nil, s.errorf("duplicate key " + strconv.Quote(key))
		}
		if seen != nil {
			seen[key] = true
		}
		if s.peek() != ':' {
			return nil, s.errorf("want ':' after key " + strconv.Quote(key))
		}
		s.pos++
		v, err := s.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, key)
		n.elems = append(n.elems, v)
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return n, nil
		default:
			return nil, s.errorf("want ',' or '}' in an object")
		}
	}
}

func (s *scanner) array(depth int) (*node, error) {
	s.pos++ // '['
	n := &node{kind: '['}
	if s.peek() == ']' {
		s.pos++
		return n, nil
	}
	for {
		v, err := s.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, v)
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return n, nil
		default:
			return nil, s.errorf("want ',' or ']' in an array")
		}
	}
}

func (s *scanner) literal(lit string, kind byte) (*node, error) {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return nil, s.errorf("invalid literal")
	}
	s.pos += len(lit)
	return &node{kind: kind}, nil
}

// number reads a number by the grammar of RFC 8259 section 6.
func (s *scanner) number() (*node, error) {
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = s.digits(i)
	default:
		return nil, s.errorf("invalid value")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i = s.digits(i); i < 0 {
			return nil, s.errorf("invalid number")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i = s.digits(i); i < 0 {
			return nil, s.errorf("invalid number")
		}
	}
	s.pos = i
	return &node{kind: '0'}, nil
}

// digits returns the end of the run of digits that starts at data[i],
// one at least; where there is none it leaves s.pos at i, for the error,
// and returns -1.
func (s *scanner) digits(i int) int {
	j := i
	for j < len(s.data) && s.data[j] >= '0' && s.data[j] <= '9' {
		j++
	}
	if j == i {
		s.pos = i
		return -1
	}
	return j
}

// plain marks the bytes that a string holds as they are: all but the
// quote, the backslash and control characters.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string at s.pos (which holds '"'). A string without escapes
// is taken as it stands, after a check that it is valid UTF-8; one with
// escapes is decoded by encoding/json, which checks them.
func (s *scanner) str() (string, error) {
	start := s.pos
	d := s.data
	i := start + 1
	escaped := false
	for {
		for i < len(d) && plain[d[i]] {
			i++
		}
		if i == len(d) {
			s.pos = i
			return "", s.errorf("unterminated string")
		}
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			if !utf8.Valid(d[start:s.pos]) {
				return "", s.errorf("invalid UTF-8 in a string")
			}
			if !escaped {
				return string(d[start+1 : i]), nil
			}
			var out string
			if err := json.Unmarshal(d[start:s.pos], &out); err != nil {
				s.pos = start
				return "", s.errorf("invalid string escape")
			}
			return out, nil
		case c == '\\':
			escaped = true
			i = min(i+2, len(d))
		default:
			s.pos = i
			return "", s.errorf("control character in a string")
		}
	}
}

// member returns the value of key in object n, or nil.
func (n *node) member(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.elems[i]
		}
	}
	return nil
}

// kindName names a node's kind for error messages.
func (n *node) kindName() string {
	switch n.kind {
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
	}
	return "null"
}
