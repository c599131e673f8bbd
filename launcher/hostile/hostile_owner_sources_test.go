package hostile

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// ownerRig serves a manifest whose trusted block grants
// System.launchExternalProcess, and decides on it under owner settings
// sources of the test's making (what /etc/rvm/settings.json or HKLM holds)
// and a per-user settings file of the user's (--machine-settings).
type ownerRig struct {
	v   *vendor
	url string
	srv string
}

func newOwnerRig(t *testing.T) *ownerRig {
	r := &ownerRig{v: newVendor(t)}
	var block []byte
	srv := r.v.server(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write(appManifest(requested, block))
	}), false)
	block = r.v.grantAll(srv.Port, `{"System": {"launchExternalProcess": true}}`)
	r.srv, r.url = srv.Port, appURL(srv.Port, "/app.json")
	return r
}

// launcher is a Launcher whose only owner source is the JSON file owner.
func (r *ownerRig) launcher(owner string) *launcher.Launcher {
	return launcher.New(launcher.Env{
		DataDir:  filepath.Join(r.v.t.TempDir(), "data"),
		TLSRoots: r.v.ca.Pool,
		Settings: &settings.Sources{Owner: []settings.Source{settings.JSONFile(owner)}},
	})
}

// lax is a per-user settings file of a user who would rather have no
// owner's policy: one of the user's own that allows everything, every
// relaxed fetch allowed, no revocation checks.
func (r *ownerRig) lax(t *testing.T) string {
	dos := filepath.Join(t.TempDir(), "lax-owner.json")
	writeFile(t, dos, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`))
	return fmt.Sprintf(`{"DesktopOwnerSettings": %q, "RevocationMode": "off", "allowInvalidNetworkCertificates": 1, "CachedManifestMaxAgeDays": 365}`, dos)
}

// TestOwnerSourceVectorsFailClosed (flaw 7) puts every bad machine settings
// vector of testdata/hostile/machine where the owner's settings file is: a
// file that cannot be read must not count as no file. The owner settings
// are unavailable, so every permission, the signed grant included, is
// denied; the user's settings file cannot stand in; and `rvm settings`
// names the file and the fault.
func TestOwnerSourceVectorsFailClosed(t *testing.T) {
	files, err := filepath.Glob("../../testdata/hostile/machine/bad_*.json")
	if err != nil || len(files) < 6 {
		t.Fatalf("got %d machine vectors (%v), want at least 6", len(files), err)
	}
	r := newOwnerRig(t)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			l := r.launcher(file)
			o := r.v.options(r.lax(t), resolveTo(r.srv))
			// The file could have held TrustRootsFile: it counts as set,
			// trusting nothing, and --trust-roots is refused.
			if _, err := verify(t, l, r.url, o); !strings.Contains(fmt.Sprint(err), "--trust-roots refused") {
				t.Errorf("with --trust-roots: got %v, want it refused", err)
			}
			o.TrustRoots = ""
			doc, err := verify(t, l, r.url, o)
			if err != nil {
				t.Fatalf("no decision: %v", err)
			}
			wantFailClosed(t, doc, "DesktopOwnerSettings in "+file)
			rep := settingsReport(t, l, o)
			wantSettingsError(t, rep, append([]string{"settings: settings file " + file + ": "}, lines(t, strings.TrimSuffix(file, ".json")+".err")...)...)
			for _, name := range []string{settings.DesktopOwnerSettings, settings.AllowInvalidNetworkCertificates, settings.RevocationMode, settings.CachedManifestMaxAgeDays} {
				if v := rep.Machine[name]; !v.FailedClosed || v.Source != file {
					t.Errorf("%s: got %v from %s, want it failed closed, from %s", name, v.Value, v.Source, file)
				}
			}
		})
	}
}

// TestPerUserSettingsOnlyTighten (flaw 11): with the owner's settings in
// place, the user's settings file cannot replace the owner's policy, turn
// revocation off or allow a relaxed fetch; --trust-roots is refused where
// the owner pins the roots; and what the user's file may do, it does: make
// things stricter.
func TestPerUserSettingsOnlyTighten(t *testing.T) {
	r := newOwnerRig(t)
	dir := t.TempDir()
	dos := filepath.Join(dir, "owner.json")
	writeFile(t, dos, []byte(`{"applicationSettings": {"default": {"permissions": {"System": {"launchExternalProcess": false}}}}}`))
	owner := filepath.Join(dir, "settings.json")
	writeFile(t, owner, []byte(fmt.Sprintf(`{"DesktopOwnerSettings": %q, "TrustRootsFile": %q, "RevocationMode": "cached", "allowInvalidNetworkCertificates": 0}`, dos, r.v.signer.RootPEM)))
	l := r.launcher(owner)

	t.Run("owner-policy-stays", func(t *testing.T) {
		o := r.v.options(r.lax(t), resolveTo(r.srv))
		o.TrustRoots = ""
		doc, err := verify(t, l, r.url, o)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Trust.Status != launcher.StatusTrusted {
			t.Errorf("trust: got %s (%s), want trusted through the owner's TrustRootsFile", doc.Trust.Status, doc.Trust.Reason)
		}
		if d := doc.Permissions["System.launchExternalProcess"]; d.Verdict != permissions.Denied || d.Source != permissions.SourceOwnerSettings {
			t.Errorf("System.launchExternalProcess: got %+v, want denied by the owner's policy", d)
		}
		rep := settingsReport(t, l, o)
		for name, want := range map[string]any{settings.DesktopOwnerSettings: dos, settings.RevocationMode: "cached", settings.AllowInvalidNetworkCertificates: 0, settings.CachedManifestMaxAgeDays: 30} {
			if v := rep.Machine[name]; v.Value != want || (v.Source != owner && v.Source != settings.SourceDefault) {
				t.Errorf("%s: got %v from %s, want %v, not the user's", name, v.Value, v.Source, want)
			}
		}
		if len(rep.Notices) != 4 || len(rep.Errors) != 0 {
			t.Errorf("got notices %q, errors %q; want one notice for each of the user's four values, and no error", rep.Notices, rep.Errors)
		}
	})
	t.Run("trust-roots-refused", func(t *testing.T) {
		_, err := verify(t, l, r.url, r.v.options("", resolveTo(r.srv)))
		var bad *launcher.OptionError
		if !errors.As(err, &bad) || !strings.Contains(err.Error(), "--trust-roots refused: the owner source "+owner+" sets TrustRootsFile") {
			t.Errorf("got %v, want an *OptionError naming TrustRootsFile and %s", err, owner)
		}
	})
	t.Run("user-tightens", func(t *testing.T) {
		o := r.v.options(`{"RevocationMode": "online"}`, resolveTo(r.srv))
		o.TrustRoots = ""
		doc, err := verify(t, l, r.url, o)
		if err != nil {
			t.Fatal(err)
		}
		// The block's certificate names no CRL: online revocation has
		// nothing to fetch, and the block stays trusted.
		if doc.Trust.Status != launcher.StatusTrusted {
			t.Errorf("trust: got %s (%s: %s), want trusted", doc.Trust.Status, doc.Trust.Code, doc.Trust.Reason)
		}
		if v := settingsReport(t, l, o).Machine[settings.RevocationMode]; v.Value != "online" || v.Source != o.MachineSettings {
			t.Errorf("RevocationMode: got %v from %s, want the user's stricter online", v.Value, v.Source)
		}
	})
}

// An owner TrustRootsFile that fails closed trusts nothing, whatever the
// user passes.
func TestOwnerTrustRootsFailedClosedTrustNothing(t *testing.T) {
	r := newOwnerRig(t)
	owner := filepath.Join(t.TempDir(), "settings.json")
	writeFile(t, owner, []byte(`{"TrustRootsFile": ["/etc/rvm/roots.pem"]}`))
	o := r.v.options("", resolveTo(r.srv))
	o.TrustRoots = ""
	doc, err := verify(t, r.launcher(owner), r.url, o)
	if err != nil {
		t.Fatal(err)
	}
	wantUntrusted(t, doc, trust.UnknownAuthority, "TrustRootsFile in "+owner+" could not be read or holds an invalid value, which trusts nothing")
}
