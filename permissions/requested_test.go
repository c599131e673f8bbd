package permissions

import (
	"bytes"
	"fmt"
	"github.com/go-json-experiment/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// benchPermissions is the permissions object of a typical app: a few
// booleans in three groups and one leaf with constraints.
const benchPermissions = `{
  "System": {
    "launchExternalProcess": true,
    "readRegistryValue": {"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme", "HKEY_LOCAL_MACHINE\\Software\\Acme"]},
    "getEnvironmentVariable": true,
    "getProcessList": false
  },
  "Window": {"getSnapshot": true, "executeJavaScript": false},
  "webAPIs": {"clipboard-read": true, "notifications": true}
}`

func BenchmarkParse(b *testing.B) {
	raw := []byte(benchPermissions)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw, "startup_app.permissions"); err != nil {
			b.Fatal(err)
		}
	}
}

// objectWithKeys is a JSON object of n members "k0".."k(n-1)", the last
// renamed to last when last is not "".
func objectWithKeys(n int, last string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		key := fmt.Sprintf("k%d", i)
		if i == n-1 && last != "" {
			key = last
		}
		fmt.Fprintf(&b, "%q: true", key)
	}
	b.WriteString("}")
	return b.String()
}

// TestDuplicateKeys checks the duplicate-key refusal of objectMembers and
// of constraints objects on both sides of the 16 keys where the check
// changes method, and for keys that are equal only once unescaped.
func TestDuplicateKeys(t *testing.T) {
	for _, tc := range []struct {
		name    string
		object  string
		wantDup string // "" for none
	}{
		{"sixteen-distinct", objectWithKeys(16, ""), ""},
		{"sixteen-last-repeats-first", objectWithKeys(16, "k0"), "k0"},
		{"seventeen-distinct", objectWithKeys(17, ""), ""},
		{"seventeen-last-repeats-first", objectWithKeys(17, "k0"), "k0"},
		{"seventeen-last-repeats-sixteenth", objectWithKeys(17, "k15"), "k15"},
		{"many-distinct", objectWithKeys(1000, ""), ""},
		{"many-last-repeats-middle", objectWithKeys(1000, "k500"), "k500"},
		{"escaped-equal", `{"a": 1, "\u0061": 2}`, "a"},
		{"escaped-distinct", `{"a": 1, "\u0062": 2, "\"": 3, "\\": 4}`, ""},
		{"value-strings-are-not-keys", `{"a": "a", "b": ["a", "a"], "c": {"a": "a"}}`, ""},
		{"numbers", `{"a": -1.5e300, "b": [0, 1E-400, 12]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := objectMembers(json.RawMessage(tc.object), "test")
			checkDup(t, "objectMembers", err, tc.wantDup)
			err = checkConstraints(json.RawMessage(`{"enabled": true, "c": [`+tc.object+`]}`), "test")
			checkDup(t, "checkConstraints", err, tc.wantDup)
		})
	}
}

func checkDup(t *testing.T, what string, err error, wantDup string) {
	t.Helper()
	switch {
	case wantDup == "" && err != nil:
		t.Errorf("%s: got %v, want no error", what, err)
	case wantDup != "" && (err == nil || !strings.Contains(err.Error(), fmt.Sprintf("duplicate key %q", wantDup))):
		t.Errorf("%s: got %v, want duplicate key %q", what, err, wantDup)
	}
}

// FuzzSplitValid checks the plain scans of valid JSON against the
// json.Decoder reading they stand in for: the same members, and a
// constraints object refused exactly where the decoder refuses it.
func FuzzSplitValid(f *testing.F) {
	f.Add([]byte(benchPermissions))
	f.Add([]byte(` { "a" : { "b" : [ 1 , -2.5e3 , "x\"y" , null ] } , "c" : true } `))
	f.Add([]byte(`{"\u0061": 1, "a\\": {"x": {"x": 1, "y": {"x": 2}}}, "é": [{}, []]}`))
	f.Add([]byte(`{"a": 1, "a": 2}`))
	f.Add([]byte(`[{"a": 1}, {"a": 1, "b": {"a": 1, "a": 2}}]`))
	f.Add([]byte(objectWithKeys(17, "k3")))
	f.Add([]byte(`"not an object"`))
	for _, dir := range []string{"../testdata/owner", "../testdata/manifest"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) || !utf8.Valid(data) {
			return // members never splits these without a decoder
		}
		got, ok := splitValid(data)
		want, err := decodeMembers(data, "fuzz")
		if ok != (err == nil) {
			t.Fatalf("splitValid ok %v, decoder error %v", ok, err)
		}
		if ok {
			if len(got) != len(want) {
				t.Fatalf("got %d members, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i].Key != want[i].Key || !bytes.Equal(got[i].Value, want[i].Value) {
					t.Fatalf("member %d: got %q: %s, want %q: %s", i, got[i].Key, got[i].Value, want[i].Key, want[i].Value)
				}
			}
		}
		if may, err := mayRefuse(data), decodeConstraints(data, "fuzz"); may != (err != nil) {
			t.Fatalf("mayRefuse %v, decoder error %v", may, err)
		}
	})
}
