package trust

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestBounds feeds each bound what it allows and one more.
func TestBounds(t *testing.T) {
	f := testPKI(t)
	leaf := f.leaf(t, certOpts{alg: "p256", name: "Bounds"})
	inters := func(n int) []*x509.Certificate {
		out := make([]*x509.Certificate, n)
		for i := range out {
			out[i] = f.inter.cert
		}
		return out
	}
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
		head := configJSON(leaf, nil, `[{"name":"big","match":["https://a.example.com/*"],"permissions":{"System":{"readRegistryValue":{"enabled":true,"pad":"`)
		tail := `"}}}}]}`
		return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
	}
	cases := []struct {
		name string
		cfg  string
		ok   bool
	}{
		{"intermediates-at-bound", configJSON(leaf, inters(MaxIntermediates), testApps), true},
		{"intermediates-past-bound", configJSON(leaf, inters(MaxIntermediates+1), testApps), false},
		{"apps-at-bound", configJSON(leaf, nil, apps(MaxApps)), true},
		{"apps-past-bound", configJSON(leaf, nil, apps(MaxApps+1)), false},
		{"patterns-at-bound", configJSON(leaf, nil, patterns(MaxPatterns)), true},
		{"patterns-past-bound", configJSON(leaf, nil, patterns(MaxPatterns+1)), false},
		{"name-at-bound", configJSON(leaf, nil, named(MaxNameLen)), true},
		{"name-past-bound", configJSON(leaf, nil, named(MaxNameLen+1)), false},
		{"size-at-bound", sized(MaxConfigSize), true},
		{"size-past-bound", sized(MaxConfigSize + 1), false},
		{"depth-at-bound", strings.Replace(configJSON(leaf, nil, testApps), `"enabled":true`, `"enabled":true,"deep":`+nested(MaxConfigDepth-6), 1), true},
		{"depth-past-bound", strings.Replace(configJSON(leaf, nil, testApps), `"enabled":true`, `"enabled":true,"deep":`+nested(MaxConfigDepth-5), 1), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(base64.StdEncoding.EncodeToString([]byte(tc.cfg)))
			if tc.ok && err != nil {
				t.Fatalf("got %v, want the config to parse", err)
			}
			var te *Error
			if !tc.ok && (!errors.As(err, &te) || te.Code != Malformed) {
				t.Fatalf("got %v, want code %s", err, Malformed)
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
		{"at-bound", MaxBlockSize, true},
		{"past-bound", MaxBlockSize + 1, false},
	} {
		raw := small + strings.Repeat(" ", tc.size-len(small))
		_, err := ParseBlock([]byte(raw))
		if (err == nil) != tc.ok {
			t.Errorf("%s: got %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

func TestParseConfig(t *testing.T) {
	f := testPKI(t)
	leaf := f.leaf(t, certOpts{alg: "p256", name: "Parse"})
	good := configJSON(leaf, []*x509.Certificate{f.inter.cert}, testApps)
	cases := []struct {
		name string
		cfg  string
		code Code // "" when it parses
	}{
		{"good", good, ""},
		{"no-intermediates-key", strings.Replace(good, `"intermediates":[`+strings.Split(strings.Split(good, `"intermediates":[`)[1], "]")[0]+`],`, "", 1), ""},
		{"version-2", strings.Replace(good, `"version":1`, `"version":2`, 1), UnsupportedVersion},
		{"version-as-float", strings.Replace(good, `"version":1`, `"version":1.0`, 1), UnsupportedVersion},
		{"version-as-string", strings.Replace(good, `"version":1`, `"version":"1"`, 1), Malformed},
		{"intermediates-null", strings.Replace(good, `"intermediates":[`, `"intermediates":null,"x":[`, 1), Malformed},
		{"apps-empty", configJSON(leaf, nil, `[]`), Malformed},
		{"app-without-match", configJSON(leaf, nil, `[{"name":"a"}]`), Malformed},
		{"app-empty-match", configJSON(leaf, nil, `[{"name":"a","match":[]}]`), Malformed},
		{"app-without-name", configJSON(leaf, nil, `[{"match":["https://a.example.com/*"]}]`), Malformed},
		{"app-empty-name", configJSON(leaf, nil, `[{"name":"","match":["https://a.example.com/*"]}]`), Malformed},
		{"app-name-control", configJSON(leaf, nil, `[{"name":"a\u0007","match":["https://a.example.com/*"]}]`), Malformed},
		{"apps-same-name", configJSON(leaf, nil, `[{"name":"a","match":["https://a.example.com/*"]},{"name":"a","match":["https://b.example.com/*"]}]`), Malformed},
		{"permissions-not-object", configJSON(leaf, nil, `[{"name":"a","match":["https://a.example.com/*"],"permissions":true}]`), Malformed},
		{"permission-leaf-not-boolean", configJSON(leaf, nil, `[{"name":"a","match":["https://a.example.com/*"],"permissions":{"System":{"clearCache":1}}}]`), Malformed},
		{"pattern-localhost", configJSON(leaf, nil, `[{"name":"a","match":["https://localhost/*"]}]`), Malformed},
		{"pattern-ip", configJSON(leaf, nil, `[{"name":"a","match":["https://10.0.0.1/*"]}]`), Malformed},
		{"pattern-not-string", configJSON(leaf, nil, `[{"name":"a","match":[1]}]`), Malformed},
		{"top-level-array", `[]`, Malformed},
		{"trailing-data", good + ` {}`, Malformed},
		{"invalid-utf8", strings.Replace(good, "Acme Blotter", "Acme \xff", 1), Malformed},
		{"certificate-not-base64", strings.Replace(good, `"certificate":"`, `"certificate":"!`, 1), Malformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig(base64.StdEncoding.EncodeToString([]byte(tc.cfg)))
			if tc.code == "" {
				if err != nil {
					t.Fatalf("got %v, want the config to parse", err)
				}
				if cfg.Version != 1 || cfg.Certificate == nil || len(cfg.Apps) == 0 {
					t.Errorf("got %+v, want version 1, a certificate and apps", cfg)
				}
				return
			}
			var te *Error
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Fatalf("got %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestParseConfigContents(t *testing.T) {
	f := testPKI(t)
	leaf := f.leaf(t, certOpts{alg: "p256", name: "Contents"})
	cfg, err := ParseConfig(base64.StdEncoding.EncodeToString([]byte(configJSON(leaf, []*x509.Certificate{f.inter.cert}, testApps))))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Certificate.Equal(leaf.cert) || len(cfg.Intermediates) != 1 || !cfg.Intermediates[0].Equal(f.inter.cert) {
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
	f := testPKI(t)
	pemOf := func(typ string, der []byte) string {
		return "-----BEGIN " + typ + "-----\n" + base64.StdEncoding.EncodeToString(der) + "\n-----END " + typ + "-----\n"
	}
	root, foreign := pemOf("CERTIFICATE", f.root.cert.Raw), pemOf("CERTIFICATE", f.foreign.cert.Raw)
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
			r, err := ParseRoots([]byte(tc.data), "roots.pem")
			if tc.count == 0 {
				if err == nil || !strings.Contains(err.Error(), "roots.pem") {
					t.Fatalf("got %v, want an error naming roots.pem", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := len(r.Certificates()); got != tc.count {
				t.Errorf("got %d roots, want %d", got, tc.count)
			}
		})
	}
	a, b := NewRoots(f.root.cert, f.foreign.cert), NewRoots(f.foreign.cert, f.root.cert)
	if a.Sum() != b.Sum() || a.Sum() == NewRoots(f.root.cert).Sum() {
		t.Errorf("got sums %x, %x: want the same set in another order to sum the same, and another set not", a.Sum(), b.Sum())
	}
}
