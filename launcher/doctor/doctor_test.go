package doctor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/launcher/runtime/publisher"
	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/permissions/owner"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
	platformservice "github.com/rvm-launcher/rvm/platform/service"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// t0 is the time of the checks: the clock is the test's.
var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func clock() time.Time { return t0 }

// machine writes an owner settings file (ownerJSON) and a per-user one
// (userJSON), each where not "", and loads the machine settings from
// them.
func machine(t *testing.T, ownerJSON, userJSON string) *settings.Machine {
	t.Helper()
	dir := t.TempDir()
	var srcs settings.Sources
	for _, f := range []struct {
		json string
		list *[]settings.Source
		name string
	}{{ownerJSON, &srcs.Owner, "etc-settings.json"}, {userJSON, &srcs.User, "user-settings.json"}} {
		path := filepath.Join(dir, f.name)
		if f.json != "" {
			platformtest.Must(t, os.WriteFile(path, []byte(f.json), 0o644))
		}
		*f.list = append(*f.list, settings.JSONFile(path))
	}
	return srcs.Load("")
}

// want checks a check's name, status and that its detail holds every one
// of details.
func want(t *testing.T, c Check, name string, status Status, details ...string) {
	t.Helper()
	if c.Name != name || c.Status != status {
		t.Errorf("got %s %s (%s), want %s %s", c.Name, c.Status, c.Detail, name, status)
	}
	for _, d := range details {
		if !strings.Contains(c.Detail, d) {
			t.Errorf("%s: got detail %q, want it to hold %q", c.Name, c.Detail, d)
		}
	}
	if strings.Contains(c.Detail, "\n") {
		t.Errorf("%s: got detail %q, want one line", c.Name, c.Detail)
	}
}

func TestMachineSettings(t *testing.T) {
	for _, tc := range []struct {
		name, owner, user string
		status            Status
		details           []string
	}{
		{"none", "", "", OK, []string{"no source sets a machine setting"}},
		{"valid", `{"RevocationMode": "online"}`, `{"CachedManifestMaxAgeDays": 3}`, OK, []string{"the machine settings are valid, from ", "etc-settings.json, ", "user-settings.json"}},
		{"broken-owner-file", "{\n  \"RevocationMode\": \"online\",\n}\n", "", Failed, []string{"1 fault", "etc-settings.json: not JSON: line 3, column 1"}},
		{"invalid-value", `{"allowInvalidNetworkCertificates": 2}`, "", Failed, []string{"setting allowInvalidNetworkCertificates in ", "want 0 or 1, got the number 2"}},
		{"per-user-value-ignored", `{"RevocationMode": "online"}`, `{"RevocationMode": "off", "TrustRootsFile": "/tmp/mine.pem"}`, Warning, []string{"2 per-user values do not apply", `RevocationMode "off" in `, "TrustRootsFile in "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want(t, checkMachineSettings(machine(t, tc.owner, tc.user)), NameMachineSettings, tc.status, tc.details...)
		})
	}
}

func TestHTTPSSettings(t *testing.T) {
	ms := machine(t, `{"allowInvalidNetworkCertificates": 0, "allowHttpToHttpsNetworkRedirects": 7}`, `{"allowHttpsToHttpNetworkRedirects": 1}`)
	checks := checkHTTPS(ms)
	if len(checks) != 3 {
		t.Fatalf("got %d checks, want 3", len(checks))
	}
	want(t, checks[0], NameInvalidCertificates, OK, "allowInvalidNetworkCertificates is 0 in ", "etc-settings.json")
	want(t, checks[1], NameHTTPSToHTTPRedirects, Failed, "allowHttpsToHttpNetworkRedirects is set to 1 in ", "user-settings.json", "redirected from https: to http:")
	want(t, checks[2], NameHTTPToHTTPSRedirects, OK, "counts as 0, the strictest value", "etc-settings.json could not be read or holds an invalid value")
	for _, c := range checkHTTPS(machine(t, "", "")) {
		want(t, c, c.Name, Warning, "is not set, and unset it counts as 1", "set it to 0 in an owner source")
	}
}

// dosServer serves desktop owner settings as dos.acme.test on loopback
// TLS, and returns its URL and a loader that reaches it (and keeps the
// last good copy in a store of the test's).
func dosServer(t *testing.T, body string) (*manifesttest.Server, string, *owner.Loader) {
	t.Helper()
	ca, err := manifesttest.NewCA("dos CA")
	platformtest.Must(t, err)
	srv, err := manifesttest.NewTLSServer(ca, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, body)
	}), "dos.acme.test")
	platformtest.Must(t, err)
	t.Cleanup(srv.Close)
	f := &fetch.Fetcher{RootCAs: ca.Pool, Resolve: map[string]string{"dos.acme.test:" + srv.Port: srv.Addr}, Timeouts: fetch.Timeouts{Total: 5 * time.Second}}
	return srv, srv.URL("dos.acme.test", "/dos.json"), &owner.Loader{HTTP: f, Store: &fetch.Store{Dir: t.TempDir(), Now: clock}, Now: clock}
}

func TestOwnerSettings(t *testing.T) {
	ctx := context.Background()
	location := func(v string) *settings.Machine {
		return machine(t, fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, v), "")
	}
	t.Run("none-configured", func(t *testing.T) {
		_, c := checkOwnerSettings(ctx, &owner.Loader{Now: clock}, machine(t, "", ""))
		want(t, c, NameOwnerSettings, OK, "no desktop owner settings are configured")
	})
	t.Run("reachable-and-understood", func(t *testing.T) {
		_, url, ld := dosServer(t, `{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
		own, c := checkOwnerSettings(ctx, ld, location(url))
		want(t, c, NameOwnerSettings, OK, fmt.Sprintf("the desktop owner settings %q are read and fully understood", url))
		if own.Settings == nil {
			t.Errorf("got no settings, want the file's for the other checks")
		}
	})
	t.Run("server-down-no-good-copy", func(t *testing.T) {
		srv, url, ld := dosServer(t, `{}`)
		srv.Close()
		_, c := checkOwnerSettings(ctx, ld, location(url))
		want(t, c, NameOwnerSettings, Failed, url, "unusable", "and no good copy: every permission denied, and no app launches")
	})
	t.Run("server-down-last-good-copy", func(t *testing.T) {
		srv, url, ld := dosServer(t, `{}`)
		if _, c := checkOwnerSettings(ctx, ld, location(url)); c.Status != OK {
			t.Fatalf("while the server is up: got %+v, want ok", c)
		}
		srv.Close()
		_, c := checkOwnerSettings(ctx, ld, location(url))
		want(t, c, NameOwnerSettings, Warning, "the last good copy stands in: ", url, "unusable", "using the copy from "+t0.Format(time.RFC3339))
	})
	t.Run("invalid-file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "dos.json")
		platformtest.Must(t, os.WriteFile(path, []byte(`{"desktopSettings": {"whitelist": ["https://*.acme.com/*"]}}`), 0o644))
		_, c := checkOwnerSettings(ctx, &owner.Loader{Now: clock}, location(path))
		want(t, c, NameOwnerSettings, Failed, path, "no good copy")
	})
	t.Run("invalid-setting", func(t *testing.T) {
		_, c := checkOwnerSettings(ctx, &owner.Loader{Now: clock}, machine(t, `{"DesktopOwnerSettings": 3}`, ""))
		want(t, c, NameOwnerSettings, Failed, "DesktopOwnerSettings in ", "is invalid: every permission denied")
	})
	t.Run("notices", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "dos.json")
		platformtest.Must(t, os.WriteFile(path, []byte(`{}`), 0o644))
		own := (&owner.Loader{Now: clock}).Load(ctx, owner.Location{Value: path, SetBy: "test"})
		c := ownerCheck(own, []string{`owner: "systemApps" ignored: rvm does not act on it`, `owner: "assetsUrl" ignored: rvm does not act on it`})
		want(t, c, NameOwnerSettings, Warning, fmt.Sprintf("the desktop owner settings %q are in use, with 2 notices: ", path), `"systemApps" ignored`, `; owner: "assetsUrl" ignored`)
	})
}

// rootsFile writes the PEM bundle of certs and returns its path.
func rootsFile(t *testing.T, certs ...*trusttest.Cert) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "roots.pem")
	platformtest.Must(t, os.WriteFile(path, trusttest.PEM(certs...), 0o644))
	return path
}

func TestTrustRoots(t *testing.T) {
	long := trusttest.NewRoot(t, trusttest.Options{Name: "Long Root"})
	expiring := trusttest.NewRoot(t, trusttest.Options{Name: "Expiring Root", NotAfter: t0.Add(30 * 24 * time.Hour)})
	expired := trusttest.NewRoot(t, trusttest.Options{Name: "Expired Root", NotBefore: t0.Add(-48 * time.Hour), NotAfter: t0.Add(-24 * time.Hour)})
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	platformtest.Must(t, os.WriteFile(garbage, []byte("not PEM"), 0o644))
	for _, tc := range []struct {
		name, owner, flag string
		status            Status
		roots             bool // roots returned for the blocks
		details           []string
	}{
		{name: "none", status: OK, details: []string{"no trust roots are configured"}},
		{name: "sound-flag", flag: rootsFile(t, long), status: OK, roots: true, details: []string{`1 trust root in "`, `(--trust-roots), the first to expire "Long Root" on 2100-01-01`}},
		{name: "expiring-owner-file", owner: rootsFile(t, long, expiring), status: Warning, roots: true,
			details: []string{"(TrustRootsFile in ", `the root "Expiring Root" expires on 2030-01-31, in 30 days`}},
		{name: "expired", flag: rootsFile(t, expired, expiring), status: Warning, roots: true,
			details: []string{`the root "Expired Root" expired on 2029-12-31, and no block it signed is trusted; the root "Expiring Root" expires on 2030-01-31`}},
		{name: "not-pem", flag: garbage, status: Failed, details: []string{garbage, "cannot be used, which trusts nothing", "not a PEM block"}},
		{name: "missing", owner: "/nonexistent/roots.pem", status: Failed, details: []string{`"/nonexistent/roots.pem"`, "no such file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := machine(t, "", "")
			if tc.owner != "" {
				ms = machine(t, fmt.Sprintf(`{"TrustRootsFile": %q}`, tc.owner), "")
			}
			roots, c := checkTrustRoots(ms, tc.flag, t0)
			want(t, c, NameTrustRoots, tc.status, tc.details...)
			if (roots != nil) != tc.roots {
				t.Errorf("got roots %v, want some: %v", roots != nil, tc.roots)
			}
		})
	}
	t.Run("failed-closed", func(t *testing.T) {
		_, c := checkTrustRoots(machine(t, `{"TrustRootsFile": "relative.pem"}`, ""), "", t0)
		want(t, c, NameTrustRoots, Failed, "could not be read or holds an invalid value, which trusts nothing")
	})
}

// cache stores manifests (by URL) as a strict fetch caches them, in a
// store of the test's.
func cache(t *testing.T, manifests map[string]string) *fetch.Store {
	t.Helper()
	store := &fetch.Store{Dir: t.TempDir(), Now: clock}
	for url, body := range manifests {
		platformtest.Must(t, store.Save(&fetch.Entry{Key: manifest.CacheKeyPrefix + url + "\x00linux", FinalURL: url, FetchedAt: t0, Body: []byte(body)}))
	}
	return store
}

// signed is a manifest whose block signer signed, chained through inter.
func signed(t *testing.T, signer, inter *trusttest.Cert) string {
	t.Helper()
	apps := trusttest.Apps(trusttest.App{Name: "Acme Blotter", Match: []string{"https://*.acme.com/blotter/*"}})
	return fmt.Sprintf(`{"runtime": {"version": "38.*"}, "trustedAppConfigs": %s}`, trusttest.Block(t, signer, trusttest.Config(signer, apps, inter)))
}

func TestSignedBlocks(t *testing.T) {
	ctx := context.Background()
	root := trusttest.NewRoot(t, trusttest.Options{Name: "Acme Root"})
	inter := root.Issue(t, trusttest.Options{Name: "Acme Intermediate", CA: true})
	roots := trust.NewRoots(root.Certificate)
	long := inter.Issue(t, trusttest.Options{Name: "Acme Long"})
	soon := inter.Issue(t, trusttest.Options{Name: "Acme Soon", NotAfter: t0.Add(40 * 24 * time.Hour)})
	gone := inter.Issue(t, trusttest.Options{Name: "Acme Gone", NotBefore: t0.Add(-48 * time.Hour), NotAfter: t0.Add(-24 * time.Hour)})
	foreignRoot := trusttest.NewRoot(t, trusttest.Options{Name: "Foreign Root"})
	foreignInter := foreignRoot.Issue(t, trusttest.Options{Name: "Foreign Intermediate", CA: true})
	foreign := foreignInter.Issue(t, trusttest.Options{Name: "Foreign Signer", NotAfter: t0.Add(24 * time.Hour)})
	const (
		longURL    = "https://apps.acme.com/blotter/long.json"
		soonURL    = "https://apps.acme.com/blotter/soon.json"
		goneURL    = "https://apps.acme.com/blotter/gone.json"
		foreignURL = "https://apps.other.com/app.json"
		plainURL   = "https://apps.acme.com/plain.json"
	)
	for _, tc := range []struct {
		name      string
		manifests map[string]string
		roots     *trust.Roots
		status    Status
		details   []string
	}{
		{"no-roots", map[string]string{soonURL: signed(t, soon, inter)}, nil, OK, []string{"no signed block is in use without trust roots"}},
		{"none-cached", nil, roots, OK, []string{"no cached manifest holds a block that these trust roots verify"}},
		{"sound", map[string]string{longURL: signed(t, long, inter), plainURL: `{}`, foreignURL: signed(t, foreign, foreignInter)}, roots, OK,
			[]string{fmt.Sprintf(`1 signed block in cached manifests verifies, the first to expire that of %q, signed by "Acme Long", on 2100-01-01`, longURL)}},
		{"expiring", map[string]string{longURL: signed(t, long, inter), soonURL: signed(t, soon, inter)}, roots, Warning,
			[]string{fmt.Sprintf(`the block of %q, signed by "Acme Soon": its certificate "Acme Soon" expires on 2030-02-10, in 40 days`, soonURL)}},
		{"expired", map[string]string{goneURL: signed(t, gone, inter)}, roots, Warning,
			[]string{fmt.Sprintf(`the block of %q has expired: certificate "Acme Gone" expired on 2029-12-31`, goneURL)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := checkSignedBlocks(ctx, cache(t, tc.manifests), tc.roots, nil, "linux", t0)
			want(t, c, NameSignedBlocks, tc.status, tc.details...)
		})
	}
	t.Run("revoked-by-the-owner", func(t *testing.T) {
		own, err := owner.Parse([]byte(fmt.Sprintf(`{"desktopSettings": {"revokedCertificates": ["spki:%x"]}}`, spki(t, soon))), "test")
		platformtest.Must(t, err)
		c := checkSignedBlocks(ctx, cache(t, map[string]string{soonURL: signed(t, soon, inter)}), roots, own, "linux", t0)
		want(t, c, NameSignedBlocks, OK, "no cached manifest holds a block that these trust roots verify")
	})
}

func TestProtectedFiles(t *testing.T) {
	top := t.TempDir()
	open := filepath.Join(top, "open")
	platformtest.Must(t, os.Mkdir(open, 0o777))
	platformtest.Must(t, os.Chmod(open, 0o777))
	openRoots := filepath.Join(open, "roots.pem")
	platformtest.Must(t, os.WriteFile(openRoots, nil, 0o644))
	closed := filepath.Join(top, "closed")
	platformtest.Must(t, os.Mkdir(closed, 0o755))
	closedRoots := filepath.Join(closed, "roots.pem")
	platformtest.Must(t, os.WriteFile(closedRoots, nil, 0o644))
	if err := platform.CheckAdminOnly(closedRoots); err != nil {
		t.Skipf("the test's own folders are not an administrator's alone here: %v", err)
	}
	t.Run("world-writable-trust-roots-folder", func(t *testing.T) {
		c := checkTrustRootsFile(machine(t, fmt.Sprintf(`{"TrustRootsFile": %q}`, openRoots), ""))
		want(t, c, NameTrustRootsFile, Failed, fmt.Sprintf("TrustRootsFile %q (in ", openRoots), fmt.Sprintf("could be replaced by others: %q: the folder above the file is writable by every user (mode 0777)", open))
	})
	t.Run("trust-roots-an-administrators", func(t *testing.T) {
		c := checkTrustRootsFile(machine(t, fmt.Sprintf(`{"TrustRootsFile": %q}`, closedRoots), ""))
		want(t, c, NameTrustRootsFile, OK, "can be replaced by administrators only")
	})
	t.Run("repository-root-in-a-world-writable-folder", func(t *testing.T) {
		c := checkRepositoryRoot(machine(t, fmt.Sprintf(`{"RuntimeRepository": "https://rt.acme.test/", "RuntimeRepositoryRoot": %q}`, openRoots), ""))
		want(t, c, NameRepositoryRoot, Failed, "RuntimeRepositoryRoot", "could be replaced by others")
	})
	t.Run("missing", func(t *testing.T) {
		c := checkTrustRootsFile(machine(t, `{"TrustRootsFile": "/nonexistent/roots.pem"}`, ""))
		want(t, c, NameTrustRootsFile, Failed, "cannot be checked", "no such file")
	})
	t.Run("unset", func(t *testing.T) {
		ms := machine(t, "", "")
		want(t, checkTrustRootsFile(ms), NameTrustRootsFile, OK, "TrustRootsFile is not set")
		want(t, checkRepositoryRoot(ms), NameRepositoryRoot, OK, "RuntimeRepositoryRoot is not set")
	})
}

// repository makes a runtime repository with the publisher, its targets
// metadata valid for targets, serves it as rt.acme.test on loopback TLS,
// and returns the owner settings that name it and what a client is made
// with.
func repository(t *testing.T, targets time.Duration) (*manifesttest.Server, string, repoInputs) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	_, err := publisher.Init(dir, publisher.InitOptions{Now: clock, Expires: map[string]time.Duration{"targets": targets}})
	platformtest.Must(t, err)
	ca, err := manifesttest.NewCA("repository CA")
	platformtest.Must(t, err)
	srv, err := manifesttest.NewTLSServer(ca, http.StripPrefix("/rt/", http.FileServer(http.Dir(filepath.Join(dir, "public")))), "rt.acme.test")
	platformtest.Must(t, err)
	t.Cleanup(srv.Close)
	f := &fetch.Fetcher{RootCAs: ca.Pool, Resolve: map[string]string{"rt.acme.test:" + srv.Port: srv.Addr}, Timeouts: fetch.Timeouts{Total: 5 * time.Second}}
	etc := fmt.Sprintf(`{"RuntimeRepository": %q, "RuntimeRepositoryRoot": %q}`, srv.URL("rt.acme.test", "/rt/"), filepath.Join(dir, "public", "metadata", "1.root.json"))
	return srv, etc, repoInputs{dataDir: t.TempDir(), fetcher: f, now: clock}
}

func TestRuntimeRepository(t *testing.T) {
	ctx := context.Background()
	t.Run("expiring-in-3-days", func(t *testing.T) {
		srv, etc, in := repository(t, 3*24*time.Hour)
		c := checkRepository(ctx, machine(t, etc, ""), in)
		want(t, c, NameRuntimeRepository, Warning, fmt.Sprintf("the runtime repository %q verifies, but its targets metadata expires on 2030-01-04, in 3 days", srv.URL("rt.acme.test", "/rt/")))
	})
	t.Run("sound", func(t *testing.T) {
		_, etc, in := repository(t, 0)
		c := checkRepository(ctx, machine(t, etc, ""), in)
		want(t, c, NameRuntimeRepository, OK, "verifies; its metadata expires on 2031-01-01 (root), 2030-04-01 (targets), 2030-01-08 (snapshot) and 2030-01-02 (timestamp)")
	})
	t.Run("unreachable", func(t *testing.T) {
		srv, etc, in := repository(t, 0)
		srv.Close()
		c := checkRepository(ctx, machine(t, etc, ""), in)
		want(t, c, NameRuntimeRepository, Warning, "is unreachable or its metadata has expired, so only installed runtimes launch: repo: ", "metadata")
	})
	t.Run("expired", func(t *testing.T) {
		_, etc, in := repository(t, 0)
		in.now = func() time.Time { return t0.Add(400 * 24 * time.Hour) }
		c := checkRepository(ctx, machine(t, etc, ""), in)
		want(t, c, NameRuntimeRepository, Warning, "is unreachable or its metadata has expired", "expired")
	})
	t.Run("another-repositorys-root", func(t *testing.T) {
		srv, _, in := repository(t, 0)
		_, other, _ := repository(t, 0)
		var o struct{ RuntimeRepositoryRoot string }
		platformtest.Must(t, json.Unmarshal([]byte(other), &o))
		etc := fmt.Sprintf(`{"RuntimeRepository": %q, "RuntimeRepositoryRoot": %q}`, srv.URL("rt.acme.test", "/rt/"), o.RuntimeRepositoryRoot)
		c := checkRepository(ctx, machine(t, etc, ""), in)
		want(t, c, NameRuntimeRepository, Failed, "does not verify, and nothing it serves is used: repo: timestamp metadata: ", "not enough signatures")
	})
	t.Run("half-configured", func(t *testing.T) {
		c := checkRepository(ctx, machine(t, `{"RuntimeRepository": "https://rt.acme.test/"}`, ""), repoInputs{now: clock})
		want(t, c, NameRuntimeRepository, Failed, "RuntimeRepository is set", "but RuntimeRepositoryRoot is not")
	})
	t.Run("none-configured", func(t *testing.T) {
		want(t, checkRepository(ctx, machine(t, "", ""), repoInputs{now: clock}), NameRuntimeRepository, OK, "none configured")
	})
}

// serve runs the local API on a socket in a folder of its own (a
// per-user service's, as PrepareServiceDir makes it) until the test ends,
// and returns the socket.
func serve(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(platformtest.TempDir(t), "rvm")
	ln, err := api.Listen(dir, true)
	if err != nil {
		t.Skipf("no local API here: %v", err)
	}
	srv := &api.Server{L: launcher.New(launcher.Env{DataDir: dir}), PerUser: true, Log: zerolog.Nop()}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		<-done
	})
	return filepath.Join(dir, api.SocketName)
}

func TestService(t *testing.T) {
	ctx := context.Background()
	installed := func() (platformservice.State, error) {
		return platformservice.State{Installed: true, Running: true, PID: 42, Manager: "systemd"}, nil
	}
	notInstalled := func() (platformservice.State, error) { return platformservice.State{}, nil }
	broken := func() (platformservice.State, error) {
		return platformservice.State{}, errors.New("service status: no dbus")
	}
	sock := serve(t)
	none := filepath.Join(t.TempDir(), api.SocketName)
	for _, tc := range []struct {
		name    string
		svc     Service
		status  Status
		details []string
	}{
		{"installed-and-answering", Service{State: installed, Socket: sock}, OK, []string{fmt.Sprintf("the service answers on %q (pid %d, up ", sock, os.Getpid()), "the service manager says: installed (systemd), running, pid 42"}},
		{"answering-not-installed", Service{State: notInstalled, Socket: sock}, Warning, []string{"but it is not installed, so it does not start with the machine"}},
		{"not-answering", Service{State: installed, Socket: none}, Warning, []string{fmt.Sprintf("no service answers on %q, so each command decides in its own process", none), "no such file"}},
		{"manager-cannot-tell", Service{State: broken, Socket: none}, Warning, []string{"the service manager cannot tell whether it is installed: service status: no dbus"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want(t, checkService(ctx, tc.svc), NameService, tc.status, tc.details...)
		})
	}
}

func TestServiceFiles(t *testing.T) {
	sock := serve(t)
	want(t, checkServiceFiles(Service{Socket: sock}), NameServiceFiles, OK, fmt.Sprintf("%q and its socket have the owner and modes of a per-user service", filepath.Dir(sock)))
	platformtest.Must(t, os.Chmod(filepath.Dir(sock), 0o755))
	if err := platform.CheckServiceFiles(sock, false); err == nil {
		t.Skip("this platform keeps no modes")
	}
	want(t, checkServiceFiles(Service{Socket: sock}), NameServiceFiles, Failed, fmt.Sprintf("the per-user service's files are not as rvm makes them: %q: ", filepath.Dir(sock)))
	none := filepath.Join(t.TempDir(), api.SocketName)
	want(t, checkServiceFiles(Service{Socket: none, System: true}), NameServiceFiles, OK, "no service serves from", "there is no socket there to check")
}

// TestRun runs every check in their order, and refuses options that are
// wrong before any check.
func TestRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	env := Env{DataDir: dir, Now: clock, Platform: "linux", Settings: &settings.Sources{}, Service: Service{Socket: filepath.Join(dir, api.SocketName)}}
	r, err := Run(ctx, env, Options{})
	platformtest.Must(t, err)
	var names []string
	for _, c := range r.Checks {
		names = append(names, c.Name)
	}
	wantNames := []string{NameMachineSettings, NameInvalidCertificates, NameHTTPSToHTTPRedirects, NameHTTPToHTTPSRedirects, NameOwnerSettings,
		NameTrustRoots, NameSignedBlocks, NameTrustRootsFile, NameRepositoryRoot, NameRuntimeRepository, NameService, NameServiceFiles}
	if strings.Join(names, " ") != strings.Join(wantNames, " ") {
		t.Errorf("got checks %q, want %q", names, wantNames)
	}
	if r.Failed() {
		t.Errorf("got a failed check on a machine with nothing set: %+v", r.Checks)
	}
	var text bytes.Buffer
	r.WriteText(&text)
	if got := text.String(); !strings.HasPrefix(got, "ok       machine-settings ") || !strings.HasSuffix(got, "8 ok, 4 warnings, 0 failed\n") {
		t.Errorf("got text %q, want a line a check and the counts", got)
	}

	var bad *launcher.OptionError
	if _, err := Run(ctx, env, Options{Resolve: []string{"nonsense"}}); !errors.As(err, &bad) {
		t.Errorf("--resolve nonsense: got %v, want an *OptionError", err)
	}
	etc := filepath.Join(dir, "settings.json")
	platformtest.Must(t, os.WriteFile(etc, []byte(`{"TrustRootsFile": "/etc/rvm/roots.pem"}`), 0o644))
	env.Settings = &settings.Sources{Owner: []settings.Source{settings.JSONFile(etc)}}
	if _, err := Run(ctx, env, Options{TrustRoots: "/tmp/mine.pem"}); !errors.As(err, &bad) || !strings.Contains(err.Error(), "--trust-roots refused: the owner source "+etc+" sets TrustRootsFile") {
		t.Errorf("--trust-roots where the owner sets TrustRootsFile: got %v, want it refused, naming the source", err)
	}
}

// spki is the SHA-256 of c's SubjectPublicKeyInfo: what an owner's
// "spki:" entry names.
func spki(t *testing.T, c *trusttest.Cert) [32]byte {
	t.Helper()
	return sha256.Sum256(c.RawSubjectPublicKeyInfo)
}
