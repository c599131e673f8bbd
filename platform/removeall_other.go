//go:build !windows

package platform

const removeEntryByEntry = false
