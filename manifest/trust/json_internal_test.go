package trust

import (
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// FuzzDocument checks what document relies on: with its default options,
// the library refuses to read into a struct exactly the documents that
// strictjson refuses or that do not hold an object.
func FuzzDocument(f *testing.F) {
	for _, s := range []string{
		`{"value":"e30=","signature":{"linux":"AA=="}}`, "\ufeff{}", `{"a":1,"a":2}`, `{"a":{"b":[{"c":1,"c":2}]}}`,
		"{\"a\":\"\xff\"}", `{"\udc00":1}`, `{} {}`, "{}\r\n\t ", "{}\x00", `[]`, `"x"`, ``, ` `, `{"value":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc blockMembers
		lib := json.Unmarshal(data, &doc)
		strict := strictjson.Check(data)
		if want := strict == nil && jsontext.Value(data).Kind() == '{'; (lib == nil) != want {
			t.Fatalf("%q: the library says %v, strictjson %v", data, lib, strict)
		}
	})
}
