package platform

import (
	"errors"
	"net"
	"path/filepath"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
	"golang.org/x/sys/windows"
)

func TestPeerUIDCannotTell(t *testing.T) {
	probe, err := net.Listen("unix", filepath.Join(platformtest.TempDir(t), "probe.sock"))
	if errors.Is(err, windows.WSAEAFNOSUPPORT) {
		t.Skip("no Unix domain sockets here (Wine has none)")
	}
	platformtest.Must(t, err)
	probe.Close()
	if uid, ok, err := PeerUID(unixPair(t)); ok || err != nil {
		t.Fatalf("got uid %d, ok %v, error %v, want ok false: Windows cannot tell", uid, ok, err)
	}
}
