package platform

var tlsRootsVariables = []string{"SSL_CERT_FILE", "SSL_CERT_DIR"}

// tlsRootsFiles are the system's bundles, as Go's crypto/x509 lists them
// for Linux (root_linux.go), in the order it tries them.
var tlsRootsFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
}
