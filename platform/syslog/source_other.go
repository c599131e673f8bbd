//go:build !windows

package syslog

func registerSource(string) error   { return nil }
func unregisterSource(string) error { return nil }
