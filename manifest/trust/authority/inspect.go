package authority

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// maxInspect bounds what Inspect reads: a manifest is at most 1 MiB.
const maxInspect = 1 << 20

// InspectOptions say how to inspect a block.
type InspectOptions struct {
	// RootsFile, when set, is a PEM bundle of trust roots: the block is
	// then verified against them for each platform, as rvm would (but for
	// CRLs, which inspect does not fetch, and the manifest URL).
	RootsFile string
	// Now is the time of the check; nil means time.Now.
	Now func() time.Time
	// Fetcher fetches what InspectURL inspects, strictly; nil means a
	// Fetcher with the system roots and no --resolve entries.
	Fetcher *fetch.Fetcher
}

// Inspect reads a manifest or a trustedAppConfigs object from r (named
// name in errors) and writes to w what it holds: signer, chain, expiry,
// apps with their patterns and permissions, and for each platform whether
// its signature verifies. It fails when there is no block or the block
// cannot be decoded.
func Inspect(w io.Writer, r io.Reader, name string, o InspectOptions) error {
	data, err := io.ReadAll(io.LimitReader(r, maxInspect+1))
	if err == nil && len(data) > maxInspect {
		err = fmt.Errorf("larger than %d KiB", maxInspect>>10)
	}
	if err == nil {
		err = inspect(w, data, nil, o)
	}
	if err != nil {
		return fmt.Errorf("authority: inspect %s: %w", name, err)
	}
	return nil
}

// InspectURL is Inspect for the manifest at url, an https:// URL fetched
// strictly (SPEC 3: the certificate verified, every redirect hop HTTPS,
// bounded), never relaxed. It first shows the URL the manifest came from,
// after redirects.
func InspectURL(ctx context.Context, w io.Writer, url string, o InspectOptions) error {
	f := o.Fetcher
	if f == nil {
		f = &fetch.Fetcher{}
	}
	resp, err := f.GetStrict(ctx, url, maxInspect, fetch.Validators{})
	if err == nil {
		err = inspect(w, resp.Body, resp, o)
	}
	if err != nil {
		return fmt.Errorf("authority: inspect %s: %w", url, err)
	}
	return nil
}

// inspect shows what data holds; fetched is the response it came in, nil
// for a file.
func inspect(w io.Writer, data []byte, fetched *fetch.Response, o InspectOptions) error {
	raw, err := blockOf(data)
	if err != nil {
		return err
	}
	block, err := trust.ParseBlock(raw)
	if err != nil {
		return err
	}
	cfg, err := trust.ParseConfig(block.Value)
	if err != nil {
		return err
	}
	var roots *trust.Roots
	if o.RootsFile != "" {
		certs, err := readCerts(o.RootsFile)
		if err != nil {
			return err
		}
		roots = trust.NewRoots(certs...)
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if fetched != nil {
		fmt.Fprintf(tw, "url:\t%q\t(fetched strictly, %d redirects)\n", fetched.FinalURL, fetched.Redirects)
	}
	leaf := cfg.Certificate
	certs := append([]*x509.Certificate{leaf}, cfg.Intermediates...)
	expires := leaf.NotAfter
	for _, c := range certs {
		if c.NotAfter.Before(expires) {
			expires = c.NotAfter
		}
	}
	fmt.Fprintf(tw, "signer:\t%q\n", trust.CertificateName(leaf))
	fmt.Fprintf(tw, "expires:\t%s\t(the earliest NotAfter of the block's certificates)\n", expires.UTC().Format(time.RFC3339))
	switch left := expires.Sub(now(o.Now)); {
	case left <= 0:
		fmt.Fprintf(tw, "\twarning: expired: the block is trusted nowhere\n")
	case left < trust.ExpiryWarning:
		fmt.Fprintf(tw, "\twarning: %d days left: renew the block before it expires\n", int(left.Hours()/24))
	}
	fmt.Fprintf(tw, "chain:\n")
	for i, c := range certs {
		role := "signing certificate"
		if i > 0 {
			role = fmt.Sprintf("intermediate %d", i)
		}
		fmt.Fprintf(tw, "  %s:\t%q\n", role, trust.CertificateName(c))
		fmt.Fprintf(tw, "    issuer:\t%q\n", c.Issuer)
		fmt.Fprintf(tw, "    serial:\t%s\n", c.SerialNumber)
		fmt.Fprintf(tw, "    valid:\t%s to %s\n", c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
		fmt.Fprintf(tw, "    key:\t%s\n", keyKind(c.PublicKey))
		if i == 0 {
			fmt.Fprintf(tw, "    usage:\t%s\n", usage(c))
		}
		for _, p := range c.CRLDistributionPoints {
			fmt.Fprintf(tw, "    crl:\t%q\n", p)
		}
		if len(c.PermittedDNSDomains) > 0 {
			fmt.Fprintf(tw, "    permitted dns:\t%s\n", quoteAll(c.PermittedDNSDomains))
		}
		if len(c.ExcludedDNSDomains) > 0 {
			fmt.Fprintf(tw, "    excluded dns:\t%s\n", quoteAll(c.ExcludedDNSDomains))
		}
		fmt.Fprintf(tw, "    sha256:\t%x\n", sha256.Sum256(c.Raw))
		fmt.Fprintf(tw, "    tbs sha256:\t%x\n", sha256.Sum256(c.RawTBSCertificate))
		fmt.Fprintf(tw, "    spki sha256:\t%x\n", sha256.Sum256(c.RawSubjectPublicKeyInfo))
	}
	fmt.Fprintf(tw, "apps:\n")
	for _, app := range cfg.Apps {
		fmt.Fprintf(tw, "  %q\n", app.Name)
		for _, p := range app.Match {
			fmt.Fprintf(tw, "    match:\t%s\n", p)
		}
		for _, p := range app.Permissions {
			state := "enabled"
			if !p.Enabled {
				state = "disabled"
			}
			if p.Constraints == nil {
				fmt.Fprintf(tw, "    permission:\t%q\t%s\n", p.Name, state)
				continue
			}
			fmt.Fprintf(tw, "    permission:\t%q\t%s\t%s\n", p.Name, state, shown(p.Constraints))
		}
	}
	fmt.Fprintf(tw, "signatures:\n")
	for _, p := range trust.Platforms() {
		sig, ok := block.Signature[p]
		verdict := "absent"
		if ok {
			verdict = "verifies"
			if err := trust.CheckSignature(leaf, p, block.Value, sig); err != nil {
				verdict = "does not verify: " + strings.TrimPrefix(err.Error(), "trust: ")
			}
		}
		fmt.Fprintf(tw, "  %s:\t%s\n", p, verdict)
	}
	if roots != nil {
		fmt.Fprintf(tw, "trust against %s (CRLs not fetched):\n", o.RootsFile)
		v := &trust.Verifier{Roots: roots, Now: o.Now, RevocationMode: trust.RevocationOff}
		for _, p := range trust.Platforms() {
			res, err := v.VerifyBlock(context.Background(), raw, p)
			var te *trust.Error
			switch {
			case err == nil:
				fmt.Fprintf(tw, "  %s:\ttrusted, expires %s\n", p, res.Expires.UTC().Format(time.RFC3339))
				for _, warning := range res.Warnings {
					fmt.Fprintf(tw, "  \twarning: %s\n", warning)
				}
			case errors.As(err, &te):
				fmt.Fprintf(tw, "  %s:\tuntrusted (%s): %s\n", p, te.Code, te.Reason)
			default:
				fmt.Fprintf(tw, "  %s:\tuntrusted: %v\n", p, err)
			}
		}
	}
	return tw.Flush()
}

// blockOf returns the trustedAppConfigs object of data, a manifest or the
// object itself. Like rvm, it reads data as strict JSON: a key twice,
// which a map would take silently (the last one winning), is refused.
func blockOf(data []byte) (jsontext.Value, error) {
	top, err := strictjson.Object(data)
	if err != nil {
		return nil, err
	}
	isBlock := false
	for _, m := range top {
		switch m.Name {
		case "trustedAppConfigs":
			return m.Value, nil
		case "value":
			isBlock = true
		}
	}
	if !isBlock {
		return nil, errors.New("neither a manifest with trustedAppConfigs nor a trustedAppConfigs object")
	}
	return data, nil
}

func keyKind(pub any) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d bits", k.N.BitLen())
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

func usage(c *x509.Certificate) string {
	var u []string
	for _, e := range c.ExtKeyUsage {
		switch e {
		case x509.ExtKeyUsageCodeSigning:
			u = append(u, "codeSigning")
		case x509.ExtKeyUsageServerAuth:
			u = append(u, "serverAuth")
		case x509.ExtKeyUsageClientAuth:
			u = append(u, "clientAuth")
		case x509.ExtKeyUsageAny:
			u = append(u, "any")
		default:
			u = append(u, fmt.Sprintf("EKU %d", e))
		}
	}
	if c.KeyUsage&x509.KeyUsageDigitalSignature != 0 {
		u = append(u, "digitalSignature")
	}
	if c.KeyUsage&x509.KeyUsageCertSign != 0 {
		u = append(u, "certSign")
	}
	if len(u) == 0 {
		return "none"
	}
	return strings.Join(u, ", ")
}

// quoteAll quotes each of names, which come from a certificate, and joins
// them with ", ".
func quoteAll(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	return strings.Join(quoted, ", ")
}

// shown returns a constraints object of a block as a terminal may show
// it: compact, with every rune that is not graphic (controls, and the
// bidirectional marks that would reorder the line) written as a \u
// escape, which leaves the JSON as it was.
func shown(c jsontext.Value) string {
	compact := c.Clone()
	if err := compact.Compact(); err != nil {
		// c is strict JSON, checked whole by trust.ParseConfig.
		return strconv.QuoteToGraphic(string(c))
	}
	var b strings.Builder
	for _, r := range string(compact) {
		switch {
		case unicode.IsGraphic(r):
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, "\\u%04x\\u%04x", r1, r2)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}
