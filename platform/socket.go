package platform

import (
	"fmt"
	"net"
	"os"
	"time"
)

// ListenSocket listens on the Unix domain socket at path (Windows 10 and
// later have them too), in a folder that PrepareServiceDir made. A stale
// socket file left by a crash is replaced; one that a live process answers
// on is an error. With private, only this user may connect: the socket is
// made 0600 (on Windows it keeps the folder's access list, which admits
// this user, SYSTEM and Administrators). Otherwise every local user may:
// 0666, and on Windows an access list that lets Users write to the socket
// file (and so connect) and nothing more, owned by SYSTEM.
func ListenSocket(path string, private bool) (net.Listener, error) {
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("platform: a process already answers on %s", path)
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("platform: listen on %s: %w", path, err)
	}
	if err := secureSocket(path, private); err != nil {
		ln.Close()
		return nil, fmt.Errorf("platform: socket %s: %w", path, err)
	}
	return ln, nil
}

// DialSocket connects to the Unix domain socket at path, of a service
// this process may trust to decide for it, within timeout. It connects
// only where the socket's folder is owned by root (SYSTEM on Windows) or
// by this user and writable by no one else, and the socket file has the
// same owner; where the platform can tell (Linux, macOS), the process
// answering must run as that owner too. Otherwise it returns an
// *UnsafePathError saying why; where nothing is there or nothing answers,
// the error of Lstat or of the dial.
func DialSocket(path string, timeout time.Duration) (net.Conn, error) {
	owner, err := socketOwner(path)
	if err != nil {
		return nil, err
	}
	c, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return nil, err
	}
	uid, known, err := PeerUID(c.(*net.UnixConn))
	if err != nil {
		c.Close()
		return nil, err
	}
	if known && uid != owner {
		c.Close()
		return nil, &UnsafePathError{Path: path, Reason: fmt.Sprintf("the process answering on the socket runs as user %d, not as the socket's owner (user %d)", uid, owner)}
	}
	return c, nil
}
