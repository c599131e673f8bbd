package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
)

// rvmBin is the rvm binary, built once for these tests: they run it as a
// user would, with SSL_CERT_FILE naming the test server's CA. It is built
// with testVersion and testCommit, as the Makefile sets them.
var rvmBin string

const (
	testVersion = "1.2.3+4.gabcdef012345"
	testCommit  = "abcdef0123456789abcdef0123456789abcdef01"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rvm-cmd-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rvmBin = filepath.Join(dir, "rvm")
	if out, err := exec.Command("go", "build", "-o", rvmBin,
		"-ldflags", "-X main.version="+testVersion+" -X main.commit="+testCommit, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build rvm: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server serves manifests as apps.acme.test and returns the environment
// that makes rvm trust it.
type server struct {
	srv  *manifesttest.Server
	env  []string
	home string
}

func newServer(t *testing.T, files map[string]string) *server {
	t.Helper()
	ca, err := manifesttest.NewCA("cmd test CA")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := manifesttest.NewTLSServer(ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, body)
	}), "apps.acme.test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	settings := filepath.Join(dir, "settings.json")
	os.WriteFile(settings, []byte(`{}`), 0o644)
	return &server{srv: srv, home: home, env: []string{
		"SSL_CERT_FILE=" + caFile, "SSL_CERT_DIR=" + dir, "RVM_HOME=" + home,
		"RVM_MACHINE_SETTINGS=" + settings, "PATH=" + os.Getenv("PATH"), "HOME=" + dir,
	}}
}

func (s *server) url(path string) string { return s.srv.URL("apps.acme.test", path) }

func (s *server) resolve() string { return "--resolve=" + s.srv.Resolve("apps.acme.test") }

// setEnv is env with key set to value, once.
func setEnv(env []string, key, value string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, key+"=") {
			out = append(out, e)
		}
	}
	return append(out, key+"="+value)
}

// rvm runs the binary and returns its exit code, stdout and stderr.
func rvm(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(rvmBin, args...)
	cmd.Env = env
	return runCmd(t, cmd)
}

// runCmd runs cmd and returns its exit code, stdout and stderr; a command
// that cannot be started fails the test.
func runCmd(t *testing.T, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

const appManifest = `{"runtime": {"version": "38.*", "arguments": ["--flag", "x y"]}, "startup_app": {"permissions": {"Window": {"getSnapshot": true}}}}`

func TestVersionCommand(t *testing.T) {
	goos, goarch := platform.Target()
	want := fmt.Sprintf("rvm %s\ncommit %s\nbuilt with %s for %s/%s\n", testVersion, testCommit, runtime.Version(), goos, goarch)
	for _, args := range [][]string{{"--version"}, {"version"}, {"-version"}} {
		code, stdout, stderr := rvm(t, nil, args...)
		if code != 0 || stdout != want || stderr != "" {
			t.Errorf("rvm %s: got exit %d, stdout %q, stderr %q; want 0, %q, nothing", args[0], code, stdout, stderr, want)
		}
	}
}

func TestVerifyCommand(t *testing.T) {
	s := newServer(t, map[string]string{
		"/app.json":  appManifest,
		"/page.html": "<html></html>",
		"/list.json": "[]",
	})
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "no-command", args: nil, code: 2, stderr: "Usage"},
		{name: "unknown-command", args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{name: "help", args: []string{"verify", "--help"}, code: 0, stdout: "--resolve"},
		{name: "no-url", args: []string{"verify"}, code: 2, stderr: "want exactly one URL"},
		{name: "two-urls", args: []string{"verify", s.url("/app.json"), s.url("/app.json")}, code: 2, stderr: "want exactly one URL"},
		{name: "flag-like-url", args: []string{"verify", "-evil"}, code: 2, stderr: "rvm: verify: unknown flag -evil"},
		{name: "flag-like-url-after-dashes", args: []string{"verify", "--", "--help"}, code: 1, stderr: "has no scheme"},
		{name: "bad-platform", args: []string{"verify", "--platform=beos", s.url("/app.json")}, code: 2, stderr: "beos"},
		{name: "bad-resolve", args: []string{"verify", "--resolve=nonsense", s.url("/app.json")}, code: 2, stderr: "HOST:PORT:ADDR"},
		{name: "ftp", args: []string{"verify", "ftp://apps.acme.test/app.json"}, code: 1, stderr: `scheme "ftp" is not supported`},
		{name: "not-found", args: []string{"verify", s.resolve(), s.url("/none.json")}, code: 1, stderr: "404"},
		{name: "html", args: []string{"verify", s.resolve(), s.url("/page.html")}, code: 1, stderr: "not JSON"},
		{name: "array", args: []string{"verify", s.resolve(), s.url("/list.json")}, code: 1, stderr: "an array"},
		{name: "summary", args: []string{"verify", s.resolve(), s.url("/app.json")}, code: 0, stdout: "Window.getSnapshot"},
		{name: "fins", args: []string{"verify", "--json", s.resolve(), "--", strings.Replace(s.url("/app.json"), "https", "fins", 1) + "?$$a=1"}, code: 0, stdout: `"userAppConfigArgs"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := rvm(t, s.env, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
			if code == 1 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("the error is not one line: %q", stderr)
			}
		})
	}
	t.Run("json-document", func(t *testing.T) {
		code, stdout, stderr := rvm(t, s.env, "verify", "--json", s.resolve(), s.url("/app.json"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var doc struct {
			ManifestURL string `json:"manifestUrl"`
			Fetch       struct{ Mode string }
			Trust       struct{ Status, Code, Platform string }
			Permissions map[string]struct{ Decision, Source string }
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatalf("stdout is not the decision document: %v\n%s", err, stdout)
		}
		if doc.ManifestURL != s.url("/app.json") || doc.Fetch.Mode != "strict" || doc.Trust.Status != "absent" {
			t.Errorf("got %+v", doc)
		}
		if p := doc.Permissions["Window.getSnapshot"]; p.Decision != "prompt" || p.Source != "default" {
			t.Errorf("Window.getSnapshot: got %+v, want prompt (default)", p)
		}
	})
	t.Run("nothing-half-written", func(t *testing.T) {
		rvm(t, s.env, "verify", s.resolve(), s.url("/page.html"))
		filepath.Walk(s.home, func(path string, info os.FileInfo, err error) error {
			if err == nil && strings.Contains(filepath.Base(path), ".tmp-") {
				t.Errorf("temporary file left behind: %s", path)
			}
			return nil
		})
	})
}

func TestLaunchCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the test runtime is a shell script")
	}
	s := newServer(t, map[string]string{"/app.json": appManifest})
	rtDir, out := scriptRuntime(t)
	settings := filepath.Join(t.TempDir(), "settings.json")
	os.WriteFile(settings, []byte(fmt.Sprintf(`{"RuntimeDirectory": %q}`, rtDir)), 0o644)

	// No terminal and no display: the prompt permission is denied.
	code, stdout, stderr := rvm(t, s.env, "launch", "--json", "--machine-settings", settings, s.resolve(), "--", s.url("/app.json"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"decision": "denied"`) {
		t.Errorf("headless prompt not denied: %s", stdout)
	}
	var argv []byte
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var err error
		if argv, err = os.ReadFile(out); err == nil || time.Now().After(deadline) {
			break
		}
	}
	lines := strings.Split(strings.TrimSpace(string(argv)), "\n")
	if len(lines) != 5 || lines[0] != "--flag" || lines[1] != "x y" || lines[2] != "--config="+s.url("/app.json") || !strings.HasPrefix(lines[3], "--manifest=") || !strings.HasPrefix(lines[4], "--decision=") {
		t.Fatalf("runtime argv: got %q", lines)
	}

	t.Run("refused-by-policy", func(t *testing.T) {
		dos := filepath.Join(t.TempDir(), "dos.json")
		os.WriteFile(dos, []byte(`{"desktopSettings": {"allowedManifestUrls": ["https://intranet.acme.test/*"]}}`), 0o644)
		refused := filepath.Join(t.TempDir(), "settings.json")
		os.WriteFile(refused, []byte(fmt.Sprintf(`{"RuntimeDirectory": %q, "DesktopOwnerSettings": %q}`, rtDir, dos)), 0o644)
		code, _, stderr := rvm(t, s.env, "launch", "--machine-settings", refused, s.resolve(), s.url("/app.json"))
		if code != 3 || !strings.Contains(stderr, "allowedManifestUrls") {
			t.Fatalf("exit %d stderr %q, want 3 naming allowedManifestUrls", code, stderr)
		}
	})
	t.Run("owner-settings-unavailable", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "settings.json")
		os.WriteFile(missing, []byte(fmt.Sprintf(`{"RuntimeDirectory": %q, "DesktopOwnerSettings": %q}`, rtDir, filepath.Join(t.TempDir(), "none.json"))), 0o644)
		code, stdout, stderr := rvm(t, s.env, "launch", "--json", "--machine-settings", missing, s.resolve(), s.url("/app.json"))
		if code != 3 || !strings.Contains(stderr, "unavailable") || !strings.Contains(stdout, `"allowed": false`) {
			t.Fatalf("exit %d stdout %q stderr %q, want 3, the document refusing, saying the owner settings are unavailable", code, stdout, stderr)
		}
	})
	t.Run("from-link", func(t *testing.T) {
		// The command line that the fins:// and fin:// handlers run.
		code, _, stderr := rvm(t, s.env, "launch", "--from-link", "--machine-settings", settings, s.resolve(), "--", "ftp://apps.acme.test/app.json")
		if code != 1 || !strings.Contains(stderr, "ftp") {
			t.Fatalf("exit %d stderr %q, want 1 refusing the ftp URL", code, stderr)
		}
	})
	t.Run("no-runtime", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "settings.json")
		os.WriteFile(empty, []byte(fmt.Sprintf(`{"RuntimeDirectory": %q}`, t.TempDir())), 0o644)
		code, _, stderr := rvm(t, s.env, "launch", "--machine-settings", empty, s.resolve(), s.url("/app.json"))
		if code != 1 || !strings.Contains(stderr, "38.*") {
			t.Fatalf("exit %d stderr %q, want 1 naming the version", code, stderr)
		}
	})
}

// scriptRuntime installs runtime 38.1.2.3 in a new runtime directory: a
// shell script that writes its arguments, one a line, to the file out
// (whole, by rename), so that a test sees whether and how it started.
func scriptRuntime(t *testing.T) (dir, out string) {
	t.Helper()
	dir = t.TempDir()
	out = filepath.Join(t.TempDir(), "argv")
	exe := filepath.Join(dir, "38.1.2.3", "runtime")
	os.MkdirAll(filepath.Dir(exe), 0o755)
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + out + ".tmp && mv " + out + ".tmp " + out + "\n"
	if err := os.WriteFile(exe, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, out
}

func TestPermissionsCommands(t *testing.T) {
	s := newServer(t, nil)
	code, stdout, _ := rvm(t, s.env, "permissions", "list", "--json")
	if want := "{\n  \"choices\": [],\n  \"signers\": []\n}\n"; code != 0 || stdout != want {
		t.Errorf("permissions list: exit %d %q, want %q", code, stdout, want)
	}
	code, stdout, _ = rvm(t, s.env, "permissions", "revoke", "fins://apps.acme.test/app.json?$$a=1")
	if code != 0 || !strings.Contains(stdout, "no stored answers for https://apps.acme.test/app.json") {
		t.Errorf("permissions revoke: exit %d %q", code, stdout)
	}
	if err := permissions.OpenStore(s.home, platform.UserID()).Set("https://apps.acme.test/app.json", "Window.getSnapshot", nil, true, ""); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = rvm(t, s.env, "permissions", "list")
	if code != 0 || !strings.Contains(stdout, "granted  Window.getSnapshot") {
		t.Errorf("permissions list: exit %d %q, want the stored answer", code, stdout)
	}
	code, stdout, _ = rvm(t, s.env, "permissions", "revoke", "--", "fins://apps.acme.test/app.json?$$a=1", "Window.getSnapshot")
	if code != 0 || !strings.Contains(stdout, "revoked 1 stored answer(s) for https://apps.acme.test/app.json") {
		t.Errorf("permissions revoke of a fins:// link: exit %d %q, want 1 revoked", code, stdout)
	}
	if code, _, _ := rvm(t, s.env, "permissions", "frob"); code != 2 {
		t.Errorf("permissions frob: exit %d, want 2", code)
	}
}

// TestPermissionsSignerCommands: revoke --signer and distrust --signer
// take a key of 64 hex digits (either case), and list shows what they
// did; anything else is a usage error that says what a key is.
func TestPermissionsSignerCommands(t *testing.T) {
	s := newServer(t, nil)
	key := strings.Repeat("ab", 32)
	store := permissions.OpenStore(s.home, platform.UserID())
	if _, err := store.SetSigner(key, "Acme Corp", true); err != nil {
		t.Fatal(err)
	}
	if err := store.Set("https://apps.acme.test/app.json", "Window.getSnapshot", nil, true, key); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := rvm(t, s.env, "permissions", "list")
	if want := "trusted    signer " + key + ` "Acme Corp"`; code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("permissions list: exit %d %q, want %q", code, stdout, want)
	}
	code, stdout, _ = rvm(t, s.env, "permissions", "list", "--json")
	var listed struct {
		Signers []permissions.Signer
	}
	if err := json.Unmarshal([]byte(stdout), &listed); code != 0 || err != nil || len(listed.Signers) != 1 || listed.Signers[0].SPKI != key || !listed.Signers[0].Trusted {
		t.Errorf("permissions list --json: exit %d %q (%v), want the signer trust", code, stdout, err)
	}
	code, stdout, _ = rvm(t, s.env, "permissions", "distrust", "--signer", strings.ToUpper(key))
	if want := "distrusted the signer " + key + ": its blocks are revoked for you; removed 1 stored answer(s) to its apps"; code != 0 || strings.TrimSpace(stdout) != want {
		t.Errorf("permissions distrust: exit %d %q, want %q", code, stdout, want)
	}
	code, stdout, _ = rvm(t, s.env, "permissions", "list")
	if want := "no stored answers\ndistrusted signer " + key + ` "Acme Corp"` + "\n"; code != 0 || stdout != want {
		t.Errorf("permissions list after distrust: exit %d %q, want %q", code, stdout, want)
	}
	code, stdout, _ = rvm(t, s.env, "permissions", "revoke", "--signer", "spki:"+key)
	if want := "forgot the signer " + key; code != 0 || strings.TrimSpace(stdout) != want {
		t.Errorf("permissions revoke --signer: exit %d %q, want %q", code, stdout, want)
	}
	code, stdout, _ = rvm(t, s.env, "permissions", "revoke", "--signer", key)
	if want := "no stored trust in the signer " + key; code != 0 || strings.TrimSpace(stdout) != want {
		t.Errorf("permissions revoke --signer again: exit %d %q, want %q", code, stdout, want)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"distrust-short", []string{"distrust", "--signer", "abcd"}, `--signer "abcd": want 64 hex digits, the SHA-256 of the signing certificate's SubjectPublicKeyInfo`},
		{"revoke-not-hex", []string{"revoke", "--signer", strings.Repeat("zz", 32)}, "want 64 hex digits"},
		{"distrust-without-signer", []string{"distrust"}, "want --signer SPKI"},
		{"revoke-signer-and-url", []string{"revoke", "--signer", key, "https://apps.acme.test/app.json"}, "want no arguments with --signer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := rvm(t, s.env, append([]string{"permissions"}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q, want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}
