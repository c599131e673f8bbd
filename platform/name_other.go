//go:build !windows && !darwin

package platform

const name = "linux"
