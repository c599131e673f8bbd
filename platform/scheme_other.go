//go:build !linux && !darwin && !windows

package platform

func registerURLSchemes(SchemeOptions) error { return errNotSupported }

func unregisterURLSchemes(SchemeOptions) error { return nil }

func checkSchemeExecutable(string) error { return nil }
