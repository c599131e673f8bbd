// Package manifesttest serves manifests over real TLS on loopback, with a
// certificate authority made on the spot, for tests and for the demo. Its
// servers answer for any host name the caller chooses (point the fetcher at
// them with a --resolve entry, or through a Proxy), so that tests exercise
// real certificate verification without touching the network or the
// system's roots.
package manifesttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"
)

// CA is a certificate authority for TLS server certificates.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	// Pool holds Cert alone: give it to a Fetcher as RootCAs.
	Pool *x509.CertPool
}

// NewCA makes a CA named name, valid from an hour ago for ten years.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Cert: cert, Key: key, Pool: pool}, nil
}

// PEM returns the CA certificate in PEM, for SSL_CERT_FILE.
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// Issue makes a TLS server certificate for hosts (names or IP addresses).
func (ca *CA) Issue(hosts ...string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// Server is a TLS server on loopback.
type Server struct {
	*httptest.Server
	// Addr is the listening "127.0.0.1:port".
	Addr string
	// Port is the listening port, as a string.
	Port string
}

// NewTLSServer starts a TLS server on 127.0.0.1 whose certificate, issued
// by ca, names hosts. Close it when done.
func NewTLSServer(ca *CA, handler http.Handler, hosts ...string) (*Server, error) {
	cert, err := ca.Issue(hosts...)
	if err != nil {
		return nil, err
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	u, err := url.Parse(srv.URL)
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &Server{Server: srv, Addr: u.Host, Port: u.Port()}, nil
}

// Resolve returns the --resolve entry that sends host to the server.
func (s *Server) Resolve(host string) string {
	return fmt.Sprintf("%s:%s:127.0.0.1", host, s.Port)
}

// URL returns https://host:port + path for a host the server answers as.
func (s *Server) URL(host, path string) string {
	return "https://" + net.JoinHostPort(host, s.Port) + path
}

// Site is one handler served both over TLS (by a certificate for Host and
// OtherHost) and over plain http, on loopback, for fetch tests: Resolve
// sends Host (on both ports) and OtherHost (on the TLS port) there.
type Site struct {
	CA    *CA
	TLS   *Server
	Plain *httptest.Server
	Mux   *http.ServeMux
	// Host is the name the site answers as; OtherHost is one that its
	// certificate does not name.
	Host, OtherHost string
	// Resolve maps "host:port" to the address to connect to.
	Resolve map[string]string
}

// NewSite starts a Site answering as host; close it with Close.
func NewSite(host string) (*Site, error) {
	ca, err := NewCA("test CA")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	srv, err := NewTLSServer(ca, mux, host)
	if err != nil {
		return nil, err
	}
	plain := httptest.NewServer(mux)
	s := &Site{CA: ca, TLS: srv, Plain: plain, Mux: mux, Host: host, OtherHost: "other.test"}
	s.Resolve = map[string]string{
		host + ":" + srv.Port:        srv.Addr,
		host + ":" + s.PlainPort():   "127.0.0.1:" + s.PlainPort(),
		s.OtherHost + ":" + srv.Port: srv.Addr,
	}
	return s, nil
}

// PlainPort is the port of the plain http server.
func (s *Site) PlainPort() string {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.Plain.URL, "http://"))
	return port
}

// HTTPSURL is https://Host:port + path.
func (s *Site) HTTPSURL(path string) string { return s.TLS.URL(s.Host, path) }

// HTTPURL is http://Host:port + path.
func (s *Site) HTTPURL(path string) string {
	return "http://" + s.Host + ":" + s.PlainPort() + path
}

// Close stops both servers.
func (s *Site) Close() {
	s.TLS.Close()
	s.Plain.Close()
}
