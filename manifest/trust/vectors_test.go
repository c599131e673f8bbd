package trust_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

var update = flag.Bool("update", false, "regenerate the vectors in testdata/trust")

const vectorDir = "../../testdata/trust"

// vector is one file of testdata/trust: a block, the check to run on it,
// and what the check must find.
type vector struct {
	Description       string          `json:"description"`
	Now               time.Time       `json:"now"`
	Platform          string          `json:"platform"`
	URL               string          `json:"url"`
	Revoked           []string        `json:"revokedCertificates,omitempty"`
	TrustedAppConfigs json.RawMessage `json:"trustedAppConfigs"`
	Want              vectorWant      `json:"want"`
}

type vectorWant struct {
	Code     string   `json:"code"`             // "ok" or a trust code
	Reason   string   `json:"reason,omitempty"` // checked where given
	Signer   string   `json:"signer,omitempty"`
	Apps     []string `json:"apps,omitempty"`
	Grants   []string `json:"grants,omitempty"`
	Warnings int      `json:"warnings,omitempty"`
}

// TestVectors runs every good_* and bad_* file of testdata/trust against
// the roots in testdata/trust/roots.pem. Regenerate them with
// go test ./manifest/trust -run TestVectors -update.
func TestVectors(t *testing.T) {
	if *update {
		writeVectors(t)
	}
	pemData, err := os.ReadFile(filepath.Join(vectorDir, "roots.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots, err := trust.ParseRoots(pemData, "roots.pem")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(vectorDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var good, bad int
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		switch {
		case strings.HasPrefix(name, "good_"):
			good++
		case strings.HasPrefix(name, "bad_"):
			bad++
		default:
			t.Errorf("%s: a vector's name starts with good_ or bad_", file)
			continue
		}
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var vec vector
			if err := json.Unmarshal(data, &vec); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(name, "good_") != (vec.Want.Code == "ok") {
				t.Fatalf("want.code %q does not fit the name", vec.Want.Code)
			}
			u, err := pattern.ParseURL(vec.URL, pattern.Strict)
			if err != nil {
				t.Fatal(err)
			}
			v := &trust.Verifier{Roots: roots, Now: fixedNow(vec.Now), Revoked: ownerRevoking(t, vec.Revoked...)}
			res, err := v.Verify(context.Background(), jsontext.Value(vec.TrustedAppConfigs), vec.Platform, u)
			checkVerdict(t, res, err, vec.Want)
		})
	}
	if good == 0 || bad == 0 {
		t.Errorf("got %d good and %d bad vectors, want some of each", good, bad)
	}
}

func checkVerdict(t *testing.T, res *trust.Result, err error, want vectorWant) {
	t.Helper()
	if want.Code != "ok" {
		var te *trust.Error
		if !errors.As(err, &te) {
			t.Fatalf("got result %+v, error %v; want code %s", res, err, want.Code)
		}
		if string(te.Code) != want.Code {
			t.Fatalf("got code %s (%v), want %s", te.Code, err, want.Code)
		}
		if want.Reason != "" && te.Reason != want.Reason {
			t.Errorf("got reason %q, want %q", te.Reason, want.Reason)
		}
		if !strings.HasPrefix(err.Error(), "trust: ") {
			t.Errorf("got error %q, want it to start with \"trust: \"", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("got %v, want trusted", err)
	}
	var grants []string
	for _, g := range res.Grants {
		grants = append(grants, g.Name)
	}
	if res.Signer != want.Signer {
		t.Errorf("got signer %q, want %q", res.Signer, want.Signer)
	}
	if !slices.Equal(res.Apps, want.Apps) {
		t.Errorf("got apps %q, want %q", res.Apps, want.Apps)
	}
	if !slices.Equal(grants, want.Grants) {
		t.Errorf("got grants %q, want %q", grants, want.Grants)
	}
	if len(res.Warnings) != want.Warnings {
		t.Errorf("got warnings %q, want %d", res.Warnings, want.Warnings)
	}
}

// writeVectors regenerates testdata/trust with a fresh PKI.
func writeVectors(t *testing.T) {
	f := newPKI(t)
	old, _ := filepath.Glob(filepath.Join(vectorDir, "*.json"))
	for _, o := range old {
		os.Remove(o)
	}
	if err := os.MkdirAll(vectorDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(vectorDir, "roots.pem"), trusttest.PEM(f.root), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, vec := range vectorCases(t, f) {
		if vec.Now.IsZero() {
			vec.Now = testNow
		}
		if vec.Platform == "" {
			vec.Platform = "linux"
		}
		if vec.URL == "" {
			vec.URL = testURL
		}
		data, err := json.MarshalIndent(vec, "", "  ")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(vectorDir, name+".json"), append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// vectorCases builds the vectors, by file name.
func vectorCases(t *testing.T, f *pki) map[string]vector {
	p256 := f.leaf(t, trusttest.Options{Name: "Acme Corp"})
	stdCfg := trusttest.Config(p256, testApps, f.inter)
	std := trusttest.Block(t, p256, stdCfg)
	stdValue := trusttest.Value(stdCfg)
	okWant := vectorWant{Code: "ok", Signer: "Acme Corp", Apps: []string{"Acme Blotter"}, Grants: []string{"System.launchExternalProcess", "System.readRegistryValue"}}
	good := func(desc string, signer *trusttest.Cert, cfg string, w vectorWant) vector {
		return vector{Description: desc, TrustedAppConfigs: json.RawMessage(trusttest.Block(t, signer, cfg)), Want: w}
	}
	bad := func(desc string, block []byte, code trust.Code) vector {
		return vector{Description: desc, TrustedAppConfigs: block, Want: vectorWant{Code: string(code)}}
	}
	badCfg := func(desc string, signer *trusttest.Cert, cfg string, code trust.Code) vector {
		return bad(desc, trusttest.Block(t, signer, cfg), code)
	}
	badLeaf := func(desc string, o trusttest.Options, code trust.Code) vector {
		leaf := f.leaf(t, o)
		return badCfg(desc, leaf, trusttest.Config(leaf, testApps, f.inter), code)
	}
	keyed := func(alg trusttest.Alg, short string) vector {
		leaf := f.leaf(t, trusttest.Options{Name: "Acme Signing " + short, Alg: alg})
		w := okWant
		w.Signer = leaf.Subject.CommonName
		return good("a block signed by a "+short+" key through an intermediate", leaf, trusttest.Config(leaf, testApps, f.inter), w)
	}
	// Base64 of ASCII text has "/" only where a byte like "?" ends a
	// group of three: three of them make sure of one, to turn into the
	// URL-safe alphabet.
	qValue := trusttest.Value(strings.Replace(stdCfg, "Acme Blotter", "Acme Blotter???", 1))
	urlSafe := strings.NewReplacer("+", "-", "/", "_").Replace(qValue)
	if urlSafe == qValue {
		t.Fatal("the value has neither + nor /")
	}
	sigs := trusttest.Signatures(t, p256, stdValue)
	moved := map[string]string{"win": sigs["win"], "mac": sigs["mac"], "linux": sigs["win"]}
	tampered := trusttest.Value(strings.Replace(stdCfg, `"getProcessList":false`, `"getProcessList":true`, 1))
	expiring := f.leaf(t, trusttest.Options{Name: "Acme Expiring", NotAfter: testNow.Add(30 * 24 * time.Hour)})
	expiringWant := okWant
	expiringWant.Signer, expiringWant.Warnings = "Acme Expiring", 1
	direct := f.root.Issue(t, trusttest.Options{Name: "Acme Direct"})
	directWant := okWant
	directWant.Signer = "Acme Direct"
	twoApps := `[{"name":"Acme Blotter","match":["https://*.acme.com/blotter/*"],"permissions":{"System":{"launchExternalProcess":true}}},` +
		`{"name":"Acme Everything","match":["https://apps.acme.com/*"],"permissions":{"Window":{"getSnapshot":true},"System":{"launchExternalProcess":false}}},` +
		`{"name":"Acme Other","match":["https://other.acme.com/*"],"permissions":{"System":{"clearCache":true}}}]`
	expiredInter := f.root.Issue(t, trusttest.Options{Name: "Expired Intermediate", CA: true, NotAfter: time.Date(2029, 6, 1, 0, 0, 0, 0, time.UTC)})
	underExpired := expiredInter.Issue(t, trusttest.Options{Name: "Under Expired"})
	foreignLeaf := f.foreign.Issue(t, trusttest.Options{Name: "Foreign Signing"})
	p521 := f.leaf(t, trusttest.Options{Name: "Acme Signing p521", Alg: trusttest.ECDSAP521})
	rsa1024 := f.leaf(t, trusttest.Options{Name: "Acme Signing rsa1024", Alg: trusttest.RSA1024})
	reencoded := p256.Reencoded(t, f.inter)
	weakInter := f.root.Issue(t, trusttest.Options{Name: "Weak Intermediate", CA: true, Alg: trusttest.RSA1024})
	underWeak := weakInter.Issue(t, trusttest.Options{Name: "Under Weak"})
	sha1Inter := f.root.Issue(t, trusttest.Options{Name: "SHA-1 Intermediate", CA: true, SignatureAlgorithm: x509.ECDSAWithSHA1})
	underSHA1 := sha1Inter.Issue(t, trusttest.Options{Name: "Under SHA-1"})
	partnerCA := f.root.Issue(t, trusttest.Options{Name: "Partner CA", CA: true, PermittedDNS: []string{"partner.example"}})
	underPartner := partnerCA.Issue(t, trusttest.Options{Name: "Partner Signer"})
	acmeCA := f.root.Issue(t, trusttest.Options{Name: "Acme CA", CA: true, PermittedDNS: []string{"acme.com"}})
	underAcme := acmeCA.Issue(t, trusttest.Options{Name: "Acme Constrained"})
	acmeWant := okWant
	acmeWant.Signer = "Acme Constrained"
	differing := `[{"name":"Acme Blotter","match":["https://*.acme.com/blotter/*"],"permissions":{"System":{"launchExternalProcess":true,"readRegistryValue":{"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"]}}}},` +
		`{"name":"Acme Everything","match":["https://apps.acme.com/*"],"permissions":{"System":{"readRegistryValue":{"enabled":true,"registryKeys":["HKEY_LOCAL_MACHINE\\SAM"]}}}}]`
	escaped := strings.ReplaceAll(string(std), "/", `\/`)
	if escaped == string(std) {
		t.Fatal("the standard block has no /; run again")
	}

	return map[string]vector{
		"good_ecdsa_p256":      keyed(trusttest.ECDSAP256, "p256"),
		"good_ecdsa_p384":      keyed(trusttest.ECDSAP384, "p384"),
		"good_rsa_2048":        keyed(trusttest.RSA2048, "rsa2048"),
		"good_rsa_3072":        keyed(trusttest.RSA3072, "rsa3072"),
		"good_ed25519":         keyed(trusttest.Ed25519, "ed25519"),
		"good_platform_win":    {Description: "the win signature, checked for win", Platform: "win", TrustedAppConfigs: json.RawMessage(std), Want: okWant},
		"good_platform_mac":    {Description: "the mac signature, checked for mac", Platform: "mac", TrustedAppConfigs: json.RawMessage(std), Want: okWant},
		"good_escaped_slashes": {Description: `the block's strings written with \/ escapes, as some JSON encoders do`, TrustedAppConfigs: json.RawMessage(escaped), Want: okWant},
		"good_signed_by_root":  good("a signing certificate issued by the root itself, no intermediates", direct, trusttest.Config(direct, testApps), directWant),
		"good_expiring_soon":   good("a signing certificate that expires in 30 days: trusted, with a warning", expiring, trusttest.Config(expiring, testApps, f.inter), expiringWant),
		"good_two_apps_match": good("two app entries match: both are named, and their grants are the union of what each enables", p256, trusttest.Config(p256, twoApps, f.inter),
			vectorWant{Code: "ok", Signer: "Acme Corp", Apps: []string{"Acme Blotter", "Acme Everything"}, Grants: []string{"System.launchExternalProcess", "Window.getSnapshot"}}),
		"good_port": {Description: "a pattern with a port", URL: "https://books.example.org:8443/app/x.json",
			TrustedAppConfigs: json.RawMessage(trusttest.Block(t, p256, trusttest.Config(p256, `[{"name":"Books","match":["https://books.example.org:8443/app/*"]}]`, f.inter))),
			Want:              vectorWant{Code: "ok", Signer: "Acme Corp", Apps: []string{"Books"}}},

		"bad_tampered_value":    bad("the value changed after signing (getProcessList turned on)", trusttest.BlockOf(tampered, sigs), trust.SignatureInvalid),
		"bad_signature_moved":   bad("the win signature put in the linux slot", trusttest.BlockOf(stdValue, moved), trust.SignatureInvalid),
		"bad_signature_garbage": bad("a linux signature that is base64 but no signature", trusttest.BlockOf(stdValue, map[string]string{"linux": "AAAA"}), trust.SignatureInvalid),
		"bad_missing_platform": {Description: "signed for win and mac only, checked for linux", TrustedAppConfigs: json.RawMessage(trusttest.Block(t, p256, stdCfg, "win", "mac")),
			Want: vectorWant{Code: string(trust.NoPlatformSignature), Reason: "signed for win and mac, not for linux"}},
		"bad_no_signatures":          bad("an empty signature object", trusttest.BlockOf(stdValue, map[string]string{}), trust.NoPlatformSignature),
		"bad_base64_newline":         bad("a line break in the value's base64", trusttest.BlockOf(stdValue[:76]+"\n"+stdValue[76:], trusttest.Signatures(t, p256, stdValue[:76]+"\n"+stdValue[76:])), trust.Malformed),
		"bad_base64_crlf":            bad("a CRLF in the value's base64", trusttest.BlockOf(stdValue[:76]+"\r\n"+stdValue[76:], sigs), trust.Malformed),
		"bad_base64_space":           bad("a space in the value's base64", trusttest.BlockOf(stdValue[:76]+" "+stdValue[76:], sigs), trust.Malformed),
		"bad_base64_urlsafe":         bad("the value in the URL-safe alphabet", trusttest.BlockOf(urlSafe, trusttest.Signatures(t, p256, urlSafe)), trust.Malformed),
		"bad_base64_unpadded":        bad("the value's padding stripped", trusttest.BlockOf(strings.TrimRight(stdValue+"=", "="), sigs), trust.Malformed),
		"bad_signature_base64_space": bad("a space in the linux signature", trusttest.BlockOf(stdValue, map[string]string{"linux": " " + sigs["linux"]}), trust.Malformed),
		"bad_block_duplicate_key":    bad("value given twice in the block", []byte(`{"value":"`+stdValue+`","value":"`+stdValue+`","signature":{"linux":"`+sigs["linux"]+`"}}`), trust.Malformed),
		"bad_block_unknown_key":      bad("an unknown key in the block", []byte(`{"value":"`+stdValue+`","signature":{"linux":"`+sigs["linux"]+`"},"comment":"hi"}`), trust.Malformed),
		"bad_block_unknown_platform": bad("a signature for a platform rvm does not know", []byte(`{"value":"`+stdValue+`","signature":{"linux":"`+sigs["linux"]+`","bsd":"`+sigs["linux"]+`"}}`), trust.Malformed),
		"bad_block_not_object":       bad("an array where the block belongs", []byte(`["`+stdValue+`"]`), trust.Malformed),
		"bad_block_no_value":         bad("a block without value", []byte(`{"signature":{"linux":"`+sigs["linux"]+`"}}`), trust.Malformed),
		"bad_value_not_string":       bad("a value that is an object", []byte(`{"value":{},"signature":{}}`), trust.Malformed),

		"bad_config_duplicate_key":        badCfg("apps given twice in the config", p256, strings.Replace(stdCfg, `"apps":`, `"apps":[],"apps":`, 1), trust.Malformed),
		"bad_config_duplicate_key_deep":   badCfg("a duplicate key inside a permission's constraints", p256, strings.Replace(stdCfg, `"registryKeys":`, `"registryKeys":[],"registryKeys":`, 1), trust.Malformed),
		"bad_config_duplicate_permission": badCfg("a permission given twice", p256, strings.Replace(stdCfg, `"getProcessList":false`, `"getProcessList":false,"getProcessList":true`, 1), trust.Malformed),
		"bad_config_unknown_key":          badCfg("an unknown key in the config", p256, strings.Replace(stdCfg, `"version":1,`, `"version":1,"comment":"x",`, 1), trust.Malformed),
		"bad_config_unknown_app_key":      badCfg("an unknown key in an app entry", p256, strings.Replace(stdCfg, `"name":`, `"icon":"x","name":`, 1), trust.Malformed),
		"bad_config_key_case":             badCfg("a known key in the wrong case", p256, strings.Replace(stdCfg, `"apps":`, `"Apps":`, 1), trust.Malformed),
		"bad_config_version_2":            badCfg("version 2, with a key version 1 does not know", p256, strings.Replace(stdCfg, `"version":1,`, `"version":2,"future":true,`, 1), trust.UnsupportedVersion),
		"bad_config_no_version":           badCfg("no version", p256, strings.Replace(stdCfg, `"version":1,`, ``, 1), trust.Malformed),
		"bad_config_not_json":             badCfg("a config that is not JSON", p256, stdCfg[:len(stdCfg)-1], trust.Malformed),
		"bad_config_invalid_pattern":      badCfg("a pattern on a public suffix", p256, strings.Replace(stdCfg, `https://*.acme.com/blotter/*`, `https://*.co.uk/*`, 1), trust.Malformed),
		"bad_config_http_pattern":         badCfg("an http pattern", p256, strings.Replace(stdCfg, `https://*.acme.com/blotter/*`, `http://*.acme.com/blotter/*`, 1), trust.Malformed),
		"bad_config_certificate_garbage":  badCfg("a certificate that is not DER", p256, `{"version":1,"certificate":"AAAA","apps":`+testApps+`}`, trust.Malformed),

		"bad_missing_intermediate":   badCfg("the intermediate left out", p256, trusttest.Config(p256, testApps), trust.UnknownAuthority),
		"bad_foreign_root":           badCfg("a chain to a root that is not trusted", foreignLeaf, trusttest.Config(foreignLeaf, testApps, f.foreign), trust.UnknownAuthority),
		"bad_intermediate_as_signer": badCfg("the intermediate CA's certificate as the signing certificate", f.inter, trusttest.Config(f.inter, testApps), trust.WrongKeyUsage),
		"bad_expired":                {Description: "a signing certificate past its NotAfter", TrustedAppConfigs: json.RawMessage(std), Now: trusttest.ValidTo.Add(time.Hour), Want: vectorWant{Code: string(trust.CertificateExpired), Reason: `certificate "Acme Corp" expired on 2100-01-01`}},
		"bad_not_yet_valid":          {Description: "a signing certificate before its NotBefore", TrustedAppConfigs: json.RawMessage(std), Now: trusttest.ValidFrom.Add(-time.Hour), Want: vectorWant{Code: string(trust.CertificateNotYetValid)}},
		"bad_expired_intermediate":   {Description: "an intermediate that expired, under a valid signing certificate", TrustedAppConfigs: json.RawMessage(trusttest.Block(t, underExpired, trusttest.Config(underExpired, testApps, expiredInter))), Want: vectorWant{Code: string(trust.CertificateExpired), Reason: `certificate "Expired Intermediate" expired on 2029-06-01`}},
		"bad_wrong_eku":              badLeaf("a signing certificate for TLS servers", trusttest.Options{Name: "TLS", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, trust.WrongKeyUsage),
		"bad_no_eku":                 badLeaf("a signing certificate without extended key usage", trusttest.Options{Name: "No EKU", NoExtKeyUsage: true}, trust.WrongKeyUsage),
		"bad_key_usage_no_signature": badLeaf("a signing certificate whose key usage lacks digitalSignature", trusttest.Options{Name: "KU", KeyUsage: x509.KeyUsageKeyEncipherment}, trust.WrongKeyUsage),
		"bad_ecdsa_p521":             badCfg("a P-521 signing key", p521, trusttest.Config(p521, testApps, f.inter), trust.UnsupportedKey),
		"bad_rsa_1024":               badCfg("an RSA-1024 signing key", rsa1024, trusttest.Config(rsa1024, testApps, f.inter), trust.UnsupportedKey),
		"bad_url_not_matched":        {Description: "a manifest URL outside every pattern", URL: "https://apps.acme.com/other/app.json", TrustedAppConfigs: json.RawMessage(std), Want: vectorWant{Code: string(trust.URLNotMatched)}},
		"bad_url_other_port":         {Description: "a manifest URL on a port the pattern does not name", URL: "https://apps.acme.com:8443/blotter/app.json", TrustedAppConfigs: json.RawMessage(std), Want: vectorWant{Code: string(trust.URLNotMatched)}},
		"bad_owner_revoked":          {Description: "the signing certificate on the owner's revoked list", Revoked: []string{sum(p256)}, TrustedAppConfigs: json.RawMessage(std), Want: vectorWant{Code: string(trust.Revoked)}},
		"bad_owner_revoked_inter":    {Description: "the intermediate on the owner's revoked list", Revoked: []string{sum(f.inter)}, TrustedAppConfigs: json.RawMessage(std), Want: vectorWant{Code: string(trust.Revoked)}},
		"bad_owner_revoked_root":     {Description: "the root on the owner's revoked list", Revoked: []string{sum(f.root)}, TrustedAppConfigs: json.RawMessage(std), Want: vectorWant{Code: string(trust.Revoked)}},
		"good_two_apps_differing_constraints": good("two matching app entries grant readRegistryValue with different constraints: the block does not grant it, and says why", p256, trusttest.Config(p256, differing, f.inter),
			vectorWant{Code: "ok", Signer: "Acme Corp", Apps: []string{"Acme Blotter", "Acme Everything"}, Grants: []string{"System.launchExternalProcess"}, Warnings: 1}),
		"good_name_constraints": good("an intermediate constrained to acme.com, a block for *.acme.com", underAcme, trusttest.Config(underAcme, testApps, acmeCA), acmeWant),
		"bad_name_constraints":  badCfg("an intermediate constrained to partner.example, a block for *.acme.com", underPartner, trusttest.Config(underPartner, testApps, partnerCA), trust.NameConstraints),
		"bad_owner_revoked_reencoded": {Description: "the signing certificate on the owner's revoked list, presented in its other ECDSA encoding (s as n-s)", Revoked: []string{sum(p256)},
			TrustedAppConfigs: json.RawMessage(trusttest.Block(t, reencoded, trusttest.Config(reencoded, testApps, f.inter))), Want: vectorWant{Code: string(trust.Revoked)}},
		"bad_owner_revoked_tbs":      {Description: "the intermediate revoked by its TBSCertificate (tbs:)", Revoked: []string{tbsSum(f.inter)}, TrustedAppConfigs: json.RawMessage(std), Want: vectorWant{Code: string(trust.Revoked)}},
		"bad_owner_revoked_spki":     {Description: "the root's key revoked (spki:)", Revoked: []string{spkiSum(f.root)}, TrustedAppConfigs: json.RawMessage(std), Want: vectorWant{Code: string(trust.Revoked)}},
		"bad_rsa_1024_intermediate":  badCfg("an RSA-1024 intermediate", underWeak, trusttest.Config(underWeak, testApps, weakInter), trust.UnsupportedKey),
		"bad_sha1_intermediate":      badCfg("an intermediate signed with ECDSA and SHA-1", underSHA1, trusttest.Config(underSHA1, testApps, sha1Inter), trust.UnsupportedKey),
		"bad_too_many_intermediates": badCfg("five intermediates", p256, trusttest.Config(p256, testApps, slices.Repeat([]*trusttest.Cert{f.inter}, trust.MaxIntermediates+1)...), trust.Malformed),
	}
}
