package platform

import (
	"net"
	"path/filepath"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// unixPair connects to a Unix domain socket listening in a temporary
// directory and returns the server's end of the connection.
func unixPair(t *testing.T) *net.UnixConn {
	t.Helper()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(platformtest.TempDir(t), "s.sock"), Net: "unix"})
	platformtest.Must(t, err)
	t.Cleanup(func() { ln.Close() })
	client, err := net.DialUnix("unix", nil, ln.Addr().(*net.UnixAddr))
	platformtest.Must(t, err)
	t.Cleanup(func() { client.Close() })
	server, err := ln.AcceptUnix()
	platformtest.Must(t, err)
	t.Cleanup(func() { server.Close() })
	return server
}
