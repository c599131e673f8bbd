package platform

import (
	"fmt"
	"net"
	"os"
)

// PeerUID reports the user id of the process at the other end of a Unix
// domain socket connection, as the kernel recorded it when the connection
// was made: SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS. ok is false
// where the platform cannot tell (Windows and the rest); a caller that
// must refuse other users then relies on the socket file's permissions.
func PeerUID(conn *net.UnixConn) (uid int, ok bool, err error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return 0, false, fmt.Errorf("platform: peer credentials: %w", err)
	}
	uid, ok, err = peerUID(raw)
	if err != nil {
		return 0, false, fmt.Errorf("platform: peer credentials: %w", err)
	}
	return uid, ok, nil
}

// CurrentUID reports the user id of this process; -1 on Windows, where
// PeerUID cannot tell peers apart either.
func CurrentUID() int { return os.Getuid() }
