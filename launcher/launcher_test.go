package launcher_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
)

func TestVerifyTrust(t *testing.T) {
	w := launchertest.NewWorld(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true, "readRegistryValue": true, "getProcessList": true}}}]`, w.Pattern("/blotter/"))
	signed := w.Block(apps, "win", "mac", "linux")

	t.Run("trusted-grants-what-both-list", func(t *testing.T) {
		doc := w.Verify(w.Publish("/blotter/app.json", launchertest.Requested, signed))
		if doc.Trust.Status != launcher.StatusTrusted || doc.Trust.Code != "ok" || doc.Trust.Signer != "Acme Corp" {
			t.Fatalf("trust: got %+v, want trusted by Acme Corp", doc.Trust)
		}
		if len(doc.Trust.Apps) != 1 || doc.Trust.Apps[0] != "Acme Blotter" || doc.Trust.Expires == "" {
			t.Errorf("trust apps/expires: got %v %q", doc.Trust.Apps, doc.Trust.Expires)
		}
		launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Granted, permissions.SourceTrusted)
		launchertest.CheckPermission(t, doc, "System.readRegistryValue", permissions.Granted, permissions.SourceTrusted)
		launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Prompt, permissions.SourceDefault)
		launchertest.CheckPermission(t, doc, "Custom.teleport", permissions.Denied, permissions.SourceUnknown)
		if _, ok := doc.Permissions["System.getProcessList"]; ok {
			t.Errorf("System.getProcessList is not requested (false) but was decided")
		}
		// The block signs a bare true: the grant carries no constraints,
		// whatever the manifest asks (SPEC 5.5 rule 3).
		if c := doc.Permissions["System.readRegistryValue"].Constraints; c != nil {
			t.Errorf("got constraints %s, want the block's: none", c)
		}
		if !doc.Launch.Allowed || doc.Fetch.Mode != "strict" {
			t.Errorf("launch %+v fetch %+v, want allowed and strict", doc.Launch, doc.Fetch)
		}
	})
	t.Run("url-not-matched", func(t *testing.T) {
		doc := w.Verify(w.Publish("/other/app.json", launchertest.Requested, signed))
		if doc.Trust.Status != launcher.StatusUntrusted || doc.Trust.Code != string("url-not-matched") {
			t.Fatalf("got %+v, want untrusted url-not-matched", doc.Trust)
		}
		launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Prompt, permissions.SourceDefault)
	})
	t.Run("no-platform-signature", func(t *testing.T) {
		doc := w.Verify(w.Publish("/blotter/win-only.json", launchertest.Requested, w.Block(apps, "win")))
		if doc.Trust.Code != "no-platform-signature" || !strings.Contains(doc.Trust.Reason, "linux") {
			t.Fatalf("got %+v, want no-platform-signature naming linux", doc.Trust)
		}
	})
	t.Run("platform-flag", func(t *testing.T) {
		opts := w.Opts
		opts.Platform = "win"
		doc, err := w.L.Verify(context.Background(), w.Publish("/blotter/win-only.json", launchertest.Requested, w.Block(apps, "win")), opts)
		if err != nil || doc.Trust.Status != launcher.StatusTrusted || doc.Trust.Platform != "win" {
			t.Fatalf("got %+v, %v; want trusted for win", doc.Trust, err)
		}
	})
	t.Run("absent", func(t *testing.T) {
		doc := w.Verify(w.Publish("/blotter/plain.json", launchertest.Requested, nil))
		if doc.Trust.Status != launcher.StatusAbsent || doc.Trust.Code != "absent" {
			t.Fatalf("got %+v, want absent", doc.Trust)
		}
	})
	t.Run("unknown-authority-without-roots", func(t *testing.T) {
		opts := w.Opts
		opts.TrustRoots = ""
		doc, err := w.L.Verify(context.Background(), w.Publish("/blotter/app.json", launchertest.Requested, signed), opts)
		if err != nil || doc.Trust.Code != "unknown-authority" {
			t.Fatalf("got %+v, %v; want unknown-authority", doc.Trust, err)
		}
	})
	t.Run("insecure-fetch", func(t *testing.T) {
		// The server's certificate is not for this name: the strict fetch
		// fails, the relaxed retry (allowed by default) succeeds, and the
		// block is discarded.
		opts := w.Opts
		opts.Resolve = []string{w.Server.Resolve("other.acme.test")}
		url := strings.Replace(w.Publish("/blotter/app.json", launchertest.Requested, signed), launchertest.AppHost, "other.acme.test", 1)
		doc, err := w.L.Verify(context.Background(), url, opts)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Fetch.Mode != "relaxed" || doc.Trust.Code != "insecure-fetch" {
			t.Fatalf("got fetch %+v trust %+v, want relaxed and insecure-fetch", doc.Fetch, doc.Trust)
		}
		launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Prompt, permissions.SourceDefault)
	})
}

func TestVerifyOwnerSettings(t *testing.T) {
	w := launchertest.NewWorld(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true, "readRegistryValue": true}}}]`, w.Pattern("/blotter/"))
	url := w.Publish("/blotter/app.json", launchertest.Requested, w.Block(apps, "linux"))

	t.Run("named-policy-false-wins", func(t *testing.T) {
		w.Owner(`{"applicationSettings": {
			"tools": {"urls": ["https://*.acme.test:` + w.Server.Port + `/blotter/*", "*://apps.acme.test:` + w.Server.Port + `/*"], "permissions": {"System": {"launchExternalProcess": false}}},
			"lenient": {"urls": ["https://apps.acme.test:` + w.Server.Port + `/*"], "permissions": {"System": {"launchExternalProcess": true}, "Window": {"getSnapshot": true}}},
			"default": {"permissions": {"System": {"readRegistryValue": false}}}}}`)
		doc := w.Verify(url)
		launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Denied, permissions.SourceOwnerSettings)
		launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceOwnerSettings)
		// The named policies that match do not set it, so default does
		// (SPEC 4), and its denial beats the block.
		launchertest.CheckPermission(t, doc, "System.readRegistryValue", permissions.Denied, permissions.SourceOwnerSettings)
	})
	t.Run("default-policy", func(t *testing.T) {
		w.Owner(`{"applicationSettings": {"default": {"permissions": {"System": {"readRegistryValue": false}}}}}`)
		doc := w.Verify(url)
		launchertest.CheckPermission(t, doc, "System.readRegistryValue", permissions.Denied, permissions.SourceOwnerSettings)
		launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Granted, permissions.SourceTrusted)
	})
	t.Run("secured-api-default", func(t *testing.T) {
		w.Owner(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
		doc := w.Verify(url)
		launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Denied, permissions.SourceOwnerDefault)
		launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Granted, permissions.SourceTrusted)
	})
	t.Run("trust-disabled", func(t *testing.T) {
		w.Owner(`{"desktopSettings": {"trustedAppConfigs": "disabled"}}`)
		doc := w.Verify(url)
		if doc.Trust.Code != "disabled-by-owner" {
			t.Fatalf("got %+v, want disabled-by-owner", doc.Trust)
		}
		launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Prompt, permissions.SourceDefault)
	})
	t.Run("revoked-signer", func(t *testing.T) {
		w.Owner(fmt.Sprintf(`{"desktopSettings": {"revokedCertificates": [%q]}}`, sha256Hex(w.Signer.Cert.Raw)))
		doc := w.Verify(url)
		if doc.Trust.Code != "revoked" {
			t.Fatalf("got %+v, want revoked", doc.Trust)
		}
	})
	t.Run("allowed-manifest-urls", func(t *testing.T) {
		w.Owner(`{"desktopSettings": {"allowedManifestUrls": ["https://intranet.acme.test/*"]}}`)
		doc := w.Verify(url)
		if doc.Launch.Allowed || !strings.Contains(doc.Launch.Reason, "allowedManifestUrls") {
			t.Fatalf("launch: got %+v, want refused naming allowedManifestUrls", doc.Launch)
		}
	})
	t.Run("invalid-keeps-last-good", func(t *testing.T) {
		path := w.Owner(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
		w.Verify(url)
		os.WriteFile(path, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow"`), 0o644)
		doc := w.Verify(url)
		launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Denied, permissions.SourceOwnerDefault)
		if !strings.Contains(strings.Join(doc.Fetch.Warnings, " "), "unusable") {
			t.Errorf("warnings %v do not say the owner settings were unusable", doc.Fetch.Warnings)
		}
	})
	t.Run("unavailable-fails-closed", func(t *testing.T) {
		w.Settings(`{"DesktopOwnerSettings": "/nonexistent/rvm-owner.json"}`)
		doc := w.Verify(url)
		for name, p := range doc.Permissions {
			if p.Verdict != permissions.Denied || p.Source != permissions.SourceOwnerUnavailable {
				t.Errorf("%s: got %s (%s), want denied (desktop-owner-settings-unavailable)", name, p.Verdict, p.Source)
			}
		}
	})
	t.Run("notices-in-the-decision-and-settings", func(t *testing.T) {
		path := w.Owner(`{"desktopSettings": {"systemApps": {}, "securedAPIDefaultPermission": "deny"}}`)
		want := "owner: desktop owner settings " + path + ": line 1, column 36: desktopSettings.systemApps: ignored: rvm does not act on this key"
		doc := w.Verify(url)
		launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Denied, permissions.SourceOwnerDefault)
		if !slices.Equal(doc.Notices, []string{want}) {
			t.Errorf("decision notices: got %q, want %q", doc.Notices, want)
		}
		req, err := launcher.ParseOptions(launcher.Options{MachineSettings: w.Opts.MachineSettings}, "")
		if err != nil {
			t.Fatal(err)
		}
		r := w.L.Settings(context.Background(), req)
		if !slices.Equal(r.DesktopOwnerSettings.Notices, []string{want}) || len(r.Errors) > 0 {
			t.Errorf("settings: got notices %q, errors %q, want the notice and no error", r.DesktopOwnerSettings.Notices, r.Errors)
		}
	})
	t.Run("http-location-unreachable-fails-closed", func(t *testing.T) {
		w.Settings(`{"DesktopOwnerSettings": "http://owner.acme.test/dos.json"}`)
		doc := w.Verify(url)
		launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Denied, permissions.SourceOwnerUnavailable)
	})
	t.Run("remote-owner-settings", func(t *testing.T) {
		dos := w.Serve("/dos.json", []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`))
		w.Settings(fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, dos))
		doc := w.Verify(url)
		launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceOwnerDefault)
	})
}

func TestVerifyUserChoice(t *testing.T) {
	w := launchertest.NewWorld(t)
	url := w.Publish("/blotter/app.json", launchertest.Requested, nil)
	if err := permissions.OpenStore(w.Env.DataDir, platform.UserID()).Set(url, "Window.getSnapshot", nil, true, ""); err != nil {
		t.Fatal(err)
	}
	doc := w.Verify(url)
	launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceUser)
	launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Prompt, permissions.SourceDefault)
}

func TestVerifyErrors(t *testing.T) {
	w := launchertest.NewWorld(t)
	for _, tt := range []struct{ name, url, want string }{
		{"ftp", "ftp://apps.acme.test/app.json", `scheme "ftp" is not supported`},
		{"not-found", w.Server.URL(launchertest.AppHost, "/nothing.json"), "404"},
		{"flag-like", "-x", "has no scheme"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.L.Verify(context.Background(), tt.url, w.Opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	t.Run("bad-platform", func(t *testing.T) {
		opts := w.Opts
		opts.Platform = "beos"
		if _, err := w.L.Verify(context.Background(), w.Publish("/a.json", `{}`, nil), opts); err == nil || !strings.Contains(err.Error(), "beos") {
			t.Fatalf("got %v, want an error naming the platform", err)
		}
	})
}

func TestConcurrentVerifiesShareOneFetch(t *testing.T) {
	w := launchertest.NewWorld(t)
	url := w.Publish("/blotter/slow.json", launchertest.Requested, nil)
	w.SetDelay(300 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.L.Verify(context.Background(), url, w.Opts)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := w.Fetches(); n != 1 {
		t.Fatalf("100 concurrent verifies caused %d fetches, want 1", n)
	}
}

func TestDocumentJSON(t *testing.T) {
	w := launchertest.NewWorld(t)
	doc := w.Verify(strings.Replace(w.Publish("/blotter/app.json", launchertest.Requested, nil), "https://", "fins://", 1) + "?$$ticker=ACME")
	var got map[string]any
	if err := json.Unmarshal(doc.JSON(), &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"requestedUrl", "manifestUrl", "userAppConfigArgs", "launch", "fetch", "trust", "permissions"} {
		if _, ok := got[key]; !ok {
			t.Errorf("decision document lacks %q", key)
		}
	}
	if args := got["userAppConfigArgs"].(map[string]any); args["ticker"] != "ACME" {
		t.Errorf("userAppConfigArgs: got %v, want ticker=ACME", args)
	}
	if strings.Contains(got["manifestUrl"].(string), "$$") {
		t.Errorf("manifestUrl %q kept the $$ argument", got["manifestUrl"])
	}
}

// A system service decides without the user's stored answers: they apply
// on the client's side, where no rule above them decided (SPEC 5.5: a
// stored denial before the owner's default, a stored grant after it), and
// only the denials where the manifest is unauthenticated.
func TestVerifyViaAppliesUserAnswers(t *testing.T) {
	const url = "https://apps.acme.test/app.json"
	decided := func() map[string]permissions.Decision {
		return map[string]permissions.Decision{
			"System.clearCache":        {Verdict: permissions.Prompt, Source: permissions.SourceDefault},
			"System.downloadAsset":     {Verdict: permissions.Denied, Source: permissions.SourceOwnerDefault},
			"System.getCookies":        {Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings},
			"System.getProcessList":    {Verdict: permissions.Granted, Source: permissions.SourceTrusted},
			"System.readRegistryValue": {Verdict: permissions.Granted, Source: permissions.SourceOwnerDefault},
			"Window.getSnapshot":       {Verdict: permissions.Prompt, Source: permissions.SourceDefault},
		}
	}
	for _, tt := range []struct {
		mode string
		want map[string]permissions.Decision
	}{
		{"strict", map[string]permissions.Decision{
			"System.clearCache":        {Verdict: permissions.Granted, Source: permissions.SourceUser},
			"System.downloadAsset":     {Verdict: permissions.Denied, Source: permissions.SourceOwnerDefault},
			"System.getCookies":        {Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings},
			"System.getProcessList":    {Verdict: permissions.Granted, Source: permissions.SourceTrusted},
			"System.readRegistryValue": {Verdict: permissions.Denied, Source: permissions.SourceUser},
			"Window.getSnapshot":       {Verdict: permissions.Prompt, Source: permissions.SourceDefault},
		}},
		{"relaxed", map[string]permissions.Decision{
			"System.clearCache":        {Verdict: permissions.Prompt, Source: permissions.SourceDefault},
			"System.downloadAsset":     {Verdict: permissions.Denied, Source: permissions.SourceOwnerDefault},
			"System.getCookies":        {Verdict: permissions.Denied, Source: permissions.SourceOwnerSettings},
			"System.getProcessList":    {Verdict: permissions.Granted, Source: permissions.SourceTrusted},
			"System.readRegistryValue": {Verdict: permissions.Denied, Source: permissions.SourceUser},
			"Window.getSnapshot":       {Verdict: permissions.Prompt, Source: permissions.SourceDefault},
		}},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			remote := &fakeRemote{doc: &launcher.Document{ManifestURL: url, Fetch: launcher.FetchReport{Mode: tt.mode}, Permissions: decided()}}
			dir := t.TempDir()
			l := launcher.New(launcher.Env{DataDir: dir})
			l.Remote = remote
			store := permissions.OpenStore(dir, platform.UserID())
			for name, granted := range map[string]bool{"System.clearCache": true, "System.downloadAsset": true, "System.getCookies": true, "System.getProcessList": false, "System.readRegistryValue": false} {
				if err := store.Set(url, name, nil, granted, ""); err != nil {
					t.Fatal(err)
				}
			}
			doc, err := l.VerifyVia(context.Background(), request(t, url, launcher.Options{}))
			if err != nil {
				t.Fatal(err)
			}
			if remote.calls != 1 || doc.DecidedBy.By != launcher.ByService {
				t.Fatalf("the service was asked %d times and decidedBy %+v, want once, by the service", remote.calls, doc.DecidedBy)
			}
			for name, want := range tt.want {
				launchertest.CheckPermission(t, doc, name, want.Verdict, want.Source)
			}
		})
	}
}

// A client's RVM_MACHINE_SETTINGS is a per-call input (SPEC 7): it goes to
// the service with the request, as an absolute path, unless the request
// names a settings file of its own.
func TestVerifyViaCarriesMachineSettings(t *testing.T) {
	const url = "https://apps.acme.test/app.json"
	t.Chdir(t.TempDir())
	abs, err := filepath.Abs("env.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, option, want string
	}{
		{name: "from-the-environment", want: abs},
		{name: "the-request-wins", option: "/etc/rvm/call.json", want: "/etc/rvm/call.json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			remote := &fakeRemote{doc: &launcher.Document{ManifestURL: url}}
			l := launcher.New(launcher.Env{DataDir: t.TempDir(), MachineSettings: "env.json"})
			l.Remote = remote
			if _, err := l.VerifyVia(context.Background(), request(t, url, launcher.Options{MachineSettings: tt.option})); err != nil {
				t.Fatal(err)
			}
			if remote.opts.MachineSettings != tt.want {
				t.Errorf("the service got machine settings %q, want %q", remote.opts.MachineSettings, tt.want)
			}
		})
	}
}

// fakeRemote is a service that answers every request with doc.
type fakeRemote struct {
	doc   *launcher.Document
	calls int
	opts  launcher.Options
}

func (f *fakeRemote) Decide(_ context.Context, call launcher.RemoteCall) (*launcher.Document, error) {
	f.calls++
	f.opts = call.Options
	return f.doc, nil
}

// request is launcher.NewRequest for linux, which must succeed.
func request(t *testing.T, url string, o launcher.Options) *launcher.Request {
	t.Helper()
	r, err := launcher.NewRequest(url, o, "linux")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// An unchanged owner settings file is not copied into the cache again at
// every request (nor is anything else the cache holds): the cached files
// stay the same files. A changed one is cached: it is the last good copy
// once the file breaks.
func TestOwnerCopyNotRewritten(t *testing.T) {
	w := launchertest.NewWorld(t)
	loc := w.Owner(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
	url := w.Publish("/blotter/app.json", launchertest.Requested, nil)
	cache := filepath.Join(w.Env.DataDir, "cache")
	w.Verify(url)
	before := cacheFiles(t, cache)
	if len(before) == 0 {
		t.Fatalf("nothing cached in %s", cache)
	}
	w.Verify(url)
	after := cacheFiles(t, cache)
	if len(after) != len(before) {
		t.Errorf("cache files: got %d after the second verify, want the %d of the first", len(after), len(before))
	}
	for name, info := range before {
		if again, ok := after[name]; !ok || !os.SameFile(info, again) {
			t.Errorf("the cached %s was written again", name)
		}
	}
	// A change is cached.
	os.WriteFile(loc, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`), 0o644)
	launchertest.CheckPermission(t, w.Verify(url), "Window.getSnapshot", permissions.Granted, permissions.SourceOwnerDefault)
	os.WriteFile(loc, []byte(`{"desktopSettings": `), 0o644)
	doc, err := launcher.New(w.Env).Verify(context.Background(), url, w.Opts)
	if err != nil {
		t.Fatal(err)
	}
	launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceOwnerDefault)
}

// cacheFiles lists the files under dir.
func cacheFiles(t *testing.T, dir string) map[string]os.FileInfo {
	t.Helper()
	files := map[string]os.FileInfo{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		files[path] = info
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestLinksRefused: `rvm service install` registers the fins:// and fin://
// schemes only where the owner's settings can be read and leave links on.
func TestLinksRefused(t *testing.T) {
	for _, tt := range []struct {
		name, owner string
		refused     bool
		reason      string
	}{
		{"no-owner-settings", "", false, ""},
		{"links-on", `{"desktopSettings": {"linkHandler": {"enabled": true}}}`, false, ""},
		{"links-off", `{"desktopSettings": {"linkHandler": {"enabled": false}}}`, true, "turn links off"},
		{"unreadable", `{"desktopSettings": `, true, "cannot be read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := launchertest.NewWorld(t)
			if tt.owner != "" {
				w.Owner(tt.owner)
			}
			env := w.Env
			env.MachineSettings = w.Opts.MachineSettings
			refused, reason := launcher.New(env).LinksRefused(context.Background())
			if refused != tt.refused || !strings.Contains(reason, tt.reason) {
				t.Errorf("got %v %q, want %v and a reason holding %q", refused, reason, tt.refused, tt.reason)
			}
		})
	}
}
