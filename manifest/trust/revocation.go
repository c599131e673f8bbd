package trust

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rvm-launcher/rvm/manifest/fetch"
)

// MaxCRLSize is the largest CRL fetched, in bytes.
const MaxCRLSize = 8 << 20

// checkCRLs checks each certificate of chain but the root against a
// current, complete CRL of its issuer, for those with an https CRL
// distribution point. It returns the earliest NextUpdate of the CRLs consulted (zero
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
// otherwise the CRL is fetched, conditionally on the copy on disk. A
// server's max-age is not honoured (NextUpdate and the mode bound how old
// a CRL may be); its Retry-After with a 429 or 503 is, for at most
// fetch.MaxRetryAfter, in which no request is made and a CRL that is not
// current fails the check as when the server cannot be reached.
func (v *Verifier) currentCRL(ctx context.Context, u string, issuer *x509.Certificate, mode RevocationMode, now time.Time) (*x509.RevocationList, error) {
	cached, entry := v.loadCRL(u, issuer)
	var val fetch.Validators
	if entry != nil {
		val = entry.Validators
	}
	if mode == RevocationCached && cached != nil && now.Before(cached.NextUpdate) {
		return cached, nil
	}
	if entry != nil && now.Before(entry.RetryAt) && entry.RetryAt.Sub(now) <= fetch.MaxRetryAfter {
		// The server asked not to be asked until then (429 or 503 with
		// Retry-After, bounded): as when it cannot be reached.
		return nil, fmt.Errorf("%q asked (Retry-After) not to be asked for the CRL again until %s, and no current copy is cached", u, entry.RetryAt.UTC().Format(time.RFC3339))
	}
	if v.FetchCRL == nil {
		if cached != nil {
			return nil, fmt.Errorf("the cached CRL from %q is out of date since %s, and rvm may not fetch CRLs", u, day(cached.NextUpdate))
		}
		return nil, fmt.Errorf("no CRL from %q is cached, and rvm may not fetch CRLs", u)
	}
	resp, err := v.FetchCRL(ctx, u, MaxCRLSize, val)
	var fe *fetch.FetchError
	if entry != nil && errors.As(err, &fe) && fe.RetryAfter > 0 {
		keep := *entry
		keep.RetryAt = now.Add(fe.RetryAfter)
		if err := v.CRLs.Save(&keep); err != nil {
			v.Log.Warn().Err(err).Str("url", u).Msg("trust: could not cache a CRL")
		}
	}
	if err != nil {
		if mode == RevocationCached {
			return nil, fmt.Errorf("fetching the CRL failed and no current copy is cached: %w", err)
		}
		return nil, fmt.Errorf("fetching the CRL failed: %w", err)
	}
	if resp.NotModified {
		if cached == nil {
			return nil, fmt.Errorf("%q answered Not Modified to a request for a CRL that rvm does not have", u)
		}
		if !now.Before(cached.NextUpdate) {
			return nil, fmt.Errorf("the CRL from %q is out of date: its NextUpdate, %s, has passed", u, day(cached.NextUpdate))
		}
		return cached, nil
	}
	crl, err := parseCRL(resp.Body, u, issuer)
	if err != nil {
		return nil, err
	}
	if !now.Before(crl.NextUpdate) {
		return nil, fmt.Errorf("the CRL from %q is out of date: its NextUpdate, %s, has passed", u, day(crl.NextUpdate))
	}
	if cached != nil && cached.Number != nil && crl.Number != nil && crl.Number.Cmp(cached.Number) < 0 {
		return nil, fmt.Errorf("the CRL from %q (number %s) is older than the one cached (number %s)", u, crl.Number, cached.Number)
	}
	if err := v.CRLs.Save(&fetch.Entry{Key: crlKey(u), FinalURL: u, Validators: resp.Validators, FetchedAt: now, Body: resp.Body}); err != nil {
		v.Log.Warn().Err(err).Str("url", u).Msg("trust: could not cache a CRL")
	}
	return crl, nil
}

// crlKey is the key of the CRL from u in the store.
func crlKey(u string) string { return "crl\x00" + u }

// loadCRL returns the CRL from u cached in the store, checked against
// issuer, and its entry (validators, RetryAt); nil when there is none
// that is sound.
func (v *Verifier) loadCRL(u string, issuer *x509.Certificate) (*x509.RevocationList, *fetch.Entry) {
	e, err := v.CRLs.Load(crlKey(u))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			v.Log.Warn().Err(err).Str("url", u).Msg("trust: could not read a cached CRL")
		}
		return nil, nil
	}
	crl, err := parseCRL(e.Body, u, issuer)
	if err != nil {
		v.Log.Warn().Err(err).Str("url", u).Msg("trust: ignoring a cached CRL")
		return nil, nil
	}
	return crl, e
}

// parseCRL parses a DER CRL from u, checks that issuer made it and that it
// is complete for the distribution point u.
func parseCRL(der []byte, u string, issuer *x509.Certificate) (*x509.RevocationList, error) {
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("the CRL from %q does not parse: %w", u, err)
	}
	if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
		return nil, fmt.Errorf("the CRL from %q is issued by %q, not by the certificate's issuer %q", u, crl.Issuer, CertificateName(issuer))
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("the CRL from %q is not signed by the certificate's issuer %q: %w", u, CertificateName(issuer), err)
	}
	if err := checkComplete(crl, u); err != nil {
		return nil, fmt.Errorf("the CRL from %q is not a complete CRL: %w", u, err)
	}
	return crl, nil
}

// The extensions of a CRL (RFC 5280 section 5.2) and of its entries
// (section 5.3) that checkComplete knows.
var (
	oidAuthorityKeyID           = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidCRLNumber                = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidDeltaCRLIndicator        = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidIssuingDistributionPoint = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidReasonCode               = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidInvalidityDate           = asn1.ObjectIdentifier{2, 5, 29, 24}
	oidCertificateIssuer        = asn1.ObjectIdentifier{2, 5, 29, 29}
)

// checkComplete says why crl is not a complete CRL for the distribution
// point u (SPEC 5.4): a delta CRL; a partitioned one, whose issuing
// distribution point limits it to some certificates or reasons or names
// other points; an indirect one; or one with a critical extension,
// on the CRL or an entry, that rvm does not know. x509 reads them all
// without a word.
func checkComplete(crl *x509.RevocationList, u string) error {
	for _, ext := range crl.Extensions {
		switch id := ext.Id; {
		case id.Equal(oidDeltaCRLIndicator):
			return errors.New("it is a delta CRL")
		case id.Equal(oidIssuingDistributionPoint):
			if err := checkIssuingPoint(ext.Value, u); err != nil {
				return err
			}
		case id.Equal(oidAuthorityKeyID), id.Equal(oidCRLNumber):
		case ext.Critical:
			return fmt.Errorf("it has a critical extension that rvm does not know (%s)", id)
		}
	}
	for _, e := range crl.RevokedCertificateEntries {
		for _, ext := range e.Extensions {
			switch id := ext.Id; {
			case id.Equal(oidCertificateIssuer):
				return fmt.Errorf("it is an indirect CRL: its entry for serial %s names another certificate issuer", e.SerialNumber)
			case id.Equal(oidReasonCode), id.Equal(oidInvalidityDate):
			case ext.Critical:
				return fmt.Errorf("its entry for serial %s has a critical extension that rvm does not know (%s)", e.SerialNumber, id)
			}
		}
	}
	return nil
}

// The fields of an IssuingDistributionPoint (RFC 5280 section 5.2.5), by
// their context-specific tags.
const (
	idpDistributionPoint = iota
	idpOnlyUserCerts
	idpOnlyCACerts
	idpOnlySomeReasons
	idpIndirectCRL
	idpOnlyAttributeCerts
)

// checkIssuingPoint says why the issuing distribution point extension
// value makes its CRL other than complete for the distribution point u:
// a scope limited to some certificates or reasons, an indirect CRL, or
// distribution point names none of which is u.
func checkIssuingPoint(value []byte, u string) error {
	var fields []asn1.RawValue
	if rest, err := asn1.Unmarshal(value, &fields); err != nil || len(rest) > 0 {
		return errors.New("its issuing distribution point does not parse")
	}
	for _, f := range fields {
		if f.Class != asn1.ClassContextSpecific {
			return errors.New("its issuing distribution point does not parse")
		}
		// A flag written out as false (DER leaves it out) changes nothing.
		if f.Tag != idpDistributionPoint && f.Tag != idpOnlySomeReasons && bytes.Equal(f.Bytes, []byte{0}) {
			continue
		}
		switch f.Tag {
		case idpDistributionPoint:
			if err := checkPointName(f.Bytes, u); err != nil {
				return err
			}
		case idpOnlyUserCerts:
			return errors.New("it is partitioned: it lists end-entity certificates only")
		case idpOnlyCACerts:
			return errors.New("it is partitioned: it lists CA certificates only")
		case idpOnlySomeReasons:
			return errors.New("it is partitioned: it lists revocations for some reasons only")
		case idpIndirectCRL:
			return errors.New("it is an indirect CRL")
		case idpOnlyAttributeCerts:
			return errors.New("it is partitioned: it lists attribute certificates only")
		default:
			return fmt.Errorf("its issuing distribution point has a field rvm does not know ([%d])", f.Tag)
		}
	}
	return nil
}

// checkPointName says why the DistributionPointName der does not name u:
// its full names are other URLs, or it is relative to the CRL's issuer,
// which rvm cannot compare.
func checkPointName(der []byte, u string) error {
	var name asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &name); err != nil || len(rest) > 0 || name.Class != asn1.ClassContextSpecific {
		return errors.New("its issuing distribution point does not parse")
	}
	if name.Tag != 0 {
		return fmt.Errorf("it is for a distribution point named relative to its issuer, not for %q", u)
	}
	var others []string
	for rest := name.Bytes; len(rest) > 0; {
		var gn asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
			return errors.New("its issuing distribution point does not parse")
		}
		// A uniformResourceIdentifier is [6] IA5String.
		if gn.Class == asn1.ClassContextSpecific && gn.Tag == 6 {
			if string(gn.Bytes) == u {
				return nil
			}
			others = append(others, strconv.Quote(string(gn.Bytes)))
		}
	}
	if len(others) == 0 {
		return fmt.Errorf("it is for a distribution point with no URL, not for %q", u)
	}
	return fmt.Errorf("it is for the distribution point %s, not for %q", strings.Join(others, ", "), u)
}
