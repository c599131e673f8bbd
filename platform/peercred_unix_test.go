//go:build linux || darwin

package platform

import (
	"os"
	"testing"
)

func TestPeerUID(t *testing.T) {
	uid, ok, err := PeerUID(unixPair(t))
	if err != nil || !ok {
		t.Fatalf("got ok %v, error %v, want the peer's user id", ok, err)
	}
	if uid != os.Getuid() || uid != CurrentUID() {
		t.Errorf("got peer uid %d, want %d (this process)", uid, os.Getuid())
	}
}
