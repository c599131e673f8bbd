package trust

import "testing"

// FuzzIssuingPoint feeds checkIssuingPoint, which reads the issuing
// distribution point of a CRL, arbitrary bytes: it must never panic, and
// a refusal says why.
func FuzzIssuingPoint(f *testing.F) {
	const point = "https://pki.acme.test/inter.crl"
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x03, 0x81, 0x01, 0xff})
	f.Add([]byte{0x30, 0x04, 0x83, 0x02, 0x06, 0x40})
	f.Add(append([]byte{0x30, 0x25, 0xa0, 0x23, 0xa0, 0x21, 0x86, 0x1f}, point...))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, value []byte) {
		if err := checkIssuingPoint(value, point); err != nil && err.Error() == "" {
			t.Errorf("refused %x without a reason", value)
		}
	})
}
