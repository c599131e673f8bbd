package platform

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
)

// TLSRootsVariables are the environment variables that choose the roots
// this platform verifies TLS servers against, as Go reads them: on Linux
// SSL_CERT_FILE (a PEM bundle) and SSL_CERT_DIR (folders of PEM files,
// separated by colons); none on macOS and Windows, whose platform
// verifiers do not read them.
func TLSRootsVariables() []string { return append([]string(nil), tlsRootsVariables...) }

// Bounds of TLSRoots: the size of one file it reads and how many files
// of a folder.
const (
	maxRootsFile  = 16 << 20
	maxRootsFiles = 10000
)

// TLSRoots are the roots that a process whose environment getenv reads
// verifies TLS servers against, so that one process can verify for a
// caller with another environment (the service for a request) as that
// caller would itself: nil (the system's own roots, SystemRoots) where
// none of TLSRootsVariables is set. Otherwise, on Linux: the first
// readable file of SSL_CERT_FILE or else of the system's bundles and,
// where SSL_CERT_DIR is set, every file of its folders. Where only
// SSL_CERT_FILE is set, that file alone holds the roots, as curl reads
// its bundle: Go would add every file of the system's certificate
// folders (the same public roots, one file each, hundreds of system calls
// at each start), so that a file meant to hold the only roots did not.
// What cannot be read is left out, so the pool may be empty (then no
// server verifies). Each file is read within 16 MiB, at most 10,000 of a
// folder.
func TLSRoots(getenv func(string) string) *x509.CertPool {
	set := false
	for _, name := range tlsRootsVariables {
		set = set || getenv(name) != ""
	}
	if !set {
		return nil
	}
	var dirs []string
	if d := getenv("SSL_CERT_DIR"); d != "" {
		dirs = strings.Split(d, ":")
	}
	pool := x509.NewCertPool()
	if data := bundleFile(getenv, tlsRootsFiles); data != nil {
		pool.AppendCertsFromPEM(data)
	}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for i, e := range entries {
			if i == maxRootsFiles {
				break
			}
			if e.Type()&os.ModeSymlink != 0 {
				// A link to a name in the same folder (c_rehash's hash
				// names) is a file read already, as Go skips it.
				if target, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && !strings.Contains(target, "/") {
					continue
				}
			}
			if data, err := ReadFileLimit(filepath.Join(dir, e.Name()), maxRootsFile); err == nil {
				pool.AppendCertsFromPEM(data)
			}
		}
	}
	return pool
}

// bundleFile reads the bundle of roots that getenv's SSL_CERT_FILE names,
// else the first of bundles that can be read, as crypto/x509 picks it;
// nil where none can be.
func bundleFile(getenv func(string) string, bundles []string) []byte {
	if f := getenv("SSL_CERT_FILE"); f != "" {
		bundles = []string{f}
	}
	for _, f := range bundles {
		if data, err := ReadFileLimit(f, maxRootsFile); err == nil {
			return data
		}
	}
	return nil
}
