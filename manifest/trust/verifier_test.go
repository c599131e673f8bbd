package trust_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// TestVerifierOptions checks that a Verifier without what it needs, or
// with an option it does not know, trusts nothing.
func TestVerifierOptions(t *testing.T) {
	f := newPKI(t)
	leaf := f.leaf(t, trusttest.Options{Name: "Options"})
	block := f.block(t, leaf, testApps)
	u, _ := pattern.ParseURL(testURL, pattern.Strict)
	cases := []struct {
		name     string
		v        *trust.Verifier
		platform string
		want     trust.Code
	}{
		{"zero-verifier", &trust.Verifier{}, "linux", trust.UnknownAuthority},
		{"empty-roots", &trust.Verifier{Roots: &trust.Roots{}, Now: fixedNow(testNow)}, "linux", trust.UnknownAuthority},
		{"no-roots-given", &trust.Verifier{Roots: trust.NewRoots(), Now: fixedNow(testNow)}, "linux", trust.UnknownAuthority},
		{"unknown-revocation-mode", &trust.Verifier{Roots: f.roots, Now: fixedNow(testNow), RevocationMode: "sometimes"}, "linux", trust.RevocationUnknown},
		{"unknown-platform", &trust.Verifier{Roots: f.roots, Now: fixedNow(testNow)}, "bsd", trust.NoPlatformSignature},
		{"sound", &trust.Verifier{Roots: f.roots, Now: fixedNow(testNow)}, "linux", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.v.Verify(context.Background(), block, tc.platform, u)
			var got trust.Code
			var te *trust.Error
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
	f := newPKI(t)
	leaf := f.leaf(t, trusttest.Options{Name: "Block"})
	apps := `[{"name":"A","match":["https://a.example.com/*"],"permissions":{"System":{"clearCache":true}}},{"name":"B","match":["https://b.example.com/*"]}]`
	block := f.block(t, leaf, apps)
	v := &trust.Verifier{Roots: f.roots, Now: fixedNow(testNow)}
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

// TestExpiresFirst: a verdict names the certificate of the chain that
// expires first, whichever it is, with its NotAfter.
func TestExpiresFirst(t *testing.T) {
	f := newPKI(t)
	soon := testNow.Add(40 * 24 * time.Hour)
	for _, tc := range []struct {
		name  string
		inter trusttest.Options
		leaf  trusttest.Options
		want  string
	}{
		{"the-signer", trusttest.Options{Name: "Long Intermediate", CA: true}, trusttest.Options{Name: "Short Signer", NotAfter: soon}, "Short Signer"},
		{"an-intermediate", trusttest.Options{Name: "Short Intermediate", CA: true, NotAfter: soon}, trusttest.Options{Name: "Long Signer"}, "Short Intermediate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inter := f.root.Issue(t, tc.inter)
			leaf := inter.Issue(t, tc.leaf)
			block := trusttest.Block(t, leaf, trusttest.Config(leaf, testApps, inter))
			res, err := (&trust.Verifier{Roots: f.roots, Now: fixedNow(testNow)}).VerifyBlock(context.Background(), block, "linux")
			if err != nil {
				t.Fatal(err)
			}
			if res.ExpiresFirst != tc.want || !res.Expires.Equal(soon) {
				t.Errorf("got %q at %v, want %q at %v", res.ExpiresFirst, res.Expires, tc.want, soon)
			}
		})
	}
}
