package owner

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestRevokedCertificates checks the three forms of a revokedCertificates
// entry (SPEC 5.4), each answered by its own method only, and the entries
// that are refused.
func TestRevokedCertificates(t *testing.T) {
	sum := sha256.Sum256([]byte("a certificate"))
	hexSum := fmt.Sprintf("%x", sum)
	type answers struct{ der, tbs, spki bool }
	for _, tc := range []struct {
		name  string
		entry string
		want  answers
		err   string // the error holds it, where given
	}{
		{name: "plain", entry: hexSum, want: answers{der: true}},
		{name: "plain-upper-case", entry: strings.ToUpper(hexSum), want: answers{der: true}},
		{name: "tbs", entry: "tbs:" + hexSum, want: answers{tbs: true}},
		{name: "tbs-upper-case", entry: "TBS:" + strings.ToUpper(hexSum), want: answers{tbs: true}},
		{name: "spki", entry: "spki:" + hexSum, want: answers{spki: true}},
		{name: "spki-mixed-case", entry: "Spki:" + hexSum[:32] + strings.ToUpper(hexSum[32:]), want: answers{spki: true}},
		{name: "unknown-prefix", entry: "sha1:" + hexSum, err: `revokedCertificates[0]: want 64 hex digits (a SHA-256 digest), got "sha1:`},
		{name: "empty-prefix", entry: ":" + hexSum, err: "tbs: or spki: and a digest"},
		{name: "prefix-alone", entry: "spki:", err: `got "spki:"`},
		{name: "prefix-twice", entry: "tbs:tbs:" + hexSum, err: `got "tbs:tbs:`},
		{name: "prefix-with-space", entry: "tbs: " + hexSum[1:], err: `got "tbs: `},
		{name: "tbs-short", entry: "tbs:" + hexSum[2:], err: "want 64 hex digits"},
		{name: "spki-not-hex", entry: "spki:" + strings.Repeat("g", 64), err: "want 64 hex digits"},
		{name: "control-character-quoted", entry: "tbs:\x1b[31m", err: `got "tbs:\x1b[31m"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entry, err := json.Marshal(tc.entry)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse([]byte(`{"desktopSettings": {"revokedCertificates": [`+string(entry)+`]}}`), "dos.json")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want an error holding %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := answers{der: s.Revoked(sum), tbs: s.RevokedTBS(sum), spki: s.RevokedSPKI(sum)}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			other := sha256.Sum256([]byte("another certificate"))
			if s.Revoked(other) || s.RevokedTBS(other) || s.RevokedSPKI(other) {
				t.Errorf("got another digest revoked, want only the listed one")
			}
		})
	}
	var none *Settings
	if none.Revoked(sum) || none.RevokedTBS(sum) || none.RevokedSPKI(sum) {
		t.Errorf("got a revocation from nil owner settings, want none")
	}
}
