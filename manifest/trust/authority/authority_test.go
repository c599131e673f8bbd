package authority

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/internal/privfile"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

var testNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func clock() time.Time { return testNow }

const testApps = `[{"name":"Acme Blotter","match":["https://*.acme.com/blotter/*"],"permissions":{"System":{"launchExternalProcess":true,"readRegistryValue":{"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"]}}}}]`

const testURL = "https://apps.acme.com/blotter/app.json"

// authority is a root and a signer under it, in a temporary directory.
type testAuthority struct {
	dir, root, signer, apps string
}

func newAuthority(t *testing.T, alg Alg, o IssueOptions) *testAuthority {
	t.Helper()
	dir := t.TempDir()
	a := &testAuthority{dir: dir, root: filepath.Join(dir, "root"), signer: filepath.Join(dir, "signer"), apps: filepath.Join(dir, "apps.json")}
	if _, err := InitRoot(a.root, RootOptions{Name: "Test Root", Now: clock}); err != nil {
		t.Fatal(err)
	}
	if o.Name == "" {
		o.Name = "Acme Corp"
	}
	o.Alg, o.Now = alg, clock
	if _, err := Issue(a.root, a.signer, o); err != nil {
		t.Fatal(err)
	}
	writeFile(t, a.apps, testApps)
	return a
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (a *testAuthority) sign(t *testing.T) []byte {
	t.Helper()
	block, err := Sign(a.signer, SignOptions{AppsFile: a.apps, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return block
}

func (a *testAuthority) verifier(t *testing.T) *trust.Verifier {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(a.root, CertFile))
	if err != nil {
		t.Fatal(err)
	}
	roots, err := trust.ParseRoots(data, "root/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	return &trust.Verifier{Roots: roots, Now: clock}
}

func verify(t *testing.T, v *trust.Verifier, block []byte, platform string) (*trust.Result, error) {
	t.Helper()
	u, err := pattern.ParseURL(testURL, pattern.Strict)
	if err != nil {
		t.Fatal(err)
	}
	return v.Verify(context.Background(), block, platform, u)
}

func TestSignedBlocksVerify(t *testing.T) {
	for _, alg := range []Alg{ECDSAP256, ECDSAP384, Ed25519, RSA3072} {
		t.Run(string(alg), func(t *testing.T) {
			a := newAuthority(t, alg, IssueOptions{})
			block := a.sign(t)
			for _, p := range []string{"win", "mac", "linux"} {
				res, err := verify(t, a.verifier(t), block, p)
				if err != nil {
					t.Fatalf("%s: got %v, want trusted", p, err)
				}
				if res.Signer != "Acme Corp" || len(res.Grants) != 2 {
					t.Errorf("%s: got signer %q and grants %v, want Acme Corp and two grants", p, res.Signer, res.Grants)
				}
			}
		})
	}
}

func TestIntermediateChain(t *testing.T) {
	dir := t.TempDir()
	root, inter, signer := filepath.Join(dir, "root"), filepath.Join(dir, "inter"), filepath.Join(dir, "signer")
	if _, err := InitRoot(root, RootOptions{Now: clock}); err != nil {
		t.Fatal(err)
	}
	if _, err := Issue(root, inter, IssueOptions{Name: "Acme Intermediate", CA: true, Days: 1000, Now: clock}); err != nil {
		t.Fatal(err)
	}
	if _, err := Issue(inter, signer, IssueOptions{Name: "Acme Corp", Now: clock}); err != nil {
		t.Fatal(err)
	}
	if _, err := Issue(inter, filepath.Join(dir, "sub"), IssueOptions{Name: "Sub CA", CA: true, Now: clock}); err == nil || !strings.Contains(err.Error(), "path length") {
		t.Errorf("a CA under an intermediate of path length 0: got %v, want a refusal", err)
	}
	chain, err := os.ReadFile(filepath.Join(signer, ChainFile))
	if err != nil {
		t.Fatalf("got %v, want a chain.pem beside a certificate from an intermediate", err)
	}
	if bytes.Count(chain, []byte("BEGIN CERTIFICATE")) != 1 {
		t.Errorf("got chain.pem %s, want the intermediate alone", chain)
	}
	apps := filepath.Join(dir, "apps.json")
	writeFile(t, apps, testApps)
	block, err := Sign(signer, SignOptions{AppsFile: apps, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	a := &testAuthority{root: root}
	if _, err := verify(t, a.verifier(t), block, "linux"); err != nil {
		t.Errorf("got %v, want trusted through chain.pem", err)
	}
	if _, err := os.Stat(filepath.Join(inter, ChainFile)); err == nil {
		t.Errorf("got a chain.pem for a certificate issued by the root, want none")
	}

	// Without chain.pem the block lacks its intermediate, unless
	// --intermediates gives it.
	bundle := filepath.Join(dir, "intermediates.pem")
	if err := os.Rename(filepath.Join(signer, ChainFile), bundle); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file string
		want       trust.Code
	}{
		{"no-intermediates", "", trust.UnknownAuthority},
		{"intermediates-file", bundle, ""},
	} {
		block, err := Sign(signer, SignOptions{AppsFile: apps, IntermediatesFile: tc.file, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		_, err = verify(t, a.verifier(t), block, "linux")
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

func TestKeyFiles(t *testing.T) {
	a := newAuthority(t, ECDSAP256, IssueOptions{})
	for _, dir := range []string{a.root, a.signer} {
		privfile.Check(t, filepath.Join(dir, KeyFile))
		data, _ := os.ReadFile(filepath.Join(dir, KeyFile))
		if b, _ := pem.Decode(data); b == nil || b.Type != "PRIVATE KEY" {
			t.Errorf("%s: got %q, want a PEM PRIVATE KEY", dir, data)
		} else if _, err := x509.ParsePKCS8PrivateKey(b.Bytes); err != nil {
			t.Errorf("%s: got %v, want PKCS #8", dir, err)
		}
	}
	certPEM, _ := os.ReadFile(filepath.Join(a.signer, CertFile))
	certs, err := trust.ParseCertificates(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	c := certs[0]
	if len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageCodeSigning || c.KeyUsage != x509.KeyUsageDigitalSignature || c.IsCA {
		t.Errorf("got EKU %v, key usage %v, CA %v; want codeSigning, digitalSignature, not a CA", c.ExtKeyUsage, c.KeyUsage, c.IsCA)
	}
	if _, err := InitRoot(a.root, RootOptions{Now: clock}); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Errorf("init-root over an existing key: got %v, want a refusal", err)
	}
}

func TestIssueRefuses(t *testing.T) {
	a := newAuthority(t, ECDSAP256, IssueOptions{})
	cases := []struct {
		name string
		ca   string
		o    IssueOptions
		want string
	}{
		{"http-crl-url", a.root, IssueOptions{Name: "x", CRLURL: "http://pki.acme.com/root.crl"}, "https"},
		{"no-name", a.root, IssueOptions{}, "name"},
		{"outlives-ca", a.root, IssueOptions{Name: "x", Days: 4000}, "outlive"},
		{"signer-is-no-ca", a.signer, IssueOptions{Name: "x"}, "not a CA"},
		{"unknown-alg", a.root, IssueOptions{Name: "x", Alg: "dsa"}, "dsa"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Now = clock
			_, err := Issue(tc.ca, filepath.Join(t.TempDir(), "out"), tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error about %q", err, tc.want)
			}
		})
	}
}

func TestSignRefuses(t *testing.T) {
	a := newAuthority(t, ECDSAP256, IssueOptions{})
	cases := []struct {
		name, apps string
		platforms  []string
		want       []string // all in the error
	}{
		{"invalid-pattern", `[{"name":"a","match":["https://*.com/*"]}]`, nil, []string{`"https://*.com/*"`}},
		{"http-pattern", `[{"name":"a","match":["http://a.acme.com/*"]}]`, nil, []string{`"http://a.acme.com/*"`}},
		{"unknown-permissions", `[{"name":"a","match":["https://a.acme.com/*"],"permissions":{"System":{"launchRocket":true,"clearCache":true},"Window":{"fly":false}}}]`, nil,
			[]string{"System.launchRocket", "Window.fly"}},
		{"not-an-array", `{"name":"a"}`, nil, []string{"array"}},
		{"unknown-key", `[{"name":"a","match":["https://a.acme.com/*"],"icon":"x"}]`, nil, []string{`"icon"`}},
		{"unknown-platform", testApps, []string{"linux", "bsd"}, []string{`"bsd"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			apps := filepath.Join(t.TempDir(), "apps.json")
			writeFile(t, apps, tc.apps)
			_, err := Sign(a.signer, SignOptions{AppsFile: apps, Platforms: tc.platforms, Now: clock})
			if err == nil {
				t.Fatal("got a block, want a refusal")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %v, want it to name %s", err, w)
				}
			}
			if strings.Contains(err.Error(), "clearCache") {
				t.Errorf("got %v, which names a known permission as unknown", err)
			}
		})
	}
	apps := filepath.Join(t.TempDir(), "apps.json")
	writeFile(t, apps, testApps)
	if _, err := Sign(a.signer, SignOptions{AppsFile: apps, Now: func() time.Time { return testNow.AddDate(2, 0, 0) }}); err == nil {
		t.Errorf("signing with an expired certificate: got a block, want a refusal")
	}
	if _, err := Sign(a.root, SignOptions{AppsFile: apps, Now: clock}); err == nil || !strings.Contains(err.Error(), "code signing") {
		t.Errorf("signing with the root: got %v, want a refusal for code signing", err)
	}
}

func TestSignPlatforms(t *testing.T) {
	a := newAuthority(t, ECDSAP256, IssueOptions{})
	block, err := Sign(a.signer, SignOptions{AppsFile: a.apps, Platforms: []string{"win"}, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	b, err := trust.ParseBlock(block)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Signature) != 1 || b.Signature["win"] == "" {
		t.Errorf("got signatures for %v, want win alone", b.Signature)
	}
}

// TestRevoke revokes the signer and serves the CRL from a TLS server on
// loopback, as a CA would publish it.
func TestRevoke(t *testing.T) {
	var crl []byte
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(crl) }))
	defer srv.Close()
	a := newAuthority(t, ECDSAP256, IssueOptions{CRLURL: srv.URL + "/root.crl"})
	block := a.sign(t)
	out := filepath.Join(a.dir, "root.crl")
	fetchCRL := func(ctx context.Context, url string, limit int64, v fetch.Validators) (*fetch.Response, error) {
		resp, err := srv.Client().Get(url)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		return &fetch.Response{Body: buf.Bytes(), FinalURL: url}, nil
	}
	check := func(step string, want trust.Code) {
		t.Helper()
		var err error
		if crl, err = os.ReadFile(out); err != nil {
			t.Fatal(err)
		}
		v := a.verifier(t)
		v.FetchCRL = fetchCRL
		_, err = verify(t, v, block, "linux")
		var got trust.Code
		var te *trust.Error
		if errors.As(err, &te) {
			got = te.Code
		}
		if got != want {
			t.Errorf("%s: got %q (%v), want %q", step, got, err, want)
		}
	}
	list, err := Revoke(a.root, out, RevokeOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if list.Number.Int64() != 1 || len(list.RevokedCertificateEntries) != 0 {
		t.Errorf("got CRL number %v listing %d, want number 1 listing none", list.Number, len(list.RevokedCertificateEntries))
	}
	check("empty-crl", "")
	if _, err := Revoke(a.root, out, RevokeOptions{CertFiles: []string{filepath.Join(a.signer, CertFile)}, Now: clock}); err != nil {
		t.Fatal(err)
	}
	check("signer-revoked", trust.Revoked)
	list, err = Revoke(a.root, out, RevokeOptions{Now: clock, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	if list.Number.Int64() != 3 || len(list.RevokedCertificateEntries) != 1 || !list.NextUpdate.Equal(testNow.AddDate(0, 0, 30)) {
		t.Errorf("got CRL number %v listing %d until %v, want number 3 still listing the signer until %v", list.Number, len(list.RevokedCertificateEntries), list.NextUpdate, testNow.AddDate(0, 0, 30))
	}
	check("signer-still-revoked", trust.Revoked)

	other := newAuthority(t, ECDSAP256, IssueOptions{})
	if _, err := Revoke(a.root, out, RevokeOptions{CertFiles: []string{filepath.Join(other.signer, CertFile)}, Now: clock}); err == nil || !strings.Contains(err.Error(), "not issued by") {
		t.Errorf("revoking another CA's certificate: got %v, want a refusal", err)
	}
	if _, err := Revoke(a.signer, out, RevokeOptions{Now: clock}); err == nil {
		t.Errorf("a CRL from a code-signing certificate: got none, want a refusal")
	}
}

// TestRevokeRefusesDamagedState feeds Revoke a crl.json that decodes but
// could not come from it: each is refused, naming the file, not signed.
func TestRevokeRefusesDamagedState(t *testing.T) {
	a := newAuthority(t, ECDSAP256, IssueOptions{})
	cases := []struct{ name, state string }{
		{"serial-missing", `{"number":1,"revoked":[{"time":"2030-01-01T00:00:00Z"}]}`},
		{"serial-zero", `{"number":1,"revoked":[{"serial":0,"time":"2030-01-01T00:00:00Z"}]}`},
		{"serial-negative", `{"number":1,"revoked":[{"serial":-5,"time":"2030-01-01T00:00:00Z"}]}`},
		{"number-negative", `{"number":-2,"revoked":[]}`},
		{"not-json", `{"number":`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, filepath.Join(a.root, CRLState), tc.state)
			out := filepath.Join(t.TempDir(), "root.crl")
			_, err := Revoke(a.root, out, RevokeOptions{Now: clock})
			if err == nil || !strings.Contains(err.Error(), CRLState) {
				t.Errorf("got %v, want a refusal naming %s", err, CRLState)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("got a CRL written to %s, want none", out)
			}
		})
	}
}

func TestInspect(t *testing.T) {
	a := newAuthority(t, ECDSAP256, IssueOptions{CRLURL: "https://pki.acme.com/root.crl"})
	block := a.sign(t)
	raw := map[string]any{}
	json.Unmarshal(block, &raw)
	sigs := raw["signature"].(map[string]any)
	delete(sigs, "mac")
	sigs["win"] = base64.StdEncoding.EncodeToString([]byte("not a signature"))
	edited, _ := json.Marshal(raw)
	manifestJSON := fmt.Sprintf(`{"startup_app":{"name":"x"},"trustedAppConfigs":%s}`, edited)
	for _, tc := range []struct {
		name, input, roots string
		want               []string
	}{
		{"block", string(block), "", []string{"signer:", "Acme Corp", "Test Root", "https://*.acme.com/blotter/*", "System.launchExternalProcess", "System.readRegistryValue", "registryKeys", "https://pki.acme.com/root.crl", "linux:  verifies"}},
		{"manifest-with-roots", manifestJSON, filepath.Join(a.root, CertFile), []string{"win:    does not verify", "mac:    absent", "linux:  verifies", "linux:  trusted", "win:    untrusted (signature-invalid)", "mac:    untrusted (no-platform-signature)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Inspect(&out, strings.NewReader(tc.input), "input.json", InspectOptions{RootsFile: tc.roots, Now: clock}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("got\n%s\nwant it to hold %q", out.String(), w)
				}
			}
		})
	}
	t.Run("expiry-warning", func(t *testing.T) {
		pemData, err := os.ReadFile(filepath.Join(a.signer, CertFile))
		if err != nil {
			t.Fatal(err)
		}
		certs, err := trust.ParseCertificates(pemData)
		if err != nil || len(certs) == 0 {
			t.Fatalf("signer certificate: %v", err)
		}
		notAfter := certs[0].NotAfter
		var out bytes.Buffer
		for _, tc := range []struct {
			at   time.Time
			want string
		}{
			{clock(), ""},
			{notAfter.Add(-30*24*time.Hour - time.Minute), "warning: 30 days left"},
			{notAfter.Add(time.Hour), "warning: expired"},
		} {
			out.Reset()
			at := tc.at
			if err := Inspect(&out, bytes.NewReader(block), "block.json", InspectOptions{Now: func() time.Time { return at }}); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(out.String(), "warning:"); got != (tc.want != "") || !strings.Contains(out.String(), tc.want) {
				t.Errorf("at %s: got\n%s\nwant a warning %q", at, out.String(), tc.want)
			}
			if strings.Contains(out.String(), " \n") {
				t.Errorf("a line ends in white space:\n%s", out.String())
			}
		}
	})
	for _, bad := range []string{`{"startup_app":{}}`, `[]`, `{"value":"!!","signature":{}}`, `{"value":`} {
		if err := Inspect(&bytes.Buffer{}, strings.NewReader(bad), "bad.json", InspectOptions{Now: clock}); err == nil || !strings.Contains(err.Error(), "bad.json") {
			t.Errorf("inspect %s: got %v, want an error naming bad.json", bad, err)
		}
	}
	// Two blocks in one manifest: rvm refuses it, so inspect must not show
	// either as the one rvm would read.
	twice := `{"trustedAppConfigs":{},"trustedAppConfigs":` + string(block) + `}`
	if err := Inspect(&bytes.Buffer{}, strings.NewReader(twice), "twice.json", InspectOptions{Now: clock}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("inspect a manifest with two blocks: got %v, want a refusal of the key twice", err)
	}
}

// openssl runs the openssl command line, or skips the test without it.
func openssl(t *testing.T, args ...string) []byte {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed: the interoperability tests need the openssl command line")
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// opensslSignArgs and opensslVerifyArgs are SPEC 5.2's table.
func opensslSignArgs(alg Alg, key, msg, sig string) []string {
	switch alg {
	case ECDSAP384:
		return []string{"dgst", "-sha384", "-sign", key, "-out", sig, msg}
	case Ed25519:
		return []string{"pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", msg, "-out", sig}
	}
	return []string{"dgst", "-sha256", "-sign", key, "-out", sig, msg}
}

func opensslVerifyArgs(alg Alg, pub, msg, sig string) []string {
	switch alg {
	case ECDSAP384:
		return []string{"dgst", "-sha384", "-verify", pub, "-signature", sig, msg}
	case Ed25519:
		return []string{"pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", msg, "-sigfile", sig}
	}
	return []string{"dgst", "-sha256", "-verify", pub, "-signature", sig, msg}
}

// TestOpenSSL checks SPEC 5.2 both ways: what rvm-trust signs verifies
// with openssl, and what openssl signs verifies in rvm.
func TestOpenSSL(t *testing.T) {
	for _, alg := range []Alg{ECDSAP256, ECDSAP384, Ed25519, RSA3072} {
		t.Run(string(alg), func(t *testing.T) {
			a := newAuthority(t, alg, IssueOptions{})
			block, err := trust.ParseBlock(a.sign(t))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			pub := filepath.Join(dir, "pub.pem")
			os.WriteFile(pub, openssl(t, "x509", "-in", filepath.Join(a.signer, CertFile), "-pubkey", "-noout"), 0o644)
			key := filepath.Join(a.signer, KeyFile)

			// rvm-trust signs, openssl verifies.
			for _, p := range []string{"win", "mac", "linux"} {
				msg, sig := filepath.Join(dir, p+".msg"), filepath.Join(dir, p+".sig")
				raw, _ := base64.StdEncoding.DecodeString(block.Signature[p])
				os.WriteFile(msg, trust.Message(p, block.Value), 0o644)
				os.WriteFile(sig, raw, 0o644)
				if out := openssl(t, opensslVerifyArgs(alg, pub, msg, sig)...); !bytes.Contains(out, []byte("Verified")) && !bytes.Contains(out, []byte("Success")) {
					t.Errorf("%s: openssl says %s, want verified", p, out)
				}
			}

			// openssl signs, rvm verifies.
			sigs := map[string]string{}
			for _, p := range []string{"win", "mac", "linux"} {
				msg, sig := filepath.Join(dir, p+".msg"), filepath.Join(dir, p+".osig")
				openssl(t, opensslSignArgs(alg, key, msg, sig)...)
				raw, err := os.ReadFile(sig)
				if err != nil {
					t.Fatal(err)
				}
				sigs[p] = base64.StdEncoding.EncodeToString(raw)
			}
			osslBlock, _ := json.Marshal(map[string]any{"value": block.Value, "signature": sigs})
			for _, p := range []string{"win", "mac", "linux"} {
				if _, err := verify(t, a.verifier(t), osslBlock, p); err != nil {
					t.Errorf("%s: the openssl-signed block: got %v, want trusted", p, err)
				}
			}
			wrong := map[string]string{"linux": sigs["win"]}
			moved, _ := json.Marshal(map[string]any{"value": block.Value, "signature": wrong})
			if _, err := verify(t, a.verifier(t), moved, "linux"); err == nil {
				t.Errorf("openssl's win signature in the linux slot: got trusted, want refused")
			}
		})
	}
}

// TestOpenSSLReadsCRL checks that openssl reads rvm-trust's CRL as RFC 5280
// DER signed by the CA.
func TestOpenSSLReadsCRL(t *testing.T) {
	a := newAuthority(t, ECDSAP256, IssueOptions{})
	out := filepath.Join(a.dir, "root.crl")
	if _, err := Revoke(a.root, out, RevokeOptions{CertFiles: []string{filepath.Join(a.signer, CertFile)}, Now: clock}); err != nil {
		t.Fatal(err)
	}
	text := openssl(t, "crl", "-inform", "DER", "-in", out, "-CAfile", filepath.Join(a.root, CertFile), "-noout", "-text")
	certs, _ := trust.ParseCertificates(mustRead(t, filepath.Join(a.signer, CertFile)))
	serial := strings.ToUpper(certs[0].SerialNumber.Text(16))
	if !strings.Contains(strings.ToUpper(string(text)), serial) {
		t.Errorf("openssl crl shows\n%s\nwant it to list serial %s", text, serial)
	}
	if !bytes.Contains(text, []byte("verify OK")) {
		t.Errorf("openssl crl says\n%s\nwant verify OK", text)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestNameConstrainedIntermediate checks issue's PermittedDNS (rvm-trust
// issue --permitted-dns) and that sign refuses the patterns that rvm
// would skip under it, naming each.
func TestNameConstrainedIntermediate(t *testing.T) {
	dir := t.TempDir()
	root, partner, signer := filepath.Join(dir, "root"), filepath.Join(dir, "partner"), filepath.Join(dir, "signer")
	if _, err := InitRoot(root, RootOptions{Now: clock}); err != nil {
		t.Fatal(err)
	}
	ca, err := Issue(root, partner, IssueOptions{Name: "Partner CA", Days: 1000, PermittedDNS: []string{"Partner.Test", ".bücher.test"}, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if !ca.IsCA || !ca.MaxPathLenZero || !ca.PermittedDNSDomainsCritical || strings.Join(ca.PermittedDNSDomains, " ") != "partner.test .xn--bcher-kva.test" {
		t.Errorf("got CA %v, path length 0 %v, critical %v, permitted %q; want a critical constraint to partner.test and .xn--bcher-kva.test on a CA of path length 0",
			ca.IsCA, ca.MaxPathLenZero, ca.PermittedDNSDomainsCritical, ca.PermittedDNSDomains)
	}
	if _, err := Issue(partner, signer, IssueOptions{Name: "Partner Signer", Now: clock}); err != nil {
		t.Fatal(err)
	}
	a := &testAuthority{root: root}
	for _, tc := range []struct {
		name, apps string
		want       []string // in the refusal; none where sign signs
	}{
		{"within", `[{"name":"P","match":["https://*.partner.test/*","https://a.bücher.test/*"]}]`, nil},
		{"outside", `[{"name":"Acme","match":["https://*.acme.test/*"]},{"name":"P","match":["https://apps.partner.test/*","https://bücher.test/*"]}]`,
			[]string{`app "Acme": pattern "https://*.acme.test/*" can match hosts that certificate "Partner CA" does not permit`, `app "P": pattern "https://xn--bcher-kva.test/*"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apps := filepath.Join(t.TempDir(), "apps.json")
			writeFile(t, apps, tc.apps)
			block, err := Sign(signer, SignOptions{AppsFile: apps, Now: clock})
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				u, _ := pattern.ParseURL("https://apps.partner.test/app.json", pattern.Strict)
				if _, err := a.verifier(t).Verify(context.Background(), block, "linux", u); err != nil {
					t.Errorf("got %v, want the block trusted", err)
				}
				return
			}
			if err == nil {
				t.Fatal("got a block, want a refusal")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %v, want it to hold %s", err, w)
				}
			}
		})
	}
	for _, name := range []string{"", ".", "acme.test:443", "https://acme.test", "*.acme.test", "acme.test/x", "localhost", "192.0.2.1", "co.uk", "single"} {
		if _, err := Issue(root, filepath.Join(t.TempDir(), "out"), IssueOptions{Name: "x", PermittedDNS: []string{name}, Now: clock}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("permitted DNS name %q", name)) {
			t.Errorf("permitted DNS name %q: got %v, want a refusal naming it", name, err)
		}
	}
}

// TestInspectQuotes checks that what inspect shows of a block, whose
// every name a vendor or an attacker chose, reaches the terminal without
// control or bidirectional characters.
func TestInspectQuotes(t *testing.T) {
	a := newAuthority(t, ECDSAP256, IssueOptions{Name: "Acme \u202eCorp", CRLURL: "https://pki.acme.com/\u202eroot.crl"})
	writeFile(t, a.apps, `[{"name":"Blotter \u202e","match":["https://*.acme.com/*"],"permissions":{"System":{"readRegistryValue":{"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\`+"\u202e\u2066Acme\U000e0001😀"+`\ud83d\ude00"]}}}}]`)
	var out bytes.Buffer
	if err := Inspect(&out, bytes.NewReader(a.sign(t)), "block.json", InspectOptions{Now: clock}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out.String(), "\u202e\u2066") {
		t.Errorf("got\n%s\nwant no bidirectional control characters", out.String())
	}
	for _, want := range []string{`"Acme \u202eCorp"`, `"Blotter \u202e"`, `"https://pki.acme.com/\u202eroot.crl"`, `Software\\\u202e\u2066Acme\udb40\udc01😀\ud83d\ude00"]}`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("got\n%s\nwant it to hold %s", out.String(), want)
		}
	}
}
