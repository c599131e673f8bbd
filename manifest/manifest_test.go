package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// summary renders what a user of the parsed manifest sees, in the form of
// the testdata .want files: a line for each permission with constraints
// (compact) and for each notice.
func summary(m *Manifest) string {
	var b strings.Builder
	var names []string
	for _, p := range m.Permissions {
		names = append(names, p.Name)
	}
	fmt.Fprintf(&b, "version=%s\narguments=%s\npermissions=%s\n", m.Runtime.Version, strings.Join(m.Runtime.Arguments, " "), strings.Join(names, " "))
	for _, p := range m.Permissions {
		if p.Constraints != nil {
			c := p.Constraints.Clone()
			if err := c.Compact(); err != nil {
				panic(err)
			}
			fmt.Fprintf(&b, "constraint=%s %s\n", p.Name, c)
		}
	}
	trust := "no"
	if m.TrustedAppConfigs != nil {
		trust = "yes"
	}
	fmt.Fprintf(&b, "trust=%s\n", trust)
	for _, n := range m.Notices {
		fmt.Fprintf(&b, "notice=%s\n", n)
	}
	return b.String()
}

// TestVectors runs every testdata/manifest vector: good_*.json must parse to
// what good_*.want says, bad_*.json must fail with the text of bad_*.err.
func TestVectors(t *testing.T) {
	files, err := filepath.Glob("../testdata/manifest/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors: %v", err)
	}
	for _, file := range files {
		base := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(base, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, perr := Parse(data)
			switch {
			case strings.HasPrefix(base, "good_"):
				want, err := os.ReadFile(strings.TrimSuffix(file, ".json") + ".want")
				if err != nil {
					t.Fatal(err)
				}
				if perr != nil {
					t.Fatalf("Parse: %v", perr)
				}
				if got := summary(m); got != string(want) {
					t.Errorf("got\n%s\nwant\n%s", got, want)
				}
			case strings.HasPrefix(base, "bad_"):
				want, err := os.ReadFile(strings.TrimSuffix(file, ".json") + ".err")
				if err != nil {
					t.Fatal(err)
				}
				if perr == nil {
					t.Fatalf("Parse succeeded, want an error containing %q", bytes.TrimSpace(want))
				}
				if !strings.Contains(perr.Error(), string(bytes.TrimSpace(want))) {
					t.Errorf("got error %q, want one containing %q", perr, bytes.TrimSpace(want))
				}
				if !strings.HasPrefix(perr.Error(), "manifest: ") {
					t.Errorf("error %q does not begin with manifest:", perr)
				}
			default:
				t.Fatalf("vector %s is neither good_ nor bad_", base)
			}
		})
	}
}

func TestParseBounds(t *testing.T) {
	t.Run("size-limit", func(t *testing.T) {
		pad := MaxManifestSize - len(`{"x":""}`)
		ok := []byte(`{"x":"` + strings.Repeat("a", pad) + `"}`)
		if _, err := Parse(ok); err != nil {
			t.Fatalf("a manifest of exactly %d bytes: %v", len(ok), err)
		}
		over := []byte(`{"x":"` + strings.Repeat("a", pad+1) + `"}`)
		if _, err := Parse(over); err == nil || !strings.Contains(err.Error(), "more than") {
			t.Fatalf("a manifest of %d bytes: got %v, want a size error", len(over), err)
		}
	})
	t.Run("deep-nesting", func(t *testing.T) {
		deep := []byte(`{"x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`)
		if _, err := Parse(deep); err == nil {
			t.Fatal("100,000 levels of nesting parsed, want an error")
		}
	})
	t.Run("permissions-nesting", func(t *testing.T) {
		inner := `true`
		for i := 0; i < 10; i++ {
			inner = fmt.Sprintf(`{"k%d": %s}`, i, inner)
		}
		_, err := Parse([]byte(`{"startup_app": {"permissions": ` + inner + `}}`))
		if err == nil || !strings.Contains(err.Error(), "nested deeper") {
			t.Fatalf("got %v, want a nesting error", err)
		}
	})
	t.Run("permissions-count", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"startup_app": {"permissions": {"System": {`)
		for i := 0; i < 1025; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"p%d": true`, i)
		}
		b.WriteString(`}}}}`)
		_, err := Parse([]byte(b.String()))
		if err == nil || !strings.Contains(err.Error(), "more than 1024 permissions") {
			t.Fatalf("got %v, want a count error", err)
		}
	})
}

// TestSnapshotKeyOrder: the order of the keys in a snapshot's object does
// not change what is requested, nor with which constraints. Each key of a
// window leads to a place that enables P with constraints of its own, and
// one name of its own; the window's own permissions win for P, and every
// order of its keys requests the same.
func TestSnapshotKeyOrder(t *testing.T) {
	members := []string{
		`"permissions": {"G": {"p": {"enabled": true, "from": "own"}, "own": true}}`,
		`"windows": [{"permissions": {"G": {"p": {"enabled": true, "from": "windows"}, "w": true}}}]`,
		`"layout": {"permissions": {"G": {"p": {"enabled": true, "from": "layout"}, "l": true}}}`,
		`"content": [{"permissions": {"G": {"p": {"enabled": true, "from": "content"}, "c": true}}}]`,
		`"componentState": {"permissions": {"G": {"p": {"enabled": true, "from": "componentState"}, "s": true}}}`,
	}
	var want string
	var permute func(done []string, left []string)
	permute = func(done, left []string) {
		if len(left) == 0 {
			doc := `{"snapshot": {"windows": [{` + strings.Join(done, ", ") + `}]}}`
			m, err := Parse([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			got := summary(m)
			if want == "" {
				want = got
				if !strings.Contains(want, `constraint=G.p {"enabled":true,"from":"own"}`) || !strings.Contains(want, "permissions=G.c G.l G.own G.p G.s G.w\n") {
					t.Fatalf("got\n%s\nwant the window's own constraints for G.p and every name", got)
				}
			}
			if got != want {
				t.Errorf("keys in the order %s: got\n%s\nwant\n%s", done, got, want)
			}
			return
		}
		for i := range left {
			rest := append(append([]string{}, left[:i]...), left[i+1:]...)
			permute(append(done, left[i]), rest)
		}
	}
	permute(nil, members)
	// Without the window's own, the places under it count in the order
	// windows, layout, content, componentState, whatever the order of the
	// keys.
	doc := `{"snapshot": {"windows": [{` + members[4] + `, ` + members[3] + `, ` + members[2] + `, ` + members[1] + `}]}}`
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(m); !strings.Contains(got, `constraint=G.p {"enabled":true,"from":"windows"}`) {
		t.Errorf("got\n%s\nwant the constraints from windows", got)
	}
}

// TestParseRequestedBound: startup_app and platform fill MaxRequested
// with distinct names; a snapshot view that asks for one more is left out
// with a notice, and one that asks only for names already requested is
// read.
func TestParseRequestedBound(t *testing.T) {
	group := func(prefix string, n int) string {
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("%q: true", fmt.Sprintf("%s%d", prefix, i))
		}
		return `{"G": {` + strings.Join(names, ", ") + `}}`
	}
	half := MaxRequested / 2
	doc := `{"startup_app": {"permissions": ` + group("a", half) + `}, "platform": {"permissions": ` + group("b", half) + `},
"snapshot": {"windows": [{"permissions": {"G": {"a0": {"enabled": true, "late": true}, "b1": true}}}, {"permissions": {"G": {"a1": true, "c0": true}}}]}}`
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Permissions) != MaxRequested {
		t.Errorf("got %d permissions requested, want %d", len(m.Permissions), MaxRequested)
	}
	for _, p := range m.Permissions {
		if p.Name == "G.c0" || p.Constraints != nil {
			t.Errorf("got %s requested with constraints %s, want it left out or without constraints", p.Name, p.Constraints)
		}
	}
	want := []string{fmt.Sprintf("manifest: snapshot.windows[1].permissions: more than %d permissions in all (these permissions are not requested)", MaxRequested)}
	if !slices.Equal(m.Notices, want) {
		t.Errorf("got notices %q, want %q", m.Notices, want)
	}
}

func BenchmarkParseManifest(b *testing.B) {
	data := benchManifest(64 << 10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// benchManifest builds a realistic manifest of about size bytes: a few
// permissions, a trustedAppConfigs block and the rest in unknown keys.
func benchManifest(size int) []byte {
	var b strings.Builder
	b.WriteString(`{"runtime": {"version": "38.126.82.64", "arguments": "--v=1"},
"startup_app": {"name": "bench", "url": "https://apps.acme.com/", "permissions": {"System": {"launchExternalProcess": true, "readRegistryValue": {"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"]}}, "Window": {"getSnapshot": true}}},
"trustedAppConfigs": {"value": "` + strings.Repeat("QUFB", 1000) + `", "signature": {"linux": "` + strings.Repeat("QUFB", 30) + `"}},
"appAssets": [`)
	for i := 0; b.Len() < size-200; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"src": "https://cdn.acme.com/assets/%d.zip", "alias": "asset-%d", "version": "1.2.%d"}`, i, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func BenchmarkParseManifestWorkspace(b *testing.B) {
	data := benchWorkspace(64 << 10)
	m, err := Parse(data)
	if err != nil || len(m.Permissions) != 6 || len(m.Notices) != 0 {
		b.Fatalf("the Workspace manifest reads as %v, %v", m, err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// benchWorkspace builds a Workspace-style platform manifest of about size
// bytes: platform options with permissions, a trustedAppConfigs block, and
// a snapshot of windows whose layouts (a row of stacks of views) carry
// permissions in every view's componentState, beside customData.
func benchWorkspace(size int) []byte {
	var b strings.Builder
	b.WriteString(`{"runtime": {"version": "stable", "arguments": "--v=1"},
"platform": {"uuid": "acme-workspace", "name": "Acme Workspace", "icon": "https://apps.acme.com/workspace/icon.png", "autoShow": false,
  "permissions": {"System": {"launchExternalProcess": true}},
  "defaultWindowOptions": {"url": "https://apps.acme.com/workspace/window.html", "permissions": {"System": {"openUrlWithBrowser": {"enabled": true, "protocols": ["mailto", "msteams"]}}}},
  "defaultViewOptions": {"experimental": {"childWindows": true}, "permissions": {"webAPIs": ["clipboard-read", "clipboard-sanitized-write"]}}},
"trustedAppConfigs": {"value": "` + strings.Repeat("QUFB", 1000) + `", "signature": {"linux": "` + strings.Repeat("QUFB", 30) + `"}},
"snapshot": {"windows": [`)
	for w := 0; b.Len() < size-1500; w++ {
		if w > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"name": "window-%d", "defaultWidth": 1200, "defaultHeight": 800, "defaultLeft": %d, "defaultTop": 100, "permissions": {"Window": {"getSnapshot": true}},
 "layout": {"settings": {"hasHeaders": true, "reorderEnabled": true}, "dimensions": {"borderWidth": 2, "headerHeight": 28}, "content": [{"type": "row", "content": [`, w, 100+w)
		for s := range 2 {
			if s > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"type": "stack", "width": 50, "content": [`)
			for v := range 2 {
				if v > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, `{"type": "component", "componentName": "view", "title": "Acme view %d-%d-%d",
  "componentState": {"name": "view-%d-%d-%d", "url": "https://apps.acme.com/views/%d/index.html?window=%d", "processAffinity": "acme-%d",
   "customData": {"ticker": "ACME", "columns": ["symbol", "bid", "ask", "last", "volume"], "theme": {"palette": "dark", "density": "compact"}},
   "permissions": {"System": {"getOSInfo": true}, "webAPIs": ["clipboard-read"]}}}`, w, s, v, w, s, v, s*2+v, w, w)
			}
			b.WriteString(`]}`)
		}
		b.WriteString(`]}]}}`)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

func FuzzManifest(f *testing.F) {
	files, _ := filepath.Glob("../testdata/manifest/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	// Snapshot forms beside the vectors': past the bound, wide, keys given
	// twice and out of order, escaped key names, and a Workspace manifest.
	deep := `{"permissions": {"A": {"x": true}}}`
	for range MaxSnapshotDepth + 2 {
		deep = `{"content": [` + deep + `], "permissions": {"A": {"y": true}}}`
	}
	f.Add([]byte(`{"snapshot": {"windows": [{"layout": ` + deep + `}]}}`))
	f.Add([]byte(`{"platform": {"snapshot": {"windows": [` + strings.Repeat(`{"permissions": {"webAPIs": ["audio"]}}, 1, `, 40) + `null]}}}`))
	f.Add([]byte(`{"snapshot": {"windows": [{"componentState": {"permissions": {"B": {"b": true}}}, "content": [{"permissions": {"C": {"c": {"enabled": true, "k": 1}}}}], "layout": {"permissions": {"C": {"c": {"enabled": true, "k": 2}}}}, "windows": [{"permissions": {"D": {"d": true}}}], "permissions": {"A": {"a": true}}}]}}`))
	f.Add([]byte(`{"snapshot": {"\u0077indows": [{"permissions": {"A": {"a": true}}, "perm\u0069ssions": {"A": {"b": true}}}], "windows": [{"\udc00": 1}]}}`))
	f.Add(benchWorkspace(4 << 10))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		// The snapshot walked within the checking pass gives what a walk
		// of its value after the pass gives.
		after, afterErr := parse(data, false)
		if fmt.Sprint(err) != fmt.Sprint(afterErr) || !reflect.DeepEqual(m, after) {
			t.Fatalf("walked in the pass: %+v, %v; walked after it: %+v, %v", m, err, after, afterErr)
		}
		if err != nil {
			if m != nil {
				t.Fatal("Parse returned a manifest with an error")
			}
			return
		}
		if len(data) > MaxManifestSize {
			t.Fatalf("a manifest of %d bytes parsed", len(data))
		}
		if len(m.Permissions) > MaxRequested {
			t.Fatalf("%d permissions, more than the bound", len(m.Permissions))
		}
		if len(m.Notices) > MaxNotices+1 {
			t.Fatalf("%d notices, more than the bound", len(m.Notices))
		}
		for _, n := range m.Notices {
			if !strings.HasPrefix(n, "manifest: ") {
				t.Fatalf("notice %q does not begin with manifest:", n)
			}
		}
		for i, p := range m.Permissions {
			if !p.Enabled || p.Name == "" {
				t.Fatalf("requested permission %+v is not an enabled name", p)
			}
			if i > 0 && m.Permissions[i-1].Name >= p.Name {
				t.Fatalf("permissions not sorted and unique: %q then %q", m.Permissions[i-1].Name, p.Name)
			}
		}
	})
}
