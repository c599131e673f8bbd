package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// summary renders what a user of the parsed manifest sees, in the form of
// the testdata .want files.
func summary(m *Manifest) string {
	var names, constrained []string
	for _, p := range m.Permissions {
		names = append(names, p.Name)
		if p.Constraints != nil {
			constrained = append(constrained, p.Name)
		}
	}
	trust := "no"
	if m.TrustedAppConfigs != nil {
		trust = "yes"
	}
	return fmt.Sprintf("version=%s\narguments=%s\npermissions=%s\nconstraints=%s\ntrust=%s\n",
		m.Runtime.Version, strings.Join(m.Runtime.Arguments, " "), strings.Join(names, " "), strings.Join(constrained, " "), trust)
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

func FuzzManifest(f *testing.F) {
	files, _ := filepath.Glob("../testdata/manifest/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			if m != nil {
				t.Fatal("Parse returned a manifest with an error")
			}
			return
		}
		if len(data) > MaxManifestSize {
			t.Fatalf("a manifest of %d bytes parsed", len(data))
		}
		if len(m.Permissions) > 2*1024 {
			t.Fatalf("%d permissions, more than the bound", len(m.Permissions))
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
