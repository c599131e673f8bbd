package platform

import (
	"crypto/x509"
	"os"
)

func loadSystemRoots() *x509.CertPool { return bundleRoots(os.Getenv, tlsRootsFiles) }

// bundleRoots is the pool of the first of bundles that can be read (the
// file SSL_CERT_FILE names instead, where it is set), as crypto/x509 picks
// it; nil, leaving the roots to crypto/x509, where SSL_CERT_DIR is set or
// no file can be read or the one read holds no certificate.
func bundleRoots(getenv func(string) string, bundles []string) *x509.CertPool {
	if getenv("SSL_CERT_DIR") != "" {
		return nil
	}
	data := bundleFile(getenv, bundles)
	if data == nil {
		return nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil
	}
	return pool
}
