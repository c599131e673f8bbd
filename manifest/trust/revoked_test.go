package trust_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// TestOwnerRevokedEveryEncoding mounts the attacks on the owner's
// revokedCertificates of SPEC 5.4: a certificate the owner revoked by the
// SHA-256 of its DER, presented in its other ECDSA encoding (s rewritten
// as n−s, as validly signed); a certificate revoked by its TBSCertificate
// or its key, presented re-encoded or re-issued. Each is refused, at the
// signer, the intermediate and the root.
func TestOwnerRevokedEveryEncoding(t *testing.T) {
	f := newPKI(t)
	u, err := pattern.ParseURL(testURL, pattern.Strict)
	if err != nil {
		t.Fatal(err)
	}
	leaf := f.leaf(t, trusttest.Options{Name: "Acme Revoked"})
	leafOther := leaf.Reencoded(t, f.inter)
	interOther := f.inter.Reencoded(t, f.root)
	rootOther := f.root.Reencoded(t, f.root)
	// The same keys, certified again: another DER and another
	// TBSCertificate, the same SubjectPublicKeyInfo.
	leafAgain := f.inter.Issue(t, trusttest.Options{Name: "Acme Revoked", Key: leaf.Key})
	interAgain := f.root.Issue(t, trusttest.Options{Name: "rvm Test Intermediate", CA: true, Key: f.inter.Key})
	underInterAgain := interAgain.Issue(t, trusttest.Options{Name: "Acme Revoked"})
	for _, c := range []struct{ a, b *trusttest.Cert }{{leaf, leafOther}, {f.inter, interOther}, {f.root, rootOther}} {
		if sum(c.a) == sum(c.b) || tbsSum(c.a) != tbsSum(c.b) {
			t.Fatalf("the re-encoded %q: want another DER of the same TBSCertificate", c.a.Subject.CommonName)
		}
	}

	signed := func(leaf *trusttest.Cert, inter *trusttest.Cert) []byte {
		return trusttest.Block(t, leaf, trusttest.Config(leaf, testApps, inter), "linux")
	}
	std := signed(leaf, f.inter)
	cases := []struct {
		name    string
		block   []byte
		roots   *trusttest.Cert // the trust root; f.root where nil
		revoked []string
		want    trust.Code // "" for trusted
		reason  string     // in the reason, where given
	}{
		{name: "nothing-revoked", block: std},
		{name: "re-encoded-signer-trusted-when-nothing-revoked", block: signed(leafOther, f.inter)},
		{name: "re-encoded-intermediate-trusted-when-nothing-revoked", block: signed(leaf, interOther)},
		{name: "unrelated-entries", block: std, revoked: []string{sum(f.foreign), tbsSum(f.foreign), spkiSum(f.foreign)}},

		{name: "signer-by-der", block: std, revoked: []string{sum(leaf)}, want: trust.Revoked, reason: "SHA-256"},
		{name: "signer-by-der-presented-re-encoded", block: signed(leafOther, f.inter), revoked: []string{sum(leaf)}, want: trust.Revoked, reason: "in another encoding"},
		{name: "signer-by-der-of-re-encoding", block: std, revoked: []string{sum(leafOther)}, want: trust.Revoked, reason: "in another encoding"},
		{name: "signer-by-der-upper-case", block: signed(leafOther, f.inter), revoked: []string{strings.ToUpper(sum(leaf))}, want: trust.Revoked},
		{name: "intermediate-by-der-presented-re-encoded", block: signed(leaf, interOther), revoked: []string{sum(f.inter)}, want: trust.Revoked, reason: `"rvm Test Intermediate"`},
		{name: "root-by-der-of-re-encoding", block: std, revoked: []string{sum(rootOther)}, want: trust.Revoked, reason: `"rvm Test Root"`},
		{name: "root-re-encoded-in-trust-roots", block: std, roots: rootOther, revoked: []string{sum(f.root)}, want: trust.Revoked},

		{name: "signer-by-tbs", block: std, revoked: []string{tbsSum(leaf)}, want: trust.Revoked, reason: "tbs:"},
		{name: "signer-by-tbs-presented-re-encoded", block: signed(leafOther, f.inter), revoked: []string{tbsSum(leaf)}, want: trust.Revoked},
		{name: "intermediate-by-tbs-presented-re-encoded", block: signed(leaf, interOther), revoked: []string{tbsSum(f.inter)}, want: trust.Revoked},
		{name: "root-by-tbs-upper-case", block: std, revoked: []string{"TBS:" + strings.ToUpper(strings.TrimPrefix(tbsSum(f.root), "tbs:"))}, want: trust.Revoked},
		{name: "tbs-does-not-revoke-a-re-issue", block: signed(leafAgain, f.inter), revoked: []string{tbsSum(leaf)}},

		{name: "signer-key", block: std, revoked: []string{spkiSum(leaf)}, want: trust.Revoked, reason: "the key of certificate"},
		{name: "signer-key-re-issued", block: signed(leafAgain, f.inter), revoked: []string{spkiSum(leaf)}, want: trust.Revoked},
		{name: "intermediate-key-re-issued", block: signed(underInterAgain, interAgain), revoked: []string{spkiSum(f.inter)}, want: trust.Revoked},
		{name: "root-key", block: std, revoked: []string{spkiSum(f.root)}, want: trust.Revoked, reason: `"rvm Test Root"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := tc.roots
			if root == nil {
				root = f.root
			}
			v := &trust.Verifier{Roots: trust.NewRoots(root.Certificate), Now: fixedNow(testNow), Revoked: ownerRevoking(t, tc.revoked...)}
			_, err := v.Verify(context.Background(), tc.block, "linux", u)
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
			if err != nil && !strings.Contains(te.Reason, tc.reason) {
				t.Errorf("got reason %q, want it to hold %q", te.Reason, tc.reason)
			}
		})
	}
}
