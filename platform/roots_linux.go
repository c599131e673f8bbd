package platform

import (
	"crypto/x509"
	"os"
)

// bundleFiles are where Linux distributions keep their bundle of roots, in
// the order crypto/x509 (root_linux.go) tries them.
var bundleFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine
}

func loadSystemRoots() *x509.CertPool { return bundleRoots(os.Getenv, bundleFiles) }

// bundleRoots is the pool of the first of bundles that can be read (the
// file SSL_CERT_FILE names instead, where it is set), as crypto/x509 picks
// it; nil, leaving the roots to crypto/x509, where SSL_CERT_DIR is set or
// no file can be read or the one read holds no certificate.
func bundleRoots(getenv func(string) string, bundles []string) *x509.CertPool {
	if getenv("SSL_CERT_DIR") != "" {
		return nil
	}
	if f := getenv("SSL_CERT_FILE"); f != "" {
		bundles = []string{f}
	}
	for _, f := range bundles {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return nil
		}
		return pool
	}
	return nil
}
