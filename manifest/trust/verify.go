package trust

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// ExpiryWarning is how close the chain's expiry may come before a verified
// block carries a warning.
const ExpiryWarning = 90 * 24 * time.Hour

// RevocationMode says how CRLs are consulted (SPEC 5.4).
type RevocationMode string

// The revocation modes. The empty mode is RevocationCached.
const (
	// RevocationOnline fetches every CRL afresh at every check.
	RevocationOnline RevocationMode = "online"
	// RevocationCached accepts a CRL cached on disk until its NextUpdate,
	// so that verification works offline, and fetches it again (with the
	// cached copy's validators) only after that.
	RevocationCached RevocationMode = "cached"
	// RevocationOff skips CRLs. The desktop owner's revoked list still
	// applies.
	RevocationOff RevocationMode = "off"
)

// Verifier checks trustedAppConfigs blocks. Its zero value trusts nothing:
// with no Roots every block is from an unknown authority.
type Verifier struct {
	// Roots are the trust roots; nil trusts nothing. The system's roots are
	// never consulted.
	Roots *Roots
	// Now returns the time of the check; nil means time.Now.
	Now func() time.Time
	// RevocationMode is how CRLs are consulted; "" means RevocationCached.
	// Any other value fails every check with RevocationUnknown.
	RevocationMode RevocationMode
	// Revoked is the desktop owner's revokedCertificates list (SPEC 5.4):
	// it is asked about every certificate of the chain (root,
	// intermediates and signer) by each of its digests, at every check,
	// cache hits included. nil revokes nothing.
	Revoked Revocations
	// FetchCRL fetches a CRL by a strict HTTPS GET of at most limit bytes,
	// sending v as If-None-Match and If-Modified-Since;
	// (*fetch.Fetcher).GetStrict fits. nil fetches nothing, so that a
	// certificate with an https CRL distribution point is only trusted
	// through a current CRL in CRLs.
	FetchCRL func(ctx context.Context, url string, limit int64, v fetch.Validators) (*fetch.Response, error)
	// CRLs keeps fetched CRLs with their validators; nil keeps none.
	CRLs *fetch.Store
	// Cache holds verified blocks across calls; nil verifies every block
	// afresh. One Cache may serve many Verifiers: entries are keyed by the
	// roots, the platform and the revocation mode.
	Cache *Cache
	// Log receives warnings (an expiry less than ExpiryWarning away, a CRL
	// that could not be fetched or cached); the zero Logger is disabled.
	Log zerolog.Logger
}

// Result is a trusted block's verdict for one manifest URL.
type Result struct {
	// Platform is the platform whose signature verified.
	Platform string
	// Signer names the signing certificate: its subject's common name, or
	// the whole subject where it has none.
	Signer string
	// SignerSPKI is the hex SHA-256 of the signing certificate's
	// SubjectPublicKeyInfo (64 lower-case hex digits): the key by which a
	// user or the owner trusts a signer (SPEC 5.7).
	SignerSPKI string
	// Apps are the names of the app entries whose patterns match the
	// manifest URL and lie within the chain's name constraints, in the
	// config's order; for VerifyBlock, every app entry.
	Apps []string
	// Grants are the permissions that those entries enable, each once,
	// sorted by name, each with its constraints as the block signed them
	// (never the manifest's): what permissions.Input.Trusted holds. A
	// permission that two of the entries enable with different
	// constraints is left out, and a warning says why (SPEC 5.5 rule 3).
	Grants []permissions.Entry
	// Expires is the earliest NotAfter of the chain.
	Expires time.Time
	// ExpiresFirst names the certificate of the chain whose NotAfter is
	// Expires (as CertificateName does): the one to renew first.
	ExpiresFirst string
	// Warnings are sentences for the decision document, such as an expiry
	// less than ExpiryWarning away, or an app entry skipped for the name
	// constraints.
	Warnings []string
	// ValidUntil is how long the verdict may be reused: the earliest of
	// Expires and the NextUpdate of the CRLs consulted; the time of the
	// check itself where a CRL had to be fetched in RevocationOnline mode.
	ValidUntil time.Time
}

// Verify checks the trustedAppConfigs object raw for platform ("win",
// "mac" or "linux") and the final manifest URL u, by SPEC 5.1 to 5.4: the
// block and its config parse strictly; the config's certificate chains
// through its intermediates to Roots, each certificate within its validity
// at Now; the signing certificate has EKU codeSigning, digitalSignature
// where KeyUsage is present, and a key of SPEC 5.2; platform's signature
// verifies; no certificate of the chain is revoked; an app entry within
// the chain's name constraints matches u.
// It returns the verdict, or an *Error whose Code says which check failed.
func (v *Verifier) Verify(ctx context.Context, raw jsontext.Value, platform string, u pattern.URL) (*Result, error) {
	return v.check(ctx, raw, platform, &u)
}

// VerifyBlock checks all that Verify checks but the match against a
// manifest URL, for tools that show a block (rvm-trust inspect) rather than
// decide on a manifest. Its Result lists every app entry in Apps, with a
// warning for each that lies outside the chain's name constraints, and
// has no Grants: it grants nothing.
func (v *Verifier) VerifyBlock(ctx context.Context, raw jsontext.Value, platform string) (*Result, error) {
	return v.check(ctx, raw, platform, nil)
}

// check is Verify, or VerifyBlock where u is nil: the block verified, from
// the cache or afresh, then what applies at every call.
func (v *Verifier) check(ctx context.Context, raw jsontext.Value, platform string, u *pattern.URL) (*Result, error) {
	now := v.now()
	e, err := v.verify(ctx, raw, platform, now)
	if err != nil {
		return nil, err
	}
	res, err := v.result(e, platform, u, now)
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (v *Verifier) verify(ctx context.Context, raw jsontext.Value, platform string, now time.Time) (*entry, *Error) {
	mode := v.RevocationMode
	switch mode {
	case "":
		mode = RevocationCached
	case RevocationOnline, RevocationCached, RevocationOff:
	default:
		return nil, fail(RevocationUnknown, nil, "the revocation mode %q is none of online, cached and off", mode)
	}
	if !KnownPlatform(platform) {
		return nil, fail(NoPlatformSignature, nil, "rvm knows no platform %q; want win, mac or linux", platform)
	}
	var key cacheKey
	if v.Cache != nil {
		// The block as it stands, value and signatures: a hit needs no
		// parse at all.
		key = cacheKey{block: sha256.Sum256(raw), platform: platform, roots: v.Roots.Sum(), mode: mode}
		if e := v.Cache.lookup(key, now); e != nil {
			return e, nil
		}
	}
	b, err := scanBlock(raw)
	if err != nil {
		return nil, err
	}
	sigText, signed := b.Signature[platform]
	cfg, err := parseConfig(b.Value)
	if err != nil {
		return nil, err
	}
	if !signed {
		return nil, noPlatformSignature(b, platform)
	}
	leaf := cfg.Certificate
	if err := checkCertKey(leaf); err != nil {
		return nil, err
	}
	chains, err := v.chains(cfg, now)
	if err != nil {
		return nil, err
	}
	if err := checkSignature(leaf, platform, b.Value, sigText); err != nil {
		return nil, err
	}
	chain, sums, crlUntil, err := v.revocation(ctx, chains, mode, now)
	if err != nil {
		return nil, err
	}
	e := newEntry(cfg, chain, sums, crlUntil)
	v.Cache.store(key, e, now)
	return e, nil
}

func (v *Verifier) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

// noPlatformSignature says which platforms the block is signed for.
func noPlatformSignature(b *Block, platform string) *Error {
	var have []string
	for _, p := range platforms {
		if _, ok := b.Signature[p]; ok {
			have = append(have, p)
		}
	}
	switch len(have) {
	case 0:
		return fail(NoPlatformSignature, nil, "the block is signed for no platform, not for %s", platform)
	case 1:
		return fail(NoPlatformSignature, nil, "signed for %s, not for %s", have[0], platform)
	}
	return fail(NoPlatformSignature, nil, "signed for %s and %s, not for %s", strings.Join(have[:len(have)-1], ", "), have[len(have)-1], platform)
}

// chains returns the chains from the config's certificate to the roots, or
// why there is none, and checks the signing certificate's key usage.
func (v *Verifier) chains(cfg *Config, now time.Time) ([][]*x509.Certificate, *Error) {
	leaf := cfg.Certificate
	if v.Roots == nil || len(v.Roots.certs) == 0 {
		return nil, fail(UnknownAuthority, nil, "no trust roots are configured, so certificate %q is not trusted", CertificateName(leaf))
	}
	inter := x509.NewCertPool()
	for _, c := range cfg.Intermediates {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         v.Roots.pool,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	})
	if err != nil {
		return nil, v.chainError(cfg, err, now)
	}
	// x509 takes RSA keys of 1024 bits, and looks at no root's key.
	var weak *Error
	chains = slices.DeleteFunc(chains, func(chain []*x509.Certificate) bool {
		err := checkChainAlgorithms(chain)
		if weak == nil {
			weak = err
		}
		return err != nil
	})
	if len(chains) == 0 {
		return nil, weak
	}
	// x509 takes a leaf without EKU, or with anyExtendedKeyUsage, as fit
	// for any usage; SPEC 5.2 wants codeSigning named.
	if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageCodeSigning) {
		return nil, fail(WrongKeyUsage, nil, "certificate %q is not for code signing: it lacks the extended key usage codeSigning", CertificateName(leaf))
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return nil, fail(WrongKeyUsage, nil, "certificate %q is not for signing: its key usage lacks digitalSignature", CertificateName(leaf))
	}
	return chains, nil
}

// chainError maps a failure of x509.Verify to a code.
func (v *Verifier) chainError(cfg *Config, err error, now time.Time) *Error {
	leaf := cfg.Certificate
	// x509 keeps to itself that the only way up was a certificate with a
	// weak key or signature, or out of its validity; look for one, to say
	// so, and in SPEC 5.3's order, a weak one first.
	culprits := func() *culpritWalk {
		w := &culpritWalk{pool: append(slices.Clip(cfg.Intermediates), v.Roots.certs...), now: now, seen: map[*x509.Certificate]bool{}}
		w.walk(leaf)
		return w
	}
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) {
		switch invalid.Reason {
		case x509.Expired:
			if w := culprits(); w.weak != nil {
				return w.weak
			}
			return timeError(invalid.Cert, now, err)
		case x509.IncompatibleUsage:
			return fail(WrongKeyUsage, err, "the chain of certificate %q is not for code signing: %v", CertificateName(leaf), err)
		}
		return fail(UnknownAuthority, err, "the chain of certificate %q is not acceptable: %v", CertificateName(leaf), err)
	}
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		switch w := culprits(); {
		case w.weak != nil:
			return w.weak
		case w.outOfTime != nil:
			return timeError(w.outOfTime, now, err)
		}
		return fail(UnknownAuthority, err, "certificate %q, issued by %q, does not chain to a trust root through the block's intermediates", CertificateName(leaf), issuerName(leaf))
	}
	return fail(UnknownAuthority, err, "the chain of certificate %q does not verify: %v", CertificateName(leaf), err)
}

// culpritWalk looks up from a certificate through the certificates of
// pool that signed it, directly or through others of pool, for the first
// that breaks SPEC 5.3's key rules (weak) and the first out of its
// validity at now. Each certificate is looked at once, so that a crafted
// pool costs at most a signature check per pair.
type culpritWalk struct {
	pool      []*x509.Certificate
	now       time.Time
	seen      map[*x509.Certificate]bool
	weak      *Error
	outOfTime *x509.Certificate
}

func (w *culpritWalk) walk(c *x509.Certificate) {
	w.seen[c] = true
	for _, p := range w.pool {
		if w.seen[p] || !bytes.Equal(p.RawSubject, c.RawIssuer) {
			continue
		}
		if kind := unsupportedKey(p.PublicKey); kind != "" {
			if w.weak == nil {
				w.weak = fail(UnsupportedKey, nil, "certificate %q, which issued %q, has a key that is %s; %s", CertificateName(p), CertificateName(c), kind, acceptedKeys)
			}
			continue
		}
		if err := c.CheckSignatureFrom(p); err != nil {
			// x509 refuses SHA-1 and MD5 outright.
			var insecure x509.InsecureAlgorithmError
			if errors.As(err, &insecure) && w.weak == nil {
				w.weak = weakSignature(c, p)
			}
			continue
		}
		if (w.now.Before(p.NotBefore) || w.now.After(p.NotAfter)) && w.outOfTime == nil {
			w.outOfTime = p
		}
		w.walk(p)
	}
}

func timeError(c *x509.Certificate, now time.Time, err error) *Error {
	if now.Before(c.NotBefore) {
		return fail(CertificateNotYetValid, err, "certificate %q is not valid before %s", CertificateName(c), day(c.NotBefore))
	}
	return fail(CertificateExpired, err, "certificate %q expired on %s", CertificateName(c), day(c.NotAfter))
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// CertificateName names a certificate for people, as Result.Signer does:
// its subject's common name, or the whole subject where it has none.
func CertificateName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	if s := c.Subject.String(); s != "" {
		return s
	}
	return "with serial " + c.SerialNumber.String()
}

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}

// revocation picks the first chain none of whose certificates is revoked,
// by the owner or by a CRL, and returns it with its certificates' digests
// and the earliest NextUpdate of the CRLs consulted (zero where none was).
func (v *Verifier) revocation(ctx context.Context, chains [][]*x509.Certificate, mode RevocationMode, now time.Time) ([]*x509.Certificate, []certSums, time.Time, *Error) {
	var first *Error
	for _, chain := range chains {
		sums := chainSums(chain)
		err := v.ownerRevoked(chain, sums)
		var until time.Time
		if err == nil {
			until, err = v.checkCRLs(ctx, chain, mode, now)
		}
		if err == nil {
			return chain, sums, until, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, nil, time.Time{}, first
}

// result applies what a verified block's verdict depends on at each call:
// the owner's revoked list, the manifest URL u (every app where u is nil)
// and the expiry warning.
func (v *Verifier) result(e *entry, platform string, u *pattern.URL, now time.Time) (*Result, *Error) {
	if err := v.ownerRevoked(e.chain, e.sums); err != nil {
		return nil, err
	}
	r := &Result{
		Platform:     platform,
		Signer:       e.signer,
		SignerSPKI:   hex.EncodeToString(e.sums[0].spki[:]),
		Expires:      e.expires,
		ExpiresFirst: e.expiresName,
		ValidUntil:   e.validUntil,
	}
	if u == nil {
		r.Apps = slices.Clone(e.apps)
		for i, why := range e.outside {
			if why != nil {
				r.Warnings = append(r.Warnings, fmt.Sprintf("app %q is never used: %v", e.apps[i], why))
			}
		}
	} else {
		var buf [8]int
		owners := e.index.AppendMatches(buf[:0], *u)
		if len(owners) == 0 {
			return nil, fail(URLNotMatched, nil, "%s matches no app pattern of the block signed by %q", u, e.signer)
		}
		// The entries outside the chain's name constraints are skipped.
		used := owners[:0]
		for _, o := range owners {
			if why := e.outside[o]; why != nil {
				if len(owners) == 1 {
					return nil, fail(NameConstraints, why, "%s matches only app %q of the block signed by %q, which is outside the name constraints of its chain: %v", u, e.apps[o], e.signer, why)
				}
				r.Warnings = append(r.Warnings, fmt.Sprintf("app %q matches but is skipped: %v", e.apps[o], why))
				continue
			}
			used = append(used, o)
		}
		if len(used) == 0 {
			return nil, fail(NameConstraints, nil, "%s matches only apps of the block signed by %q that are outside the name constraints of its chain: %s", u, e.signer, strings.Join(r.Warnings, "; "))
		}
		r.Apps = make([]string, len(used))
		for i, o := range used {
			r.Apps[i] = e.apps[o]
		}
		var conflicts []string
		r.Grants, conflicts = e.grantsOf(used)
		r.Warnings = append(r.Warnings, conflicts...)
	}
	if left := e.expires.Sub(now); left < ExpiryWarning {
		days := int(math.Ceil(left.Hours() / 24))
		w := fmt.Sprintf("certificate %q of the signing chain expires on %s, in %d days", e.expiresName, day(e.expires), days)
		r.Warnings = []string{w}
		v.Log.Warn().Str("signer", e.signer).Time("expires", e.expires).Msg("trust: " + w)
	}
	return r, nil
}

// grantsOf returns what the app entries used (by index) grant (SPEC 5.5
// rule 3): each permission one of them enables, once, sorted by name,
// with the constraints as the entry signed them. A permission that two of
// them enable with different constraints is not granted by the block at
// all: it is left out, and a warning says why.
func (e *entry) grantsOf(used []int) ([]permissions.Entry, []string) {
	if len(used) == 1 {
		return slices.Clone(e.grants[used[0]]), nil
	}
	type grant struct {
		app       int // the first entry that enables it
		i         int // its index in that entry's grants
		differing int // an entry that enables it otherwise; -1 for none
	}
	byName := map[string]*grant{}
	var names []string
	for _, o := range used {
		for i, g := range e.grants[o] {
			first := byName[g.Name]
			if first == nil {
				byName[g.Name] = &grant{app: o, i: i, differing: -1}
				names = append(names, g.Name)
				continue
			}
			if first.differing < 0 && e.canonical[first.app][first.i] != e.canonical[o][i] {
				first.differing = o
			}
		}
	}
	slices.Sort(names)
	var out []permissions.Entry
	var warnings []string
	for _, n := range names {
		g := byName[n]
		if g.differing >= 0 {
			warnings = append(warnings, fmt.Sprintf("%q is not granted by the block: apps %q and %q grant it with different constraints", n, e.apps[g.app], e.apps[g.differing]))
			continue
		}
		out = append(out, e.grants[g.app][g.i])
	}
	return out, warnings
}

// canonicalConstraints returns the constraints object c in a form that
// two entries written alike share, "" for none: c without white space,
// and "" for an object that holds "enabled" alone. Members in another
// order, or numbers written otherwise, count as other constraints: the
// entries then do not grant (SPEC 5.5 rule 3), which fails closed.
func canonicalConstraints(c jsontext.Value) string {
	if c == nil {
		return ""
	}
	compact := c.Clone()
	if err := compact.Compact(); err != nil {
		// c is strict JSON, checked whole by permissions.Parse, so this
		// does not happen; were it to, the bytes as they stand would do.
		return string(c)
	}
	if string(compact) == `{"enabled":true}` {
		return ""
	}
	return string(compact)
}
