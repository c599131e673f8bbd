//go:build !linux && !darwin && !windows

package platform

func processStart(int) (uint64, bool, error) { return 0, false, errNotSupported }
