package trust_test

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// TestCheckNameConstraints checks which hosts a pattern can match against
// the DNS name constraints of a chain (SPEC 5.3), label by label.
func TestCheckNameConstraints(t *testing.T) {
	root := trusttest.NewRoot(t, trusttest.Options{})
	ca := func(permitted, excluded []string) []*x509.Certificate {
		return []*x509.Certificate{root.Issue(t, trusttest.Options{CA: true, PermittedDNS: permitted, ExcludedDNS: excluded}).Certificate}
	}
	acme := ca([]string{"acme.test"}, nil)
	below := ca([]string{".acme.test"}, nil)
	partner := ca([]string{"partner.test"}, nil)
	both := ca([]string{"partner.test", "acme.test"}, nil)
	upper := ca([]string{"ACME.Test"}, nil)
	secret := ca([]string{"acme.test"}, []string{"secret.acme.test"})
	belowExcluded := ca(nil, []string{".acme.test"})
	idn := ca([]string{"xn--bcher-kva.test"}, nil)
	nested := append(ca([]string{"acme.test"}, nil), partner...)
	unconstrained := ca(nil, nil)
	for _, tc := range []struct {
		name    string
		chain   []*x509.Certificate
		pattern string
		within  bool
		why     string // in the error, where given
	}{
		{"wildcard-within-its-domain", acme, "https://*.acme.test/*", true, ""},
		{"host-within", acme, "https://apps.acme.test/blotter/*", true, ""},
		{"domain-itself-within", acme, "https://acme.test/*", true, ""},
		{"deep-wildcard-within", acme, "https://*.apps.acme.test:8443/*", true, ""},
		{"other-domain", acme, "https://*.partner.test/*", false, `can match hosts that certificate "Test Intermediate" does not permit: it permits "acme.test" only`},
		{"suffix-not-label", acme, "https://evilacme.test/*", false, "does not permit"},
		{"wildcard-within-partner-not", partner, "https://*.acme.test/*", false, `it permits "partner.test" only`},
		{"one-of-several-permitted", both, "https://*.acme.test/*", true, ""},
		{"constraint-case", upper, "https://apps.acme.test/*", true, ""},
		{"dot-constraint-not-the-domain", below, "https://acme.test/*", false, ""},
		{"dot-constraint-not-a-wildcard-on-the-domain", below, "https://*.acme.test/*", false, ""},
		{"dot-constraint-a-host-below", below, "https://apps.acme.test/*", true, ""},
		{"dot-constraint-a-wildcard-below", below, "https://*.apps.acme.test/*", true, ""},
		{"excluded-host-not-matched", secret, "https://apps.acme.test/*", true, ""},
		{"excluded-host-under-wildcard", secret, "https://*.acme.test/*", false, `can match hosts in "secret.acme.test", which certificate "Test Intermediate" excludes`},
		{"excluded-host-itself", secret, "https://secret.acme.test/*", false, "excludes"},
		{"below-excluded-host", secret, "https://x.secret.acme.test/*", false, "excludes"},
		{"wildcard-on-excluded-host", secret, "https://*.secret.acme.test/*", false, "excludes"},
		{"wildcard-beside-excluded-host", secret, "https://*.apps.acme.test/*", true, ""},
		{"excluded-below-domain-keeps-domain", belowExcluded, "https://acme.test/*", true, ""},
		{"excluded-below-domain-wildcard", belowExcluded, "https://*.acme.test/*", false, `".acme.test"`},
		{"unicode-pattern-punycode-constraint", idn, "https://*.bücher.test/*", true, ""},
		{"every-certificate-of-the-chain", nested, "https://*.acme.test/*", false, "partner.test"},
		{"no-constraints", unconstrained, "https://*.anything.test/*", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := pattern.Parse(tc.pattern, pattern.Strict)
			if err != nil {
				t.Fatal(err)
			}
			err = trust.CheckNameConstraints(p, tc.chain)
			if (err == nil) != tc.within {
				t.Fatalf("got %v, want within %v", err, tc.within)
			}
			var nce *trust.NameConstraintsError
			if err != nil && (!errors.As(err, &nce) || !strings.Contains(err.Error(), tc.why)) {
				t.Errorf("got %T %q, want a *NameConstraintsError holding %q", err, err, tc.why)
			}
		})
	}
}

// TestNameConstraintsLimitPatterns mounts SPEC 5.3's attack: a CA
// constrained to partner.test issues a signer, which signs a block for
// *.acme.test. The entries outside the chain's constraints are skipped;
// where only such entries match, the code is name-constraints.
func TestNameConstraintsLimitPatterns(t *testing.T) {
	root := trusttest.NewRoot(t, trusttest.Options{})
	roots := trust.NewRoots(root.Certificate)
	const inside = `{"name":"Inside","match":["https://*.acme.test/blotter/*"],"permissions":{"System":{"launchExternalProcess":true}}}`
	const outside = `{"name":"Outside","match":["https://apps.acme.test/*","https://evil.partner.test/*"],"permissions":{"System":{"clearCache":true,"launchExternalProcess":true}}}`
	cases := []struct {
		name       string
		constraint trusttest.Options // of the intermediate
		rootNamed  []string          // the root's permitted DNS names, in its own root
		apps       string
		url        string
		want       trust.Code
		wantApps   []string
		wantGrants []string
		warnings   int
	}{
		{name: "partner-ca-signs-for-acme", constraint: trusttest.Options{PermittedDNS: []string{"partner.test"}}, apps: "[" + inside + "]",
			url: "https://apps.acme.test/blotter/app.json", want: trust.NameConstraints},
		{name: "acme-ca-signs-for-acme", constraint: trusttest.Options{PermittedDNS: []string{"acme.test"}}, apps: "[" + inside + "]",
			url: "https://apps.acme.test/blotter/app.json", wantApps: []string{"Inside"}, wantGrants: []string{"System.launchExternalProcess"}},
		{name: "subdomains-only-ca-signs-a-wildcard-on-the-domain", constraint: trusttest.Options{PermittedDNS: []string{".acme.test"}}, apps: "[" + inside + "]",
			url: "https://apps.acme.test/blotter/app.json", want: trust.NameConstraints},
		{name: "excluded-host-under-the-wildcard", constraint: trusttest.Options{ExcludedDNS: []string{"secret.acme.test"}}, apps: "[" + inside + "]",
			url: "https://apps.acme.test/blotter/app.json", want: trust.NameConstraints},
		{name: "constrained-root", rootNamed: []string{"partner.test"}, apps: "[" + inside + "]",
			url: "https://apps.acme.test/blotter/app.json", want: trust.NameConstraints},
		{name: "entry-with-one-pattern-outside-is-skipped", constraint: trusttest.Options{PermittedDNS: []string{"acme.test"}}, apps: "[" + inside + "," + outside + "]",
			url: "https://apps.acme.test/blotter/app.json", wantApps: []string{"Inside"}, wantGrants: []string{"System.launchExternalProcess"}, warnings: 1},
		{name: "only-the-skipped-entry-matches", constraint: trusttest.Options{PermittedDNS: []string{"acme.test"}}, apps: "[" + inside + "," + outside + "]",
			url: "https://apps.acme.test/other/app.json", want: trust.NameConstraints},
		{name: "nothing-matches", constraint: trusttest.Options{PermittedDNS: []string{"partner.test"}}, apps: "[" + inside + "]",
			url: "https://apps.acme.test/other/app.json", want: trust.URLNotMatched},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			issuerRoot, verifyRoots := root, roots
			if tc.rootNamed != nil {
				issuerRoot = trusttest.NewRoot(t, trusttest.Options{Name: "Partner Root", PermittedDNS: tc.rootNamed})
				verifyRoots = trust.NewRoots(issuerRoot.Certificate)
			}
			o := tc.constraint
			o.CA = true
			inter := issuerRoot.Issue(t, o)
			leaf := inter.Issue(t, trusttest.Options{})
			block := trusttest.Block(t, leaf, trusttest.Config(leaf, tc.apps, inter), "linux")
			u, err := pattern.ParseURL(tc.url, pattern.Strict)
			if err != nil {
				t.Fatal(err)
			}
			v := &trust.Verifier{Roots: verifyRoots, Now: fixedNow(testNow)}
			res, err := v.Verify(context.Background(), block, "linux", u)
			var got trust.Code
			var te *trust.Error
			if errors.As(err, &te) {
				got = te.Code
			} else if err != nil {
				t.Fatalf("got %T %v, want an *Error", err, err)
			}
			if got != tc.want {
				t.Fatalf("got %q (%v), want %q", got, err, tc.want)
			}
			if err != nil {
				return
			}
			var grants []string
			for _, g := range res.Grants {
				grants = append(grants, g.Name)
			}
			if !slices.Equal(res.Apps, tc.wantApps) || !slices.Equal(grants, tc.wantGrants) || len(res.Warnings) != tc.warnings {
				t.Errorf("got apps %q, grants %q, warnings %q; want %q, %q and %d warnings", res.Apps, grants, res.Warnings, tc.wantApps, tc.wantGrants, tc.warnings)
			}
		})
	}
}

// TestNameConstraintsInspect checks that the URL-free verdict that
// rvm-trust inspect shows names the entries that are never used.
func TestNameConstraintsInspect(t *testing.T) {
	root := trusttest.NewRoot(t, trusttest.Options{})
	inter := root.Issue(t, trusttest.Options{CA: true, PermittedDNS: []string{"partner.test"}})
	leaf := inter.Issue(t, trusttest.Options{})
	apps := `[{"name":"Partner","match":["https://*.partner.test/*"]},{"name":"Acme","match":["https://*.acme.test/*"]}]`
	block := trusttest.Block(t, leaf, trusttest.Config(leaf, apps, inter), "linux")
	v := &trust.Verifier{Roots: trust.NewRoots(root.Certificate), Now: fixedNow(testNow)}
	res, err := v.VerifyBlock(context.Background(), block, "linux")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], `app "Acme" is never used: pattern "https://*.acme.test/*"`) {
		t.Errorf("got warnings %q, want one naming app Acme and its pattern", res.Warnings)
	}
}
