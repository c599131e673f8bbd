package authority

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/rvm-launcher/rvm/platform"
)

// RevokeOptions describe a CRL to issue.
type RevokeOptions struct {
	// Serials are serial numbers to add to the CA's revoked list.
	Serials []*big.Int
	// CertFiles are PEM certificates, issued by the CA, to add to it.
	CertFiles []string
	// Days is how long the CRL is current: its NextUpdate is Now plus Days.
	// 0 means 7. rvm refuses a CRL past its NextUpdate, so publish a new
	// one (Revoke with nothing to add) before then.
	Days int
	// Now is the time of issue; nil means time.Now.
	Now func() time.Time
}

// crlState is a CA's crl.json.
type crlState struct {
	Number  *big.Int       `json:"number"`
	Revoked []revokedEntry `json:"revoked"`
}

type revokedEntry struct {
	Serial *big.Int  `json:"serial"`
	Time   time.Time `json:"time"`
}

// Revoke adds serials and certificates to the revoked list of the CA in
// caDir and writes its CRL (DER, RFC 5280), listing every serial revoked
// so far under the next CRL number, to outFile.
func Revoke(caDir, outFile string, o RevokeOptions) (*x509.RevocationList, error) {
	crl, err := revoke(caDir, outFile, o)
	if err != nil {
		return nil, fmt.Errorf("authority: revoke: %w", err)
	}
	return crl, nil
}

func revoke(caDir, outFile string, o RevokeOptions) (*x509.RevocationList, error) {
	if o.Days == 0 {
		o.Days = 7
	}
	if o.Days < 0 {
		return nil, fmt.Errorf("days %d: want a positive number", o.Days)
	}
	ca, err := load(caDir)
	if err != nil {
		return nil, err
	}
	if !ca.cert.IsCA || ca.cert.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return nil, fmt.Errorf("%s is not a CA that may sign CRLs", filepath.Join(caDir, CertFile))
	}
	serials := slices.Clone(o.Serials)
	for _, file := range o.CertFiles {
		certs, err := readCerts(file)
		if err != nil {
			return nil, err
		}
		for _, c := range certs {
			if c.CheckSignatureFrom(ca.cert) != nil {
				return nil, fmt.Errorf("%s: %q was not issued by the CA in %s", file, c.Subject, caDir)
			}
			serials = append(serials, c.SerialNumber)
		}
	}
	for _, s := range serials {
		if s.Sign() <= 0 {
			return nil, fmt.Errorf("serial %s: want a positive number", s)
		}
	}
	statePath := filepath.Join(caDir, CRLState)
	state, err := readCRLState(statePath)
	if err != nil {
		return nil, err
	}
	t := now(o.Now).UTC()
	for _, s := range serials {
		if !slices.ContainsFunc(state.Revoked, func(e revokedEntry) bool { return e.Serial.Cmp(s) == 0 }) {
			state.Revoked = append(state.Revoked, revokedEntry{Serial: s, Time: t})
		}
	}
	if state.Number == nil {
		state.Number = new(big.Int)
	}
	state.Number.Add(state.Number, big.NewInt(1))
	tmpl := &x509.RevocationList{Number: state.Number, ThisUpdate: t.Add(-backdate), NextUpdate: t.AddDate(0, 0, o.Days)}
	if tmpl.NextUpdate.After(ca.cert.NotAfter) {
		tmpl.NextUpdate = ca.cert.NotAfter
	}
	for _, e := range state.Revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: e.Serial, RevocationTime: e.Time})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.cert, ca.key)
	if err != nil {
		return nil, err
	}
	stateJSON, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return nil, err
	}
	// The state first: a CRL number is never issued twice, even if writing
	// the CRL fails.
	if err := platform.WriteFileAtomic(statePath, append(stateJSON, '\n'), 0o600); err != nil {
		return nil, err
	}
	if err := platform.WriteFileAtomic(outFile, der, 0o644); err != nil {
		return nil, err
	}
	return x509.ParseRevocationList(der)
}

// readCRLState reads a CA's crl.json; a missing file is an empty state. A
// file that lacks a serial or holds a number or serial below zero (a
// hand-edited or damaged file) is refused by name rather than signed into
// a CRL.
func readCRLState(path string) (crlState, error) {
	var state crlState
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return state, nil
	}
	if err != nil {
		return state, err
	}
	if err := json.Unmarshal(data, &state); err != nil {
		return state, fmt.Errorf("%s: %w", path, err)
	}
	if state.Number != nil && state.Number.Sign() < 0 {
		return state, fmt.Errorf("%s: the CRL number %s is negative", path, state.Number)
	}
	for i, e := range state.Revoked {
		if e.Serial == nil || e.Serial.Sign() <= 0 {
			return state, fmt.Errorf("%s: revoked[%d] has no positive serial", path, i)
		}
	}
	return state, nil
}
