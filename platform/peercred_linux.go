package platform

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

func peerUID(raw syscall.RawConn) (int, bool, error) {
	var cred *unix.Ucred
	var credErr error
	err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	})
	if err = errors.Join(err, credErr); err != nil {
		return 0, false, err
	}
	return int(cred.Uid), true, nil
}
