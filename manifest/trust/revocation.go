package trust

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/rvm-launcher/rvm/manifest/fetch"
)

// MaxCRLSize is the largest CRL fetched, in bytes.
const MaxCRLSize = 8 << 20

// checkCRLs checks each certificate of chain but the root against a
// current CRL of its issuer, for those with an https CRL distribution
// point. It returns the earliest NextUpdate of the CRLs consulted (zero
// where none was; now in RevocationOnline mode, where a verdict that
// consulted a CRL may not be reused).
func (v *Verifier) checkCRLs(ctx context.Context, chain []*x509.Certificate, mode RevocationMode, now time.Time) (time.Time, *Error) {
	if mode == RevocationOff {
		return time.Time{}, nil
	}
	var until time.Time
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		urls := httpsPoints(cert)
		if len(urls) == 0 {
			continue
		}
		var crl *x509.RevocationList
		var why error
		for _, u := range urls {
			if crl, why = v.currentCRL(ctx, u, issuer, mode, now); crl != nil {
				break
			}
			v.Log.Warn().Err(why).Str("url", u).Str("certificate", CertificateName(cert)).Msg("trust: no current CRL")
		}
		if crl == nil {
			return time.Time{}, fail(RevocationUnknown, why, "certificate %q needs a current CRL and there is none: %v", CertificateName(cert), why)
		}
		for _, r := range crl.RevokedCertificateEntries {
			if r.SerialNumber != nil && r.SerialNumber.Cmp(cert.SerialNumber) == 0 {
				return time.Time{}, fail(Revoked, nil, "certificate %q (serial %s) was revoked by its issuer %q on %s", CertificateName(cert), cert.SerialNumber, CertificateName(issuer), day(r.RevocationTime))
			}
		}
		if until.IsZero() || crl.NextUpdate.Before(until) {
			until = crl.NextUpdate
		}
		if mode == RevocationOnline {
			until = now
		}
	}
	return until, nil
}

// httpsPoints returns the https CRL distribution points of c; others are
// not consulted.
func httpsPoints(c *x509.Certificate) []string {
	var out []string
	for _, p := range c.CRLDistributionPoints {
		if u, err := url.Parse(p); err == nil && u.Scheme == "https" && u.Host != "" {
			out = append(out, p)
		}
	}
	return out
}

// currentCRL returns a CRL from u, signed by issuer and current at now, or
// why there is none. In RevocationCached mode a current copy on disk does;
// otherwise the CRL is fetched, conditionally on the copy on disk.
func (v *Verifier) currentCRL(ctx context.Context, u string, issuer *x509.Certificate, mode RevocationMode, now time.Time) (*x509.RevocationList, error) {
	cached, val := v.loadCRL(u, issuer)
	if mode == RevocationCached && cached != nil && now.Before(cached.NextUpdate) {
		return cached, nil
	}
	if v.FetchCRL == nil {
		if cached != nil {
			return nil, fmt.Errorf("the cached CRL from %s is out of date since %s, and rvm may not fetch CRLs", u, day(cached.NextUpdate))
		}
		return nil, fmt.Errorf("no CRL from %s is cached, and rvm may not fetch CRLs", u)
	}
	resp, err := v.FetchCRL(ctx, u, MaxCRLSize, val)
	if err != nil {
		if mode == RevocationCached {
			return nil, fmt.Errorf("fetching the CRL failed and no current copy is cached: %w", err)
		}
		return nil, fmt.Errorf("fetching the CRL failed: %w", err)
	}
	if resp.NotModified {
		if cached == nil {
			return nil, fmt.Errorf("%s answered Not Modified to a request for a CRL that rvm does not have", u)
		}
		if !now.Before(cached.NextUpdate) {
			return nil, fmt.Errorf("the CRL from %s is out of date: its NextUpdate, %s, has passed", u, day(cached.NextUpdate))
		}
		return cached, nil
	}
	crl, err := parseCRL(resp.Body, u, issuer)
	if err != nil {
		return nil, err
	}
	if !now.Before(crl.NextUpdate) {
		return nil, fmt.Errorf("the CRL from %s is out of date: its NextUpdate, %s, has passed", u, day(crl.NextUpdate))
	}
	if cached != nil && cached.Number != nil && crl.Number != nil && crl.Number.Cmp(cached.Number) < 0 {
		return nil, fmt.Errorf("the CRL from %s (number %s) is older than the one cached (number %s)", u, crl.Number, cached.Number)
	}
	if err := v.CRLs.Save(&fetch.Entry{Key: crlKey(u), FinalURL: u, Validators: resp.Validators, FetchedAt: now, Body: resp.Body}); err != nil {
		v.Log.Warn().Err(err).Str("url", u).Msg("trust: could not cache a CRL")
	}
	return crl, nil
}

// crlKey is the key of the CRL from u in the store.
func crlKey(u string) string { return "crl\x00" + u }

// loadCRL returns the CRL from u cached in the store, checked against
// issuer, and its validators; nil when there is none that is sound.
func (v *Verifier) loadCRL(u string, issuer *x509.Certificate) (*x509.RevocationList, fetch.Validators) {
	e, err := v.CRLs.Load(crlKey(u))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			v.Log.Warn().Err(err).Str("url", u).Msg("trust: could not read a cached CRL")
		}
		return nil, fetch.Validators{}
	}
	crl, err := parseCRL(e.Body, u, issuer)
	if err != nil {
		v.Log.Warn().Err(err).Str("url", u).Msg("trust: ignoring a cached CRL")
		return nil, fetch.Validators{}
	}
	return crl, e.Validators
}

// parseCRL parses a DER CRL from u and checks that issuer made it.
func parseCRL(der []byte, u string, issuer *x509.Certificate) (*x509.RevocationList, error) {
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("the CRL from %s does not parse: %w", u, err)
	}
	if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
		return nil, fmt.Errorf("the CRL from %s is issued by %q, not by the certificate's issuer %q", u, crl.Issuer, CertificateName(issuer))
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("the CRL from %s is not signed by the certificate's issuer %q: %w", u, CertificateName(issuer), err)
	}
	return crl, nil
}
