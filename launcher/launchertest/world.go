// Package launchertest is the test kit of the launcher's packages
// (launcher, launcher/api, launcher/service, launcher/runtime and
// launcher/hostile): a World to decide in (a vendor's TLS server on
// loopback, a trust root with a code-signing certificate, a data directory
// and a Launcher that trusts them), a stand-in runtime for launches to
// start, and a client of a local API socket that runs as another user.
// Only tests import it.
package launchertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/permissions"
)

// AppHost is the name the World's server answers as; the World's options
// send it to loopback.
const AppHost = "apps.acme.test"

// Requested is the permissions object of the manifests the launcher's tests
// publish: two that a block may grant (one with constraints), one that is
// off, one for the user and one that rvm does not know.
const Requested = `{"System": {"launchExternalProcess": true, "readRegistryValue": {"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"]}, "getProcessList": false}, "Window": {"getSnapshot": true}, "Custom": {"teleport": true}}`

// World is a vendor's TLS server on loopback serving manifests as AppHost,
// a Signer whose root the World's options trust, and a Launcher with its
// own data directory that trusts the server's CA.
type World struct {
	T      testing.TB
	Server *manifesttest.Server
	// CA issued the server's certificate; Env.TLSRoots trusts it.
	CA     *manifesttest.CA
	Signer *Signer
	// Dir is the World's scratch directory; the data directory is under it.
	Dir string
	// Env is L's environment, for more Launchers (or a service) on the same
	// machine.
	Env launcher.Env
	L   *launcher.Launcher
	// Opts are the options of a request in the World: its platform linux,
	// its trust roots the Signer's, its --resolve entry the server's and its
	// machine settings the file that Settings and Owner write.
	Opts launcher.Options

	fetches atomic.Int64
	mu      sync.Mutex
	docs    map[string][]byte // by path
	delay   time.Duration
}

// NewWorld makes a World whose machine settings are empty.
func NewWorld(t testing.TB) *World {
	t.Helper()
	w := &World{T: t, Dir: t.TempDir(), docs: map[string][]byte{}}
	var err error
	if w.CA, err = manifesttest.NewCA("vendor TLS CA"); err != nil {
		t.Fatal(err)
	}
	if w.Server, err = manifesttest.NewTLSServer(w.CA, http.HandlerFunc(w.serve), AppHost); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Server.Close)
	w.Signer = NewSigner(t, w.Dir)
	w.Opts = launcher.Options{Platform: "linux", TrustRoots: w.Signer.RootPEM, Resolve: []string{w.Server.Resolve(AppHost)}}
	w.Settings(`{}`)
	w.Env = launcher.Env{DataDir: filepath.Join(w.Dir, "data"), TLSRoots: w.CA.Pool}
	w.L = launcher.New(w.Env)
	return w
}

func (w *World) serve(rw http.ResponseWriter, r *http.Request) {
	w.fetches.Add(1)
	w.mu.Lock()
	body, ok := w.docs[r.URL.Path]
	delay := w.delay
	w.mu.Unlock()
	time.Sleep(delay)
	if !ok {
		http.NotFound(rw, r)
		return
	}
	rw.Write(body)
}

// Fetches is how many requests the server has answered.
func (w *World) Fetches() int64 { return w.fetches.Load() }

// SetDelay makes the server wait d before each answer.
func (w *World) SetDelay(d time.Duration) {
	w.mu.Lock()
	w.delay = d
	w.mu.Unlock()
}

// Serve serves body at path and returns its URL.
func (w *World) Serve(path string, body []byte) string {
	w.mu.Lock()
	w.docs[path] = body
	w.mu.Unlock()
	return w.Server.URL(AppHost, path)
}

// Publish serves a manifest at path that asks for runtime 38.* with the
// argument --v=1 and requests the permissions object perms, with block
// as its trustedAppConfigs when block is not nil, and returns its URL.
func (w *World) Publish(path, perms string, block json.RawMessage) string {
	m := map[string]any{
		"runtime":     map[string]any{"version": "38.*", "arguments": "--v=1"},
		"startup_app": map[string]any{"name": "blotter", "permissions": json.RawMessage(perms)},
	}
	if block != nil {
		m["trustedAppConfigs"] = block
	}
	body, err := json.Marshal(m)
	if err != nil {
		w.T.Fatal(err)
	}
	return w.Serve(path, body)
}

// Settings writes the machine settings file of w.Opts and returns its path.
func (w *World) Settings(js string) string {
	w.Opts.MachineSettings = filepath.Join(w.Dir, "settings.json")
	if err := os.WriteFile(w.Opts.MachineSettings, []byte(js), 0o644); err != nil {
		w.T.Fatal(err)
	}
	return w.Opts.MachineSettings
}

// Owner writes a desktop owner settings file, points the machine settings
// at it (and at nothing else) and returns its path.
func (w *World) Owner(js string) string {
	path := filepath.Join(w.Dir, "owner.json")
	if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
		w.T.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{"DesktopOwnerSettings": path})
	w.Settings(string(b))
	return path
}

// Block signs a config of apps (the JSON array of its app entries) for
// platforms.
func (w *World) Block(apps string, platforms ...string) json.RawMessage {
	w.T.Helper()
	return w.Signer.Sign(w.T, w.Signer.Config(apps), platforms...)
}

// Pattern is the signed pattern for the server's apps under prefix.
func (w *World) Pattern(prefix string) string {
	return fmt.Sprintf("https://*.acme.test:%s%s*", w.Server.Port, prefix)
}

// Verify decides on url in-process with w.Opts, and ends the test where no
// decision is made.
func (w *World) Verify(url string) *launcher.Document {
	w.T.Helper()
	doc, err := w.L.Verify(context.Background(), url, w.Opts)
	if err != nil {
		w.T.Fatalf("Verify(%s): %v", url, err)
	}
	return doc
}

// CheckPermission fails the test unless doc decides name as verdict, by
// source.
func CheckPermission(t testing.TB, doc *launcher.Document, name string, verdict permissions.Verdict, source permissions.Source) {
	t.Helper()
	got, ok := doc.Permissions[name]
	if !ok {
		t.Errorf("%s: not in the decision, want %s (%s)", name, verdict, source)
		return
	}
	if got.Verdict != verdict || got.Source != source {
		t.Errorf("%s: got %s (%s), want %s (%s)", name, got.Verdict, got.Source, verdict, source)
	}
}
