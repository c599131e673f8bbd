package trust_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
)

// TestBounds feeds each bound what it allows and one more.
func TestBounds(t *testing.T) {
	f := newPKI(t)
	leaf := f.leaf(t, trusttest.Options{Name: "Bounds"})
	inters := func(n int) []*trusttest.Cert { return slices.Repeat([]*trusttest.Cert{f.inter}, n) }
	apps := func(n int) string {
		var a []string
		for i := 0; i < n; i++ {
			a = append(a, fmt.Sprintf(`{"name":"app %d","match":["https://a.example.com/*"]}`, i))
		}
		return "[" + strings.Join(a, ",") + "]"
	}
	patterns := func(n int) string {
		var p []string
		for i := 0; i < n; i++ {
			p = append(p, fmt.Sprintf(`"https://a.example.com/%d/*"`, i))
		}
		return `[{"name":"many","match":[` + strings.Join(p, ",") + `]}]`
	}
	named := func(n int) string {
		return `[{"name":"` + strings.Repeat("n", n) + `","match":["https://a.example.com/*"]}]`
	}
	// sized returns a config of exactly n bytes, padded in a constraint.
	sized := func(n int) string {
		head := trusttest.Config(leaf, `[{"name":"big","match":["https://a.example.com/*"],"permissions":{"System":{"readRegistryValue":{"enabled":true,"pad":"`)
		tail := `"}}}}]}`
		return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
	}
	cases := []struct {
		name string
		cfg  string
		ok   bool
	}{
		{"intermediates-at-bound", trusttest.Config(leaf, testApps, inters(trust.MaxIntermediates)...), true},
		{"intermediates-past-bound", trusttest.Config(leaf, testApps, inters(trust.MaxIntermediates+1)...), false},
		{"apps-at-bound", trusttest.Config(leaf, apps(trust.MaxApps)), true},
		{"apps-past-bound", trusttest.Config(leaf, apps(trust.MaxApps+1)), false},
		{"patterns-at-bound", trusttest.Config(leaf, patterns(trust.MaxPatterns)), true},
		{"patterns-past-bound", trusttest.Config(leaf, patterns(trust.MaxPatterns+1)), false},
		{"name-at-bound", trusttest.Config(leaf, named(trust.MaxNameLen)), true},
		{"name-past-bound", trusttest.Config(leaf, named(trust.MaxNameLen+1)), false},
		{"size-at-bound", sized(trust.MaxConfigSize), true},
		{"size-past-bound", sized(trust.MaxConfigSize + 1), false},
		{"depth-at-bound", strings.Replace(trusttest.Config(leaf, testApps), `"enabled":true`, `"enabled":true,"deep":`+nested(trust.MaxConfigDepth-6), 1), true},
		{"depth-past-bound", strings.Replace(trusttest.Config(leaf, testApps), `"enabled":true`, `"enabled":true,"deep":`+nested(trust.MaxConfigDepth-5), 1), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := trust.ParseConfig(base64.StdEncoding.EncodeToString([]byte(tc.cfg)))
			if tc.ok && err != nil {
				t.Fatalf("got %v, want the config to parse", err)
			}
			var te *trust.Error
			if !tc.ok && (!errors.As(err, &te) || te.Code != trust.Malformed) {
				t.Fatalf("got %v, want code %s", err, trust.Malformed)
			}
		})
	}
}

// nested is n arrays, one in the other.
func nested(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

func TestBlockSizeBound(t *testing.T) {
	small := `{"value":"e30=","signature":{}}`
	for _, tc := range []struct {
		name string
		size int
		ok   bool
	}{
		{"at-bound", trust.MaxBlockSize, true},
		{"past-bound", trust.MaxBlockSize + 1, false},
	} {
		raw := small + strings.Repeat(" ", tc.size-len(small))
		_, err := trust.ParseBlock([]byte(raw))
		if (err == nil) != tc.ok {
			t.Errorf("%s: got %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

func TestParseConfig(t *testing.T) {
	f := newPKI(t)
	leaf := f.leaf(t, trusttest.Options{Name: "Parse"})
	good := trusttest.Config(leaf, testApps, f.inter)
	cases := []struct {
		name string
		cfg  string
		code trust.Code // "" when it parses
	}{
		{"good", good, ""},
		{"no-intermediates-key", strings.Replace(good, `"intermediates":[`+strings.Split(strings.Split(good, `"intermediates":[`)[1], "]")[0]+`],`, "", 1), ""},
		{"version-2", strings.Replace(good, `"version":1`, `"version":2`, 1), trust.UnsupportedVersion},
		{"version-as-float", strings.Replace(good, `"version":1`, `"version":1.0`, 1), trust.UnsupportedVersion},
		{"version-as-string", strings.Replace(good, `"version":1`, `"version":"1"`, 1), trust.Malformed},
		{"intermediates-null", strings.Replace(good, `"intermediates":[`, `"intermediates":null,"x":[`, 1), trust.Malformed},
		{"apps-empty", trusttest.Config(leaf, `[]`), trust.Malformed},
		{"app-without-match", trusttest.Config(leaf, `[{"name":"a"}]`), trust.Malformed},
		{"app-empty-match", trusttest.Config(leaf, `[{"name":"a","match":[]}]`), trust.Malformed},
		{"app-without-name", trusttest.Config(leaf, `[{"match":["https://a.example.com/*"]}]`), trust.Malformed},
		{"app-empty-name", trusttest.Config(leaf, `[{"name":"","match":["https://a.example.com/*"]}]`), trust.Malformed},
		{"app-name-control", trusttest.Config(leaf, `[{"name":"a\u0007","match":["https://a.example.com/*"]}]`), trust.Malformed},
		{"apps-same-name", trusttest.Config(leaf, `[{"name":"a","match":["https://a.example.com/*"]},{"name":"a","match":["https://b.example.com/*"]}]`), trust.Malformed},
		{"permissions-not-object", trusttest.Config(leaf, `[{"name":"a","match":["https://a.example.com/*"],"permissions":true}]`), trust.Malformed},
		{"permission-leaf-not-boolean", trusttest.Config(leaf, `[{"name":"a","match":["https://a.example.com/*"],"permissions":{"System":{"clearCache":1}}}]`), trust.Malformed},
		{"pattern-localhost", trusttest.Config(leaf, `[{"name":"a","match":["https://localhost/*"]}]`), trust.Malformed},
		{"pattern-ip", trusttest.Config(leaf, `[{"name":"a","match":["https://10.0.0.1/*"]}]`), trust.Malformed},
		{"pattern-not-string", trusttest.Config(leaf, `[{"name":"a","match":[1]}]`), trust.Malformed},
		{"top-level-array", `[]`, trust.Malformed},
		{"trailing-data", good + ` {}`, trust.Malformed},
		{"invalid-utf8", strings.Replace(good, "Acme Blotter", "Acme \xff", 1), trust.Malformed},
		{"certificate-not-base64", strings.Replace(good, `"certificate":"`, `"certificate":"!`, 1), trust.Malformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := trust.ParseConfig(base64.StdEncoding.EncodeToString([]byte(tc.cfg)))
			if tc.code == "" {
				if err != nil {
					t.Fatalf("got %v, want the config to parse", err)
				}
				if cfg.Version != 1 || cfg.Certificate == nil || len(cfg.Apps) == 0 {
					t.Errorf("got %+v, want version 1, a certificate and apps", cfg)
				}
				return
			}
			var te *trust.Error
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Fatalf("got %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestParseConfigContents(t *testing.T) {
	f := newPKI(t)
	leaf := f.leaf(t, trusttest.Options{Name: "Contents"})
	cfg, err := trust.ParseConfig(base64.StdEncoding.EncodeToString([]byte(trusttest.Config(leaf, testApps, f.inter))))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Certificate.Equal(leaf.Certificate) || len(cfg.Intermediates) != 1 || !cfg.Intermediates[0].Equal(f.inter.Certificate) {
		t.Errorf("got certificate %q and %d intermediates, want the leaf and the intermediate", cfg.Certificate.Subject, len(cfg.Intermediates))
	}
	app := cfg.Apps[0]
	if app.Name != "Acme Blotter" || len(app.Match) != 1 || app.Match[0].String() != "https://*.acme.com/blotter/*" {
		t.Errorf("got app %q matching %v, want Acme Blotter matching https://*.acme.com/blotter/*", app.Name, app.Match)
	}
	var names []string
	for _, p := range app.Permissions {
		names = append(names, fmt.Sprintf("%s=%v", p.Name, p.Enabled))
	}
	want := "System.getProcessList=false System.launchExternalProcess=true System.readRegistryValue=true"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("got permissions %s, want %s", got, want)
	}
	if c := string(app.Permissions[2].Constraints); !strings.Contains(c, "registryKeys") {
		t.Errorf("got constraints %s, want the readRegistryValue object", c)
	}
}

func TestParseRoots(t *testing.T) {
	f := newPKI(t)
	pemOf := func(typ string, der []byte) string {
		return "-----BEGIN " + typ + "-----\n" + base64.StdEncoding.EncodeToString(der) + "\n-----END " + typ + "-----\n"
	}
	root, foreign := pemOf("CERTIFICATE", f.root.Raw), pemOf("CERTIFICATE", f.foreign.Raw)
	cases := []struct {
		name  string
		data  string
		count int // 0 when it must fail
	}{
		{"one", root, 1},
		{"two-with-blank-lines", "\n" + root + "\n\n" + foreign, 2},
		{"empty", "", 0},
		{"text-before", "hello\n" + root, 0},
		{"text-between", root + "hello\n" + foreign, 0},
		{"private-key-block", root + pemOf("PRIVATE KEY", []byte{1, 2, 3}), 0},
		{"not-a-certificate", pemOf("CERTIFICATE", []byte{1, 2, 3}), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := trust.ParseRoots([]byte(tc.data), "roots.pem")
			if tc.count == 0 {
				if err == nil || !strings.Contains(err.Error(), "roots.pem") {
					t.Fatalf("got %v, want an error naming roots.pem", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := trust.RootCount(r); got != tc.count {
				t.Errorf("got %d roots, want %d", got, tc.count)
			}
		})
	}
	a, b := trust.NewRoots(f.root.Certificate, f.foreign.Certificate), trust.NewRoots(f.foreign.Certificate, f.root.Certificate)
	if a.Sum() != b.Sum() || a.Sum() == trust.NewRoots(f.root.Certificate).Sum() {
		t.Errorf("got sums %x, %x: want the same set in another order to sum the same, and another set not", a.Sum(), b.Sum())
	}
}
