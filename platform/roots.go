package platform

import (
	"crypto/x509"
	"sync"
)

// SystemRoots reports the pool of system roots that verifies HTTPS
// servers, loaded the first time it is asked for and kept for the life of
// the process (as crypto/x509 keeps its own), so that only a command that
// fetches pays for it. It is nil where crypto/tls is to use the system's
// roots itself: give the result as tls.Config.RootCAs either way.
//
// On Linux it reads the roots as curl does: the distribution's bundle
// file (/etc/ssl/certs/ca-certificates.crt and the other places that
// crypto/x509 knows, the first that exists; or the file SSL_CERT_FILE
// names instead), and not the certificate directories as well, which hold
// the same roots one file each and cost hundreds of system calls at each
// start. Where SSL_CERT_DIR is set, or no bundle file can be read or none
// holds a certificate, it is nil, and crypto/x509 reads SSL_CERT_FILE,
// SSL_CERT_DIR and the directories exactly as it always does. On Windows
// and macOS it is nil: the platform's verifier decides.
func SystemRoots() *x509.CertPool { return systemRoots() }

var systemRoots = sync.OnceValue(loadSystemRoots)
