package platform

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ListenSocket listens on the Unix domain socket at path (Windows 10 and
// later have them too). A stale socket file left by a crash is replaced;
// one that a live process answers on is an error. With private, only this
// user may connect: the socket is made 0600 where the platform has modes
// (on Windows the data directory's ACL decides); otherwise every local user
// may (0666).
func ListenSocket(path string, private bool) (net.Listener, error) {
	if err := EnsureDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("platform: socket directory: %w", err)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("platform: a process already answers on %s", path)
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("platform: listen on %s: %w", path, err)
	}
	mode := os.FileMode(0o600)
	if !private {
		mode = 0o666
	}
	if err := chmodSocket(path, mode); err != nil {
		ln.Close()
		return nil, fmt.Errorf("platform: chmod %s: %w", path, err)
	}
	return ln, nil
}
