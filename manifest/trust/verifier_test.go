package trust

import (
	"context"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// TestVerifierOptions checks that a Verifier without what it needs, or
// with an option it does not know, trusts nothing.
func TestVerifierOptions(t *testing.T) {
	f := testPKI(t)
	leaf := f.leaf(t, certOpts{alg: "p256", name: "Options"})
	block := signBlock(t, leaf, configJSON(leaf, []*x509.Certificate{f.inter.cert}, testApps))
	u, _ := pattern.ParseURL(testURL, pattern.Strict)
	cases := []struct {
		name     string
		v        *Verifier
		platform string
		want     Code
	}{
		{"zero-verifier", &Verifier{}, "linux", UnknownAuthority},
		{"empty-roots", &Verifier{Roots: &Roots{}, Now: fixedNow(testNow)}, "linux", UnknownAuthority},
		{"no-roots-given", &Verifier{Roots: NewRoots(), Now: fixedNow(testNow)}, "linux", UnknownAuthority},
		{"unknown-revocation-mode", &Verifier{Roots: f.roots, Now: fixedNow(testNow), RevocationMode: "sometimes"}, "linux", RevocationUnknown},
		{"unknown-platform", &Verifier{Roots: f.roots, Now: fixedNow(testNow)}, "bsd", NoPlatformSignature},
		{"sound", &Verifier{Roots: f.roots, Now: fixedNow(testNow)}, "linux", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.v.Verify(context.Background(), block, tc.platform, u)
			var got Code
			var te *Error
			if errors.As(err, &te) {
				got = te.Code
			} else if err != nil {
				t.Fatalf("got %T %v, want an *Error", err, err)
			}
			if got != tc.want {
				t.Errorf("got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

// TestVerifyBlock checks the URL-free verdict that inspect shows.
func TestVerifyBlock(t *testing.T) {
	f := testPKI(t)
	leaf := f.leaf(t, certOpts{alg: "p256", name: "Block"})
	apps := `[{"name":"A","match":["https://a.example.com/*"],"permissions":{"System":{"clearCache":true}}},{"name":"B","match":["https://b.example.com/*"]}]`
	block := signBlock(t, leaf, configJSON(leaf, []*x509.Certificate{f.inter.cert}, apps))
	v := &Verifier{Roots: f.roots, Now: fixedNow(testNow)}
	res, err := v.VerifyBlock(context.Background(), block, "mac")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Apps) != 2 || res.Apps[0] != "A" || res.Apps[1] != "B" || res.Grants != nil {
		t.Errorf("got apps %q and grants %v, want both apps and no grants", res.Apps, res.Grants)
	}
	if _, err := v.VerifyBlock(context.Background(), block[:len(block)-1], "mac"); err == nil {
		t.Errorf("a truncated block: got trusted, want an error")
	}
}
