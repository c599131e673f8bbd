//go:build !linux

package platform

// Outside Linux no variable chooses the roots (the platform verifier of
// macOS and Windows does), so TLSRoots always gives the system's own.
var (
	tlsRootsVariables []string
	tlsRootsFiles     []string
)
