package launcher

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/permissions"
)

const requested = `{"System": {"launchExternalProcess": true, "readRegistryValue": {"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"]}, "getProcessList": false}, "Window": {"getSnapshot": true}, "Custom": {"teleport": true}}`

func checkPermission(t *testing.T, doc *Document, name, decision, source string) {
	t.Helper()
	got, ok := doc.Permissions[name]
	if !ok {
		t.Errorf("%s: not in the decision, want %s (%s)", name, decision, source)
		return
	}
	if got.Decision != decision || got.Source != source {
		t.Errorf("%s: got %s (%s), want %s (%s)", name, got.Decision, got.Source, decision, source)
	}
}

func TestVerifyTrust(t *testing.T) {
	w := newWorld(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true, "readRegistryValue": true, "getProcessList": true}}}]`, w.pattern("/blotter/"))
	signed := w.block(apps, "win", "mac", "linux")

	t.Run("trusted-grants-what-both-list", func(t *testing.T) {
		doc := w.verify(w.publish("/blotter/app.json", requested, signed))
		if doc.Trust.Status != StatusTrusted || doc.Trust.Code != "ok" || doc.Trust.Signer != "Acme Corp" {
			t.Fatalf("trust: got %+v, want trusted by Acme Corp", doc.Trust)
		}
		if len(doc.Trust.Apps) != 1 || doc.Trust.Apps[0] != "Acme Blotter" || doc.Trust.Expires == "" {
			t.Errorf("trust apps/expires: got %v %q", doc.Trust.Apps, doc.Trust.Expires)
		}
		checkPermission(t, doc, "System.launchExternalProcess", permissions.Granted, permissions.SourceTrusted)
		checkPermission(t, doc, "System.readRegistryValue", permissions.Granted, permissions.SourceTrusted)
		checkPermission(t, doc, "Window.getSnapshot", permissions.Prompt, permissions.SourceDefault)
		checkPermission(t, doc, "Custom.teleport", permissions.Denied, permissions.SourceUnknown)
		if _, ok := doc.Permissions["System.getProcessList"]; ok {
			t.Errorf("System.getProcessList is not requested (false) but was decided")
		}
		if c := doc.Permissions["System.readRegistryValue"].Constraints; !strings.Contains(string(c), "registryKeys") {
			t.Errorf("constraints did not travel: got %s", c)
		}
		if !doc.Launch.Allowed || doc.Fetch.Mode != "strict" {
			t.Errorf("launch %+v fetch %+v, want allowed and strict", doc.Launch, doc.Fetch)
		}
	})
	t.Run("url-not-matched", func(t *testing.T) {
		doc := w.verify(w.publish("/other/app.json", requested, signed))
		if doc.Trust.Status != StatusUntrusted || doc.Trust.Code != string("url-not-matched") {
			t.Fatalf("got %+v, want untrusted url-not-matched", doc.Trust)
		}
		checkPermission(t, doc, "System.launchExternalProcess", permissions.Prompt, permissions.SourceDefault)
	})
	t.Run("no-platform-signature", func(t *testing.T) {
		doc := w.verify(w.publish("/blotter/win-only.json", requested, w.block(apps, "win")))
		if doc.Trust.Code != "no-platform-signature" || !strings.Contains(doc.Trust.Reason, "linux") {
			t.Fatalf("got %+v, want no-platform-signature naming linux", doc.Trust)
		}
	})
	t.Run("platform-flag", func(t *testing.T) {
		opts := w.opts
		opts.Platform = "win"
		doc, err := w.l.Verify(context.Background(), w.publish("/blotter/win-only.json", requested, w.block(apps, "win")), opts)
		if err != nil || doc.Trust.Status != StatusTrusted || doc.Trust.Platform != "win" {
			t.Fatalf("got %+v, %v; want trusted for win", doc.Trust, err)
		}
	})
	t.Run("absent", func(t *testing.T) {
		doc := w.verify(w.publish("/blotter/plain.json", requested, nil))
		if doc.Trust.Status != StatusAbsent || doc.Trust.Code != "absent" {
			t.Fatalf("got %+v, want absent", doc.Trust)
		}
	})
	t.Run("unknown-authority-without-roots", func(t *testing.T) {
		opts := w.opts
		opts.TrustRoots = ""
		doc, err := w.l.Verify(context.Background(), w.publish("/blotter/app.json", requested, signed), opts)
		if err != nil || doc.Trust.Code != "unknown-authority" {
			t.Fatalf("got %+v, %v; want unknown-authority", doc.Trust, err)
		}
	})
	t.Run("insecure-fetch", func(t *testing.T) {
		// The server's certificate is not for this name: the strict fetch
		// fails, the relaxed retry (allowed by default) succeeds, and the
		// block is discarded.
		opts := w.opts
		opts.Resolve = []string{w.srv.Resolve("other.acme.test")}
		url := strings.Replace(w.publish("/blotter/app.json", requested, signed), appHost, "other.acme.test", 1)
		doc, err := w.l.Verify(context.Background(), url, opts)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Fetch.Mode != "relaxed" || doc.Trust.Code != "insecure-fetch" {
			t.Fatalf("got fetch %+v trust %+v, want relaxed and insecure-fetch", doc.Fetch, doc.Trust)
		}
		checkPermission(t, doc, "System.launchExternalProcess", permissions.Prompt, permissions.SourceDefault)
	})
}

func TestVerifyOwnerSettings(t *testing.T) {
	w := newWorld(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true, "readRegistryValue": true}}}]`, w.pattern("/blotter/"))
	url := w.publish("/blotter/app.json", requested, w.block(apps, "linux"))

	t.Run("named-policy-false-wins", func(t *testing.T) {
		w.owner(`{"applicationSettings": {
			"tools": {"urls": ["https://*.acme.test:` + w.srv.Port + `/blotter/*", "*://apps.acme.test:` + w.srv.Port + `/*"], "permissions": {"System": {"launchExternalProcess": false}}},
			"lenient": {"urls": ["https://apps.acme.test:` + w.srv.Port + `/*"], "permissions": {"System": {"launchExternalProcess": true}, "Window": {"getSnapshot": true}}},
			"default": {"permissions": {"System": {"readRegistryValue": false}}}}}`)
		doc := w.verify(url)
		checkPermission(t, doc, "System.launchExternalProcess", permissions.Denied, permissions.SourceOwnerSettings)
		checkPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceOwnerSettings)
		// A named policy matched, so default does not apply: the block grants.
		checkPermission(t, doc, "System.readRegistryValue", permissions.Granted, permissions.SourceTrusted)
	})
	t.Run("default-policy", func(t *testing.T) {
		w.owner(`{"applicationSettings": {"default": {"permissions": {"System": {"readRegistryValue": false}}}}}`)
		doc := w.verify(url)
		checkPermission(t, doc, "System.readRegistryValue", permissions.Denied, permissions.SourceOwnerSettings)
		checkPermission(t, doc, "System.launchExternalProcess", permissions.Granted, permissions.SourceTrusted)
	})
	t.Run("secured-api-default", func(t *testing.T) {
		w.owner(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
		doc := w.verify(url)
		checkPermission(t, doc, "Window.getSnapshot", permissions.Denied, permissions.SourceOwnerDefault)
		checkPermission(t, doc, "System.launchExternalProcess", permissions.Granted, permissions.SourceTrusted)
	})
	t.Run("trust-disabled", func(t *testing.T) {
		w.owner(`{"desktopSettings": {"trustedAppConfigs": "disabled"}}`)
		doc := w.verify(url)
		if doc.Trust.Code != "disabled-by-owner" {
			t.Fatalf("got %+v, want disabled-by-owner", doc.Trust)
		}
		checkPermission(t, doc, "System.launchExternalProcess", permissions.Prompt, permissions.SourceDefault)
	})
	t.Run("revoked-signer", func(t *testing.T) {
		w.owner(fmt.Sprintf(`{"desktopSettings": {"revokedCertificates": [%q]}}`, sha256Hex(w.signer.Raw)))
		doc := w.verify(url)
		if doc.Trust.Code != "revoked" {
			t.Fatalf("got %+v, want revoked", doc.Trust)
		}
	})
	t.Run("allowed-manifest-urls", func(t *testing.T) {
		w.owner(`{"desktopSettings": {"allowedManifestUrls": ["https://intranet.acme.test/*"]}}`)
		doc := w.verify(url)
		if doc.Launch.Allowed || !strings.Contains(doc.Launch.Reason, "allowedManifestUrls") {
			t.Fatalf("launch: got %+v, want refused naming allowedManifestUrls", doc.Launch)
		}
	})
	t.Run("invalid-keeps-last-good", func(t *testing.T) {
		path := w.owner(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
		w.verify(url)
		os.WriteFile(path, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow"`), 0o644)
		doc := w.verify(url)
		checkPermission(t, doc, "Window.getSnapshot", permissions.Denied, permissions.SourceOwnerDefault)
		if !strings.Contains(strings.Join(doc.Fetch.Warnings, " "), "unusable") {
			t.Errorf("warnings %v do not say the owner settings were unusable", doc.Fetch.Warnings)
		}
	})
	t.Run("unavailable-fails-closed", func(t *testing.T) {
		w.settings(`{"DesktopOwnerSettings": "/nonexistent/rvm-owner.json"}`)
		doc := w.verify(url)
		for name, p := range doc.Permissions {
			if p.Decision != permissions.Denied || p.Source != permissions.SourceOwnerUnavailable {
				t.Errorf("%s: got %s (%s), want denied (desktop-owner-settings-unavailable)", name, p.Decision, p.Source)
			}
		}
	})
	t.Run("http-location-refused", func(t *testing.T) {
		w.settings(`{"DesktopOwnerSettings": "http://owner.acme.test/dos.json"}`)
		doc := w.verify(url)
		checkPermission(t, doc, "System.launchExternalProcess", permissions.Denied, permissions.SourceOwnerUnavailable)
	})
	t.Run("remote-owner-settings", func(t *testing.T) {
		w.mu.Lock()
		w.manifest["/dos.json"] = []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`)
		w.mu.Unlock()
		w.settings(fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, w.srv.URL(appHost, "/dos.json")))
		doc := w.verify(url)
		checkPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceOwnerDefault)
	})
}

func TestVerifyUserChoice(t *testing.T) {
	w := newWorld(t)
	url := w.publish("/blotter/app.json", requested, nil)
	if err := permissions.OpenStore(w.l.env.DataDir).Set(url, "Window.getSnapshot", true); err != nil {
		t.Fatal(err)
	}
	doc := w.verify(url)
	checkPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceUser)
	checkPermission(t, doc, "System.launchExternalProcess", permissions.Prompt, permissions.SourceDefault)
}

func TestVerifyErrors(t *testing.T) {
	w := newWorld(t)
	for _, tt := range []struct{ name, url, want string }{
		{"ftp", "ftp://apps.acme.test/app.json", `scheme "ftp" is not supported`},
		{"not-found", w.srv.URL(appHost, "/nothing.json"), "404"},
		{"flag-like", "-x", "has no scheme"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.l.Verify(context.Background(), tt.url, w.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	t.Run("bad-platform", func(t *testing.T) {
		opts := w.opts
		opts.Platform = "beos"
		if _, err := w.l.Verify(context.Background(), w.publish("/a.json", `{}`, nil), opts); err == nil || !strings.Contains(err.Error(), "beos") {
			t.Fatalf("got %v, want an error naming the platform", err)
		}
	})
}

func TestConcurrentVerifiesShareOneFetch(t *testing.T) {
	w := newWorld(t)
	url := w.publish("/blotter/slow.json", requested, nil)
	w.delay = 300 * time.Millisecond
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.l.Verify(context.Background(), url, w.opts)
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
	if n := w.fetches.Load(); n != 1 {
		t.Fatalf("100 concurrent verifies caused %d fetches, want 1", n)
	}
}

func TestDocumentJSON(t *testing.T) {
	w := newWorld(t)
	doc := w.verify(strings.Replace(w.publish("/blotter/app.json", requested, nil), "https://", "fins://", 1) + "?$$ticker=ACME")
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

// A system service decides with its own store; the user's answers apply
// where no rule above the user's (SPEC 5.5 rule 4) decided.
func TestApplyUserChoices(t *testing.T) {
	l := New(Env{DataDir: t.TempDir()})
	const url = "https://apps.acme.test/app.json"
	store := permissions.OpenStore(l.env.DataDir)
	for name, granted := range map[string]bool{"System.clearCache": true, "System.downloadAsset": true, "System.getCookies": true, "System.getProcessList": false} {
		if err := store.Set(url, name, granted); err != nil {
			t.Fatal(err)
		}
	}
	doc := &Document{ManifestURL: url, Permissions: map[string]permissions.Decision{
		"System.clearCache":     {Decision: permissions.Prompt, Source: permissions.SourceDefault},
		"System.downloadAsset":  {Decision: permissions.Denied, Source: permissions.SourceOwnerDefault},
		"System.getCookies":     {Decision: permissions.Denied, Source: permissions.SourceOwnerSettings},
		"System.getProcessList": {Decision: permissions.Granted, Source: permissions.SourceTrusted},
		"Window.getSnapshot":    {Decision: permissions.Prompt, Source: permissions.SourceDefault},
	}}
	l.applyUserChoices(doc)
	checkPermission(t, doc, "System.clearCache", permissions.Granted, permissions.SourceUser)
	checkPermission(t, doc, "System.downloadAsset", permissions.Granted, permissions.SourceUser)
	checkPermission(t, doc, "System.getCookies", permissions.Denied, permissions.SourceOwnerSettings)
	checkPermission(t, doc, "System.getProcessList", permissions.Granted, permissions.SourceTrusted)
	checkPermission(t, doc, "Window.getSnapshot", permissions.Prompt, permissions.SourceDefault)
}

// An unchanged owner settings file is not copied into the cache again at
// every request: the cached copy stays the same file.
func TestOwnerCopyNotRewritten(t *testing.T) {
	w := newWorld(t)
	loc := w.owner(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
	url := w.publish("/blotter/app.json", requested, nil)
	cached := filepath.Join(w.l.env.DataDir, "cache", "owner", hashHex(loc)+".json")
	w.verify(url)
	before, err := os.Stat(cached)
	if err != nil {
		t.Fatal(err)
	}
	w.verify(url)
	after, err := os.Stat(cached)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Errorf("the cached copy of an unchanged owner settings file was written again")
	}
	// A change is cached.
	os.WriteFile(loc, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`), 0o644)
	w.verify(url)
	if data, err := os.ReadFile(cached); err != nil || !strings.Contains(string(data), "allow") {
		t.Errorf("a changed owner settings file was not cached: %s (%v)", data, err)
	}
}
