package hostile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/launcher/service"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// stormRequested is what the storm's manifest requests: two permissions
// that its block grants, one in the object form with constraints, one that
// nothing grants, one that rvm does not know, and one that is off.
const stormRequested = `{
	"System": {
		"launchExternalProcess": true,
		"readRegistryValue": {"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"]},
		"formatDisk": true,
		"clearCache": false
	},
	"Window": {"getSnapshot": true},
	"webAPIs": {"clipboard-read": true}
}`

// stormNames are the names the storm's manifest requests: every decision
// holds exactly these.
var stormNames = []string{"System.formatDisk", "System.launchExternalProcess", "System.readRegistryValue", "Window.getSnapshot", "webAPIs.clipboard-read"}

// stormGrants is what the storm's block grants: two that the manifest
// requests and one that it does not.
const stormGrants = `{"System": {"launchExternalProcess": true, "getProcessList": true}, "Window": {"getSnapshot": true}}`

// outcome is what a user sees of a decision: whether it may launch, the
// trust verdict and each permission's decision and source.
func outcome(doc *launcher.Document) string {
	perms := map[string]string{}
	for n, d := range doc.Permissions {
		perms[n] = d.Verdict.String() + " (" + string(d.Source) + ")"
	}
	b, _ := json.Marshal(map[string]any{"launch": doc.Launch.Allowed, "trust": doc.Trust.Status + " (" + doc.Trust.Code + ")", "permissions": perms})
	return string(b)
}

// launched is the outcome a launch of doc has when nobody can be asked:
// "refused" where it may not launch, and its prompts denied, resolved
// with source user (SPEC 5.6).
func launched(doc *launcher.Document) string {
	if !doc.Launch.Allowed {
		return "refused"
	}
	headless := *doc
	headless.Permissions = map[string]permissions.Decision{}
	for n, d := range doc.Permissions {
		if d.Verdict == permissions.Prompt {
			d.Verdict, d.Source = permissions.Denied, permissions.SourceUser
		}
		headless.Permissions[n] = d
	}
	return outcome(&headless)
}

// checkStormDecision checks what must hold of every decision in the storm,
// whatever settings it saw: it decides exactly the requested names, grants
// only those, never fails closed (a good copy always exists) and carries
// the constraints of the request.
func checkStormDecision(doc *launcher.Document) error {
	var names []string
	for n, d := range doc.Permissions {
		names = append(names, n)
		if d.Source == permissions.SourceOwnerUnavailable {
			return fmt.Errorf("%s failed closed though a good copy existed: %+v", n, d)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, stormNames) {
		return fmt.Errorf("decided %q, want exactly the requested %q", names, stormNames)
	}
	if c := doc.Permissions["System.readRegistryValue"].Constraints; !strings.Contains(string(c), "registryKeys") {
		return fmt.Errorf("System.readRegistryValue lost its constraints: %s", c)
	}
	return nil
}

// TestOwnerSettingsReplacedUnderLoad replaces the desktop owner settings
// file by rename 100 times a second, with valid variants and invalid files
// in turn, while verifies run in-process and through the service and
// launches start runtimes. Nothing crashes, and every decision is the one
// of a valid variant (an invalid file leaves the last good copy in force),
// deciding exactly the requested permissions.
func TestOwnerSettingsReplacedUnderLoad(t *testing.T) {
	t.Parallel()
	v := newVendor(t)
	var block json.RawMessage
	srv := v.server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write(appManifest(stormRequested, block))
	}), false)
	block = v.grantAll(srv.Port, stormGrants)
	url := appURL(srv.Port, "/app.json")

	dir := t.TempDir()
	ownerPath := filepath.Join(dir, "owner", "owner.json")
	runtimes := launchertest.InstallRuntime(t)
	machine, _ := json.Marshal(map[string]string{"DesktopOwnerSettings": ownerPath, "RuntimeDirectory": runtimes})
	o := v.options(string(machine), resolveTo(srv.Port))

	// No variant leaves the decision as it would be without owner
	// settings, so that a decision that ignored them would show.
	revoked := sha256.Sum256(v.signer.Cert.Raw)
	valid := []string{
		fmt.Sprintf(`{"desktopSettings": {"revokedCertificates": [%q]}}`, hex.EncodeToString(revoked[:])),
		`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}, "applicationSettings": {"default": {"permissions": {"System": {"launchExternalProcess": false}}}}}`,
		`{"desktopSettings": {"securedAPIDefaultPermission": "allow", "trustedAppConfigs": "disabled"}}`,
		`{"desktopSettings": {"allowedManifestUrls": ["https://*.other.test/*"]}}`,
		fmt.Sprintf(`{"applicationSettings": {"acme": {"urls": ["https://*.acme.test:%s/*"], "permissions": {"Window": {"getSnapshot": false}, "webAPIs": {"clipboard-read": true}}}}}`, srv.Port),
	}
	invalid := [][]byte{
		[]byte(`{"desktopSettings": `),
		[]byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow", "securedAPIDefaultPermission": "deny"}}`),
		[]byte(`{"desktopSettings": {"securedAPIDefaultPermission": 1}}`),
		[]byte(`{"whitelist": [{"licenseKey": "acme"}]}`),
		[]byte(``),
		[]byte("\xef\xbb\xbf{}"),
		[]byte("{\"desktopSettings\": {\"securedAPIDefaultPermission\": \"allow\xff\"}}"),
		nested(`{"a":`, `1`, `}`, 100000),
		[]byte(`{"desktopSettings": {"revokedCertificates": ["` + hugeBase64(1<<20) + `"]}}`),
	}
	// Each variant is written once; the storm links it into place.
	staged := filepath.Join(dir, "staged")
	var files []string
	for i, js := range valid {
		files = append(files, filepath.Join(staged, fmt.Sprintf("valid-%d.json", i)))
		writeFile(t, files[len(files)-1], []byte(js))
	}
	var bad []string
	for i, data := range invalid {
		bad = append(bad, filepath.Join(staged, fmt.Sprintf("invalid-%d.json", i)))
		writeFile(t, bad[len(bad)-1], data)
	}
	if err := os.MkdirAll(filepath.Dir(ownerPath), 0o700); err != nil {
		t.Fatal(err)
	}
	tmp := ownerPath + ".new"
	put := func(file string) error {
		os.Remove(tmp)
		if err := os.Link(file, tmp); err != nil {
			return err
		}
		return os.Rename(tmp, ownerPath)
	}

	// The outcome of each valid variant, decided in peace, checked by hand
	// for two of them.
	l := v.launcher()
	verdicts := map[string]bool{}
	launches := map[string]bool{}
	for i, file := range files {
		if err := put(file); err != nil {
			t.Fatal(err)
		}
		doc, err := verify(t, l, url, o)
		if err != nil {
			t.Fatalf("variant %d: %v", i, err)
		}
		if err := checkStormDecision(doc); err != nil {
			t.Fatalf("variant %d: %v", i, err)
		}
		verdicts[outcome(doc)] = true
		launches[launched(doc)] = true
		switch i {
		case 0:
			if doc.Trust.Code != string(trust.Revoked) || doc.Permissions["System.launchExternalProcess"].Granted() {
				t.Fatalf("variant 0 (signer revoked): got %s, want the block untrusted (revoked) and nothing granted", outcome(doc))
			}
		case 2:
			if doc.Trust.Code != string(trust.DisabledByOwner) || doc.Permissions["System.formatDisk"].Granted() {
				t.Fatalf("variant 2 (allow, trust disabled): got %s, want trust disabled and the unknown name denied", outcome(doc))
			}
		}
	}
	if len(verdicts) != len(valid) {
		t.Fatalf("got %d outcomes from %d variants, want one each", len(verdicts), len(valid))
	}
	if doc, err := verify(t, l, url, v.options(fmt.Sprintf(`{"RuntimeDirectory": %q}`, runtimes), resolveTo(srv.Port))); err != nil || verdicts[outcome(doc)] {
		t.Fatalf("without owner settings: got %v, %v; want an outcome unlike every variant's", err, doc)
	}
	// Every invalid file, alone, leaves the last good copy in force.
	last := ""
	for i, file := range bad {
		doc, err := verify(t, l, url, o)
		if err == nil {
			last = outcome(doc)
		}
		if err := put(file); err != nil {
			t.Fatal(err)
		}
		doc, err = verify(t, l, url, o)
		if err != nil {
			t.Fatalf("invalid variant %d: %v", i, err)
		}
		if got := outcome(doc); got != last || !strings.Contains(strings.Join(doc.Fetch.Warnings, " "), "using the copy from") {
			t.Fatalf("invalid variant %d: got %s with warnings %q, want the last good %s", i, got, doc.Fetch.Warnings, last)
		}
		put(files[i%len(files)])
	}

	// The service, for the verifies that go through the local API.
	svcDir := t.TempDir()
	svc := &service.Service{Env: launcher.Env{DataDir: svcDir, TLSRoots: v.ca.Pool}, PerUser: true}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		svc.Stop(ctx)
	}()
	viaService := launcher.New(launcher.Env{DataDir: svcDir})
	viaService.Remote = api.NewClient(svcDir, false, zerolog.Nop())

	stop := make(chan struct{})
	var decided, fallbacks atomic.Int64
	failures := make(chan string, 100)
	fail := func(format string, args ...any) {
		select {
		case failures <- fmt.Sprintf(format, args...):
		default:
		}
	}
	var wg sync.WaitGroup
	run := func(name string, decide func() (*launcher.Document, error), want map[string]bool, see func(*launcher.Document) string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				doc, err := decide()
				var refused *launcher.RefusedError
				switch {
				case errors.As(err, &refused):
					doc = &launcher.Document{}
				case err != nil:
					fail("%s: %v", name, err)
					continue
				default:
					if err := checkStormDecision(doc); err != nil {
						fail("%s: %v", name, err)
					}
					if strings.Contains(strings.Join(doc.Fetch.Warnings, " "), "using the copy from") {
						fallbacks.Add(1)
					}
				}
				if got := see(doc); !want[got] {
					fail("%s: got %s, want one of the valid variants' outcomes", name, got)
				}
				decided.Add(1)
			}
		}()
	}
	ctx := context.Background()
	req, err := launcher.NewRequest(url, o, "linux")
	if err != nil {
		t.Fatal(err)
	}
	// Each decider reads the good file once before the storm, so that a
	// good copy exists for each (the service keeps its own).
	for _, prime := range []func() (*launcher.Document, error){
		func() (*launcher.Document, error) { return l.Verify(ctx, url, o) },
		func() (*launcher.Document, error) { return viaService.VerifyVia(ctx, req) },
	} {
		doc, err := prime()
		if err == nil {
			err = checkStormDecision(doc)
		}
		if err != nil {
			t.Fatalf("before the storm: %v", err)
		}
	}
	for i := range 3 {
		run(fmt.Sprintf("verify %d", i), func() (*launcher.Document, error) { return l.Verify(ctx, url, o) }, verdicts, outcome)
	}
	run("verify through the service", func() (*launcher.Document, error) { return viaService.VerifyVia(ctx, req) }, verdicts, outcome)
	run("launch", func() (*launcher.Document, error) {
		doc, _, err := l.LaunchVia(ctx, req, nil)
		return doc, err
	}, launches, func(doc *launcher.Document) string {
		if doc.Permissions == nil {
			return "refused"
		}
		return launched(doc)
	})

	// The storm: 100 replacements a second, a valid variant and an invalid
	// file in turn, until enough decisions have seen it.
	replaced := 0
	ends(t, "the storm", func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for replaced < 300 || decided.Load() < 300 {
			<-tick.C
			file := files[replaced/2%len(files)]
			if replaced%2 == 1 {
				file = bad[replaced/2%len(bad)]
			}
			if err := put(file); err != nil {
				fail("replacing the owner settings: %v", err)
			}
			replaced++
		}
		close(stop)
		wg.Wait()
	})
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	t.Logf("%d replacements, %d decisions, %d of them on the last good copy", replaced, decided.Load(), fallbacks.Load())
}

// TestMachineSettingsWrongTypes gives every machine setting a value of
// every wrong type, beside a good value of another setting: each bad
// value is an error naming the setting and the file, it is not set, the
// good one still loads, and a decision is still made, granting nothing.
func TestMachineSettingsWrongTypes(t *testing.T) {
	r := newDocRig(t)
	forString := map[string]string{
		"number": `1`, "zero": `0`, "real": `1.5`, "boolean": `true`, "null": `null`,
		"array": `["/opt/rvm"]`, "object": `{"path": "/opt/rvm"}`, "empty": `""`,
	}
	forFlag := map[string]string{
		"string-one": `"1"`, "string-zero": `"0"`, "true": `true`, "false": `false`, "null": `null`,
		"two": `2`, "minus-one": `-1`, "one-point-zero": `1.0`, "exponent": `1e0`, "half": `0.5`,
		"huge": `99999999999999999999999`, "array": `[1]`, "object": `{"value": 1}`,
	}
	type setting struct {
		name  string
		wrong map[string]string
	}
	cases := []setting{
		{settings.DesktopOwnerSettings, forString},
		{settings.TrustRootsFile, forString},
		{settings.RevocationMode, forString},
		{settings.RuntimeDirectory, forString},
		{settings.RevocationMode, map[string]string{"not-a-mode": `"sometimes"`, "upper-case": `"OFF"`}},
		{settings.AllowInvalidNetworkCertificates, forFlag},
		{settings.AllowHTTPSToHTTPRedirects, forFlag},
		{settings.AllowHTTPToHTTPSRedirects, forFlag},
	}
	for _, s := range cases {
		for kind, value := range s.wrong {
			if s.name == settings.DesktopOwnerSettings && kind == "empty" {
				continue // "" means no desktop owner settings (SPEC 4)
			}
			t.Run(s.name+"/"+kind, func(t *testing.T) {
				good, goodValue := settings.RuntimeDirectory, "/opt/rvm-hostile"
				if s.name == good {
					good, goodValue = settings.RevocationMode, "online"
				}
				data := fmt.Sprintf(`{%q: %s, %q: %q}`, s.name, value, good, goodValue)
				rep := r.machine(t, []byte(data))
				// The file stands in for the per-user sources: an owner-only
				// name in it is ignored whatever it holds, and a bad value of
				// another fails closed, counting as its strictest.
				v := rep.Machine[s.name]
				if s.name == settings.TrustRootsFile {
					if !slices.ContainsFunc(rep.Notices, func(n string) bool { return strings.Contains(n, "TrustRootsFile in ") }) || v.Source != settings.SourceDefault {
						t.Errorf("%s: got %v from %s, notices %q, want it ignored with a notice", s.name, v.Value, v.Source, rep.Notices)
					}
				} else {
					wantSettingsError(t, rep, "setting "+s.name+" in ", "settings.json")
					if !v.FailedClosed || !strings.HasSuffix(v.Source, "settings.json") {
						t.Errorf("%s: got %v from %s, want it failed closed", s.name, v.Value, v.Source)
					}
				}
				if v := rep.Machine[good]; v.Value != goodValue {
					t.Errorf("%s: got %v, want %q: a bad value stopped a good one from loading", good, v.Value, goodValue)
				}
				doc, err := r.manifest(t, appManifest(requested, nil), data)
				if err != nil {
					t.Fatalf("no decision under these settings: %v", err)
				}
				wantNoGrant(t, doc)
			})
		}
	}
}

// TestInvalidSecuritySettingsFailClosed: a desktop owner who means to
// forbid something and gets the type wrong must not get the opposite.
// An invalid HTTPS security flag must not allow a relaxed retry, and an
// invalid DesktopOwnerSettings must not leave the desktop without owner
// settings: both should count as their strictest value (and fail closed).
func TestInvalidSecuritySettingsFailClosed(t *testing.T) {
	v := newVendor(t)
	srv := v.server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write(appManifest(requested, nil))
	}), false, "evil.test")
	url := appURL(srv.Port, "/app.json")
	l := v.launcher()

	t.Run("flag-of-the-wrong-type", func(t *testing.T) {
		o := v.options(`{"allowInvalidNetworkCertificates": "0"}`, resolveTo(srv.Port))
		doc, err := verify(t, l, url, o)
		if err == nil {
			t.Fatalf("got a decision fetched %s from a server with another host's certificate, want the fetch refused as with the value 0", doc.Fetch.Mode)
		}
	})
	t.Run("owner-settings-of-the-wrong-type", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "owner.json")
		writeFile(t, path, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`))
		good := v.server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Write(appManifest(requested, nil))
		}), false)
		o := v.options(fmt.Sprintf(`{"DesktopOwnerSettings": [%q]}`, path), resolveTo(good.Port))
		doc, err := verify(t, l, appURL(good.Port, "/app.json"), o)
		if err != nil {
			t.Fatal(err)
		}
		for name, d := range doc.Permissions {
			if d.Verdict != permissions.Denied {
				t.Errorf("%s: got %+v, want denied: the owner configured settings, if wrongly", name, d)
			}
		}
	})
}

// TestMachineSettingsInvalidUTF8: a settings file that is not UTF-8 is an
// error, as every other document rvm reads, rather than read with U+FFFD
// in place of the bad bytes.
func TestMachineSettingsInvalidUTF8(t *testing.T) {
	r := newDocRig(t)
	rep := r.machine(t, []byte("{\"RuntimeDirectory\": \"/opt/rvm-\xff\"}"))
	wantSettingsError(t, rep, "UTF-8")
	if v := rep.Machine[settings.RuntimeDirectory]; !v.FailedClosed || strings.Contains(fmt.Sprint(v.Value), "rvm-") {
		t.Errorf("RuntimeDirectory: got %q, want nothing from a file that is not UTF-8 (the default, failed closed)", v.Value)
	}
}

// TestMachineSettingsFileMissing: a settings file named by
// --machine-settings that is not there is an error naming it, not a quiet
// "no settings", and a decision made meanwhile grants nothing.
func TestMachineSettingsFileMissing(t *testing.T) {
	r := newDocRig(t)
	missing := filepath.Join(t.TempDir(), "no-such-settings.json")
	rep := settingsReport(t, r.l, launcher.Options{MachineSettings: missing})
	wantSettingsError(t, rep, missing, "does not exist")
	o := r.v.options("", resolveTo(r.srv))
	o.MachineSettings = missing
	doc, err := verify(t, r.l, r.publish(appManifest(requested, nil)), o)
	if err == nil {
		wantNoGrant(t, doc)
	}
}
