package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
)

// check is one check of `rvm doctor --json`, as a fleet script reads it.
type check struct{ Name, Status, Detail string }

// runDoctorJSON runs `rvm doctor --json` with args and returns its exit code and
// its checks by name, each name once.
func runDoctorJSON(t *testing.T, env []string, args ...string) (int, map[string]check) {
	t.Helper()
	code, stdout, stderr := rvm(t, env, append([]string{"doctor", "--json"}, args...)...)
	return code, readDoctorReport(t, stdout, stderr)
}

// readDoctorReport reads the report of `rvm doctor --json`: one object
// holding checks and nothing else, each with a name (once), a status and
// one line of detail.
func readDoctorReport(t *testing.T, stdout, stderr string) map[string]check {
	t.Helper()
	var report struct{ Checks []check }
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&report); err != nil {
		t.Fatalf("stdout is not a doctor report: %v\n%s%s", err, stdout, stderr)
	}
	out := map[string]check{}
	for _, c := range report.Checks {
		if _, dup := out[c.Name]; dup {
			t.Errorf("check %s reported twice", c.Name)
		}
		if c.Status != "ok" && c.Status != "warning" && c.Status != "failed" || c.Detail == "" || strings.Contains(c.Detail, "\n") {
			t.Errorf("check %+v: want status ok, warning or failed, and one line of detail", c)
		}
		out[c.Name] = c
	}
	if len(out) != 12 {
		t.Errorf("got %d checks, want 12: %s", len(out), stdout)
	}
	return out
}

// wantCheck checks the status of the check name and that its detail holds
// each of details.
func wantCheck(t *testing.T, checks map[string]check, name, status string, details ...string) {
	t.Helper()
	c := checks[name]
	if c.Status != status {
		t.Errorf("%s: got %s (%s), want %s", name, c.Status, c.Detail, status)
	}
	for _, d := range details {
		if !strings.Contains(c.Detail, d) {
			t.Errorf("%s: got %q, want it to hold %q", name, c.Detail, d)
		}
	}
}

// writeSettings writes machine settings JSON for RVM_MACHINE_SETTINGS and
// returns its path.
func writeSettings(t *testing.T, js string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// secure is the three HTTPS settings at 0: a doctor run with them has no
// warning of its own for them.
const secure = `"allowInvalidNetworkCertificates": 0, "allowHttpsToHttpNetworkRedirects": 0, "allowHttpToHttpsNetworkRedirects": 0`

// TestDoctorInsecureSetting: a setting that lets a certificate that does
// not verify through fails the check named after it, naming where it is
// set, and rvm doctor exits 1; the settings left at 0 are ok, and one
// left unset is a warning.
func TestDoctorInsecureSetting(t *testing.T) {
	s := newServer(t, nil)
	settings := writeSettings(t, `{"allowInvalidNetworkCertificates": 1, "allowHttpsToHttpNetworkRedirects": 0}`)
	code, checks := runDoctorJSON(t, setEnv(s.env, "RVM_MACHINE_SETTINGS", settings))
	if code != 1 {
		t.Errorf("exit %d, want 1 (a check failed)", code)
	}
	wantCheck(t, checks, "allow-invalid-network-certificates", "failed", "allowInvalidNetworkCertificates is set to 1 in "+settings, "does not verify")
	wantCheck(t, checks, "allow-https-to-http-network-redirects", "ok", "is 0 in "+settings)
	wantCheck(t, checks, "allow-http-to-https-network-redirects", "warning", "is not set, and unset it counts as 1")
	wantCheck(t, checks, "machine-settings", "ok", settings)

	code, checks = runDoctorJSON(t, setEnv(s.env, "RVM_MACHINE_SETTINGS", writeSettings(t, "{"+secure+"}")))
	if code != 0 {
		t.Errorf("every HTTPS setting at 0: exit %d, want 0 (%v)", code, checks)
	}
	for _, name := range []string{"allow-invalid-network-certificates", "allow-https-to-http-network-redirects", "allow-http-to-https-network-redirects"} {
		wantCheck(t, checks, name, "ok")
	}
}

// TestDoctorUnreachableOwnerSettings: desktop owner settings on a server
// that is down fail the check, naming the file and the fault, and every
// permission is denied (exit 1); where an earlier run kept a good copy,
// the check says that copy stands in, from when, as a warning (exit 0).
func TestDoctorUnreachableOwnerSettings(t *testing.T) {
	s := newServer(t, map[string]string{"/dos.json": `{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`})
	dos := s.url("/dos.json")
	env := setEnv(s.env, "RVM_MACHINE_SETTINGS", writeSettings(t, fmt.Sprintf(`{"DesktopOwnerSettings": %q, %s}`, dos, secure)))

	code, checks := runDoctorJSON(t, env, s.resolve())
	if code != 0 {
		t.Errorf("server up: exit %d, want 0 (%v)", code, checks)
	}
	wantCheck(t, checks, "desktop-owner-settings", "ok", fmt.Sprintf("the desktop owner settings %q are read and fully understood", dos))

	resolve := s.resolve()
	s.srv.Close()
	code, checks = runDoctorJSON(t, env, resolve)
	if code != 0 {
		t.Errorf("server down, a good copy kept: exit %d, want 0 (a warning)", code)
	}
	wantCheck(t, checks, "desktop-owner-settings", "warning", "the last good copy stands in: ", dos, "connection refused", "using the copy from "+time.Now().UTC().Format(time.DateOnly))

	code, checks = runDoctorJSON(t, setEnv(env, "RVM_HOME", filepath.Join(t.TempDir(), "rvm")), resolve)
	if code != 1 {
		t.Errorf("server down, no good copy: exit %d, want 1", code)
	}
	wantCheck(t, checks, "desktop-owner-settings", "failed", dos, "connection refused", "no good copy: every permission denied, and no app launches")
}

// TestDoctorOwnerSettingsNotices: desktop owner settings in OpenFin's
// format with keys rvm does not act on are in use, and the check warns,
// listing what rvm left out (exit 0).
func TestDoctorOwnerSettingsNotices(t *testing.T) {
	const dosJSON = `{"desktopSettings": {"securedAPIDefaultPermission": "deny", "systemApps": {"notification-center": {}}}, "assetsUrl": "https://assets.acme.test/"}`
	dos := filepath.Join(t.TempDir(), "dos.json")
	if err := os.WriteFile(dos, []byte(dosJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, nil)
	code, checks := runDoctorJSON(t, setEnv(s.env, "RVM_MACHINE_SETTINGS", writeSettings(t, fmt.Sprintf(`{"DesktopOwnerSettings": %q, %s}`, dos, secure))))
	if code != 0 {
		t.Errorf("exit %d, want 0 (a warning)", code)
	}
	wantCheck(t, checks, "desktop-owner-settings", "warning", fmt.Sprintf("the desktop owner settings %q are in use, with ", dos), "systemApps", "assetsUrl")
}

// TestDoctorExpiringTrustRoot: a trust root that expires in 80 days, and
// the block of a manifest this user fetched, whose signer expires in 40,
// are each a warning naming the certificate and the date (exit 0).
func TestDoctorExpiringTrustRoot(t *testing.T) {
	files := map[string]string{}
	s := newServer(t, files)
	now := time.Now()
	root := trusttest.NewRoot(t, trusttest.Options{Name: "Acme Expiring Root", NotBefore: now.Add(-time.Hour), NotAfter: now.Add(80 * 24 * time.Hour)})
	inter := root.Issue(t, trusttest.Options{Name: "Acme Intermediate", CA: true, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(80 * 24 * time.Hour)})
	signer := inter.Issue(t, trusttest.Options{Name: "Acme Soon", NotBefore: now.Add(-time.Hour), NotAfter: now.Add(40 * 24 * time.Hour)})
	apps := trusttest.Apps(trusttest.App{Name: "Acme Blotter", Match: []string{fmt.Sprintf("https://*.acme.test:%s/*", s.srv.Port)}})
	files["/app.json"] = fmt.Sprintf(`{"runtime": {"version": "38.*"}, "trustedAppConfigs": %s}`, trusttest.Block(t, signer, trusttest.Config(signer, apps, inter)))
	roots := trusttest.WriteRoots(t, root)
	env := setEnv(s.env, "RVM_MACHINE_SETTINGS", writeSettings(t, "{"+secure+"}"))

	// A verify caches the manifest, as a launch does: its block is in
	// use.
	if code, stdout, stderr := rvm(t, env, "verify", "--json", "--trust-roots", roots, s.resolve(), s.url("/app.json")); code != 0 || !strings.Contains(stdout, `"status": "trusted"`) {
		t.Fatalf("verify: exit %d, want 0 and a trusted block: %s%s", code, stdout, stderr)
	}
	code, checks := runDoctorJSON(t, env, "--trust-roots", roots)
	if code != 0 {
		t.Errorf("exit %d, want 0 (warnings)", code)
	}
	wantCheck(t, checks, "trust-roots", "warning", roots, "(--trust-roots)",
		fmt.Sprintf(`the root "Acme Expiring Root" expires on %s`, root.NotAfter.UTC().Format(time.DateOnly)))
	wantCheck(t, checks, "signed-blocks", "warning", fmt.Sprintf(`the block of %q, signed by "Acme Soon": its certificate "Acme Soon" expires on %s`, s.url("/app.json"), signer.NotAfter.UTC().Format(time.DateOnly)))

	if code, _, stderr := rvm(t, env, "doctor", "--resolve=nonsense"); code != 2 || !strings.Contains(stderr, "HOST:PORT:ADDR") {
		t.Errorf("a bad --resolve: exit %d, stderr %q; want 2 naming HOST:PORT:ADDR", code, stderr)
	}
}

// TestDoctorText: without --json, a line for each check and a count;
// the exit code is the same.
func TestDoctorText(t *testing.T) {
	s := newServer(t, nil)
	code, stdout, stderr := rvm(t, setEnv(s.env, "RVM_MACHINE_SETTINGS", writeSettings(t, `{"allowHttpToHttpsNetworkRedirects": 1}`)), "doctor")
	if code != 1 || !strings.Contains(stdout, "failed   allow-http-to-https-network-redirects  allowHttpToHttpsNetworkRedirects is set to 1") || !strings.HasSuffix(stdout, " 1 failed\n") || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, a line a check and the count", code, stdout, stderr)
	}
}
