package authority

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSetBlock: the block goes where the old one stood, or after the last
// member in the manifest's own layout (its lines indented as the member's,
// or compact in a manifest written on one line), and nothing else changes.
func TestSetBlock(t *testing.T) {
	const block = "{\n  \"value\": \"e30=\",\n  \"signature\": {\"linux\": \"AA==\"}\n}\n"
	const (
		compact = `{"value":"e30=","signature":{"linux":"AA=="}}`
		in2     = "{\n    \"value\": \"e30=\",\n    \"signature\": {\"linux\": \"AA==\"}\n  }"
		inTab   = "{\n\t  \"value\": \"e30=\",\n\t  \"signature\": {\"linux\": \"AA==\"}\n\t}"
	)
	for _, tc := range []struct {
		name, manifest string
		want           string // the manifest written, or the error
		replaced       bool
	}{
		{"pretty-added-last", "{\n  \"runtime\": {\"version\": \"stable\"},\n  \"startup_app\": {\"name\": \"x\"}\n}\n",
			"{\n  \"runtime\": {\"version\": \"stable\"},\n  \"startup_app\": {\"name\": \"x\"},\n  \"trustedAppConfigs\": " + in2 + "\n}\n", false},
		{"tabs-added-last", "{\n\t\"a\": 1\n}", "{\n\t\"a\": 1,\n\t\"trustedAppConfigs\": " + inTab + "\n}", false},
		{"compact-added-last", `{"a":1,"b":[1,2]}`, `{"a":1,"b":[1,2],"trustedAppConfigs": ` + compact + `}`, false},
		{"empty", `{}`, `{"trustedAppConfigs": ` + compact + `}`, false},
		{"empty-spaced", " \n{ }\n", " \n{\"trustedAppConfigs\": " + compact + " }\n", false},
		{"replaced-where-it-stands", "{\n  \"trustedAppConfigs\": {\"value\": \"old\",\n    \"signature\": {}},\n  \"z\": 1\n}",
			"{\n  \"trustedAppConfigs\": " + in2 + ",\n  \"z\": 1\n}", true},
		{"null-replaced", `{"a": 1, "trustedAppConfigs": null}`, `{"a": 1, "trustedAppConfigs": ` + compact + `}`, true},
		{"escaped-key-replaced", `{"trusted\u0041ppConfigs": 5, "a": "é\u00e9"}`, `{"trusted\u0041ppConfigs": ` + compact + `, "a": "é\u00e9"}`, true},
		{"other-bytes-kept", `{"x": {"k": 1, "k": 2}, "s": "a\/b"}`, `{"x": {"k": 1, "k": 2}, "s": "a\/b","trustedAppConfigs": ` + compact + `}`, false},
		{"not-json", `{"a": }`, "the manifest: not JSON: line 1, column 7", false},
		{"array", `[{"a": 1}]`, "the manifest: line 1, column 1: the top level is an array, want an object", false},
		{"two-blocks", `{"trustedAppConfigs": {}, "trustedAppConfigs": {}}`, `duplicate key "trustedAppConfigs"`, false},
		{"byte-order-mark", "\xef\xbb\xbf{}", "byte-order mark", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, replaced, err := setBlock([]byte(tc.manifest), []byte(block))
			got := string(out)
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tc.want) || err == nil && got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if replaced != tc.replaced {
				t.Errorf("got replaced %v, want %v", replaced, tc.replaced)
			}
		})
	}
}

// TestEmbed embeds signed blocks in manifest files: the file is replaced
// whole, keeps its mode and its links, and a refusal leaves it as it was.
func TestEmbed(t *testing.T) {
	a := newAuthority(t, ECDSAP256, IssueOptions{})
	block := a.sign(t)
	blockFile := filepath.Join(a.dir, "block.json")
	if err := os.WriteFile(blockFile, block, 0o644); err != nil {
		t.Fatal(err)
	}
	const original = "{\n  \"startup_app\": {\"name\": \"blotter\"}\n}\n"
	manifest := func(t *testing.T, mode os.FileMode) string {
		path := filepath.Join(t.TempDir(), "app.json")
		if err := os.WriteFile(path, []byte(original), mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Run("added-keeps-mode", func(t *testing.T) {
		path := manifest(t, 0o640)
		replaced, err := Embed(blockFile, path, EmbedOptions{})
		if err != nil || replaced {
			t.Fatalf("got %v, %v; want the block added", replaced, err)
		}
		got := mustRead(t, path)
		indented := strings.ReplaceAll(strings.TrimSpace(string(block)), "\n", "\n  ")
		want := "{\n  \"startup_app\": {\"name\": \"blotter\"},\n  \"trustedAppConfigs\": " + indented + "\n}\n"
		if string(got) != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
			t.Errorf("got mode %v (%v), want 0640", fi.Mode().Perm(), err)
		}
		if _, err := verify(t, a.verifier(t), blockOf2(t, got), "linux"); err != nil {
			t.Errorf("the embedded block: %v", err)
		}
		if replaced, err := Embed(blockFile, path, EmbedOptions{}); err != nil || !replaced || string(mustRead(t, path)) != want {
			t.Errorf("embedding again: got %v, %v, want the block replaced by itself", replaced, err)
		}
	})
	t.Run("stdin", func(t *testing.T) {
		path := manifest(t, 0o644)
		if _, err := Embed("-", path, EmbedOptions{Stdin: bytes.NewReader(block)}); err != nil {
			t.Fatal(err)
		}
		if _, err := verify(t, a.verifier(t), blockOf2(t, mustRead(t, path)), "linux"); err != nil {
			t.Errorf("the embedded block: %v", err)
		}
	})
	t.Run("link-followed", func(t *testing.T) {
		path := manifest(t, 0o644)
		link := filepath.Join(t.TempDir(), "link.json")
		if err := os.Symlink(path, link); err != nil {
			t.Fatal(err)
		}
		if _, err := Embed(blockFile, link, EmbedOptions{}); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("got %v (%v), want the link kept", fi.Mode(), err)
		}
		if _, err := verify(t, a.verifier(t), blockOf2(t, mustRead(t, path)), "linux"); err != nil {
			t.Errorf("the block in the file the link names: %v", err)
		}
	})
	// The mac signature stands for the linux one: it is made over
	// another message.
	var parsed struct {
		Value     string            `json:"value"`
		Signature map[string]string `json:"signature"`
	}
	if err := json.Unmarshal(block, &parsed); err != nil {
		t.Fatal(err)
	}
	parsed.Signature["linux"] = parsed.Signature["mac"]
	tampered, err := json.Marshal(parsed)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, block, manifest string
		check                 func([]byte) error
		want                  string
	}{
		{"signature-of-another-platform", string(tampered), original, nil, "the block's linux signature: "},
		{"no-signature", `{"value": "` + parsed.Value + `", "signature": {}}`, original, nil, "the block has no signature"},
		{"config-not-decoded", `{"value": "e30=", "signature": {"linux": "AA=="}}`, original, nil, "trust: the config has no version"},
		{"not-a-block", `{"apps": []}`, original, nil, "trustedAppConfigs"},
		{"block-not-json", `{"value": `, original, nil, "the block: not JSON: line 1, column 11"},
		{"manifest-not-json", string(block), "{\n  \"a\": tru\n}", nil, "the manifest: not JSON: line 2, column 11"},
		{"check-refuses", string(block), original, func([]byte) error { return errors.New("manifest: startup_app: no") }, "rvm would not read the manifest with the block: manifest: startup_app: no"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := manifest(t, 0o644)
			if tc.manifest != original {
				if err := os.WriteFile(path, []byte(tc.manifest), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			bf := filepath.Join(t.TempDir(), "block.json")
			if err := os.WriteFile(bf, []byte(tc.block), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Embed(bf, path, EmbedOptions{Check: tc.check})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "authority: embed ") {
				t.Errorf("got %v, want an authority: embed error holding %q", err, tc.want)
			}
			if got := string(mustRead(t, path)); got != tc.manifest {
				t.Errorf("got the manifest changed to %q, want it as it was", got)
			}
			if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
				t.Errorf("got %d files beside the manifest, want none", len(entries)-1)
			}
		})
	}
	t.Run("missing-manifest", func(t *testing.T) {
		_, err := Embed(blockFile, filepath.Join(t.TempDir(), "none.json"), EmbedOptions{})
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v, want a missing file", err)
		}
	})
}

// blockOf2 is the block of a manifest, or the test ends.
func blockOf2(t *testing.T, manifest []byte) []byte {
	t.Helper()
	raw, err := blockOf(manifest)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
