package platform

// Name reports the platform name that trustedAppConfigs signatures use for
// this machine: "win", "mac" or "linux" (any other Unix counts as linux).
func Name() string { return name }
