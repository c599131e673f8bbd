package permissions

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/platform/strictjson"
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

// TestDuplicateKeys checks the duplicate-key refusal of a permissions
// object and of the constraints objects within it, for the document that
// holds it (checked whole, as every caller does) and for Parse given an
// object that was not: with few and many keys (the old scanner changed
// method at 16) and for keys that are equal only once unescaped.
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
		{"escaped-equal", `{"a": true, "\u0061": false}`, "a"},
		{"escaped-distinct", `{"a": true, "\u0062": true, "\"": true, "\\": true}`, ""},
		{"value-strings-are-not-keys", `{"a": {"enabled": true, "a": "a", "b": ["a", "a"], "c": {"a": "a"}}}`, ""},
		{"numbers", `{"x": {"enabled": true, "a": -1.5e300, "b": [0, 1E-400, 12, 1E700]}}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, doc := range []struct{ what, doc string }{
				{"permissions", tc.object},
				{"constraints", `{"P": {"enabled": true, "c": [` + tc.object + `]}}`},
			} {
				err := strictjson.Check([]byte(doc.doc))
				if err == nil {
					_, err = Parse(jsontext.Value(doc.doc), "test")
				}
				checkDup(t, doc.what+" in a document", err, fmt.Sprintf("duplicate key %q", tc.wantDup), tc.wantDup)
				_, err = Parse(jsontext.Value(doc.doc), "test")
				checkDup(t, doc.what+" alone", err, fmt.Sprintf("duplicate key %q", tc.wantDup), tc.wantDup)
			}
		})
	}
}

// checkDup checks err: none where wantDup is "", else one holding want.
func checkDup(t *testing.T, what string, err error, want, wantDup string) {
	t.Helper()
	switch {
	case wantDup == "" && err != nil:
		t.Errorf("%s: got %v, want no error", what, err)
	case wantDup != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("%s: got %v, want %s", what, err, want)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      string // the leaves, "name=enabled[+constraints]", or the error
	}{
		{"null", `null`, ""},
		{"empty", `{}`, ""},
		{"booleans-sorted", `{"Window": {"getSnapshot": false}, "System": {"launchExternalProcess": true}}`, "System.launchExternalProcess=true Window.getSnapshot=false"},
		{"object-form", `{"System": {"readRegistryValue": {"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software"]}}}`, `System.readRegistryValue=true+{"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software"]}`},
		{"object-form-disabled", `{"a": {"b": {"enabled": false}}}`, `a.b=false+{"enabled": false}`},
		{"unknown-names-kept", `{"Future": {"thing": true}}`, "Future.thing=true"},
		{"top-not-object", `[]`, "permissions: test: want an object, got an array"},
		{"leaf-string", `{"System": {"getCookies": "yes"}}`, "permissions: test.System.getCookies: want true, false or an object"},
		{"leaf-null", `{"System": {"getCookies": null}}`, "permissions: test.System.getCookies: want true, false or an object"},
		{"webapis-array", `{"webAPIs": ["video", "audio", "clipboard-read"]}`, "webAPIs.audio=true webAPIs.clipboard-read=true webAPIs.video=true"},
		{"webapis-array-empty", `{"webAPIs": []}`, ""},
		{"webapis-array-beside-groups", `{"webAPIs": ["audio"], "System": {"getOSInfo": true}}`, "System.getOSInfo=true webAPIs.audio=true"},
		{"webapis-array-unknown-name-kept", `{"webAPIs": ["teleport"]}`, "webAPIs.teleport=true"},
		{"webapis-array-number", `{"webAPIs": ["audio", 5]}`, "permissions: test.webAPIs[1]: want a string, got a number"},
		{"webapis-array-object", `{"webAPIs": [{"enabled": true}]}`, "permissions: test.webAPIs[0]: want a string, got an object"},
		{"webapis-array-nested", `{"webAPIs": [["audio"]]}`, "permissions: test.webAPIs[0]: want a string, got an array"},
		{"webapis-array-twice", `{"webAPIs": ["audio", "video", "audio"]}`, `permissions: test.webAPIs[2]: duplicate name "audio"`},
		{"webapis-array-twice-escaped", `{"webAPIs": ["audio", "\u0061udio"]}`, `permissions: test.webAPIs[1]: duplicate name "audio"`},
		{"webapis-array-empty-name", `{"webAPIs": [""]}`, "permissions: test.webAPIs[0]: empty name"},
		{"webapis-array-dotted-name", `{"webAPIs": ["clipboard.read"]}`, `permissions: test.webAPIs[0]: name "clipboard.read" holds a dot`},
		{"webapis-array-control-name", `{"webAPIs": ["a\u0007"]}`, `permissions: test.webAPIs[0]: name "a\a" holds a control or invalid character`},
		{"webapis-string", `{"webAPIs": "audio"}`, "permissions: test.webAPIs: want true, false, an object or an array of names"},
		{"array-outside-webapis", `{"System": ["getOSInfo"]}`, "permissions: test.System: want true, false or an object"},
		{"webapis-array-below-top", `{"System": {"webAPIs": ["audio"]}}`, "permissions: test.System.webAPIs: want true, false or an object"},
		{"enabled-not-boolean", `{"System": {"readRegistryValue": {"enabled": 1}}}`, "permissions: test.System.readRegistryValue.enabled: want true or false"},
		{"empty-key", `{"System": {"": true}}`, "permissions: test.System: empty key"},
		{"dotted-key", `{"System.getCookies": true}`, `permissions: test: key "System.getCookies" holds a dot`},
		{"control-key", `{"System": {"get\u0000Cookies": true}}`, `permissions: test.System: key "get\x00Cookies" holds a control or invalid character`},
		{"replacement-key", `{"a\ufffd": true}`, "permissions: test: key \"a\ufffd\" holds a control or invalid character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := strictjson.Check([]byte(tc.doc)); err != nil {
				t.Fatal(err)
			}
			entries, err := Parse(jsontext.Value(tc.doc), "test")
			var got []string
			for _, e := range entries {
				s := fmt.Sprintf("%s=%v", e.Name, e.Enabled)
				if e.Constraints != nil {
					s += "+" + string(e.Constraints)
				}
				got = append(got, s)
			}
			if err != nil {
				got = []string{err.Error()}
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("got  %s\nwant %s", g, tc.want)
			}
		})
	}
}

// TestParseBounds feeds each bound exactly what it allows and one more.
func TestParseBounds(t *testing.T) {
	// nested is n objects one inside the other around a leaf.
	nested := func(n int) string {
		return strings.Repeat(`{"a": `, n) + "true" + strings.Repeat("}", n)
	}
	for _, tc := range []struct {
		name  string
		limit int
		doc   func(n int) string
		want  string
	}{
		{"permissions", MaxPermissions, func(n int) string { return objectWithKeys(n, "") }, fmt.Sprintf("permissions: test: more than %d permissions", MaxPermissions)},
		// The top object and MaxDepth levels of groups below it hold
		// the leaf: MaxDepth+1 objects.
		{"depth", MaxDepth + 1, nested, fmt.Sprintf("nested deeper than %d levels", MaxDepth)},
		{"webapis-names", MaxPermissions, webAPINames, fmt.Sprintf("permissions: test: more than %d permissions", MaxPermissions)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(jsontext.Value(tc.doc(tc.limit)), "test"); err != nil {
				t.Errorf("at the limit: got %v, want no error", err)
			}
			_, err := Parse(jsontext.Value(tc.doc(tc.limit+1)), "test")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("one over the limit: got %v, want an error holding %q", err, tc.want)
			}
		})
	}
}

// webAPINames is a permissions object whose webAPIs array holds n names.
func webAPINames(n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%q", fmt.Sprintf("api%d", i))
	}
	return `{"webAPIs": [` + strings.Join(names, ", ") + `]}`
}

func TestRequested(t *testing.T) {
	startup := []Entry{{Name: "b", Enabled: true, Constraints: jsontext.Value(`{"enabled":true,"first":1}`)}, {Name: "c"}, {Name: "a", Enabled: true}}
	platform := []Entry{{Name: "b", Enabled: true, Constraints: jsontext.Value(`{"enabled":true,"second":1}`)}, {Name: "c", Enabled: true}, {Name: "d"}}
	got := Requested(startup, platform)
	var names []string
	for _, e := range got {
		names = append(names, e.Name)
	}
	if strings.Join(names, " ") != "a b c" || string(got[1].Constraints) != `{"enabled":true,"first":1}` {
		t.Errorf("got %v, want a, b (with the first list's constraints) and c", got)
	}
}

// TestRequestsBound: Add takes a list whole or not at all, counting only
// the enabled names it does not hold yet against the bound.
func TestRequestsBound(t *testing.T) {
	var r Requests
	steps := []struct {
		name string
		list []Entry
		want bool
	}{
		{"fills-the-bound", []Entry{{Name: "a", Enabled: true}, {Name: "b", Enabled: true}, {Name: "x"}}, true},
		{"names-held-and-disabled-are-free", []Entry{{Name: "a", Enabled: true, Constraints: jsontext.Value(`{"enabled":true}`)}, {Name: "y"}}, true},
		{"one-over-refused-whole", []Entry{{Name: "b", Enabled: true}, {Name: "c", Enabled: true}}, false},
		{"unbounded", []Entry{{Name: "d", Enabled: true}}, true},
	}
	for _, s := range steps {
		limit := 2
		if s.name == "unbounded" {
			limit = -1
		}
		if got := r.Add(s.list, limit); got != s.want {
			t.Errorf("%s: got %v, want %v", s.name, got, s.want)
		}
	}
	var names []string
	for _, e := range r.Entries() {
		names = append(names, e.Name)
		if e.Constraints != nil {
			t.Errorf("got %s with constraints %s, want the first list's: none", e.Name, e.Constraints)
		}
	}
	if got := strings.Join(names, " "); got != "a b d" {
		t.Errorf("got %q requested, want %q", got, "a b d")
	}
}

// FuzzParse: no permissions object, in a document that strictjson
// accepts, makes Parse panic or return leaves it should have refused.
func FuzzParse(f *testing.F) {
	f.Add([]byte(benchPermissions))
	f.Add([]byte(` { "a" : { "b" : { "enabled" : true , "c" : [ 1 , -2.5e3 , "x\"y" , null ] } } , "c" : true } `))
	f.Add([]byte(`{"\u0061": true, "a\\": {"x": {"x": true, "y": {"enabled": false, "x": 2}}}, "é": {"enabled": true}}`))
	f.Add([]byte(objectWithKeys(17, "k3")))
	f.Add([]byte(`{"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": true}}}}}}}}}}`))
	f.Add([]byte(`"not an object"`))
	f.Add([]byte(`{"webAPIs": ["audio", "clipboard-read", "\u0061udio2"], "System": {"getOSInfo": true}}`))
	f.Add([]byte(`{"webAPIs": ["audio", 1, null, ["x"]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if strictjson.Check(data) != nil {
			return // Parse is given only checked documents
		}
		entries, err := Parse(jsontext.Value(data), "fuzz")
		if err != nil {
			if entries != nil || !strings.HasPrefix(err.Error(), "permissions: fuzz") {
				t.Fatalf("got %v and %d entries, want a permissions: fuzz error and none", err, len(entries))
			}
			return
		}
		if len(entries) > MaxPermissions {
			t.Errorf("got %d entries, want at most %d", len(entries), MaxPermissions)
		}
		for i, e := range entries {
			if i > 0 && entries[i-1].Name >= e.Name {
				t.Errorf("got %q after %q, want the names sorted and unique", e.Name, entries[i-1].Name)
			}
			for _, label := range strings.Split(e.Name, ".") {
				if label == "" || checkLabel("key", label, "fuzz") != nil {
					t.Errorf("got name %q, which holds a key Parse refuses", e.Name)
				}
			}
			if strings.Count(e.Name, ".") > MaxDepth {
				t.Errorf("got name %q, nested deeper than %d", e.Name, MaxDepth)
			}
			if e.Constraints != nil {
				ms, err := strictjson.Members(e.Constraints)
				if err != nil {
					t.Fatalf("got constraints %s: %v, want an object", e.Constraints, err)
				}
				if enabled, leaf, err := enabledField(ms, "fuzz"); !leaf || err != nil || enabled != e.Enabled {
					t.Errorf("got %s enabled %v with constraints %s, want them to agree", e.Name, e.Enabled, e.Constraints)
				}
			}
		}
	})
}
