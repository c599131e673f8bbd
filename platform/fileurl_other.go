//go:build !windows

package platform

func fileURLPath(p string) string { return p }
