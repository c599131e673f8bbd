package hostile

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

// path is the network between rvm and appHost: a TCP relay on loopback
// that --resolve sends appHost to, and that carries each connection to
// whichever server holds the path now: the vendor's, or a man in the
// middle's. Closing it takes the network down (connections refused).
type path struct {
	ln     net.Listener
	port   string
	target atomic.Value // the "addr:port" connections are carried to
	wg     sync.WaitGroup
}

func newPath(t *testing.T) *path {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &path{ln: ln}
	_, p.port, _ = net.SplitHostPort(ln.Addr().String())
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.carry(c)
		}
	}()
	t.Cleanup(p.down)
	return p
}

// carry relays c to the target of the moment, both ways, until either side
// closes.
func (p *path) carry(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target.Load().(string))
	if err != nil {
		return
	}
	defer s.Close()
	go func() {
		io.Copy(s, c)
		s.Close()
	}()
	io.Copy(c, s)
}

// via makes the path carry new connections to srv.
func (p *path) via(srv *manifesttest.Server) { p.target.Store(srv.Addr) }

// down takes the path down for good: connections to it are refused.
func (p *path) down() {
	p.ln.Close()
	p.wg.Wait()
}

// mitmRig is a vendor's server and a man in the middle's, both answering
// as appHost behind one path, and a desktop whose owner grants
// System.launchExternalProcess to https://*.acme.test:PORT/* and whose
// user once answered yes to Window.getSnapshot for the manifest URL.
type mitmRig struct {
	v       *vendor
	path    *path
	vendor  *manifesttest.Server
	mitm    *manifesttest.Server
	url     string
	dataDir string
	owner   string // the desktop owner settings file
	// opts are those of every request of the rig: one --resolve entry,
	// to the path, and machine settings that point at the owner's file and
	// a runtime directory, and set none of the HTTPS settings.
	opts launcher.Options
}

// realRequest is what the vendor's manifest requests.
const realRequest = `{"System": {"launchExternalProcess": true}, "Window": {"getSnapshot": true}}`

// mitmRequest is what the man in the middle's manifest requests: what the
// vendor's does, and more.
const mitmRequest = `{"System": {"launchExternalProcess": true, "getCookies": true}, "Window": {"getSnapshot": true}}`

func newMITMRig(t *testing.T) *mitmRig {
	t.Helper()
	r := &mitmRig{v: newVendor(t), path: newPath(t), dataDir: filepath.Join(t.TempDir(), "data")}
	r.url = appURL(r.path.port, "/app.json")
	r.vendor = r.v.server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"runtime": {"version": "38.*", "arguments": "--v=1"}, "startup_app": {"name": "Acme Blotter", "permissions": ` + realRequest + `}}`))
	}), false)
	// The man in the middle has a certificate for appHost from a CA of
	// its own, which rvm does not trust.
	ca, err := manifesttest.NewCA("man in the middle")
	if err != nil {
		t.Fatal(err)
	}
	r.mitm, err = manifesttest.NewTLSServer(ca, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"runtime": {"version": "38.*", "arguments": "--inspect=0.0.0.0:9229"}, "startup_app": {"name": "Acme Blotter", "permissions": ` + mitmRequest + `}}`))
	}), appHost)
	if err != nil {
		t.Fatal(err)
	}
	r.mitm.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	t.Cleanup(r.mitm.Close)

	r.owner = filepath.Join(t.TempDir(), "owner.json")
	r.setOwner(t, "")
	b, _ := json.Marshal(map[string]string{"DesktopOwnerSettings": r.owner, "RuntimeDirectory": launchertest.InstallRuntime(t)})
	r.opts = r.v.options(string(b), appHost+":"+r.path.port+":127.0.0.1")
	// The user answered yes to Window.getSnapshot for this manifest URL
	// once (a store of version 1, as rvm wrote it before constraints).
	writeFile(t, filepath.Join(r.dataDir, permissions.StoreFile), []byte(fmt.Sprintf(
		`{"version": 1, "choices": [{"url": %q, "permission": "Window.getSnapshot", "decision": "granted"}]}`, r.url)))
	return r
}

// setOwner writes the owner's settings: the grant of the rig, and the
// desktopSettings members extra.
func (r *mitmRig) setOwner(t *testing.T, extra string) {
	t.Helper()
	writeFile(t, r.owner, []byte(fmt.Sprintf(`{"desktopSettings": {%s}, "applicationSettings": {"acme": {"urls": ["https://*.acme.test:%s/*"], "permissions": {"System": {"launchExternalProcess": true}}}}}`,
		extra, r.path.port)))
}

// verify runs `rvm verify` as a new process would: a Launcher of its own
// on the rig's data directory (and so its disk cache and stored answers).
func (r *mitmRig) verify(t *testing.T) *launcher.Document {
	t.Helper()
	doc, err := verify(t, launcher.New(launcher.Env{DataDir: r.dataDir, TLSRoots: r.v.ca.Pool}), r.url, r.opts)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestManInTheMiddleGetsNoGrant mounts the review's attack on flaw 1: with
// the HTTPS settings unset, a man in the middle with a certificate that rvm
// does not trust gets a relaxed fetch. Its manifest must get neither the
// owner's URL grant nor the user's stored yes, must pass no runtime
// arguments, and must not replace the strict copy in the cache, which is
// what a launch uses when the vendor's server is out of reach.
func TestManInTheMiddleGetsNoGrant(t *testing.T) {
	r := newMITMRig(t)

	r.path.via(r.vendor)
	doc := r.verify(t)
	if doc.Fetch.Mode != manifest.ModeStrict {
		t.Fatalf("through the vendor's server: got fetch %+v, want strict", doc.Fetch)
	}
	launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Granted, permissions.SourceOwnerSettings)
	launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceUser)

	r.path.via(r.mitm)
	doc = r.verify(t)
	if doc.Fetch.Mode != manifest.ModeRelaxed {
		t.Fatalf("through the man in the middle: got fetch %+v, want relaxed", doc.Fetch)
	}
	wantNoGrant(t, doc)
	for _, name := range []string{"System.launchExternalProcess", "Window.getSnapshot", "System.getCookies"} {
		launchertest.CheckPermission(t, doc, name, permissions.Prompt, permissions.SourceDefault)
	}
	if len(doc.Runtime.Arguments) != 0 {
		t.Errorf("the man in the middle's runtime.arguments %q would reach the runtime, want none", doc.Runtime.Arguments)
	}

	// The vendor's server is out of reach: the launch uses the strict copy
	// of the cache, the vendor's, which counts as strictly fetched.
	r.path.down()
	out := filepath.Join(t.TempDir(), "received.json")
	t.Setenv(launchertest.RuntimeOutEnv, out)
	l := launcher.New(launcher.Env{DataDir: r.dataDir, TLSRoots: r.v.ca.Pool})
	req, err := launcher.NewRequest(r.url, r.opts, "linux")
	if err != nil {
		t.Fatal(err)
	}
	doc, _, err = l.LaunchVia(context.Background(), req, launcher.PrompterFor(prompt.Env{}))
	if err != nil {
		t.Fatalf("launch from the cache: %v", err)
	}
	if doc.Fetch.Mode != manifest.ModeCache {
		t.Errorf("with the server out of reach: got fetch %+v, want the cached copy", doc.Fetch)
	}
	var got launchertest.Received
	if err := json.Unmarshal(launchertest.WaitForFile(t, out), &got); err != nil {
		t.Fatal(err)
	}
	var received struct {
		Permissions map[string]permissions.Decision `json:"permissions"`
	}
	if err := json.Unmarshal([]byte(got.Decision), &received); err != nil {
		t.Fatalf("the runtime's decision document: %v", err)
	}
	if _, ok := received.Permissions["System.getCookies"]; ok || strings.Contains(strings.Join(got.Args, " "), "--inspect") {
		t.Errorf("the runtime was started with the man in the middle's manifest: args %q, decision %s", got.Args, got.Decision)
	}
	if d := received.Permissions["System.launchExternalProcess"]; !d.Granted() || d.Source != permissions.SourceOwnerSettings {
		t.Errorf("System.launchExternalProcess: got %+v from the cached strict copy, want the owner's grant", d)
	}
}

// TestManInTheMiddleAndTheAllowList: an allowedManifestUrls entry of
// scheme https admits only a manifest that was strictly fetched, so the
// man in the middle's launch is refused; one of scheme * admits it (SPEC
// 3).
func TestManInTheMiddleAndTheAllowList(t *testing.T) {
	r := newMITMRig(t)
	r.path.via(r.mitm)
	for _, tt := range []struct {
		name, pattern string
		allowed       bool
	}{
		{"https-entry-refuses", "https://*.acme.test:" + r.path.port + "/*", false},
		{"star-entry-admits", "*://*.acme.test:" + r.path.port + "/*", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r.setOwner(t, fmt.Sprintf(`"allowedManifestUrls": [%q]`, tt.pattern))
			doc := r.verify(t)
			if doc.Fetch.Mode != manifest.ModeRelaxed || doc.Launch.Allowed != tt.allowed {
				t.Errorf("got fetch %s, launch %+v, want relaxed and allowed %v", doc.Fetch.Mode, doc.Launch, tt.allowed)
			}
			if !tt.allowed && !strings.Contains(doc.Launch.Reason, "unauthenticated") {
				t.Errorf("got reason %q, want it to say the manifest is unauthenticated", doc.Launch.Reason)
			}
		})
	}
	os.Remove(r.owner)
}
