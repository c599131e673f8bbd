package trust

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// TestOtherEncoding checks, over many signatures by P-256 and P-384 keys
// (so that s and n−s come in every length DER gives them), that the other
// encoding is a certificate of the same TBSCertificate that its issuer's
// key verifies, and that the other encoding of it is the first again.
func TestOtherEncoding(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
		key, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Other " + curve.Params().Name},
			NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
			BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign,
		}
		for i := range 64 {
			tmpl.SerialNumber = big.NewInt(int64(i + 1))
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
			if err != nil {
				t.Fatal(err)
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			other := otherEncoding(c, c)
			o, err := x509.ParseCertificate(other)
			if err != nil {
				t.Fatalf("%s #%d: the other encoding does not parse: %v", curve.Params().Name, i, err)
			}
			if bytes.Equal(o.Raw, c.Raw) || !bytes.Equal(o.RawTBSCertificate, c.RawTBSCertificate) || o.CheckSignatureFrom(c) != nil {
				t.Fatalf("%s #%d: got another DER %v, the same TBSCertificate %v, a signature that verifies %v; want all three", curve.Params().Name, i,
					!bytes.Equal(o.Raw, c.Raw), bytes.Equal(o.RawTBSCertificate, c.RawTBSCertificate), o.CheckSignatureFrom(c) == nil)
			}
			if back := otherEncoding(o, c); !bytes.Equal(back, c.Raw) {
				t.Fatalf("%s #%d: the other encoding of the other encoding is not the certificate", curve.Params().Name, i)
			}
		}
	}
}

// FuzzOtherEncoding feeds otherEncoding arbitrary bytes as a
// certificate's DER: it must never panic, and what it returns is DER that
// derElement reads whole.
func FuzzOtherEncoding(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		f.Fatal(err)
	}
	issuer := &x509.Certificate{PublicKey: key.Public()}
	f.Add(der)
	f.Add([]byte{0x30, 0x81})
	f.Add([]byte{0x30, 0x83, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, raw []byte) {
		other := otherEncoding(&x509.Certificate{Raw: raw}, issuer)
		if other == nil {
			return
		}
		if tag, _, rest := derElement(other); tag != derSequence || len(rest) > 0 {
			t.Errorf("got %x from %x, want one DER sequence", other, raw)
		}
	})
}
