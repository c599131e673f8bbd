package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// TestOneDecisionBothWays decides each per-call input both ways, in-process
// and through a service started in the test, and compares the documents
// (decidedBy aside): SPEC 6 and 7, issue 12 flaw 4. The service's own
// environment trusts no TLS root of the vendor's server, so that it decides
// as the caller would only where the request carries the caller's
// SSL_CERT_FILE (or SSL_CERT_DIR); other inputs are the proxy variables,
// RVM_MACHINE_SETTINGS, --machine-settings, --resolve, --trust-roots and
// --platform. A caller whose per-user settings matter, which a request
// cannot carry, decides in-process.
func TestOneDecisionBothWays(t *testing.T) {
	if len(platform.TLSRootsVariables()) == 0 {
		t.Skip("no variable chooses the TLS roots on this platform")
	}
	w := launchertest.NewWorld(t)
	caFile := filepath.Join(w.Dir, "tls-ca.pem")
	caDir := filepath.Join(w.Dir, "tls-ca")
	platformtest.Must(t, os.WriteFile(caFile, w.CA.PEM(), 0o644))
	platformtest.Must(t, os.Mkdir(caDir, 0o755))
	platformtest.Must(t, os.WriteFile(filepath.Join(caDir, "ca.pem"), w.CA.PEM(), 0o644))
	proxy, err := manifesttest.NewProxy(w.Server.Addr)
	platformtest.Must(t, err)
	t.Cleanup(proxy.Close)

	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.Pattern("/blotter/"))
	signed := w.Publish("/blotter/app.json", launchertest.Requested, w.Block(apps, "linux"))
	deny := filepath.Join(w.Dir, "deny.json")
	platformtest.Must(t, os.WriteFile(deny, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`), 0o644))
	denySettings := filepath.Join(w.Dir, "deny-settings.json")
	platformtest.Must(t, os.WriteFile(denySettings, []byte(fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, deny)), 0o644))

	// The service: no roots for the vendor's server in its environment,
	// no settings sources of its own.
	noSources := &settings.Sources{}
	svcEnv := launcher.Env{DataDir: filepath.Join(w.Dir, "svc"), Settings: noSources, Log: zerolog.Nop()}
	startServer(t, &launchertest.World{Env: svcEnv, L: launcher.New(svcEnv)}, true)

	proxied := func(name string) func(o *launcher.Options) {
		return func(o *launcher.Options) {
			o.Resolve = nil // the vendor's host resolves nowhere: only the proxy reaches it
			o.Environment[name] = proxy.URL
		}
	}
	throughProxy := func(t *testing.T, doc *launcher.Document) {
		t.Helper()
		strictAndTrusted(t, doc)
		if proxy.Tunnels.Load() == 0 {
			t.Errorf("the proxy was not used")
		}
	}
	denied := func(t *testing.T, doc *launcher.Document) {
		t.Helper()
		launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Denied, permissions.SourceOwnerDefault)
	}
	spki := fmt.Sprintf("%x", sha256.Sum256(w.Signer.Cert.RawSubjectPublicKeyInfo))
	storeSigner := func(trusted bool) func(e *launcher.Env) {
		return func(e *launcher.Env) {
			_, err := permissions.OpenStore(e.DataDir, platform.UserID()).SetSigner(spki, "Acme Corp", trusted)
			platformtest.Must(t, err)
		}
	}
	for _, tt := range []struct {
		name string
		// opts changes the request's options; env the caller's.
		opts func(o *launcher.Options)
		env  func(e *launcher.Env)
		// want checks the in-process document.
		want    func(t *testing.T, doc *launcher.Document)
		wantBy  string // who decides through the client: the service, unless this says otherwise
		wantWhy string // what the client's log says where it decides in-process
	}{
		{name: "ssl-cert-file", want: strictAndTrusted},
		{name: "ssl-cert-dir", opts: func(o *launcher.Options) {
			o.Environment = map[string]string{"SSL_CERT_DIR": caDir}
		}, want: strictAndTrusted},
		{name: "https-proxy", opts: proxied("HTTPS_PROXY"), want: throughProxy},
		{name: "https-proxy-lower-case", opts: proxied("https_proxy"), want: throughProxy},
		{name: "rvm-machine-settings", env: func(e *launcher.Env) { e.MachineSettings = denySettings }, want: denied},
		{name: "machine-settings", opts: func(o *launcher.Options) { o.MachineSettings = denySettings }, want: denied},
		// Every case but the proxied ones reaches the vendor's host only
		// through --resolve; this one gives another set of entries (so
		// another fetcher, on both sides).
		{name: "resolve", opts: func(o *launcher.Options) {
			o.Resolve = append(o.Resolve, "crl.acme.test:443:127.0.0.1")
		}, want: strictAndTrusted},
		{name: "trust-roots-absent", opts: func(o *launcher.Options) { o.TrustRoots = "" }, want: func(t *testing.T, doc *launcher.Document) {
			if doc.Trust.Status != launcher.StatusUntrusted || doc.Trust.Code != "unknown-authority" {
				t.Errorf("trust: got %s (%s), want untrusted (unknown-authority) without trust roots", doc.Trust.Status, doc.Trust.Code)
			}
		}},
		{name: "platform", opts: func(o *launcher.Options) { o.Platform = "win" }, want: func(t *testing.T, doc *launcher.Document) {
			if doc.Trust.Code != "no-platform-signature" {
				t.Errorf("trust: got %s (%s), want no-platform-signature for win", doc.Trust.Status, doc.Trust.Code)
			}
		}},
		// The caller's trust in the signer applies on the caller's side,
		// its distrust on the decider's: the request carries it.
		{name: "signer-trusted", env: storeSigner(true), want: func(t *testing.T, doc *launcher.Document) {
			strictAndTrusted(t, doc)
			launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceUserSigner)
		}},
		{name: "signer-distrusted", env: storeSigner(false), want: func(t *testing.T, doc *launcher.Document) {
			if doc.Trust.Status != launcher.StatusUntrusted || doc.Trust.Code != "revoked" || doc.Trust.SignerSPKI != spki {
				t.Errorf("trust: got %s (%s, key %s), want untrusted (revoked) naming the key %s", doc.Trust.Status, doc.Trust.Code, doc.Trust.SignerSPKI, spki)
			}
			launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Prompt, permissions.SourceDefault)
		}},
		{name: "per-user-settings", env: func(e *launcher.Env) {
			e.Settings = &settings.Sources{User: []settings.Source{settings.JSONFile(denySettings)}}
		}, want: denied, wantBy: launcher.ByInProcess, wantWhy: "per-user machine settings apply"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := launcher.Options{Platform: "linux", TrustRoots: w.Signer.RootPEM, Resolve: w.Opts.Resolve,
				Environment: map[string]string{"SSL_CERT_FILE": caFile}}
			if tt.opts != nil {
				tt.opts(&o)
			}
			env := launcher.Env{DataDir: filepath.Join(t.TempDir(), "data"), Settings: noSources}
			if tt.env != nil {
				tt.env(&env)
			}
			inProcess, err := launcher.New(env).Verify(context.Background(), signed, o)
			if err != nil {
				t.Fatalf("in-process: %v", err)
			}
			tt.want(t, inProcess)

			var log bytes.Buffer
			env.Log = zerolog.New(&log).Level(zerolog.DebugLevel)
			client := launcher.New(env)
			client.Remote = &Client{Sockets: []string{filepath.Join(svcEnv.DataDir, SocketName)}, Log: env.Log}
			r, err := launcher.NewRequest(signed, o, "linux")
			platformtest.Must(t, err)
			via, err := client.VerifyVia(context.Background(), r)
			if err != nil {
				t.Fatalf("through the client: %v", err)
			}
			wantBy := tt.wantBy
			if wantBy == "" {
				wantBy = launcher.ByService
			}
			if via.DecidedBy.By != wantBy || inProcess.DecidedBy.By != launcher.ByInProcess {
				t.Fatalf("decidedBy: got %q through the client and %q in-process, want %q and %q; log:\n%s", via.DecidedBy.By, inProcess.DecidedBy.By, wantBy, launcher.ByInProcess, log.String())
			}
			if !strings.Contains(log.String(), tt.wantWhy) {
				t.Errorf("the client's log does not say %q:\n%s", tt.wantWhy, log.String())
			}
			via.DecidedBy, inProcess.DecidedBy = launcher.DecidedBy{}, launcher.DecidedBy{}
			if got, want := string(via.JSON()), string(inProcess.JSON()); got != want {
				t.Errorf("the two ways decide differently:\ngot (through the client)\n%s\nwant (in-process)\n%s", got, want)
			}
		})
	}
}

// strictAndTrusted fails the test unless doc's manifest came through a
// strict fetch and its block is trusted.
func strictAndTrusted(t *testing.T, doc *launcher.Document) {
	t.Helper()
	if doc.Fetch.Mode != "strict" || doc.Trust.Status != launcher.StatusTrusted {
		t.Errorf("got fetch %s, trust %s (%s: %s), want strict and trusted", doc.Fetch.Mode, doc.Trust.Status, doc.Trust.Code, doc.Trust.Reason)
	}
}
