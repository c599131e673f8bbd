package trust

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// TestCache checks what a verified-block cache may and may not reuse. The
// signing certificate has a CRL distribution point and no CRL is kept on
// disk, so each verification that is not served from the cache costs one
// request to the CRL server: the count shows which calls were.
func TestCache(t *testing.T) {
	f := testPKI(t)
	matching, _ := pattern.ParseURL(testURL, pattern.Strict)
	other, _ := pattern.ParseURL("https://apps.acme.com/other/app.json", pattern.Strict)
	srv := newCRLServer(t)
	leaf := f.leaf(t, certOpts{alg: "p256", name: "Acme Cached", crlURLs: []string{srv.url("inter.crl")}})
	srv.set(makeCRL(t, f.inter, 1, testNow, testNow.Add(48*time.Hour)), false)
	cfg := configJSON(leaf, []*x509.Certificate{f.inter.cert}, testApps)
	block := signBlock(t, leaf, cfg)
	value := base64.StdEncoding.EncodeToString([]byte(cfg))
	badSig := blockJSON(t, value, map[string]string{"linux": "AAAA"})
	foreignRoots := NewRoots(f.foreign.cert)
	leafSum := chainSums([]*x509.Certificate{leaf.cert})[0]

	type call struct {
		name     string
		block    []byte
		platform string
		url      pattern.URL
		now      time.Time
		roots    *Roots
		mode     RevocationMode
		revoked  bool // the owner revokes the signing certificate
		purge    bool // Purge before the call
		wantCode Code
		wantHits int
	}
	calls := []call{
		{name: "first-check-fetches-the-crl", wantHits: 1},
		{name: "second-check-is-a-hit", wantHits: 1},
		{name: "hit-still-matches-the-url", url: other, wantCode: URLNotMatched, wantHits: 1},
		{name: "hit-applies-the-owner-revoked-list", revoked: true, wantCode: Revoked, wantHits: 1},
		{name: "hit-after-owner-unrevokes", wantHits: 1},
		{name: "another-signature-is-no-hit", block: badSig, wantCode: SignatureInvalid, wantHits: 1},
		{name: "another-platform-is-no-hit", platform: "win", wantHits: 2},
		{name: "other-roots-are-no-hit", roots: foreignRoots, wantCode: UnknownAuthority, wantHits: 2},
		{name: "another-revocation-mode-is-no-hit", mode: RevocationOnline, wantHits: 3},
		{name: "online-mode-verdicts-are-not-kept", mode: RevocationOnline, wantHits: 4},
		{name: "still-a-hit-before-next-update", now: testNow.Add(47 * time.Hour), wantHits: 4},
		{name: "no-hit-after-next-update", now: testNow.Add(49 * time.Hour), wantCode: RevocationUnknown, wantHits: 5},
		{name: "purge-empties-the-cache", purge: true, wantHits: 6},
	}
	cache := &Cache{}
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
			v := &Verifier{Roots: c.roots, Now: fixedNow(c.now), RevocationMode: c.mode, FetchCRL: srv.fetch, Cache: cache,
				Revoked: func(s [32]byte) bool { return c.revoked && s == leafSum }}
			_, err := v.Verify(context.Background(), c.block, c.platform, c.url)
			var got Code
			var te *Error
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
	f := testPKI(t)
	u, _ := pattern.ParseURL(testURL, pattern.Strict)
	end := testNow.Add(time.Hour)
	leaf := f.leaf(t, certOpts{alg: "p256", name: "Short Lived", notAfter: end})
	block := signBlock(t, leaf, configJSON(leaf, []*x509.Certificate{f.inter.cert}, testApps))
	cache := &Cache{}
	for _, tc := range []struct {
		name string
		now  time.Time
		want Code
	}{
		{"valid", testNow, ""},
		{"at-not-after", end, ""},
		{"past-not-after", end.Add(time.Second), CertificateExpired},
	} {
		v := &Verifier{Roots: f.roots, Now: fixedNow(tc.now), Cache: cache}
		_, err := v.Verify(context.Background(), block, "linux", u)
		var got Code
		var te *Error
		if errors.As(err, &te) {
			got = te.Code
		}
		if got != tc.want {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got, err, tc.want)
		}
	}
}

// TestCacheBound feeds the cache one entry more than it holds.
func TestCacheBound(t *testing.T) {
	c := &Cache{}
	e := &entry{validUntil: validTo}
	for i := 0; i <= MaxCacheEntries; i++ {
		c.store(cacheKey{platform: strconv.Itoa(i)}, e, testNow)
	}
	if got := c.Len(); got != MaxCacheEntries {
		t.Errorf("got %d entries, want %d", got, MaxCacheEntries)
	}
	var nilCache *Cache
	nilCache.store(cacheKey{}, e, testNow)
	if nilCache.Len() != 0 || nilCache.lookup(cacheKey{}, "", testNow) != nil {
		t.Errorf("a nil cache holds something, want nothing")
	}
}
