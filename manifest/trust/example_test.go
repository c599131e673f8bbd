package trust_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// This example makes a root and a signing certificate, signs a config for
// linux, and verifies the block for two manifest URLs and another platform.
func ExampleVerifier_Verify() {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Acme Root"},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	rootDER, _ := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	root, _ := x509.ParseCertificate(rootDER)

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafDER, _ := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Acme Corp"},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}, root, key.Public(), rootKey)

	config := `{"version":1,"certificate":"` + base64.StdEncoding.EncodeToString(leafDER) + `",` +
		`"apps":[{"name":"Acme Blotter","match":["https://*.acme.com/blotter/*"],"permissions":{"System":{"launchExternalProcess":true}}}]}`
	value := base64.StdEncoding.EncodeToString([]byte(config))
	sig, _ := trust.Sign(key, "linux", value)
	block, _ := json.Marshal(map[string]any{"value": value, "signature": map[string]string{"linux": sig}})

	v := &trust.Verifier{Roots: trust.NewRoots(root), Now: func() time.Time { return now }}
	for _, c := range []struct{ platform, url string }{
		{"linux", "https://apps.acme.com/blotter/app.json"},
		{"linux", "https://apps.acme.com/other/app.json"},
		{"win", "https://apps.acme.com/blotter/app.json"},
	} {
		u, _ := pattern.ParseURL(c.url, pattern.Strict)
		res, err := v.Verify(context.Background(), block, c.platform, u)
		if err != nil {
			fmt.Printf("%s %s: %s: %v\n", c.platform, c.url, err.(*trust.Error).Code, err)
			continue
		}
		fmt.Printf("%s %s: signed by %s for %q, grants %s, expires %s\n", c.platform, c.url, res.Signer, res.Apps, res.Grants[0].Name, res.Expires.Format(time.DateOnly))
	}
	// Output:
	// linux https://apps.acme.com/blotter/app.json: signed by Acme Corp for ["Acme Blotter"], grants System.launchExternalProcess, expires 2031-01-01
	// linux https://apps.acme.com/other/app.json: url-not-matched: trust: https://apps.acme.com/other/app.json matches no app pattern of the block signed by "Acme Corp"
	// win https://apps.acme.com/blotter/app.json: no-platform-signature: trust: signed for linux, not for win
}
