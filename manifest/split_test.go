package manifest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzSplitValid checks splitValid, the plain scan of valid JSON, against
// the json.Decoder reading it stands in for: the same members, and a
// refusal exactly where the decoder refuses.
func FuzzSplitValid(f *testing.F) {
	f.Add(benchManifest(2 << 10))
	f.Add([]byte(` { "a" : { "b" : [ 1 , -2.5e3 , "x\"y" , null ] } , "c" : true } `))
	f.Add([]byte(`{"\u0061": 1, "a\\": {"x": 1}, "é": [{}, []], "n": 1E700}`))
	f.Add([]byte(`{"a": 1, "\u0061": 2}`))
	f.Add([]byte(`["not an object"]`))
	files, _ := filepath.Glob("../testdata/manifest/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) || !utf8.Valid(data) {
			return // Parse never splits these without a decoder
		}
		got, ok := splitValid(data)
		for name, decode := range map[string]func() (map[string]json.RawMessage, error){
			"decodeTopLevel": func() (map[string]json.RawMessage, error) { return decodeTopLevel(data) },
			"decodeObject":   func() (map[string]json.RawMessage, error) { return decodeObject(data, "fuzz") },
		} {
			want, err := decode()
			if ok != (err == nil) {
				t.Fatalf("splitValid ok %v, %s error %v", ok, name, err)
			}
			if len(got) != len(want) {
				t.Fatalf("got %d members, %s %d", len(got), name, len(want))
			}
			for k, v := range want {
				if !bytes.Equal(got[k], v) {
					t.Fatalf("member %q: got %s, %s %s", k, got[k], name, v)
				}
			}
		}
	})
}
