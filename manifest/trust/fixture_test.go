package trust_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/permissions/owner"
)

// testNow is the time of the checks; every certificate is valid from
// trusttest.ValidFrom to trusttest.ValidTo unless a test says otherwise.
var testNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// fixedNow returns a clock stopped at t.
func fixedNow(t time.Time) func() time.Time { return func() time.Time { return t } }

// testApps are the apps of most test blocks.
const testApps = `[{"name":"Acme Blotter","match":["https://*.acme.com/blotter/*"],` +
	`"permissions":{"System":{"launchExternalProcess":true,"readRegistryValue":{"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"]},"getProcessList":false}}}]`

// testURL is a manifest URL that testApps match.
const testURL = "https://apps.acme.com/blotter/app.json"

// pki is what most tests sign under: a root that their verifiers trust,
// an intermediate CA under it, and a foreign root that nobody trusts.
type pki struct {
	root, inter, foreign *trusttest.Cert
	roots                *trust.Roots
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	p := &pki{
		root:    trusttest.NewRoot(t, trusttest.Options{Name: "rvm Test Root"}),
		foreign: trusttest.NewRoot(t, trusttest.Options{Name: "Foreign Root"}),
	}
	p.inter = p.root.Issue(t, trusttest.Options{Name: "rvm Test Intermediate", CA: true})
	p.roots = trust.NewRoots(p.root.Certificate)
	return p
}

// leaf issues a signing certificate by o under the intermediate.
func (p *pki) leaf(t testing.TB, o trusttest.Options) *trusttest.Cert {
	t.Helper()
	return p.inter.Issue(t, o)
}

// block is the block of apps signed by leaf, with the intermediate, for
// every platform.
func (p *pki) block(t testing.TB, leaf *trusttest.Cert, apps string) jsontext.Value {
	t.Helper()
	return trusttest.Block(t, leaf, trusttest.Config(leaf, apps, p.inter))
}

// ownerRevoking returns desktop owner settings, as package owner parses
// them, whose revokedCertificates are entries; nil for none.
func ownerRevoking(t testing.TB, entries ...string) trust.Revocations {
	t.Helper()
	if len(entries) == 0 {
		return nil
	}
	list, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	s, err := owner.Parse([]byte(`{"desktopSettings": {"revokedCertificates": `+string(list)+`}}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sum is the hex SHA-256 of c's DER: a plain revokedCertificates entry.
func sum(c *trusttest.Cert) string { return hexSum(c.Raw) }

// tbsSum is the tbs: entry that revokes c.
func tbsSum(c *trusttest.Cert) string { return "tbs:" + hexSum(c.RawTBSCertificate) }

// spkiSum is the spki: entry that revokes c's key.
func spkiSum(c *trusttest.Cert) string { return "spki:" + hexSum(c.RawSubjectPublicKeyInfo) }

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
