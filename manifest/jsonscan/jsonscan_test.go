package jsonscan

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestMembers(t *testing.T) {
	tests := []struct {
		name string
		in   string
		keys []string
		vals []string
		ok   bool
	}{
		{name: "empty-object", in: ` { } `, ok: true},
		{name: "values-of-every-kind", in: `{"a": 1, "b":"x\"}", "c" : {"d": [1, {"e": "]"}]}, "f": null, "g": -1.5e3, "h": true}`,
			keys: []string{"a", "b", "c", "f", "g", "h"}, vals: []string{`1`, `"x\"}"`, `{"d": [1, {"e": "]"}]}`, `null`, `-1.5e3`, `true`}, ok: true},
		{name: "escaped-key", in: `{"\u0061b": 1}`, keys: []string{"ab"}, vals: []string{"1"}, ok: true},
		{name: "duplicate", in: `{"a": 1, "a": 2}`, ok: false},
		{name: "escaped-duplicate", in: `{"a": 1, "\u0061": 2}`, ok: false},
		{name: "nested-duplicate-is-not-ours", in: `{"a": {"b": 1, "b": 2}}`, keys: []string{"a"}, vals: []string{`{"b": 1, "b": 2}`}, ok: true},
		{name: "array", in: `[1]`, ok: false},
		{name: "string", in: `"a"`, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !json.Valid([]byte(tt.in)) {
				t.Fatalf("test input %q is not valid JSON", tt.in)
			}
			got, ok := Members([]byte(tt.in))
			if ok != tt.ok {
				t.Fatalf("got ok %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if len(got) != len(tt.keys) {
				t.Fatalf("got %d members, want %d", len(got), len(tt.keys))
			}
			for i, m := range got {
				if m.Key != tt.keys[i] || !bytes.Equal(m.Value, []byte(tt.vals[i])) {
					t.Errorf("member %d: got %q = %s, want %q = %s", i, m.Key, m.Value, tt.keys[i], tt.vals[i])
				}
			}
		})
	}
}

func TestHasDuplicate(t *testing.T) {
	few := []string{"a", "b", "c"}
	many := make([]string, 0, 40)
	for i := range 40 {
		many = append(many, string(rune('A'+i)))
	}
	for _, tt := range []struct {
		name string
		keys []string
		want bool
	}{
		{"few-distinct", few, false},
		{"few-repeated", append(few, "b"), true},
		{"many-distinct", many, false},
		{"many-repeated", append(many, "A"), true},
	} {
		if got := HasDuplicate(tt.keys); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
