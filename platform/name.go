package platform

import "runtime"

// Name reports the platform name that trustedAppConfigs signatures use for
// this machine: "win", "mac" or "linux" (any other Unix counts as linux).
func Name() string { return name }

// Target reports the operating system and architecture that a runtime
// repository names this machine by (SPEC 9): os windows, darwin or linux,
// arch amd64 or arm64, as Go names them; a machine outside that list
// reports its own names, for which no runtime is published.
func Target() (os, arch string) { return runtime.GOOS, runtime.GOARCH }
