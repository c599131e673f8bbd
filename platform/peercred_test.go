package platform

import (
	"net"
	"path/filepath"
	"testing"
)

// unixPair connects to a Unix domain socket listening in a temporary
// directory and returns the server's end of the connection.
func unixPair(t *testing.T) *net.UnixConn {
	t.Helper()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(tempDir(t), "s.sock"), Net: "unix"})
	fatalIf(t, err)
	t.Cleanup(func() { ln.Close() })
	client, err := net.DialUnix("unix", nil, ln.Addr().(*net.UnixAddr))
	fatalIf(t, err)
	t.Cleanup(func() { client.Close() })
	server, err := ln.AcceptUnix()
	fatalIf(t, err)
	t.Cleanup(func() { server.Close() })
	return server
}
