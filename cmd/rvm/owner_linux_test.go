package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// The tests here give rvm an owner settings file where a desktop owner
// puts it, /etc/rvm/settings.json, without touching the machine's /etc:
// the test binary re-executes itself in a mount namespace of its own,
// mounts an overlay on /etc that adds the file there, and then runs rvm.

func init() {
	platformtest.Roles(map[string]func([]string) int{"owner-etc": ownerEtc})
}

// Exit codes of the owner-etc role where it could not run rvm.
const (
	exitNoOverlay = 125
	exitNoExec    = 126
)

// ownerEtc is a child's role: args are the overlay's upper and work
// folders, "nobody" or "root" (the user to run rvm as), rvm's environment
// (JSON), and rvm's command line. It runs in a mount namespace of its own
// (see ownerRVM).
func ownerEtc(args []string) int {
	upper, work, user, envJSON, argv := args[0], args[1], args[2], args[3], args[4:]
	if err := syscall.Mount("overlay", "/etc", "overlay", 0, "lowerdir=/etc,upperdir="+upper+",workdir="+work); err != nil {
		fmt.Fprintln(os.Stderr, "owner-etc: mount an overlay on /etc:", err)
		return exitNoOverlay
	}
	if user == "nobody" {
		err := syscall.Setgroups(nil)
		if err == nil {
			err = syscall.Setgid(platformtest.Nobody)
		}
		if err == nil {
			err = syscall.Setuid(platformtest.Nobody)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "owner-etc: become nobody:", err)
			return exitNoExec
		}
	}
	return execRVM("owner-etc", envJSON, argv)
}

// execRVM is the end of a child's role: it runs argv (rvm and its command
// line) in its place with the environment envJSON (JSON), or says why it
// could not, as role, and returns exitNoExec.
func execRVM(role, envJSON string, argv []string) int {
	var env []string
	if err := json.Unmarshal([]byte(envJSON), &env); err != nil {
		fmt.Fprintln(os.Stderr, role+":", err)
		return exitNoExec
	}
	err := syscall.Exec(argv[0], argv, env)
	fmt.Fprintln(os.Stderr, role+": exec:", err)
	return exitNoExec
}

// ownerRVM runs rvm with args and the environment env (each key once) as
// user ("root" or "nobody") on a machine whose /etc/rvm/settings.json
// holds settings, with mode, and returns its exit code, stdout and stderr.
// The test is skipped where it cannot mount the overlay (not root, no
// overlay file system).
func ownerRVM(t *testing.T, settings string, mode os.FileMode, user string, env []string, args ...string) (int, string, string) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to mount an overlay on /etc in a mount namespace")
	}
	dir := platformtest.TempDir(t)
	upper, work := filepath.Join(dir, "upper"), filepath.Join(dir, "work")
	platformtest.Must(t, os.MkdirAll(filepath.Join(upper, "rvm"), 0o755))
	platformtest.Must(t, os.Mkdir(work, 0o700))
	platformtest.Must(t, os.WriteFile(filepath.Join(upper, "rvm", "settings.json"), []byte(settings), mode))
	envJSON, err := json.Marshal(env)
	platformtest.Must(t, err)
	cmd := platformtest.Child(t, "owner-etc", append([]string{upper, work, user, string(envJSON), rvmBin}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	code, stdout, stderr := runCmd(t, cmd)
	if code == exitNoOverlay {
		t.Skipf("cannot mount an overlay on /etc here: %s", stderr)
	}
	if code == exitNoExec {
		t.Fatalf("could not run rvm: %s", stderr)
	}
	return code, stdout, stderr
}

// decisions is each permission of a decision document as "decision
// (source)".
func decisions(t *testing.T, stdout string) map[string]string {
	t.Helper()
	var doc struct {
		Permissions map[string]struct{ Decision, Source string }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not a decision document: %v\n%s", err, stdout)
	}
	out := map[string]string{}
	for n, p := range doc.Permissions {
		out[n] = p.Decision + " (" + p.Source + ")"
	}
	return out
}

// TestBrokenOwnerSettingsFileFailsClosed (flaw 7): the owner's
// /etc/rvm/settings.json names a policy that denies everything and allows
// one intranet host, and a trailing comma breaks it. rvm must not act as
// if no policy were set: every permission is denied as unavailable (which
// also refuses launches: flaw 6), `rvm settings` names the fault's line
// and column, and a
// per-user settings file that names a policy of the user's choosing does
// not stand in.
func TestBrokenOwnerSettingsFileFailsClosed(t *testing.T) {
	s := newServer(t, map[string]string{"/app.json": appManifest})
	dir := t.TempDir()
	owner := filepath.Join(dir, "owner.json")
	os.WriteFile(owner, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "deny", "allowedManifestUrls": ["https://intranet.acme.test/*"]}}`), 0o644)
	lax := filepath.Join(dir, "lax.json")
	os.WriteFile(lax, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`), 0o644)
	userSettings := filepath.Join(dir, "user-settings.json")
	os.WriteFile(userSettings, []byte(fmt.Sprintf(`{"DesktopOwnerSettings": %q, "allowInvalidNetworkCertificates": 1}`, lax)), 0o644)
	broken := fmt.Sprintf("{\n  \"DesktopOwnerSettings\": %q,\n  \"allowInvalidNetworkCertificates\": 0,\n}\n", owner)
	env := setEnv(s.env, "RVM_MACHINE_SETTINGS", userSettings)

	code, stdout, stderr := ownerRVM(t, broken, 0o644, "root", env, "verify", "--json", s.resolve(), s.url("/app.json"))
	if code != 0 {
		t.Fatalf("verify: exit %d, want 0 (a decision was made): %s", code, stderr)
	}
	if got, want := decisions(t, stdout)["Window.getSnapshot"], "denied (desktop-owner-settings-unavailable)"; got != want {
		t.Errorf("verify: Window.getSnapshot got %s, want %s", got, want)
	}
	code, stdout, _ = ownerRVM(t, broken, 0o644, "root", env, "settings", "--json")
	r := readSettingsReport(t, stdout)
	if code != 1 {
		t.Errorf("settings: exit %d, want 1", code)
	}
	const etc = "/etc/rvm/settings.json"
	if v := r.Machine["DesktopOwnerSettings"]; v.Value != nil || v.Source != etc {
		t.Errorf("DesktopOwnerSettings: got %v from %q, want none (unavailable) from %s", v.Value, v.Source, etc)
	}
	if v := r.Machine["allowInvalidNetworkCertificates"]; v.Value != float64(0) || v.Source != etc {
		t.Errorf("allowInvalidNetworkCertificates: got %v from %q, want 0 from %s", v.Value, v.Source, etc)
	}
	if want := "settings: settings file " + etc + ": not JSON: line 4, column 1: invalid character '}'"; !strings.Contains(strings.Join(r.Errors, "\n"), want) {
		t.Errorf("got errors %q, want one holding %q", r.Errors, want)
	}
	if o := r.DesktopOwnerSettings; o.Source != "DesktopOwnerSettings in "+etc || string(o.Settings) != "null" {
		t.Errorf("desktopOwnerSettings: got %+v, want unavailable, from %s", o, etc)
	}
}

// TestOwnerSettingsFileUnreadableByTheUser (flaw 7): /etc/rvm/settings.json
// is root's, 0600; a user who cannot read it gets the strictest settings,
// not none.
func TestOwnerSettingsFileUnreadableByTheUser(t *testing.T) {
	s := newServer(t, nil)
	home := platformtest.TempDir(t)
	platformtest.Must(t, os.Chmod(home, 0o755))
	platformtest.Must(t, os.Chown(home, platformtest.Nobody, platformtest.Nobody))
	platformtest.Must(t, os.Chmod(filepath.Dir(rvmBin), 0o755))
	env := setEnv(setEnv(setEnv(s.env, "RVM_HOME", filepath.Join(home, "rvm")), "HOME", home), "RVM_MACHINE_SETTINGS", "")
	code, stdout, stderr := ownerRVM(t, `{"DesktopOwnerSettings": "/etc/rvm/owner.json", "RevocationMode": "off"}`, 0o600, "nobody", env, "settings", "--json")
	if code != 1 {
		t.Errorf("exit %d, want 1: %s", code, stderr)
	}
	r := readSettingsReport(t, stdout)
	const etc = "/etc/rvm/settings.json"
	for name, want := range map[string]any{
		"DesktopOwnerSettings":            nil,
		"TrustRootsFile":                  nil,
		"RevocationMode":                  "online",
		"allowInvalidNetworkCertificates": float64(0),
		"CachedManifestMaxAgeDays":        float64(0),
	} {
		if v := r.Machine[name]; v.Value != want || v.Source != etc {
			t.Errorf("%s: got %v from %q, want %v from %s", name, v.Value, v.Source, want, etc)
		}
	}
	if want := "settings: settings file " + etc + ": permission denied"; !strings.Contains(strings.Join(r.Errors, "\n"), want) {
		t.Errorf("got errors %q, want one holding %q", r.Errors, want)
	}
	if got := r.DesktopOwnerSettings.Source; got != "DesktopOwnerSettings in "+etc {
		t.Errorf("desktopOwnerSettings: got source %q, want them unavailable, from %s", got, etc)
	}
}

// TestPerUserSettingsDoNotLoosenTheOwners (flaw 11): a settings file
// passed for the call (--machine-settings, RVM_MACHINE_SETTINGS) stands in
// for the per-user sources only: it cannot swap the owner's policy for one
// of its own, or turn revocation checks off.
func TestPerUserSettingsDoNotLoosenTheOwners(t *testing.T) {
	s := newServer(t, map[string]string{"/app.json": appManifest})
	dir := t.TempDir()
	owner := filepath.Join(dir, "owner.json")
	os.WriteFile(owner, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`), 0o644)
	lax := filepath.Join(dir, "lax.json")
	os.WriteFile(lax, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`), 0o644)
	etc := fmt.Sprintf(`{"DesktopOwnerSettings": %q, "RevocationMode": "online"}`, owner)
	user := filepath.Join(dir, "user.json")
	os.WriteFile(user, []byte(fmt.Sprintf(`{"DesktopOwnerSettings": %q, "RevocationMode": "off"}`, lax)), 0o644)

	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"flag", s.env, []string{"--machine-settings", user}},
		{"environment", setEnv(s.env, "RVM_MACHINE_SETTINGS", user), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := ownerRVM(t, etc, 0o644, "root", tc.env, append(append([]string{"verify", "--json"}, tc.args...), s.resolve(), s.url("/app.json"))...)
			if code != 0 {
				t.Fatalf("verify: exit %d: %s", code, stderr)
			}
			if got, want := decisions(t, stdout)["Window.getSnapshot"], "denied (desktop-owner-default)"; got != want {
				t.Errorf("verify: Window.getSnapshot got %s, want %s: the owner's policy, not the user's", got, want)
			}
			code, stdout, stderr = ownerRVM(t, etc, 0o644, "root", tc.env, append([]string{"settings", "--json"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("settings: exit %d, want 0 (notices only): %s", code, stderr)
			}
			r := readSettingsReport(t, stdout)
			if v := r.Machine["DesktopOwnerSettings"]; v.Value != owner || v.Source != "/etc/rvm/settings.json" {
				t.Errorf("DesktopOwnerSettings: got %v from %q, want the owner's", v.Value, v.Source)
			}
			if v := r.Machine["RevocationMode"]; v.Value != "online" || v.Source != "/etc/rvm/settings.json" {
				t.Errorf("RevocationMode: got %v from %q, want the owner's online", v.Value, v.Source)
			}
			notices := strings.Join(r.Notices, "\n")
			for _, want := range []string{
				fmt.Sprintf("settings: DesktopOwnerSettings %q in %s ignored: the owner source /etc/rvm/settings.json sets it", lax, user),
				`settings: RevocationMode "off" in ` + user + ` ignored: a per-user source may only make it stricter than "online" (set by the owner source /etc/rvm/settings.json)`,
			} {
				if !strings.Contains(notices, want) {
					t.Errorf("got notices %q, want one holding %q", r.Notices, want)
				}
			}
		})
	}
}

// TestTrustRootsRefusedWhereTheOwnerSetsThem: where an owner source sets
// TrustRootsFile (or holds an invalid one, which trusts nothing),
// --trust-roots is bad usage, naming the setting and its source.
func TestTrustRootsRefusedWhereTheOwnerSetsThem(t *testing.T) {
	s := newServer(t, map[string]string{"/app.json": appManifest})
	mine := filepath.Join(t.TempDir(), "mine.pem")
	os.WriteFile(mine, nil, 0o644)
	for _, tc := range []struct{ name, etc string }{
		{"set", `{"TrustRootsFile": "/etc/rvm/roots.pem"}`},
		{"invalid", `{"TrustRootsFile": 7}`},
	} {
		for _, cmd := range []string{"verify", "launch"} {
			t.Run(tc.name+"/"+cmd, func(t *testing.T) {
				code, _, stderr := ownerRVM(t, tc.etc, 0o644, "root", s.env, cmd, "--trust-roots", mine, s.resolve(), s.url("/app.json"))
				if want := "rvm: " + cmd + ": --trust-roots refused: the owner source /etc/rvm/settings.json sets TrustRootsFile"; code != 2 || !strings.Contains(stderr, want) {
					t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
				}
			})
		}
	}
	t.Run("without-the-flag", func(t *testing.T) {
		if code, _, stderr := ownerRVM(t, `{"TrustRootsFile": "/etc/rvm/roots.pem"}`, 0o644, "root", s.env, "verify", s.resolve(), s.url("/app.json")); code != 0 {
			t.Errorf("exit %d, want 0: %s", code, stderr)
		}
	})
}
