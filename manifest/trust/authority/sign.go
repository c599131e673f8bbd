package authority

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// maxAppsFile bounds the apps file that Sign reads.
const maxAppsFile = 1 << 20

// SignOptions describe a block to sign.
type SignOptions struct {
	// AppsFile holds the app entries: a JSON array of objects with "name",
	// "match" and "permissions", as in the config of SPEC 5.1. Required.
	AppsFile string
	// IntermediatesFile is a PEM bundle of the certificates between the
	// signing certificate and the root, nearest first; "" means the
	// signer directory's chain.pem, where there is one.
	IntermediatesFile string
	// Platforms to sign for; nil means win, mac and linux.
	Platforms []string
	// Now is the time of signing; nil means time.Now.
	Now func() time.Time
}

// Sign makes a trustedAppConfigs object with the key and certificate in
// signerDir and returns it as indented JSON. It refuses apps with invalid
// patterns, permission names that rvm does not know, patterns outside the
// DNS name constraints of the signing chain (which rvm would skip), or
// anything else that rvm would refuse to read, naming them; and a signing
// certificate that is not valid now or not for code signing.
func Sign(signerDir string, o SignOptions) ([]byte, error) {
	out, err := sign(signerDir, o)
	if err != nil {
		return nil, fmt.Errorf("authority: sign: %w", err)
	}
	return out, nil
}

func sign(signerDir string, o SignOptions) ([]byte, error) {
	platforms := o.Platforms
	if platforms == nil {
		platforms = trust.Platforms()
	}
	for _, p := range platforms {
		if !trust.KnownPlatform(p) {
			return nil, fmt.Errorf("unknown platform %q; want win, mac or linux", p)
		}
	}
	kp, err := load(signerDir)
	if err != nil {
		return nil, err
	}
	t := now(o.Now)
	if t.Before(kp.cert.NotBefore) || t.After(kp.cert.NotAfter) {
		return nil, fmt.Errorf("%s is valid from %s to %s, not now", filepath.Join(signerDir, CertFile), kp.cert.NotBefore.UTC().Format(time.DateOnly), kp.cert.NotAfter.UTC().Format(time.DateOnly))
	}
	if !slices.Contains(kp.cert.ExtKeyUsage, x509.ExtKeyUsageCodeSigning) {
		return nil, fmt.Errorf("%s is not for code signing (no extended key usage codeSigning)", filepath.Join(signerDir, CertFile))
	}
	inters := kp.chain
	if o.IntermediatesFile != "" {
		if inters, err = readCerts(o.IntermediatesFile); err != nil {
			return nil, err
		}
	}
	apps, err := readApps(o.AppsFile)
	if err != nil {
		return nil, err
	}
	cfg := struct {
		Version       int             `json:"version"`
		Certificate   string          `json:"certificate"`
		Intermediates []string        `json:"intermediates,omitempty"`
		Apps          json.RawMessage `json:"apps"`
	}{Version: 1, Certificate: base64.StdEncoding.EncodeToString(kp.cert.Raw), Apps: apps}
	for _, c := range inters {
		cfg.Intermediates = append(cfg.Intermediates, base64.StdEncoding.EncodeToString(c.Raw))
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.AppsFile, err)
	}
	value := base64.StdEncoding.EncodeToString(cfgJSON)
	parsed, err := trust.ParseConfig(value)
	if err != nil {
		var te *trust.Error
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s: %s", o.AppsFile, te.Reason)
		}
		return nil, fmt.Errorf("%s: %w", o.AppsFile, err)
	}
	var unknown []string
	for _, app := range parsed.Apps {
		for _, p := range app.Permissions {
			if !permissions.Known(p.Name) {
				unknown = append(unknown, fmt.Sprintf("%s (app %q)", p.Name, app.Name))
			}
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%s: unknown permission names: %s", o.AppsFile, strings.Join(unknown, ", "))
	}
	// rvm skips the app entries outside the chain's name constraints: a
	// block that holds one is a mistake.
	chain := append([]*x509.Certificate{kp.cert}, inters...)
	var outside []string
	for _, app := range parsed.Apps {
		for _, p := range app.Match {
			if err := trust.CheckNameConstraints(p, chain); err != nil {
				outside = append(outside, fmt.Sprintf("app %q: %v", app.Name, err))
			}
		}
	}
	if len(outside) > 0 {
		return nil, fmt.Errorf("%s: patterns outside the name constraints of the signing chain, which rvm would skip: %s", o.AppsFile, strings.Join(outside, "; "))
	}
	block := struct {
		Value     string            `json:"value"`
		Signature map[string]string `json:"signature"`
	}{Value: value, Signature: map[string]string{}}
	for _, p := range platforms {
		if block.Signature[p], err = trust.Sign(kp.key, p, value); err != nil {
			return nil, err
		}
	}
	out, err := json.MarshalIndent(block, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// readApps reads the apps file: a JSON array, at most maxAppsFile bytes.
// Its entries are checked with the rest of the config.
func readApps(path string) (json.RawMessage, error) {
	if path == "" {
		return nil, errors.New("an apps file is required")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxAppsFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxAppsFile {
		return nil, fmt.Errorf("%s: larger than %d KiB", path, maxAppsFile>>10)
	}
	if err := strictjson.Check(data); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if jsontext.Value(data).Kind() != '[' {
		return nil, fmt.Errorf("%s: want a JSON array of app entries, [{\"name\": ..., \"match\": [...], \"permissions\": {...}}]", path)
	}
	return json.RawMessage(data), nil
}
