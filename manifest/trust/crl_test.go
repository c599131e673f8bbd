package trust_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/internal/privfile"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// crlServer serves one CRL over TLS on loopback, with an ETag, and counts
// the requests that reach it.
type crlServer struct {
	srv  *httptest.Server
	mu   sync.Mutex
	body []byte
	down bool
	hits int
}

func newCRLServer(t *testing.T) *crlServer {
	s := &crlServer{}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		s.hits++
		etag := fmt.Sprintf(`"%x"`, sha256.Sum256(s.body))
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(s.body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *crlServer) url(name string) string { return s.srv.URL + "/" + name }

func (s *crlServer) set(body []byte, down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.down = body, down
}

func (s *crlServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

// fetch is a FetchCRL through the server's own client, which trusts its
// certificate, until the launcher's strict fetcher takes its place.
func (s *crlServer) fetch(ctx context.Context, url string, limit int64, v fetch.Validators) (*fetch.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return &fetch.Response{FinalURL: url, Validators: v, NotModified: true}, nil
	case http.StatusOK:
	default:
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, errors.New("CRL too large")
	}
	return &fetch.Response{Body: body, FinalURL: url, Validators: fetch.Validators{ETag: resp.Header.Get("ETag")}}, nil
}

func TestCRL(t *testing.T) {
	f := newPKI(t)
	u, err := pattern.ParseURL(testURL, pattern.Strict)
	if err != nil {
		t.Fatal(err)
	}
	week := 7 * 24 * time.Hour
	later := testNow.Add(2 * week) // past the NextUpdate of a CRL made at testNow
	type step struct {
		now      time.Time
		crl      string // "good", "revoking", "stale", "foreign", "garbage", "new": what the server has
		down     bool
		wantCode trust.Code // "" for trusted
		wantHits int        // requests that reached the server so far
	}
	cases := []struct {
		name     string
		mode     trust.RevocationMode
		noDisk   bool
		httpOnly bool // the signing certificate's only distribution point is http
		steps    []step
	}{
		{name: "crl-does-not-list-signer", steps: []step{{crl: "good", wantHits: 1}}},
		{name: "crl-lists-signer", steps: []step{{crl: "revoking", wantCode: trust.Revoked, wantHits: 1}}},
		{name: "crl-unreachable-nothing-cached", steps: []step{{down: true, wantCode: trust.RevocationUnknown}}},
		{name: "crl-unreachable-current-copy-cached", steps: []step{
			{crl: "good", wantHits: 1},
			{down: true, wantHits: 1},
		}},
		{name: "crl-unreachable-cached-copy-out-of-date", steps: []step{
			{crl: "good", wantHits: 1},
			{now: later, down: true, wantCode: trust.RevocationUnknown, wantHits: 1},
		}},
		{name: "crl-next-update-passed", steps: []step{{crl: "stale", wantCode: trust.RevocationUnknown, wantHits: 1}}},
		{name: "crl-refetched-after-next-update", steps: []step{
			{crl: "good", wantHits: 1},
			{now: later, crl: "new", wantHits: 2},
			{now: later, crl: "new", wantHits: 2},
		}},
		{name: "crl-unchanged-after-next-update", steps: []step{
			{crl: "good", wantHits: 1},
			{now: later, crl: "good", wantCode: trust.RevocationUnknown, wantHits: 2},
		}},
		{name: "crl-revokes-on-refetch", steps: []step{
			{crl: "good", wantHits: 1},
			{now: later, crl: "revoking-later", wantCode: trust.Revoked, wantHits: 2},
		}},
		{name: "crl-signed-by-another-ca", steps: []step{{crl: "foreign", wantCode: trust.RevocationUnknown, wantHits: 1}}},
		{name: "crl-not-der", steps: []step{{crl: "garbage", wantCode: trust.RevocationUnknown, wantHits: 1}}},
		{name: "crl-without-disk-cache-fetched-each-time", noDisk: true, steps: []step{
			{crl: "good", wantHits: 1},
			{crl: "good", wantHits: 2},
			{down: true, wantCode: trust.RevocationUnknown, wantHits: 2},
		}},
		{name: "online-fetches-at-every-check", mode: trust.RevocationOnline, steps: []step{
			{crl: "good", wantHits: 1},
			{crl: "good", wantHits: 2},
			{down: true, wantCode: trust.RevocationUnknown, wantHits: 2},
		}},
		{name: "online-lists-signer", mode: trust.RevocationOnline, steps: []step{{crl: "revoking", wantCode: trust.Revoked, wantHits: 1}}},
		{name: "off-skips-crls", mode: trust.RevocationOff, steps: []step{
			{crl: "revoking", wantHits: 0},
			{down: true, wantHits: 0},
		}},
		{name: "http-distribution-point-not-consulted", httpOnly: true, steps: []step{{crl: "revoking", wantHits: 0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newCRLServer(t)
			points := []string{srv.url("inter.crl")}
			if tc.httpOnly {
				points = []string{"http://127.0.0.1:1/inter.crl"}
			}
			leaf := f.leaf(t, trusttest.Options{Name: "Acme CRL", CRLURLs: points})
			bodies := map[string][]byte{
				"good":           f.inter.CRL(t, 1, testNow, testNow.Add(week)),
				"revoking":       f.inter.CRL(t, 1, testNow, testNow.Add(week), leaf),
				"stale":          f.inter.CRL(t, 1, testNow.Add(-2*week), testNow.Add(-week)),
				"foreign":        f.foreign.CRL(t, 1, testNow, testNow.Add(week)),
				"garbage":        []byte("not a CRL"),
				"new":            f.inter.CRL(t, 2, later, later.Add(week)),
				"revoking-later": f.inter.CRL(t, 2, later, later.Add(week), leaf),
			}
			block := f.block(t, leaf, testApps)
			dir := t.TempDir()
			if tc.noDisk {
				dir = ""
			}
			for i, st := range tc.steps {
				srv.set(bodies[st.crl], st.down)
				now := st.now
				if now.IsZero() {
					now = testNow
				}
				v := &trust.Verifier{Roots: f.roots, Now: fixedNow(now), RevocationMode: tc.mode, FetchCRL: srv.fetch, CRLs: &fetch.Store{Dir: dir}}
				res, err := v.Verify(context.Background(), block, "linux", u)
				var code trust.Code
				var te *trust.Error
				if errors.As(err, &te) {
					code = te.Code
				} else if err != nil {
					t.Fatalf("step %d: got %v, want an *Error", i, err)
				}
				if code != st.wantCode {
					t.Fatalf("step %d: got code %q (%v), want %q", i, code, err, st.wantCode)
				}
				if got := srv.requests(); got != st.wantHits {
					t.Errorf("step %d: got %d requests to the CRL server, want %d", i, got, st.wantHits)
				}
				if err == nil && tc.mode != trust.RevocationOff && !tc.httpOnly && tc.mode != trust.RevocationOnline {
					if want := now.Add(week); !res.ValidUntil.Equal(want) && !res.ValidUntil.Equal(later.Add(week)) {
						t.Errorf("step %d: got ValidUntil %v, want the CRL's NextUpdate", i, res.ValidUntil)
					}
				}
			}
		})
	}
}

// TestCRLOfIntermediate checks the intermediate against the root's CRL.
func TestCRLOfIntermediate(t *testing.T) {
	f := newPKI(t)
	srv := newCRLServer(t)
	inter := f.root.Issue(t, trusttest.Options{Name: "Intermediate With CRL", CA: true, CRLURLs: []string{srv.url("root.crl")}})
	leaf := inter.Issue(t, trusttest.Options{Name: "Under It"})
	block := trusttest.Block(t, leaf, trusttest.Config(leaf, testApps, inter))
	u, _ := pattern.ParseURL(testURL, pattern.Strict)
	for _, tc := range []struct {
		name string
		crl  []byte
		want trust.Code
	}{
		{"root-crl-clean", f.root.CRL(t, 1, testNow, testNow.Add(time.Hour)), ""},
		{"root-crl-lists-intermediate", f.root.CRL(t, 2, testNow, testNow.Add(time.Hour), inter), trust.Revoked},
		{"crl-by-the-intermediate-itself", inter.CRL(t, 1, testNow, testNow.Add(time.Hour)), trust.RevocationUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.set(tc.crl, false)
			v := &trust.Verifier{Roots: f.roots, Now: fixedNow(testNow), FetchCRL: srv.fetch}
			_, err := v.Verify(context.Background(), block, "linux", u)
			var got trust.Code
			var te *trust.Error
			if errors.As(err, &te) {
				got = te.Code
			}
			if got != tc.want {
				t.Errorf("got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

// TestCRLCacheFile checks that a fetched CRL lands on disk, 0600, and that
// a damaged copy is ignored rather than trusted.
func TestCRLCacheFile(t *testing.T) {
	f := newPKI(t)
	srv := newCRLServer(t)
	leaf := f.leaf(t, trusttest.Options{Name: "Acme CRL File", CRLURLs: []string{srv.url("inter.crl")}})
	block := f.block(t, leaf, testApps)
	u, _ := pattern.ParseURL(testURL, pattern.Strict)
	dir := t.TempDir()
	srv.set(f.inter.CRL(t, 1, testNow, testNow.Add(time.Hour)), false)
	v := &trust.Verifier{Roots: f.roots, Now: fixedNow(testNow), FetchCRL: srv.fetch, CRLs: &fetch.Store{Dir: dir}}
	if _, err := v.Verify(context.Background(), block, "linux", u); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 1 {
		t.Fatalf("got cached CRL files %q, want one", files)
	}
	privfile.Check(t, files[0])
	if err := os.WriteFile(files[0], []byte(`{"url":"x"`), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.set(nil, true)
	_, err := v.Verify(context.Background(), block, "linux", u)
	var te *trust.Error
	if !errors.As(err, &te) || te.Code != trust.RevocationUnknown {
		t.Errorf("with a damaged cache and the server down: got %v, want code %s", err, trust.RevocationUnknown)
	}
}

// tlv is the DER of one element: tag, then content of fewer than 128
// bytes.
func tlv(t *testing.T, tag byte, content ...[]byte) []byte {
	t.Helper()
	body := bytes.Join(content, nil)
	if len(body) >= 128 {
		t.Fatalf("tlv: %d bytes, want fewer than 128", len(body))
	}
	return append([]byte{tag, byte(len(body))}, body...)
}

// TestCRLNotComplete mounts the CRLs that SPEC 5.4 says are not complete:
// each is signed by the right issuer, current, and does not list the
// signing certificate, so that taking it for complete would trust a
// certificate that the issuer's complete CRL may well revoke.
func TestCRLNotComplete(t *testing.T) {
	f := newPKI(t)
	srv := newCRLServer(t)
	point := srv.url("inter.crl")
	leaf := f.leaf(t, trusttest.Options{Name: "Acme Partitioned", CRLURLs: []string{point}})
	block := f.block(t, leaf, testApps)
	u, err := pattern.ParseURL(testURL, pattern.Strict)
	if err != nil {
		t.Fatal(err)
	}
	private := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}
	null := []byte{0x05, 0x00}
	idp := func(fields ...[]byte) pkix.Extension {
		return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 28}, Critical: true, Value: tlv(t, 0x30, fields...)}
	}
	// distributionPoint [0] { fullName [0] { uniformResourceIdentifier [6] } }
	fullName := func(uri string) []byte { return tlv(t, 0xa0, tlv(t, 0xa0, tlv(t, 0x86, []byte(uri)))) }
	// distributionPoint [0] { nameRelativeToCRLIssuer [1] { CN=x } }
	relative := tlv(t, 0xa0, tlv(t, 0xa1, tlv(t, 0x30, tlv(t, 0x06, []byte{0x55, 0x04, 0x03}), tlv(t, 0x0c, []byte("x")))))
	someone := x509.RevocationListEntry{SerialNumber: big.NewInt(4242), RevocationTime: testNow}
	cases := []struct {
		name    string
		exts    []pkix.Extension
		entries []x509.RevocationListEntry
		want    trust.Code
		reason  string
	}{
		{name: "complete"},
		{name: "issuing-point-is-this-one", exts: []pkix.Extension{idp(fullName(point))}},
		{name: "issuing-point-flag-written-false", exts: []pkix.Extension{idp(fullName(point), tlv(t, 0x81, []byte{0}))}},
		{name: "unknown-non-critical-extension", exts: []pkix.Extension{{Id: private, Value: null}}},
		{name: "entry-with-reason-code", entries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(4242), RevocationTime: testNow, ReasonCode: 1}}},
		{name: "entry-unknown-non-critical-extension", entries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(4242), RevocationTime: testNow, ExtraExtensions: []pkix.Extension{{Id: private, Value: null}}}}},

		{name: "delta-crl", exts: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 27}, Critical: true, Value: []byte{0x02, 0x01, 0x01}}}, want: trust.RevocationUnknown, reason: "is not a complete CRL: it is a delta CRL"},
		{name: "only-user-certificates", exts: []pkix.Extension{idp(tlv(t, 0x81, []byte{0xff}))}, want: trust.RevocationUnknown, reason: "end-entity certificates only"},
		{name: "only-ca-certificates", exts: []pkix.Extension{idp(tlv(t, 0x82, []byte{0xff}))}, want: trust.RevocationUnknown, reason: "CA certificates only"},
		{name: "only-some-reasons", exts: []pkix.Extension{idp(tlv(t, 0x83, []byte{0x06, 0x40}))}, want: trust.RevocationUnknown, reason: "some reasons only"},
		{name: "indirect", exts: []pkix.Extension{idp(tlv(t, 0x84, []byte{0xff}))}, want: trust.RevocationUnknown, reason: "indirect"},
		{name: "only-attribute-certificates", exts: []pkix.Extension{idp(tlv(t, 0x85, []byte{0xff}))}, want: trust.RevocationUnknown, reason: "attribute certificates only"},
		{name: "matching-point-but-partitioned", exts: []pkix.Extension{idp(fullName(point), tlv(t, 0x82, []byte{0xff}))}, want: trust.RevocationUnknown, reason: "CA certificates only"},
		{name: "issuing-point-is-another", exts: []pkix.Extension{idp(fullName(srv.url("other.crl")))}, want: trust.RevocationUnknown, reason: `for the distribution point "` + srv.url("other.crl") + `"`},
		{name: "issuing-point-relative-to-issuer", exts: []pkix.Extension{idp(relative)}, want: trust.RevocationUnknown, reason: "relative to its issuer"},
		{name: "issuing-point-garbage", exts: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 28}, Critical: true, Value: []byte("garbage")}}, want: trust.RevocationUnknown, reason: "does not parse"},
		{name: "unknown-critical-extension", exts: []pkix.Extension{{Id: private, Critical: true, Value: null}}, want: trust.RevocationUnknown, reason: "critical extension that rvm does not know (1.3.6.1.4.1.55555.1)"},
		{name: "entry-unknown-critical-extension", entries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(4242), RevocationTime: testNow, ExtraExtensions: []pkix.Extension{{Id: private, Critical: true, Value: null}}}},
			want: trust.RevocationUnknown, reason: "entry for serial 4242 has a critical extension"},
		{name: "entry-names-another-issuer", entries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(4242), RevocationTime: testNow, ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 29}, Critical: true, Value: tlv(t, 0x30, tlv(t, 0x86, []byte("https://elsewhere.test/")))}}}},
			want: trust.RevocationUnknown, reason: "indirect CRL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			entries := tc.entries
			if entries == nil {
				entries = []x509.RevocationListEntry{someone}
			}
			srv.set(f.inter.SignCRL(t, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: testNow, NextUpdate: testNow.Add(time.Hour), ExtraExtensions: tc.exts, RevokedCertificateEntries: entries}), false)
			v := &trust.Verifier{Roots: f.roots, Now: fixedNow(testNow), FetchCRL: srv.fetch}
			_, err := v.Verify(context.Background(), block, "linux", u)
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

// TestCRLRetryAfter: after a 503 with Retry-After for a CRL that is due,
// the CRL's server is not asked again until then (at most
// fetch.MaxRetryAfter, whatever it says) and the check fails closed
// meanwhile, as with the server down; then it is asked again.
func TestCRLRetryAfter(t *testing.T) {
	f := newPKI(t)
	var mu sync.Mutex
	var body []byte
	busy, hits := false, 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		hits++
		if busy {
			w.Header().Set("Retry-After", "86400") // a day, bounded to ten minutes
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	set := func(crl []byte, b bool) (requests int) {
		mu.Lock()
		defer mu.Unlock()
		body, busy = crl, b
		return hits
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	fetcher := &fetch.Fetcher{RootCAs: pool, Timeouts: fetch.Timeouts{Total: 5 * time.Second}}
	leaf := f.leaf(t, trusttest.Options{Name: "Acme CRL Retry", CRLURLs: []string{srv.URL + "/inter.crl"}})
	block := f.block(t, leaf, testApps)
	u, _ := pattern.ParseURL(testURL, pattern.Strict)
	now := testNow
	v := &trust.Verifier{Roots: f.roots, Now: func() time.Time { return now }, FetchCRL: fetcher.GetStrict, CRLs: &fetch.Store{Dir: t.TempDir()}}
	const trusted trust.Code = "" // what verify returns where the block verifies
	verify := func() trust.Code {
		t.Helper()
		_, err := v.Verify(context.Background(), block, "linux", u)
		var te *trust.Error
		if errors.As(err, &te) {
			return te.Code
		}
		if err != nil {
			t.Fatal(err)
		}
		return trusted
	}
	set(f.inter.CRL(t, 1, now, now.Add(time.Hour)), false)
	if got := verify(); got != trusted {
		t.Fatalf("got %s with a current CRL, want %s", got, "trusted")
	}
	set(nil, true)
	now = now.Add(2 * time.Hour) // the cached CRL is out of date
	if got := verify(); got != trust.RevocationUnknown {
		t.Fatalf("got %s from a busy server, want %s", got, trust.RevocationUnknown)
	}
	before := set(nil, true)
	now = now.Add(9 * time.Minute)
	if got := verify(); got != trust.RevocationUnknown {
		t.Fatalf("got %s within Retry-After, want %s", got, trust.RevocationUnknown)
	}
	if n := set(nil, true) - before; n != 0 {
		t.Fatalf("got %d requests within Retry-After, want none", n)
	}
	set(f.inter.CRL(t, 2, now, now.Add(time.Hour)), false)
	now = now.Add(2 * time.Minute) // past the ten minutes it is bounded to
	if got := verify(); got != trusted {
		t.Fatalf("got %s past Retry-After's bound with a new CRL, want %s", got, "trusted")
	}
}
