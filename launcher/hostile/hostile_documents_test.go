package hostile

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions"
)

// docBound is what one verify of a hostile document may allocate, fetch
// and TLS included: a few copies of the largest document rvm reads (1 MiB)
// and the parsers' working space. The documents themselves are built
// before the measurement starts.
const docBound = 64 << 20

// requested is the permissions object of the manifests that carry a
// hostile block, owner settings or machine settings.
const requested = `{"System": {"launchExternalProcess": true, "readRegistryValue": true}}`

// docRig serves whatever a test publishes as a manifest, from the vendor's
// server, and decides on it with a Launcher of its own.
type docRig struct {
	v    *vendor
	srv  string // the server's port
	l    *launcher.Launcher
	mu   sync.Mutex
	docs map[string][]byte
	n    atomic.Int64
}

func newDocRig(t *testing.T) *docRig {
	r := &docRig{v: newVendor(t), docs: map[string][]byte{}}
	srv := r.v.server(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		body, ok := r.docs[req.URL.Path]
		r.mu.Unlock()
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Write(body)
	}), false)
	r.srv = srv.Port
	r.l = r.v.launcher()
	return r
}

// publish serves data at a new path and returns its URL.
func (r *docRig) publish(data []byte) string {
	path := fmt.Sprintf("/app-%d.json", r.n.Add(1))
	r.mu.Lock()
	r.docs[path] = data
	r.mu.Unlock()
	return appURL(r.srv, path)
}

// manifest publishes data as a manifest and verifies it under the machine
// settings settingsJSON.
func (r *docRig) manifest(t *testing.T, data []byte, settingsJSON string) (*launcher.Document, error) {
	t.Helper()
	return verify(t, r.l, r.publish(data), r.v.options(settingsJSON, resolveTo(r.srv)))
}

// block verifies a manifest that requests the permissions of requested
// and carries the trustedAppConfigs object raw.
func (r *docRig) block(t *testing.T, raw []byte) *launcher.Document {
	t.Helper()
	doc, err := r.manifest(t, appManifest(requested, raw), "")
	if err != nil {
		t.Fatalf("a manifest with a hostile block got no decision: %v", err)
	}
	return doc
}

// owner verifies a manifest that requests requested, under desktop owner
// settings data at a location that never held a good copy.
func (r *docRig) owner(t *testing.T, data []byte) *launcher.Document {
	t.Helper()
	path := filepath.Join(t.TempDir(), "owner.json")
	writeFile(t, path, data)
	doc, err := r.manifest(t, appManifest(requested, nil), fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, path))
	if err != nil {
		t.Fatalf("hostile owner settings left no decision: %v", err)
	}
	return doc
}

// machine reports the settings read from a machine settings file of data.
func (r *docRig) machine(t *testing.T, data []byte) *launcher.SettingsReport {
	t.Helper()
	path := filepath.Join(t.TempDir(), "settings.json")
	writeFile(t, path, data)
	return settingsReport(t, r.l, launcher.Options{MachineSettings: path})
}

// wantRefused checks that a manifest got no decision, for the reasons want.
func wantRefused(t *testing.T, doc *launcher.Document, err error, want ...string) {
	t.Helper()
	wantError(t, err, want...)
	if doc != nil {
		t.Fatalf("got a decision %+v, want none", doc)
	}
}

// wantUntrusted checks that a block was not trusted, with code and a
// reason holding want, and that nothing was granted on its word.
func wantUntrusted(t *testing.T, doc *launcher.Document, code trust.Code, want ...string) {
	t.Helper()
	if doc.Trust.Status != launcher.StatusUntrusted || doc.Trust.Code != string(code) {
		t.Errorf("trust: got %s (%s: %s), want untrusted (%s)", doc.Trust.Status, doc.Trust.Code, doc.Trust.Reason, code)
	}
	for _, w := range want {
		if !strings.Contains(doc.Trust.Reason, w) {
			t.Errorf("trust reason: got %q, want it to hold %q", doc.Trust.Reason, w)
		}
	}
	wantNoGrant(t, doc)
}

// wantNoGrant checks that nothing was granted.
func wantNoGrant(t *testing.T, doc *launcher.Document) {
	t.Helper()
	for name, d := range doc.Permissions {
		if d.Granted() {
			t.Errorf("%s: got %+v, want no grant", name, d)
		}
	}
}

// wantFailClosed checks that unusable owner settings with no good copy
// denied every requested permission, with a warning holding want.
func wantFailClosed(t *testing.T, doc *launcher.Document, want ...string) {
	t.Helper()
	if len(doc.Permissions) == 0 {
		t.Errorf("got no permissions, want each requested one denied")
	}
	for name, d := range doc.Permissions {
		if d.Verdict != permissions.Denied || d.Source != permissions.SourceOwnerUnavailable {
			t.Errorf("%s: got %+v, want denied (%s)", name, d, permissions.SourceOwnerUnavailable)
		}
	}
	warnings := strings.Join(doc.Fetch.Warnings, "\n")
	for _, w := range want {
		if !strings.Contains(warnings, w) {
			t.Errorf("warnings: got %q, want them to hold %q", warnings, w)
		}
	}
}

// wantSettingsError checks that a settings report holds an error with
// every one of want.
func wantSettingsError(t *testing.T, rep *launcher.SettingsReport, want ...string) {
	t.Helper()
	for _, e := range rep.Errors {
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(e, w)
		}
		if ok {
			return
		}
	}
	t.Errorf("settings errors: got %q, want one holding %q", rep.Errors, want)
}

// TestDocumentVectors runs every vector of testdata/hostile. The directory
// says what the file is (manifest, block, owner or machine settings); a
// bad_ file must be refused with an error holding every line of the .err
// file beside it, and a good_ manifest must request exactly the names of
// its .want file.
func TestDocumentVectors(t *testing.T) {
	files, err := filepath.Glob("../../testdata/hostile/*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 60 {
		t.Fatalf("got %d vectors in testdata/hostile, want at least 60", len(files))
	}
	r := newDocRig(t)
	for _, file := range files {
		kind := filepath.Base(filepath.Dir(file))
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(kind+"/"+name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(name, "good_") {
				if kind != "manifest" {
					t.Fatalf("good_ vectors are manifests only")
				}
				want := lines(t, strings.TrimSuffix(file, ".json")+".want")
				doc, err := r.manifest(t, data, "")
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for n := range doc.Permissions {
					got = append(got, n)
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("requested: got %q, want %q", got, want)
				}
				return
			}
			want := lines(t, strings.TrimSuffix(file, ".json")+".err")
			switch kind {
			case "manifest":
				doc, err := r.manifest(t, data, "")
				wantRefused(t, doc, err, want...)
			case "block":
				wantUntrusted(t, r.block(t, data), trust.Malformed, want...)
			case "owner":
				wantFailClosed(t, r.owner(t, data), want...)
			case "machine":
				wantSettingsError(t, r.machine(t, data), want...)
			default:
				t.Fatalf("unknown vector directory %s", kind)
			}
		})
	}
}

// lines reads the non-empty lines of path.
func lines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// nested is depth levels of open, then inner, then depth levels of close.
func nested(open, inner, close string, depth int) []byte {
	var b bytes.Buffer
	b.Grow(depth*(len(open)+len(close)) + len(inner))
	for range depth {
		b.WriteString(open)
	}
	b.WriteString(inner)
	for range depth {
		b.WriteString(close)
	}
	return b.Bytes()
}

// manyPermissions is a permissions object of n leaves, in groups of 100.
func manyPermissions(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for g := 0; g*100 < n; g++ {
		if g > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `"G%d": {`, g)
		for i := g * 100; i < min(n, (g+1)*100); i++ {
			if i > g*100 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, `"p%d": true`, i)
		}
		b.WriteString("}")
	}
	return b.String() + "}"
}

// hugeBase64 is n bytes of standard base64 text.
func hugeBase64(n int) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xef, 0xbe}, n/4+1))[:n/4*4]
}

// documentAttack is a hostile document made by the test, too large or too
// regular for a vector file, and what must become of it.
type documentAttack struct {
	name string
	data func(r *docRig) []byte
	// check runs the document through rvm and checks the outcome.
	check func(t *testing.T, r *docRig, data []byte)
}

// refusedManifest: served as a manifest, it gets no decision.
func refusedManifest(want ...string) func(*testing.T, *docRig, []byte) {
	return func(t *testing.T, r *docRig, data []byte) {
		doc, err := r.manifest(t, data, "")
		wantRefused(t, doc, err, want...)
	}
}

// untrustedBlock: carried by a manifest as its trustedAppConfigs, it is
// not trusted, for code.
func untrustedBlock(code trust.Code, want ...string) func(*testing.T, *docRig, []byte) {
	return func(t *testing.T, r *docRig, data []byte) {
		wantUntrusted(t, r.block(t, data), code, want...)
	}
}

// failClosedOwner: as the desktop owner settings, it denies everything.
func failClosedOwner(want ...string) func(*testing.T, *docRig, []byte) {
	return func(t *testing.T, r *docRig, data []byte) {
		wantFailClosed(t, r.owner(t, data), want...)
	}
}

// badMachineSettings: as the machine settings file, it is reported.
func badMachineSettings(want ...string) func(*testing.T, *docRig, []byte) {
	return func(t *testing.T, r *docRig, data []byte) {
		wantSettingsError(t, r.machine(t, data), want...)
	}
}

// text turns a string into a document.
func text(s string) func(*docRig) []byte {
	return func(*docRig) []byte { return []byte(s) }
}

// deep is a document of prefix, depth levels of open, inner, depth levels
// of close, and suffix.
func deep(prefix, open, inner, close, suffix string, depth int) func(*docRig) []byte {
	return func(*docRig) []byte {
		return slices.Concat([]byte(prefix), nested(open, inner, close, depth), []byte(suffix))
	}
}

// signed is a block whose config is the JSON that cfg makes of the
// signing certificate (base64 DER, quoted) and of an app entry that
// matches every manifest of the rig and grants perms, validly signed:
// only the config's content can make it fail.
func signed(perms string, cfg func(cert, app string) string) func(*docRig) []byte {
	return func(r *docRig) []byte {
		cert := fmt.Sprintf("%q", base64.StdEncoding.EncodeToString(r.v.signer.Cert.Raw))
		app := fmt.Sprintf(`{"name": "Acme", "match": ["https://*.acme.test:%s/*"], "permissions": %s}`, r.srv, perms)
		return r.v.sign(cfg(cert, app))
	}
}

// plainConfig is the well-formed config of signed.
func plainConfig(cert, app string) string {
	return `{"version": 1, "certificate": ` + cert + `, "apps": [` + app + `]}`
}

// grant is the permissions object that the signed blocks of these tests
// grant.
const grant = `{"System": {"launchExternalProcess": true}}`

var documentAttacks = []documentAttack{
	// 100,000 levels, wherever a document may nest.
	{"manifest-100000-levels-in-an-unknown-key", deep(`{"x": `, `{"a": `, `1`, `}`, `}`, 100000), refusedManifest(`(at /x/a/a/`, "exceeded max depth")},
	{"manifest-100000-levels-in-startup-app", deep(`{"startup_app": `, `{"a": `, `1`, `}`, `}`, 100000), refusedManifest(`(at /startup_app/a/a/`, "exceeded max depth")},
	{"manifest-100000-levels-in-permissions", deep(`{"startup_app": {"permissions": `, `{"S":`, `true`, `}`, `}}`, 100000), refusedManifest(`(at /startup_app/permissions/S/S/`, "exceeded max depth")},
	{"manifest-10-levels-in-permissions", deep(`{"startup_app": {"permissions": `, `{"System": `, `true`, `}`, `}}`, 10), refusedManifest(`startup_app.permissions.System.System`, "nested deeper than 8 levels")},
	{"manifest-100000-levels-in-constraints", deep(`{"startup_app": {"permissions": {"System": {"readRegistryValue": {"enabled": true, "registryKeys": `, `[`, ``, `]`, `}}}}}`, 100000), refusedManifest(`(at /startup_app/permissions/System/readRegistryValue/registryKeys/0/0/`, "exceeded max depth")},
	{"manifest-100000-levels-in-trusted-app-configs", deep(`{"trustedAppConfigs": {"value": `, `[`, ``, `]`, `}}`, 100000), refusedManifest(`(at /trustedAppConfigs/value/0/0/`, "exceeded max depth")},
	{"config-100000-levels", signed(grant, func(cert, app string) string {
		return `{"version": 1, "certificate": ` + cert + `, "apps": [` + app + `], "x": ` + string(nested("[", "", "]", 100000)) + `}`
	}), untrustedBlock(trust.Malformed, "larger than 128 KiB")},
	{"config-30000-levels", signed(grant, func(cert, app string) string {
		return `{"version": 1, "certificate": ` + cert + `, "apps": [` + app + `], "x": ` + string(nested("[", "", "]", 30000)) + `}`
	}), untrustedBlock(trust.Malformed, "nested deeper than 32 levels")},
	{"config-100000-levels-in-permissions", signed(string(nested(`{"S":`, `true`, `}`, 100000)), plainConfig), untrustedBlock(trust.Malformed, "larger than 128 KiB")},
	{"owner-100000-levels-in-desktop-settings", deep(`{"desktopSettings": {"x": `, `{"a": `, `1`, `}`, `}}`, 100000), failClosedOwner("desktopSettings", "exceeded max depth", "every permission denied")},
	{"owner-100000-levels-in-policy-permissions", deep(`{"applicationSettings": {"default": {"permissions": `, `{"S":`, `false`, `}`, `}}}`, 100000), failClosedOwner("applicationSettings", "exceeded max depth")},
	{"machine-100000-levels", deep(`{"RuntimeDirectory": `, `[`, ``, `]`, `}`, 100000), badMachineSettings("larger than 65536 bytes")},
	{"machine-30000-levels", deep(`{"RuntimeDirectory": `, `[`, ``, `]`, `}`, 30000), badMachineSettings("RuntimeDirectory", "exceeded max depth")},

	// 10,000 permissions, and the bound of 1,024.
	{"manifest-10000-permissions", text(`{"startup_app": {"permissions": ` + manyPermissions(10000) + `}}`), refusedManifest("startup_app.permissions: more than 1024 permissions")},
	{"manifest-1025-permissions", text(`{"platform": {"permissions": ` + manyPermissions(1025) + `}}`), refusedManifest("platform.permissions: more than 1024 permissions")},
	{"manifest-1024-permissions-twice", text(`{"startup_app": {"permissions": ` + manyPermissions(1024) + `}, "platform": {"permissions": {"X": ` + manyPermissions(1024) + `}}}`),
		func(t *testing.T, r *docRig, data []byte) {
			doc, err := r.manifest(t, data, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Permissions) != 2048 {
				t.Errorf("got %d decisions, want 2048", len(doc.Permissions))
			}
			for name, d := range doc.Permissions {
				if d.Verdict != permissions.Denied || d.Source != permissions.SourceUnknown {
					t.Fatalf("%s: got %+v, want denied (%s)", name, d, permissions.SourceUnknown)
				}
			}
		}},
	{"config-10000-permissions", signed(manyPermissions(10000), plainConfig), untrustedBlock(trust.Malformed, "larger than")},
	{"config-1025-permissions", signed(manyPermissions(1025), plainConfig), untrustedBlock(trust.Malformed, "more than 1024 permissions")},
	{"owner-10000-permissions", text(`{"applicationSettings": {"default": {"permissions": ` + manyPermissions(10000) + `}}}`), failClosedOwner("more than 1024 permissions")},

	// A validly signed config that is malformed at every level.
	{"config-control-well-formed", signed(grant, plainConfig), func(t *testing.T, r *docRig, data []byte) {
		doc := r.block(t, data)
		if doc.Trust.Status != launcher.StatusTrusted || !doc.Permissions["System.launchExternalProcess"].Granted() {
			t.Fatalf("the well-formed control: got trust %s (%s), %+v; want trusted and granted", doc.Trust.Status, doc.Trust.Reason, doc.Permissions)
		}
	}},
	{"config-duplicate-version", signed(grant, func(cert, app string) string {
		return `{"version": 1, "version": 2, "certificate": ` + cert + `, "apps": [` + app + `]}`
	}), untrustedBlock(trust.Malformed, `duplicate key "version"`)},
	{"config-duplicate-apps", signed(grant, func(cert, app string) string {
		return `{"version": 1, "certificate": ` + cert + `, "apps": [], "apps": [` + app + `]}`
	}), untrustedBlock(trust.Malformed, `duplicate key "apps"`)},
	{"config-duplicate-certificate-escaped", signed(grant, func(cert, app string) string {
		return `{"version": 1, "certificate": ` + cert + `, "c\u0065rtificate": ` + cert + `, "apps": [` + app + `]}`
	}), untrustedBlock(trust.Malformed, `duplicate key "certificate"`)},
	{"config-duplicate-app-name", signed(grant, func(cert, app string) string {
		return plainConfig(cert, strings.Replace(app, `"name": "Acme"`, `"name": "Acme", "name": "Evil"`, 1))
	}), untrustedBlock(trust.Malformed, `duplicate key "name"`)},
	{"config-duplicate-permission", signed(`{"System": {"launchExternalProcess": false, "launchExternalProcess": true}}`, plainConfig), untrustedBlock(trust.Malformed, `duplicate key "launchExternalProcess"`)},
	{"config-duplicate-constraint", signed(`{"System": {"launchExternalProcess": {"enabled": true, "assets": [{"alias": "a", "alias": "b"}]}}}`, plainConfig), untrustedBlock(trust.Malformed, `duplicate key "alias"`)},
	{"config-string-version", signed(grant, func(cert, app string) string {
		return `{"version": "1", "certificate": ` + cert + `, "apps": [` + app + `]}`
	}), untrustedBlock(trust.Malformed, "version is a string")},
	{"config-number-certificate", signed(grant, func(_, app string) string { return plainConfig("5", app) }), untrustedBlock(trust.Malformed, "certificate is a number")},
	{"config-number-name", signed(grant, func(cert, app string) string {
		return plainConfig(cert, strings.Replace(app, `"Acme"`, `5`, 1))
	}), untrustedBlock(trust.Malformed, "name")},
	{"config-number-pattern", signed(grant, func(cert, app string) string {
		return plainConfig(cert, `{"name": "Acme", "match": [443], "permissions": {}}`)
	}), untrustedBlock(trust.Malformed, "match")},
	{"config-number-intermediate", signed(grant, func(cert, app string) string {
		return `{"version": 1, "certificate": ` + cert + `, "intermediates": [5], "apps": [` + app + `]}`
	}), untrustedBlock(trust.Malformed, "intermediates")},
	{"config-byte-order-mark", signed(grant, func(cert, app string) string { return "\ufeff" + plainConfig(cert, app) }), untrustedBlock(trust.Malformed, "not valid JSON")},
	{"config-invalid-utf8", signed(grant, func(cert, app string) string {
		return plainConfig(cert, strings.Replace(app, `"Acme"`, "\"Ac\xffme\"", 1))
	}), untrustedBlock(trust.Malformed, "not valid UTF-8")},
	{"config-trailing-garbage", signed(grant, func(cert, app string) string { return plainConfig(cert, app) + `{"version": 1}` }), untrustedBlock(trust.Malformed, "data after the JSON object")},

	// Objects as wide as the bounds allow: each key costs the duplicate
	// check a map lookup, not a scan of the keys before it.
	{"block-14000-keys", func(*docRig) []byte { return wideObject("signature", trust.MaxBlockSize) }, untrustedBlock(trust.Malformed, "has no value")},
	{"config-7000-keys", signed(grant, func(cert, app string) string {
		cfg := plainConfig(cert, app)
		wide := wideObject("x", trust.MaxConfigSize-len(cfg)-8)
		return cfg[:len(cfg)-1] + ", " + string(wide[1:len(wide)-1]) + "}"
	}), untrustedBlock(trust.Malformed, `unknown key "x"`)},

	// Megabytes of base64.
	{"manifest-3-mib-of-base64", func(*docRig) []byte {
		return appManifest(requested, []byte(`{"value": "`+hugeBase64(3<<20)+`", "signature": {"linux": "AA=="}}`))
	}, refusedManifest("more than the 1048576 bytes allowed")},
	{"block-900-kib-of-base64", func(*docRig) []byte {
		return []byte(`{"value": "` + hugeBase64(900<<10) + `", "signature": {"linux": "AA=="}}`)
	}, untrustedBlock(trust.Malformed, "larger than 128 KiB")},
	{"block-100-kib-of-base64", func(*docRig) []byte {
		return []byte(`{"value": "` + hugeBase64(100<<10) + `", "signature": {"linux": "AA=="}}`)
	}, untrustedBlock(trust.Malformed, "the config is larger than 64 KiB")},
	{"block-100-kib-signature", func(r *docRig) []byte {
		good := signed(grant, plainConfig)(r)
		return bytes.Replace(good, []byte(`"linux": "`), []byte(`"linux": "`+hugeBase64(100<<10)), 1)
	}, func(t *testing.T, r *docRig, data []byte) {
		doc := r.block(t, data)
		if doc.Trust.Status != launcher.StatusUntrusted {
			t.Errorf("trust: got %s, want untrusted", doc.Trust.Status)
		}
		wantNoGrant(t, doc)
	}},
	{"owner-3-mib", text(`{"desktopSettings": {"revokedCertificates": ["` + hugeBase64(3<<20) + `"]}}`), failClosedOwner("larger than 1048576 bytes")},
	{"machine-3-mib", text(`{"RuntimeDirectory": "` + hugeBase64(3<<20) + `"}`), badMachineSettings("larger than 65536 bytes")},
}

// TestDocumentAttacks runs each generated attack, checking the outcome and
// that one verify allocates within docBound.
func TestDocumentAttacks(t *testing.T) {
	r := newDocRig(t)
	for _, a := range documentAttacks {
		t.Run(a.name, func(t *testing.T) {
			data := a.data(r)
			n := allocated(func() { a.check(t, r, data) })
			t.Logf("%d KiB document, %d KiB allocated", len(data)>>10, n>>10)
			if n > docBound {
				t.Errorf("allocated %d MiB, want at most %d MiB", n>>20, docBound>>20)
			}
		})
	}
}

// wideObject is a JSON object of distinct keys, as many as fit in size
// bytes, under the key name of an object that holds it.
func wideObject(name string, size int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{%q: {`, name)
	for i := 0; b.Len() < size-16; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"%x":0`, i)
	}
	b.WriteString("}}")
	return b.Bytes()
}

// BenchmarkWideBlock is one parse of a trustedAppConfigs block of 128 KiB
// whose signature object holds some 14,000 distinct keys, the widest that
// the bound allows: what a hostile manifest makes every verify pay.
func BenchmarkWideBlock(b *testing.B) {
	block := wideObject("signature", trust.MaxBlockSize)
	for b.Loop() {
		if _, err := trust.ParseBlock(block); err == nil {
			b.Fatal("a block of 14,000 platforms parsed")
		}
	}
}
