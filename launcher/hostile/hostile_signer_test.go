package hostile

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

// TestSignerTrustNeedsAStrictFetch (SPEC 0 and 5.7): the user trusts the
// vendor's signer. A man in the middle with a certificate of its own
// serves the vendor's manifest, signed block and all, byte for byte: the
// fetch is relaxed, so the block is untrusted (insecure-fetch), the trust
// in the signer grants nothing, and the question offers no answer all (an
// a typed at it is not understood). The same block on a manifest URL that
// it does not match grants nothing either.
func TestSignerTrustNeedsAStrictFetch(t *testing.T) {
	v := newVendor(t)
	p := newPath(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": ["https://*.acme.test:%s/blotter/*"]}]`, p.port)
	body := appManifest(`{"Window": {"getSnapshot": true}, "System": {"getCookies": true}}`, v.sign(v.config(apps)))
	serve := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(body) })
	vendorSrv := v.server(serve, false)
	ca, err := manifesttest.NewCA("man in the middle")
	if err != nil {
		t.Fatal(err)
	}
	mitm, err := manifesttest.NewTLSServer(ca, serve, appHost)
	if err != nil {
		t.Fatal(err)
	}
	mitm.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	t.Cleanup(mitm.Close)

	dataDir := filepath.Join(t.TempDir(), "data")
	spki := fmt.Sprintf("%x", sha256.Sum256(v.signer.Cert.RawSubjectPublicKeyInfo))
	if _, err := permissions.OpenStore(dataDir, platform.UserID()).SetSigner(spki, "Acme Corp", true); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{"RuntimeDirectory": launchertest.InstallRuntime(t)})
	opts := v.options(string(b), resolveTo(p.port))
	env := launcher.Env{DataDir: dataDir, TLSRoots: v.ca.Pool}
	url := appURL(p.port, "/blotter/app.json")

	// From the vendor's server, the trust answers.
	p.via(vendorSrv)
	doc, err := verify(t, launcher.New(env), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceUserSigner)
	launchertest.CheckPermission(t, doc, "System.getCookies", permissions.Granted, permissions.SourceUserSigner)

	p.via(mitm)
	doc, err = verify(t, launcher.New(env), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Fetch.Mode != manifest.ModeRelaxed || doc.Trust.Status != launcher.StatusUntrusted || doc.Trust.Code != "insecure-fetch" || doc.Trust.UserSignerTrust {
		t.Fatalf("through the man in the middle: got fetch %s, trust %+v, want relaxed, untrusted (insecure-fetch), no signer trust", doc.Fetch.Mode, doc.Trust)
	}
	wantNoGrant(t, doc)
	launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Prompt, permissions.SourceDefault)

	out := filepath.Join(t.TempDir(), "received.json")
	t.Setenv(launchertest.RuntimeOutEnv, out)
	var screen strings.Builder
	req, err := launcher.NewRequest(url, opts, "linux")
	if err != nil {
		t.Fatal(err)
	}
	doc, _, err = launcher.New(env).LaunchVia(t.Context(), req, launcher.PrompterFor(prompt.Env{Terminal: true, In: strings.NewReader(strings.Repeat("a\n", 2*prompt.MaxTries)), Out: &screen}))
	if err != nil {
		t.Fatal(err)
	}
	launchertest.WaitForFile(t, out)
	if !strings.Contains(screen.String(), "unauthenticated") || strings.Contains(screen.String(), "[y/n/a]") || strings.Contains(screen.String(), "Answer a (all)") {
		t.Errorf("the relaxed manifest's questions do not say it is unauthenticated, or offer all:\n%s", screen.String())
	}
	wantNoGrant(t, doc)
	if got, err := permissions.OpenStore(dataDir, platform.UserID()).Stored(url, spki); !got.SignerTrusted || len(got.Answers) != 0 || err != nil {
		t.Errorf("got %+v (%v) after the launch, want the signer trust kept and no answer stored", got, err)
	}

	// The vendor's own block, on a URL it does not match.
	p.via(vendorSrv)
	doc, err = verify(t, launcher.New(env), appURL(p.port, "/charts/app.json"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Trust.Code != "url-not-matched" || doc.Trust.UserSignerTrust {
		t.Errorf("another URL: got trust %+v, want untrusted (url-not-matched), no signer trust", doc.Trust)
	}
	wantNoGrant(t, doc)

}
