package trust

import (
	"bytes"
	"io"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

func TestNestedDeeper(t *testing.T) {
	cases := []struct {
		name, data string
		max        int
		want       bool
	}{
		{"flat", `{"a":1,"b":"x"}`, 1, false},
		{"at-bound", `{"a":[{"b":[]}]}`, 4, false},
		{"past-bound", `{"a":[{"b":[[]]}]}`, 4, true},
		{"closed-then-opened", `[[[]],[[]]]`, 3, false},
		{"brackets-in-a-string", `{"a":"[[[[[[{{{{"}`, 1, false},
		{"escaped-quote-in-a-string", `{"a":"\"[[[["}`, 1, false},
		{"escaped-backslash-ends-a-string", `{"a":"\\","b":[[]]}`, 2, true},
		{"unterminated-string", `{"a":"[[[[`, 1, false},
		{"unclosed", `{{{`, 2, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := nestedDeeper([]byte(tc.data), tc.max); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// FuzzNestedDeeper checks nestedDeeper against jsontext's own count of the
// nesting of valid JSON.
func FuzzNestedDeeper(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"]\"["}]}`, `[[[[]]],[]]`, `"\\\\"`, `{"\\"":[[]]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := jsontext.NewDecoder(bytes.NewReader(data))
		most := 0
		for {
			if _, err := dec.ReadToken(); err == io.EOF {
				break
			} else if err != nil {
				return // not JSON: nestedDeeper need only read it within bounds
			}
			most = max(most, dec.StackDepth())
		}
		for _, n := range []int{max(most-1, 0), most} {
			if got := nestedDeeper(data, n); got != (most > n) {
				t.Fatalf("nestedDeeper(%q, %d) = %v; jsontext nests it %d deep", data, n, got, most)
			}
		}
	})
}
