//go:build !linux && !darwin

package platform

import "syscall"

func peerUID(syscall.RawConn) (int, bool, error) { return 0, false, nil }
