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

// TestCache checks what a verified-block cache may and may not reuse. The
// signing certificate has a CRL distribution point and no CRL is kept on
// disk, so each verification that is not served from the cache costs one
// request to the CRL server: the count shows which calls were.
func TestCache(t *testing.T) {
	f := newPKI(t)
	matching, _ := pattern.ParseURL(testURL, pattern.Strict)
	other, _ := pattern.ParseURL("https://apps.acme.com/other/app.json", pattern.Strict)
	srv := newCRLServer(t)
	leaf := f.leaf(t, trusttest.Options{Name: "Acme Cached", CRLURLs: []string{srv.url("inter.crl")}})
	srv.set(f.inter.CRL(t, 1, testNow, testNow.Add(48*time.Hour)), false)
	cfg := trusttest.Config(leaf, testApps, f.inter)
	block := trusttest.Block(t, leaf, cfg)
	badSig := trusttest.BlockOf(trusttest.Value(cfg), map[string]string{"linux": "AAAA"})
	foreignRoots := trust.NewRoots(f.foreign.Certificate)

	type call struct {
		name     string
		block    []byte
		platform string
		url      pattern.URL
		now      time.Time
		roots    *trust.Roots
		mode     trust.RevocationMode
		revoked  string // an entry of the owner's revokedCertificates
		purge    bool   // Purge before the call
		wantCode trust.Code
		wantHits int
	}
	calls := []call{
		{name: "first-check-fetches-the-crl", wantHits: 1},
		{name: "second-check-is-a-hit", wantHits: 1},
		{name: "hit-still-matches-the-url", url: other, wantCode: trust.URLNotMatched, wantHits: 1},
		{name: "hit-applies-the-owner-revoked-list", revoked: sum(leaf), wantCode: trust.Revoked, wantHits: 1},
		{name: "hit-applies-a-tbs-entry", revoked: tbsSum(f.inter), wantCode: trust.Revoked, wantHits: 1},
		{name: "hit-applies-an-spki-entry", revoked: spkiSum(f.root), wantCode: trust.Revoked, wantHits: 1},
		{name: "hit-after-owner-unrevokes", wantHits: 1},
		{name: "another-signature-is-no-hit", block: badSig, wantCode: trust.SignatureInvalid, wantHits: 1},
		{name: "another-platform-is-no-hit", platform: "win", wantHits: 2},
		{name: "other-roots-are-no-hit", roots: foreignRoots, wantCode: trust.UnknownAuthority, wantHits: 2},
		{name: "another-revocation-mode-is-no-hit", mode: trust.RevocationOnline, wantHits: 3},
		{name: "online-mode-verdicts-are-not-kept", mode: trust.RevocationOnline, wantHits: 4},
		{name: "still-a-hit-before-next-update", now: testNow.Add(47 * time.Hour), wantHits: 4},
		{name: "no-hit-after-next-update", now: testNow.Add(49 * time.Hour), wantCode: trust.RevocationUnknown, wantHits: 5},
		{name: "purge-empties-the-cache", purge: true, wantHits: 6},
	}
	cache := &trust.Cache{}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if c.block == nil {
				c.block = block
			}
			if c.platform == "" {
				c.platform = "linux"
			}
			if c.url == (pattern.URL{}) {
				c.url = matching
			}
			if c.now.IsZero() {
				c.now = testNow
			}
			if c.roots == nil {
				c.roots = f.roots
			}
			if c.purge {
				cache.Purge()
				if cache.Len() != 0 {
					t.Fatalf("got %d entries after Purge, want 0", cache.Len())
				}
			}
			var revoked []string
			if c.revoked != "" {
				revoked = []string{c.revoked}
			}
			v := &trust.Verifier{Roots: c.roots, Now: fixedNow(c.now), RevocationMode: c.mode, FetchCRL: srv.fetch, Cache: cache,
				Revoked: ownerRevoking(t, revoked...)}
			_, err := v.Verify(context.Background(), c.block, c.platform, c.url)
			var got trust.Code
			var te *trust.Error
			if errors.As(err, &te) {
				got = te.Code
			}
			if got != c.wantCode {
				t.Errorf("got code %q (%v), want %q", got, err, c.wantCode)
			}
			if hits := srv.requests(); hits != c.wantHits {
				t.Errorf("got %d CRL requests so far, want %d", hits, c.wantHits)
			}
		})
	}
}

// TestCacheExpiry checks that a cached verdict ends with the chain's
// validity.
func TestCacheExpiry(t *testing.T) {
	f := newPKI(t)
	u, _ := pattern.ParseURL(testURL, pattern.Strict)
	end := testNow.Add(time.Hour)
	leaf := f.leaf(t, trusttest.Options{Name: "Short Lived", NotAfter: end})
	block := f.block(t, leaf, testApps)
	cache := &trust.Cache{}
	for _, tc := range []struct {
		name string
		now  time.Time
		want trust.Code
	}{
		{"valid", testNow, ""},
		{"at-not-after", end, ""},
		{"past-not-after", end.Add(time.Second), trust.CertificateExpired},
	} {
		v := &trust.Verifier{Roots: f.roots, Now: fixedNow(tc.now), Cache: cache}
		_, err := v.Verify(context.Background(), block, "linux", u)
		var got trust.Code
		var te *trust.Error
		if errors.As(err, &te) {
			got = te.Code
		}
		if got != tc.want {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got, err, tc.want)
		}
	}
}
