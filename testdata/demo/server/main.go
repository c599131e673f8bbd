// Command server is the demo's app vendor: it serves a manifest over TLS on
// loopback, with a certificate from a CA it makes at start, so that the demo
// (and a developer trying rvm) needs no network and no real certificates.
// With --repo it also serves a runtime repository's public folder (what
// rvm-repo publishes) as a static file server or CDN would, as
// https://<--repo-host>:<port>/runtimes/.
//
// At every request it reads the manifest template and, if it exists, the
// trustedAppConfigs block file, and serves the template with the block
// embedded. It writes the CA's certificate to --ca-out (for SSL_CERT_FILE)
// and its port to --port-file, then serves until it is killed.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/rvm-launcher/rvm/manifest/manifesttest"
)

func main() {
	var (
		host     = flag.String("host", "apps.acme.test", "host name the TLS certificate is for")
		path     = flag.String("path", "/blotter/app.json", "URL path of the manifest")
		tmpl     = flag.String("manifest", "", "manifest template (JSON object)")
		block    = flag.String("block", "", "trustedAppConfigs block to embed (JSON object); may not exist yet")
		caOut    = flag.String("ca-out", "", "where to write the TLS CA certificate (PEM)")
		portFile = flag.String("port-file", "", "where to write the port")
		repo     = flag.String("repo", "", "a runtime repository's public folder to serve below /runtimes/")
		repoHost = flag.String("repo-host", "runtimes.acme.test", "host name the runtime repository is served as")
	)
	flag.Parse()
	ca, err := manifesttest.NewCA("rvm demo TLS CA")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(*path, func(w http.ResponseWriter, r *http.Request) {
		body, err := render(*tmpl, *block)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	hosts := []string{*host}
	if *repo != "" {
		mux.Handle(*repoHost+"/runtimes/", http.StripPrefix("/runtimes/", http.FileServer(http.Dir(*repo))))
		hosts = append(hosts, *repoHost)
	}
	srv, err := manifesttest.NewTLSServer(ca, mux, hosts...)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*caOut, ca.PEM(), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*portFile, []byte(srv.Port), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "demo server: %s on %s\n", srv.URL(*host, *path), srv.Addr)
	select {}
}

func render(tmpl, block string) ([]byte, error) {
	data, err := os.ReadFile(tmpl)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", tmpl, err)
	}
	if b, err := os.ReadFile(block); err == nil {
		m["trustedAppConfigs"] = b
	}
	return json.MarshalIndent(m, "", "  ")
}
