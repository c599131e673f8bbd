package hostile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

// This file mounts the review's attacks on the chain of a signed block
// (issue 11, flaws 2, 3, 8, 9 and 10) as a user meets them: certificates
// made in the test (re-encoded, re-issued, name-constrained, weak), blocks
// in manifests served over TLS on loopback, CRLs served over TLS on
// loopback, the desktop owner settings and the machine settings in files,
// and the decision document read back as `rvm verify --json` prints it.

// partnerHost is a second name the chain rig's server answers as: a
// partner's host, within the partner.test that constrained intermediates
// permit.
const partnerHost = "apps.partner.test"

// crlHost is the name the CRL servers answer as.
const crlHost = "crl.acme.test"

// chainRig serves manifests over TLS on loopback, as appHost and as
// partnerHost, carrying blocks whose PKI a test makes with trusttest, and
// decides on them as `rvm verify` would: trust roots, machine settings and
// desktop owner settings in files of their own.
type chainRig struct {
	v       *vendor
	port    string   // the manifest server's port
	resolve []string // the --resolve entries of the manifest server
	mu      sync.Mutex
	docs    map[string][]byte
	n       atomic.Int64
}

// newChainRig starts the manifest server with v's TLS CA.
func newChainRig(t *testing.T, v *vendor) *chainRig {
	r := &chainRig{v: v, docs: map[string][]byte{}}
	srv := v.server(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		body, ok := r.docs[req.URL.Path]
		r.mu.Unlock()
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Write(body)
	}), false, appHost, partnerHost)
	r.port = srv.Port
	r.resolve = []string{resolveTo(srv.Port), partnerHost + ":" + srv.Port + ":127.0.0.1"}
	return r
}

// publish serves, at a new path, a manifest that requests perms and
// carries block, and returns its URL on host (appHost or partnerHost).
func (r *chainRig) publish(host, perms string, block json.RawMessage) string {
	path := fmt.Sprintf("/app-%d.json", r.n.Add(1))
	r.mu.Lock()
	r.docs[path] = appManifest(perms, block)
	r.mu.Unlock()
	return "https://" + host + ":" + r.port + path
}

// everyApp is the signed pattern for every manifest of the rig's server
// under domain.
func (r *chainRig) everyApp(domain string) string { return "https://*." + domain + ":" + r.port + "/*" }

// blotter is the apps of a block that grants `grant` to every manifest
// of the rig's server under acme.test.
func (r *chainRig) blotter() string {
	return trusttest.Apps(trusttest.App{Name: "Acme Blotter", Match: []string{r.everyApp("acme.test")}, Permissions: grant})
}

// options are the flags of `rvm verify --trust-roots roots
// --machine-settings FILE`, FILE holding the members machine (JSON, ""
// for none) and, where owner is not "", DesktopOwnerSettings naming a file
// that holds owner. The --resolve entries send the rig's hosts and
// resolve's to loopback.
func (r *chainRig) options(t *testing.T, roots, owner, machine string, resolve ...string) launcher.Options {
	t.Helper()
	var members []string
	if owner != "" {
		path := filepath.Join(t.TempDir(), "owner.json")
		writeFile(t, path, []byte(owner))
		members = append(members, fmt.Sprintf(`"DesktopOwnerSettings": %q`, path))
	}
	if machine != "" {
		members = append(members, machine)
	}
	o := r.v.options("{"+strings.Join(members, ", ")+"}", slices.Concat(r.resolve, resolve)...)
	o.TrustRoots = roots
	return o
}

// verify decides on url with o in a Launcher of its own, so that no
// cache is shared between cases, and ends the test where no decision is
// made.
func (r *chainRig) verify(t *testing.T, url string, o launcher.Options) *launcher.Document {
	t.Helper()
	doc, err := verify(t, r.v.launcher(), url, o)
	if err != nil {
		t.Fatalf("verify %s: %v", url, err)
	}
	return doc
}

// chain is a PKI of the test's making: a root, an intermediate CA that
// it issued, and a signing certificate that the intermediate issued, each
// by its trusttest.Options.
type chain struct{ root, inter, signer *trusttest.Cert }

func newChain(t *testing.T, root, inter, signer trusttest.Options) chain {
	t.Helper()
	inter.CA = true
	c := chain{root: trusttest.NewRoot(t, root)}
	c.inter = c.root.Issue(t, inter)
	c.signer = c.inter.Issue(t, signer)
	return c
}

// chainBlock is the trustedAppConfigs block of the config of signer for
// apps (a JSON array, see trusttest.Apps), carrying intermediates, signed
// for linux.
func chainBlock(t *testing.T, signer *trusttest.Cert, apps string, intermediates ...*trusttest.Cert) json.RawMessage {
	t.Helper()
	return json.RawMessage(trusttest.Block(t, signer, trusttest.Config(signer, apps, intermediates...), "linux"))
}

// hexSHA256 is the hex SHA-256 of b, as revokedCertificates holds it.
func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// revoking is desktop owner settings whose revokedCertificates hold
// entries.
func revoking(entries ...string) string {
	b, _ := json.Marshal(map[string]any{"desktopSettings": map[string]any{"revokedCertificates": entries}})
	return string(b)
}

// shown is what `rvm verify --json` prints of a decision, read back: the
// trust verdict and each permission's decision.
type shown struct {
	Trust struct {
		Status, Code, Reason, Signer string
		Apps, Warnings               []string
	}
	Permissions map[string]struct {
		Decision, Source string
		Constraints      json.RawMessage
	}
}

// verdict is the decision a user must see.
type verdict struct {
	status, code string
	// reason are what trust.reason holds, and warnings what one of
	// trust.warnings holds, each of them.
	reason, warnings []string
	// perms are every permission of the document, each as "decision
	// (source)".
	perms map[string]string
}

// The decisions on `requested` where the block, which grants `grant`,
// is trusted and where it is not.
var (
	grantedByBlock = map[string]string{"System.launchExternalProcess": "granted (trusted-app-configs)", "System.readRegistryValue": "prompt (default)"}
	grantedByNone  = map[string]string{"System.launchExternalProcess": "prompt (default)", "System.readRegistryValue": "prompt (default)"}
)

// untrusted is the verdict on a block that was refused with code for a
// reason that holds reason, which grants nothing.
func untrusted(code string, reason ...string) verdict {
	return verdict{status: launcher.StatusUntrusted, code: code, reason: reason, perms: grantedByNone}
}

// check reads back the JSON document of doc and fails the test where it
// does not show w; it returns what it read.
func (w verdict) check(t *testing.T, doc *launcher.Document) shown {
	t.Helper()
	var got shown
	if err := json.Unmarshal(doc.JSON(), &got); err != nil {
		t.Fatalf("the JSON document does not read back: %v", err)
	}
	tr := got.Trust
	if tr.Status != w.status || tr.Code != w.code {
		t.Errorf("trust: got %s (%s: %q), want %s (%s)", tr.Status, tr.Code, tr.Reason, w.status, w.code)
	}
	for _, want := range w.reason {
		if !strings.Contains(tr.Reason, want) {
			t.Errorf("trust.reason: got %q, want it to hold %q", tr.Reason, want)
		}
	}
	for _, want := range w.warnings {
		if !slices.ContainsFunc(tr.Warnings, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("trust.warnings: got %q, want one holding %q", tr.Warnings, want)
		}
	}
	perms := map[string]string{}
	for name, d := range got.Permissions {
		perms[name] = d.Decision + " (" + d.Source + ")"
	}
	if !maps.Equal(perms, w.perms) {
		t.Errorf("permissions: got %v, want %v", perms, w.perms)
	}
	return got
}

// TestRevokedInEveryEncoding (flaw 3): the owner revokes a certificate by
// the SHA-256 of its DER; the vendor's manifest carries the certificate
// in its other encoding, the issuer's ECDSA signature (r, s) rewritten as
// (r, n−s), which verifies as well and hashes otherwise. The block is
// revoked all the same, for the signer, an intermediate, and a root that
// the owner listed by the digest of its re-encoding.
func TestRevokedInEveryEncoding(t *testing.T) {
	r := newChainRig(t, newVendor(t))
	c := newChain(t, trusttest.Options{}, trusttest.Options{Name: "Acme Issuing CA"}, trusttest.Options{})
	roots := trusttest.WriteRoots(t, c.root)
	signer2, inter2, root2 := c.signer.Reencoded(t, c.inter), c.inter.Reencoded(t, c.root), c.root.Reencoded(t, c.root)
	for _, tt := range []struct {
		name          string
		signer, inter *trusttest.Cert // as the manifest carries them
		owner         string
		want          verdict
	}{
		{"re-encoded-chain-not-revoked", signer2, inter2, "", verdict{status: launcher.StatusTrusted, code: "ok", perms: grantedByBlock}},
		{"signer-re-encoded", signer2, c.inter, revoking(hexSHA256(c.signer.Raw)),
			untrusted("revoked", `certificate "Acme Corp" is on the desktop owner's revokedCertificates list in another encoding`)},
		{"intermediate-re-encoded", c.signer, inter2, revoking(hexSHA256(c.inter.Raw)),
			untrusted("revoked", `certificate "Acme Issuing CA" is on the desktop owner's revokedCertificates list in another encoding`)},
		{"root-listed-by-its-re-encoding", c.signer, c.inter, revoking(hexSHA256(root2.Raw)),
			untrusted("revoked", `certificate "Test Root" is on the desktop owner's revokedCertificates list in another encoding`)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := r.publish(appHost, requested, chainBlock(t, tt.signer, r.blotter(), tt.inter))
			tt.want.check(t, r.verify(t, url, r.options(t, roots, tt.owner, "")))
		})
	}
}

// TestRevokedThroughTheService (flaw 3): `rvm verify` through a running
// service, which keeps verified blocks: a block that it verified and
// cached is revoked as soon as the owner lists its signer's other
// encoding.
func TestRevokedThroughTheService(t *testing.T) {
	rig := newAPIRig(t)
	r := newChainRig(t, rig.v)
	c := newChain(t, trusttest.Options{}, trusttest.Options{}, trusttest.Options{})
	url := r.publish(appHost, requested, chainBlock(t, c.signer.Reencoded(t, c.inter), r.blotter(), c.inter))
	dos := filepath.Join(t.TempDir(), "owner.json")
	o := r.options(t, trusttest.WriteRoots(t, c.root), "", fmt.Sprintf(`"DesktopOwnerSettings": %q`, dos))
	client := launcher.New(launcher.Env{DataDir: filepath.Join(t.TempDir(), "data"), TLSRoots: rig.v.ca.Pool})
	client.Remote = api.NewClient(rig.dir, false, zerolog.Nop())
	for _, step := range []struct {
		name, owner string
		want        verdict
	}{
		{"before-the-revocation", `{}`, verdict{status: launcher.StatusTrusted, code: "ok", perms: grantedByBlock}},
		{"signer-revoked", revoking(hexSHA256(c.signer.Raw)), untrusted("revoked", `certificate "Acme Corp" is on the desktop owner's revokedCertificates list in another encoding`)},
	} {
		writeFile(t, dos, []byte(step.owner))
		doc, err := verifyVia(t, client, url, o)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if doc.DecidedBy.By != launcher.ByService {
			t.Errorf("%s: decided by %q, want the service", step.name, doc.DecidedBy.By)
		}
		t.Run(step.name, func(t *testing.T) { step.want.check(t, doc) })
	}
}

// TestRevokedByTBSAndKey (flaw 3): a "tbs:" entry revokes the
// intermediate in every encoding; an "spki:" entry revokes the signer's
// key, whatever certificate holds it (here one re-issued for the same
// key); entries are read without regard to case.
func TestRevokedByTBSAndKey(t *testing.T) {
	r := newChainRig(t, newVendor(t))
	c := newChain(t, trusttest.Options{}, trusttest.Options{Name: "Acme Issuing CA"}, trusttest.Options{})
	roots := trusttest.WriteRoots(t, c.root)
	reissued := c.inter.Issue(t, trusttest.Options{Name: "Acme Corp Renewed", Key: c.signer.Key})
	tbs := hexSHA256(c.inter.RawTBSCertificate)
	spki := hexSHA256(c.signer.RawSubjectPublicKeyInfo)
	for _, tt := range []struct {
		name          string
		signer, inter *trusttest.Cert // as the manifest carries them
		owner         string
		want          verdict
	}{
		{"tbs-intermediate", c.signer, c.inter, revoking("tbs:" + tbs),
			untrusted("revoked", `certificate "Acme Issuing CA" (tbs:`+tbs+`) is on the desktop owner's revokedCertificates list`)},
		{"tbs-intermediate-re-encoded", c.signer, c.inter.Reencoded(t, c.root), revoking("tbs:" + tbs),
			untrusted("revoked", `certificate "Acme Issuing CA" (tbs:`+tbs+`) is on the desktop owner's revokedCertificates list`)},
		{"spki-signer-re-issued", reissued, c.inter, revoking("spki:" + spki),
			untrusted("revoked", `the key of certificate "Acme Corp Renewed" (spki:`+spki+`) is on the desktop owner's revokedCertificates list`)},
		{"upper-case-spki-and-hex", reissued, c.inter, revoking("SPKI:" + strings.ToUpper(spki)),
			untrusted("revoked", `the key of certificate "Acme Corp Renewed" (spki:`+spki+`)`)},
		{"upper-case-hex-tbs", c.signer, c.inter, revoking("TBS:" + strings.ToUpper(tbs)),
			untrusted("revoked", `certificate "Acme Issuing CA" (tbs:`+tbs+`)`)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := r.publish(appHost, requested, chainBlock(t, tt.signer, r.blotter(), tt.inter))
			tt.want.check(t, r.verify(t, url, r.options(t, roots, tt.owner, "")))
		})
	}
}

// crlSite is a CRL server over TLS on loopback, answering as crlHost with
// a certificate of the vendor's CA, serving one CRL at every path and
// counting the requests.
type crlSite struct {
	port string
	mu   sync.Mutex
	crl  []byte
	hits int
}

func newCRLSite(v *vendor) *crlSite {
	s := &crlSite{}
	srv := v.server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.hits++
		w.Write(s.crl)
	}), false, crlHost)
	s.port = srv.Port
	return s
}

// url is the URL of the CRL name.
func (s *crlSite) url(name string) string { return "https://" + crlHost + ":" + s.port + "/" + name }

// resolve is the --resolve entry that sends crlHost to the site.
func (s *crlSite) resolve() string { return crlHost + ":" + s.port + ":127.0.0.1" }

// serve serves crl from now on, and counts requests afresh.
func (s *crlSite) serve(crl []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.crl, s.hits = crl, 0
}

func (s *crlSite) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

// der is the DER of one element of class and tag whose content is the
// parts, one after the other.
func der(t *testing.T, class, tag int, compound bool, parts ...[]byte) []byte {
	t.Helper()
	b, err := asn1.Marshal(asn1.RawValue{Class: class, Tag: tag, IsCompound: compound, Bytes: bytes.Join(parts, nil)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIncompleteCRLs (flaw 8): the signer names a CRL distribution point
// on a real TLS server; the issuer serves there a CRL, current, signed
// by it, that does not list the signer, but is not complete: a delta CRL,
// one whose issuing distribution point says it holds CA certificates only
// or is another point's, one with a critical extension that rvm does not
// know. Taken for complete, it would clear a signer that the complete CRL
// may revoke: revocation-unknown, whether CRLs are fetched at every check
// (online) or a cached copy may stand (cached, the default).
func TestIncompleteCRLs(t *testing.T) {
	v := newVendor(t)
	r := newChainRig(t, v)
	site := newCRLSite(v)
	point := site.url("issuing.crl")
	c := newChain(t, trusttest.Options{}, trusttest.Options{Name: "Acme Issuing CA"}, trusttest.Options{CRLURLs: []string{point}})
	roots := trusttest.WriteRoots(t, c.root)
	url := r.publish(appHost, requested, chainBlock(t, c.signer, r.blotter(), c.inter))

	// IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0]
	// { fullName [0] { uniformResourceIdentifier [6] } },
	// onlyContainsUserCerts [1], onlyContainsCACerts [2], ... }
	idp := func(fields ...[]byte) pkix.Extension {
		return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 28}, Critical: true, Value: der(t, asn1.ClassUniversal, asn1.TagSequence, true, fields...)}
	}
	fullName := func(uri string) []byte {
		return der(t, asn1.ClassContextSpecific, 0, true, der(t, asn1.ClassContextSpecific, 0, true, der(t, asn1.ClassContextSpecific, 6, false, []byte(uri))))
	}
	onlyCA := der(t, asn1.ClassContextSpecific, 2, false, []byte{0xff})
	baseNumber, _ := asn1.Marshal(1)
	now := time.Now()
	someoneElse := x509.RevocationListEntry{SerialNumber: big.NewInt(4242), RevocationTime: now.Add(-time.Hour)}
	crl := func(exts ...pkix.Extension) []byte {
		return c.inter.SignCRL(t, &x509.RevocationList{
			Number: big.NewInt(2), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour),
			RevokedCertificateEntries: []x509.RevocationListEntry{someoneElse}, ExtraExtensions: exts,
		})
	}
	const incomplete = `needs a current CRL and there is none: the CRL from "`
	for _, tt := range []struct {
		name string
		crl  []byte
		want verdict
	}{
		{"complete", crl(), verdict{status: launcher.StatusTrusted, code: "ok", perms: grantedByBlock}},
		{"complete-for-this-point", crl(idp(fullName(point))), verdict{status: launcher.StatusTrusted, code: "ok", perms: grantedByBlock}},
		{"delta-crl", crl(pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 27}, Critical: true, Value: baseNumber}),
			untrusted("revocation-unknown", incomplete+point+`" is not a complete CRL: it is a delta CRL`)},
		{"only-ca-certificates", crl(idp(onlyCA)),
			untrusted("revocation-unknown", incomplete+point+`" is not a complete CRL`, "CA certificates only")},
		{"another-distribution-point", crl(idp(fullName(site.url("other.crl")))),
			untrusted("revocation-unknown", incomplete+point+`" is not a complete CRL`, `for the distribution point "`+site.url("other.crl")+`"`)},
		{"unknown-critical-extension", crl(pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}, Critical: true, Value: asn1.NullBytes}),
			untrusted("revocation-unknown", incomplete+point+`" is not a complete CRL: it has a critical extension that rvm does not know (1.3.6.1.4.1.55555.1)`)},
	} {
		for _, mode := range []string{"online", "cached"} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				site.serve(tt.crl)
				o := r.options(t, roots, "", fmt.Sprintf(`"RevocationMode": %q`, mode), site.resolve())
				tt.want.check(t, r.verify(t, url, o))
				if n := site.requests(); n != 1 {
					t.Errorf("the CRL server got %d requests, want 1", n)
				}
			})
		}
	}
}

// TestNameConstraintsLimitPatterns (flaw 9): an intermediate constrained
// to partner.test (and, in one case, not to secret.partner.test) issues a
// signer whose block names patterns outside: an entry with such a pattern
// is skipped, even where another of its patterns is inside, while an
// entry wholly inside still matches; where only skipped entries match,
// the block is refused with name-constraints.
func TestNameConstraintsLimitPatterns(t *testing.T) {
	r := newChainRig(t, newVendor(t))
	partner := newChain(t, trusttest.Options{}, trusttest.Options{Name: "Partner CA", PermittedDNS: []string{"partner.test"}}, trusttest.Options{Name: "Partner Corp"})
	secret := newChain(t, trusttest.Options{}, trusttest.Options{Name: "Partner CA", PermittedDNS: []string{"partner.test"}, ExcludedDNS: []string{"secret.partner.test"}}, trusttest.Options{Name: "Partner Corp"})
	inside := "https://" + partnerHost + ":" + r.port + "/*"
	for _, tt := range []struct {
		name string
		c    chain
		host string
		apps []trusttest.App
		want verdict
	}{
		{"acme-pattern-from-a-partner-ca", partner, appHost,
			[]trusttest.App{{Name: "Acme Blotter", Match: []string{r.everyApp("acme.test")}, Permissions: grant}},
			untrusted("name-constraints", `matches only app "Acme Blotter" of the block signed by "Partner Corp", which is outside the name constraints of its chain`)},
		{"entry-with-one-pattern-outside-skipped", partner, partnerHost,
			[]trusttest.App{
				{Name: "Partner Everywhere", Match: []string{inside, r.everyApp("acme.test")}, Permissions: grant},
				{Name: "Partner Blotter", Match: []string{inside}, Permissions: `{"System": {"readRegistryValue": true}}`},
			},
			verdict{status: launcher.StatusTrusted, code: "ok", warnings: []string{`app "Partner Everywhere" matches but is skipped`},
				perms: map[string]string{"System.launchExternalProcess": "prompt (default)", "System.readRegistryValue": "granted (trusted-app-configs)"}}},
		{"excluded-host-under-a-wildcard", secret, partnerHost,
			[]trusttest.App{{Name: "Partner Blotter", Match: []string{r.everyApp("partner.test")}, Permissions: grant}},
			untrusted("name-constraints", `matches only app "Partner Blotter" of the block signed by "Partner Corp", which is outside the name constraints of its chain`, "secret.partner.test")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := r.publish(tt.host, requested, chainBlock(t, tt.c.signer, trusttest.Apps(tt.apps...), tt.c.inter))
			got := tt.want.check(t, r.verify(t, url, r.options(t, trusttest.WriteRoots(t, tt.c.root), "", "")))
			if tt.want.status == launcher.StatusTrusted && !slices.Equal(got.Trust.Apps, []string{"Partner Blotter"}) {
				t.Errorf("trust.apps: got %q, want only the entry within the constraints", got.Trust.Apps)
			}
		})
	}
}

// TestWeakKeysAboveTheSigner (flaw 10): the key rules hold for every
// certificate of the chain: an RSA-1024 root in the trust roots file, an
// RSA-1024 intermediate, and an intermediate that its root signed with
// SHA-1 are each refused, unsupported-key.
func TestWeakKeysAboveTheSigner(t *testing.T) {
	r := newChainRig(t, newVendor(t))
	for _, tt := range []struct {
		name  string
		c     chain
		wants []string
	}{
		{"rsa-1024-root", newChain(t, trusttest.Options{Alg: trusttest.RSA1024}, trusttest.Options{}, trusttest.Options{}),
			[]string{`certificate "Test Root"`, "RSA of 1024 bits"}},
		{"rsa-1024-intermediate", newChain(t, trusttest.Options{}, trusttest.Options{Alg: trusttest.RSA1024}, trusttest.Options{}),
			[]string{`certificate "Test Intermediate"`, "RSA of 1024 bits"}},
		{"sha-1-signed-intermediate", newChain(t, trusttest.Options{Alg: trusttest.RSA2048}, trusttest.Options{SignatureAlgorithm: x509.SHA1WithRSA}, trusttest.Options{}),
			[]string{`certificate "Test Intermediate" is signed by "Test Root" with SHA1-RSA`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := r.publish(appHost, requested, chainBlock(t, tt.c.signer, r.blotter(), tt.c.inter))
			untrusted("unsupported-key", tt.wants...).check(t, r.verify(t, url, r.options(t, trusttest.WriteRoots(t, tt.c.root), "", "")))
		})
	}
}

// signedRegistryKey is how the vendor's block signs
// System.readRegistryValue: one key, written with its own spacing and
// order, so that a grant that carries it shows it byte for byte.
const signedRegistryKey = `{"registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"],  "enabled": true}`

// TestSignedConstraintsAsSigned (flaw 2): the block grants
// System.readRegistryValue for one registry key; the manifest asks for
// HKLM\SAM, or for the permission without constraints (every key). The
// grant carries what the block signed, byte for byte, in the decision
// and in the document the runtime gets. Where two matching entries grant
// it with different keys, the block grants it not at all, and says so
// naming both.
func TestSignedConstraintsAsSigned(t *testing.T) {
	r := newChainRig(t, newVendor(t))
	c := newChain(t, trusttest.Options{}, trusttest.Options{}, trusttest.Options{})
	roots := trusttest.WriteRoots(t, c.root)
	runtimeDir := launchertest.InstallRuntime(t)
	one := chainBlock(t, c.signer, trusttest.Apps(trusttest.App{Name: "Acme Blotter", Match: []string{r.everyApp("acme.test")}, Permissions: `{"System": {"readRegistryValue": ` + signedRegistryKey + `}}`}), c.inter)
	for _, tt := range []struct{ name, asks string }{
		{"manifest-asks-for-the-sam", `{"enabled": true, "registryKeys": ["HKEY_LOCAL_MACHINE\\SAM"]}`},
		{"manifest-asks-for-every-key", `true`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := r.publish(appHost, `{"System": {"readRegistryValue": `+tt.asks+`}}`, one)
			o := r.options(t, roots, "", fmt.Sprintf(`"RuntimeDirectory": %q`, runtimeDir))
			doc := r.verify(t, url, o)
			verdict{status: launcher.StatusTrusted, code: "ok", perms: map[string]string{"System.readRegistryValue": "granted (trusted-app-configs)"}}.check(t, doc)
			if got := doc.Permissions["System.readRegistryValue"].Constraints; string(got) != signedRegistryKey {
				t.Errorf("constraints: got %s, want the block's %s byte for byte", got, signedRegistryKey)
			}

			// The launch: what the runtime is told it may read.
			out := filepath.Join(t.TempDir(), "received.json")
			t.Setenv(launchertest.RuntimeOutEnv, out)
			req, err := launcher.NewRequest(url, o, "linux")
			if err != nil {
				t.Fatal(err)
			}
			var pid int
			ends(t, "launch of "+url, func() {
				_, pid, err = r.v.launcher().LaunchVia(context.Background(), req, launcher.PrompterFor(prompt.Env{}))
			})
			if err != nil || pid == 0 {
				t.Fatalf("launch: got pid %d, error %v, want it started", pid, err)
			}
			var received launchertest.Received
			if err := json.Unmarshal(launchertest.WaitForFile(t, out), &received); err != nil {
				t.Fatal(err)
			}
			var given shown
			if err := json.Unmarshal([]byte(received.Decision), &given); err != nil {
				t.Fatalf("the runtime's decision document does not read back: %v", err)
			}
			var want bytes.Buffer
			json.Compact(&want, []byte(signedRegistryKey))
			var gotCompact bytes.Buffer
			json.Compact(&gotCompact, given.Permissions["System.readRegistryValue"].Constraints)
			if gotCompact.String() != want.String() {
				t.Errorf("the runtime was given constraints %s, want the block's %s", gotCompact.String(), want.String())
			}
		})
	}

	t.Run("two-entries-differ", func(t *testing.T) {
		two := chainBlock(t, c.signer, trusttest.Apps(
			trusttest.App{Name: "Acme Blotter", Match: []string{r.everyApp("acme.test")}, Permissions: `{"System": {"launchExternalProcess": true, "readRegistryValue": ` + signedRegistryKey + `}}`},
			trusttest.App{Name: "Acme Tools", Match: []string{r.everyApp("acme.test")}, Permissions: `{"System": {"launchExternalProcess": true, "readRegistryValue": {"enabled": true, "registryKeys": ["HKEY_LOCAL_MACHINE\\SAM"]}}}`},
		), c.inter)
		url := r.publish(appHost, `{"System": {"launchExternalProcess": true, "readRegistryValue": `+signedRegistryKey+`}}`, two)
		verdict{status: launcher.StatusTrusted, code: "ok",
			warnings: []string{`"System.readRegistryValue" is not granted by the block: apps "Acme Blotter" and "Acme Tools" grant it with different constraints`},
			perms:    map[string]string{"System.launchExternalProcess": "granted (trusted-app-configs)", "System.readRegistryValue": "prompt (default)"},
		}.check(t, r.verify(t, url, r.options(t, roots, "", "")))
	})
}

// wantPrintable fails where text holds a character, other than a line
// break, that a terminal would not show as itself: a control,
// bidirectional or other formatting character.
func wantPrintable(t *testing.T, what string, text []byte) {
	t.Helper()
	for i, r := range string(text) {
		if r != '\n' && !unicode.IsGraphic(r) {
			t.Errorf("%s holds %U raw at byte %d:\n%s", what, r, i, text)
			return
		}
	}
}

// TestHiddenCharactersInTheChain: a signer's name holding U+202E (right-
// to-left override) and ESC (a terminal escape), and an app name holding
// U+202E, reach neither the summary of `rvm verify` nor its JSON document
// raw; the JSON reads back as the certificate and the block say. An app
// name holding ESC makes the block malformed, its reason quoted.
func TestHiddenCharactersInTheChain(t *testing.T) {
	r := newChainRig(t, newVendor(t))
	const signer = "Acme \u202eproC\x1b[2J\x1b]0;rvm\x07"
	c := newChain(t, trusttest.Options{}, trusttest.Options{}, trusttest.Options{Name: signer})
	roots := trusttest.WriteRoots(t, c.root)
	for _, tt := range []struct {
		name, app string
		want      verdict
		summary   []string // what the summary shows in their place
	}{
		{"signer-and-app-name", "Acme \u202erettolB", verdict{status: launcher.StatusTrusted, code: "ok", perms: grantedByBlock},
			[]string{`signer "Acme \u202eproC\x1b[2J\x1b]0;rvm\a"`, `apps ["Acme \u202erettolB"]`}},
		{"app-name-with-escape", "Acme\x1b[2J Blotter", untrusted("malformed", `"Acme\x1b[2J Blotter" holds a control character`),
			[]string{`"Acme\x1b[2J Blotter" holds a control character`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := r.publish(appHost, requested, chainBlock(t, c.signer, trusttest.Apps(trusttest.App{Name: tt.app, Match: []string{r.everyApp("acme.test")}, Permissions: grant}), c.inter))
			doc := r.verify(t, url, r.options(t, roots, "", ""))
			got := tt.want.check(t, doc)
			if tt.want.status == launcher.StatusTrusted && (got.Trust.Signer != signer || !slices.Equal(got.Trust.Apps, []string{tt.app})) {
				t.Errorf("read back signer %q and apps %q, want %q and [%q]", got.Trust.Signer, got.Trust.Apps, signer, tt.app)
			}
			wantPrintable(t, "the JSON document", doc.JSON())
			var summary bytes.Buffer
			doc.WriteSummary(&summary)
			wantPrintable(t, "the summary", summary.Bytes())
			for _, want := range tt.summary {
				if !strings.Contains(summary.String(), want) {
					t.Errorf("the summary:\n%s\nwant it to show %s", summary.String(), want)
				}
			}
		})
	}
}
