package trust

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// The tests' clock: every certificate of the fixture is valid from
// validFrom to validTo, and the checks run at testNow.
var (
	validFrom = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	validTo   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	testNow   = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
)

// keys are generated once per test binary: RSA keys take a while.
var (
	keysMu sync.Mutex
	keys   = map[string]crypto.Signer{}
)

// testKey returns the test key of kind alg: p256, p384, p521, rsa1024,
// rsa2048, rsa3072 or ed25519. Each name with a suffix ("p256-b") is
// another key of the same kind.
func testKey(t testing.TB, alg string) crypto.Signer {
	t.Helper()
	keysMu.Lock()
	defer keysMu.Unlock()
	if k, ok := keys[alg]; ok {
		return k
	}
	kind, _, _ := strings.Cut(alg, "-")
	var k crypto.Signer
	var err error
	switch kind {
	case "p256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "p521":
		k, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "rsa1024":
		k, err = rsa.GenerateKey(rand.Reader, 1024)
	case "rsa2048":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case "rsa3072":
		k, err = rsa.GenerateKey(rand.Reader, 3072)
	case "ed25519":
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("unknown key kind %q", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	keys[alg] = k
	return k
}

// certKey is a certificate and its private key.
type certKey struct {
	cert *x509.Certificate
	key  crypto.Signer
}

var serial int64

// certOpts describe a test certificate; the zero value of each field
// means the fixture's default.
type certOpts struct {
	name      string
	alg       string // the key, as testKey names it; "p256" by default
	ca        bool
	notBefore time.Time
	notAfter  time.Time
	eku       []x509.ExtKeyUsage // nil: codeSigning for a leaf, none for a CA
	noEKU     bool
	keyUsage  x509.KeyUsage // 0: digitalSignature for a leaf, certSign|crlSign for a CA
	crlURLs   []string
}

// issue makes a certificate by o, signed by parent (self-signed when nil).
func issue(t testing.TB, o certOpts, parent *certKey) *certKey {
	t.Helper()
	if o.alg == "" {
		o.alg = "p256"
	}
	if o.notBefore.IsZero() {
		o.notBefore = validFrom
	}
	if o.notAfter.IsZero() {
		o.notAfter = validTo
	}
	key := testKey(t, o.alg)
	serial++
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1000 + serial),
		Subject:               pkix.Name{CommonName: o.name, Organization: []string{"rvm tests"}},
		NotBefore:             o.notBefore,
		NotAfter:              o.notAfter,
		BasicConstraintsValid: true,
		IsCA:                  o.ca,
		KeyUsage:              o.keyUsage,
		ExtKeyUsage:           o.eku,
		CRLDistributionPoints: o.crlURLs,
	}
	if tmpl.KeyUsage == 0 {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		if o.ca {
			tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		}
	}
	if tmpl.ExtKeyUsage == nil && !o.ca && !o.noEKU {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
	}
	signerCert, signerKey := tmpl, key
	if parent != nil {
		signerCert, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, key.Public(), signerKey)
	if err != nil {
		t.Fatalf("issue %s: %v", o.name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &certKey{cert, key}
}

// fixture is a small PKI: a root, an intermediate under it, and a foreign
// root that nobody trusts.
type fixture struct {
	root, inter, foreign *certKey
	roots                *Roots
}

var (
	fixOnce sync.Once
	fix     *fixture
)

func testPKI(t testing.TB) *fixture {
	t.Helper()
	fixOnce.Do(func() {
		f := &fixture{}
		f.root = issue(t, certOpts{name: "rvm Test Root", ca: true, alg: "p256-root"}, nil)
		f.inter = issue(t, certOpts{name: "rvm Test Intermediate", ca: true, alg: "p256-inter"}, f.root)
		f.foreign = issue(t, certOpts{name: "Foreign Root", ca: true, alg: "p256-foreign"}, nil)
		f.roots = NewRoots(f.root.cert)
		fix = f
	})
	return fix
}

// leaf issues a code-signing certificate under the fixture's intermediate.
func (f *fixture) leaf(t testing.TB, o certOpts) *certKey {
	if o.name == "" {
		o.name = "Acme Signing " + o.alg
	}
	return issue(t, o, f.inter)
}

// testApps are the apps of most test blocks.
const testApps = `[{"name":"Acme Blotter","match":["https://*.acme.com/blotter/*"],` +
	`"permissions":{"System":{"launchExternalProcess":true,"readRegistryValue":{"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"]},"getProcessList":false}}}]`

// testURL is a manifest URL that testApps match.
const testURL = "https://apps.acme.com/blotter/app.json"

// configJSON is the config JSON for signer, inters and the JSON array apps.
func configJSON(signer *certKey, inters []*x509.Certificate, apps string) string {
	var b strings.Builder
	b.WriteString(`{"version":1,"certificate":"`)
	b.WriteString(base64.StdEncoding.EncodeToString(signer.cert.Raw))
	b.WriteString(`","intermediates":[`)
	for i, c := range inters {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + base64.StdEncoding.EncodeToString(c.Raw) + `"`)
	}
	b.WriteString(`],"apps":` + apps + `}`)
	return b.String()
}

// signBlock returns the block of config JSON cfg, signed by signer for
// platforms.
func signBlock(t testing.TB, signer *certKey, cfg string, platforms ...string) jsontext.Value {
	t.Helper()
	value := base64.StdEncoding.EncodeToString([]byte(cfg))
	return blockJSON(t, value, signatures(t, signer, value, platforms...))
}

func signatures(t testing.TB, signer *certKey, value string, platforms ...string) map[string]string {
	t.Helper()
	if len(platforms) == 0 {
		platforms = []string{"win", "mac", "linux"}
	}
	sigs := map[string]string{}
	for _, p := range platforms {
		if checkKey(signer.key.Public()) != nil {
			// A key that Sign refuses, such as P-521, signs anyway, so
			// that the verifier is the one that refuses it.
			d := sha256.Sum256(Message(p, value))
			sig, err := signer.key.Sign(rand.Reader, d[:], crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			sigs[p] = base64.StdEncoding.EncodeToString(sig)
			continue
		}
		s, err := Sign(signer.key, p, value)
		if err != nil {
			t.Fatal(err)
		}
		sigs[p] = s
	}
	return sigs
}

func blockJSON(t testing.TB, value string, sigs map[string]string) jsontext.Value {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"value": value, "signature": sigs})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// fixedNow returns a clock stopped at t.
func fixedNow(t time.Time) func() time.Time { return func() time.Time { return t } }
