package platform

import (
	"errors"
	"net"
	"path/filepath"
	"testing"

	"golang.org/x/sys/windows"
)

func TestPeerUIDCannotTell(t *testing.T) {
	probe, err := net.Listen("unix", filepath.Join(tempDir(t), "probe.sock"))
	if errors.Is(err, windows.WSAEAFNOSUPPORT) {
		t.Skip("no Unix domain sockets here (Wine has none)")
	}
	fatalIf(t, err)
	probe.Close()
	if uid, ok, err := PeerUID(unixPair(t)); ok || err != nil {
		t.Fatalf("got uid %d, ok %v, error %v, want ok false: Windows cannot tell", uid, ok, err)
	}
}
