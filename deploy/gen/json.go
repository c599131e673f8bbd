package main

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// object is a JSON object whose members keep the order they were given
// in, so that a schema reads as it was written. A member whose value is
// nil is left out.
type object []member

type member struct {
	name  string
	value any
}

// obj makes an object of name, value pairs.
func obj(pairs ...any) object {
	if len(pairs)%2 != 0 {
		panic("gen: obj needs name, value pairs")
	}
	o := make(object, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		o = append(o, member{pairs[i].(string), pairs[i+1]})
	}
	return o
}

// with returns o and the members of more after it.
func (o object) with(more ...any) object {
	return append(append(object{}, o...), obj(more...)...)
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, m := range o {
		if m.value == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		name, err := marshal(m.name, "")
		if err != nil {
			return nil, err
		}
		value, err := marshal(m.value, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.name, err)
		}
		b.Write(name)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal encodes v as JSON without escaping <, > and &, indented by
// indent ("" for none).
func marshal(v any, indent string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if indent == "" {
		return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
	}
	return b.Bytes(), nil
}

// marshalIndent is a generated JSON file: v indented by two spaces, with
// a final newline.
func marshalIndent(v any) ([]byte, error) { return marshal(v, "  ") }
