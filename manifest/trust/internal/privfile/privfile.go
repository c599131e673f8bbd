// Package privfile checks, in the tests of trust and trust/authority, that
// a file they wrote (a cached CRL, a private key) may be read by its owner
// alone. On Unix that is mode 0600; Windows has no such mode bits (ACLs
// there are the platform's to set), so there the file need only exist.
package privfile

import (
	"os"
	"testing"
)

// Check fails t unless path exists and, where the platform has mode bits,
// only its owner may read it.
func Check(t testing.TB, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if why := notPrivate(fi); why != "" {
		t.Errorf("%s: %s", path, why)
	}
}
