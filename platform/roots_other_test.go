//go:build !linux

package platform

import "testing"

// TestSystemRootsVerifier checks that Windows and macOS keep the
// platform's verifier: no pool of rvm's making.
func TestSystemRootsVerifier(t *testing.T) {
	if got := SystemRoots(); got != nil {
		t.Errorf("got a pool of roots, want nil (the platform's verifier)")
	}
}
