//go:build !linux && !darwin && !windows

package platform

const caseInsensitivePaths = false

func eachExecutable(func(pid int, exe string)) error { return errNotSupported }
