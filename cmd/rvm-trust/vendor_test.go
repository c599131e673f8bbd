package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
)

// rvmTrust runs the rvm-trust binary with env and stdin, and returns its
// exit code, stdout and stderr.
func rvmTrust(t *testing.T, env []string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(trustBin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
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

// openFinManifest is a platform manifest as OpenFin's vendors write it, a
// member a line, without a block.
const openFinManifest = `{
  "runtime": {"version": "stable", "arguments": "--v=1"},
  "platform": {
    "uuid": "acme-blotter",
    "name": "Acme Blotter",
    "defaultViewOptions": {"permissions": {"webAPIs": ["clipboard-read"]}}
  },
  "snapshot": {"windows": [{"layout": {"content": [{"type": "component", "componentState": {"url": "https://apps.acme.test/blotter/", "permissions": {"System": {"launchExternalProcess": true}}}}]}}]},
  "shortcut": {"company": "Acme", "name": "Acme Blotter"}
}
`

// TestVendor is a vendor's day with the rvm-trust binary: sign a block,
// embed it in an OpenFin manifest (which rvm then reads, its block
// verifying), and inspect the manifest where it is served, over TLS on
// loopback with a CA the test makes (SSL_CERT_FILE), strictly. The steps
// run in order: each sees the files the steps before it made.
func TestVendor(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	site, err := manifesttest.NewSite("apps.acme.test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(site.Close)
	site.Mux.HandleFunc("/blotter/app.json", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, at("app.json"))
	})
	site.Mux.Handle("/moved", http.RedirectHandler("/blotter/app.json", http.StatusFound))
	site.Mux.Handle("/down", http.RedirectHandler(site.HTTPURL("/blotter/app.json"), http.StatusFound))
	site.Mux.HandleFunc("/big.json", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"x": "` + strings.Repeat("a", 1<<20) + `"}`))
	})
	other, err := manifesttest.NewCA("another CA")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"ca.pem": site.CA.PEM(), "other-ca.pem": other.PEM(), "app.json": []byte(openFinManifest),
		"apps.json": []byte(`[{"name": "Acme Blotter", "match": ["https://*.acme.test/blotter/*"], "permissions": {"webAPIs": ["clipboard-read"], "System": {"launchExternalProcess": true}}}]`)} {
		if err := os.WriteFile(at(name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(at("certs"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"SSL_CERT_FILE=" + at("ca.pem"), "SSL_CERT_DIR=" + at("certs"), "HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	otherEnv := []string{"SSL_CERT_FILE=" + at("other-ca.pem"), "SSL_CERT_DIR=" + at("certs"), "HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	resolve := "--resolve=" + site.TLS.Resolve(site.Host)
	plainResolve := "--resolve=" + site.Host + ":" + site.PlainPort() + ":127.0.0.1"
	url := site.HTTPSURL("/blotter/app.json")

	for _, step := range [][]string{
		{"init-root", "--out", at("root"), "--name", "Acme Root"},
		{"issue", "--ca", at("root"), "--name", "Acme Corp", "--out", at("signer")},
	} {
		if code, _, stderr := rvmTrust(t, env, "", step...); code != 0 {
			t.Fatalf("%s: exit %d: %s", step[0], code, stderr)
		}
	}
	code, block, stderr := rvmTrust(t, env, "", "sign", "--signer", at("signer"), "--apps", at("apps.json"), "--platforms", "linux")
	if code != 0 {
		t.Fatalf("sign: exit %d: %s", code, stderr)
	}
	if err := os.WriteFile(at("block.json"), []byte(block), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("embed", func(t *testing.T) {
		code, stdout, stderr := rvmTrust(t, env, "", "embed", "--block", at("block.json"), at("app.json"))
		if code != 0 || !strings.Contains(stdout, "trustedAppConfigs added to") {
			t.Fatalf("got exit %d, %q, %q; want the block added", code, stdout, stderr)
		}
		got, err := os.ReadFile(at("app.json"))
		if err != nil {
			t.Fatal(err)
		}
		indented := strings.ReplaceAll(strings.TrimSpace(block), "\n", "\n  ")
		member := ",\n  \"trustedAppConfigs\": " + indented
		if want := strings.TrimSuffix(openFinManifest, "\n}\n") + member + "\n}\n"; string(got) != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
		m, err := manifest.Parse(got)
		if err != nil {
			t.Fatalf("rvm reads the manifest as: %v", err)
		}
		if string(m.TrustedAppConfigs) != indented || len(m.Permissions) != 2 || len(m.Notices) != 0 {
			t.Errorf("rvm reads block %s, permissions %v, notices %q; want the block signed and two permissions", m.TrustedAppConfigs, m.Permissions, m.Notices)
		}
		code, stdout, stderr = rvmTrust(t, env, block, "embed", "--block", "-", at("app.json"))
		if again, _ := os.ReadFile(at("app.json")); code != 0 || !strings.Contains(stdout, "replaced in") || !bytes.Equal(again, got) {
			t.Errorf("embedding again from stdin: got exit %d, %q, %q, and the manifest %s changed", code, stdout, stderr, again)
		}
	})
	t.Run("embed-refuses", func(t *testing.T) {
		if err := os.WriteFile(at("broken.json"), []byte(`{"startup_app": 5}`), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			args   []string
			code   int
			stderr string
		}{
			{"without-block", []string{"embed", at("broken.json")}, 2, "--block is required"},
			{"two-manifests", []string{"embed", "--block", at("block.json"), at("broken.json"), at("app.json")}, 2, "got 2 arguments, want 1"},
			{"manifest-rvm-refuses", []string{"embed", "--block", at("block.json"), at("broken.json")}, 1, "rvm would not read the manifest with the block: manifest: startup_app: want an object, got a number"},
			{"block-is-a-manifest", []string{"embed", "--block", at("broken.json"), at("broken.json")}, 1, "trustedAppConfigs"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, _, stderr := rvmTrust(t, env, "", tc.args...)
				if code != tc.code || !strings.Contains(stderr, tc.stderr) {
					t.Errorf("got exit %d, %q; want %d and %q", code, stderr, tc.code, tc.stderr)
				}
				if got, _ := os.ReadFile(at("broken.json")); string(got) != `{"startup_app": 5}` {
					t.Errorf("got the manifest changed to %s", got)
				}
			})
		}
	})
	for _, tc := range []struct {
		name   string
		env    []string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"url", env, []string{"inspect", "--trust-roots", at("root/cert.pem"), resolve, url}, 0,
			[]string{`url:`, `"` + url + `"`, "(fetched strictly, 0 redirects)", `"Acme Blotter"`, `"webAPIs.clipboard-read"`, "linux:  verifies", "linux:  trusted"}, ""},
		{"fins-link", env, []string{"inspect", resolve, strings.Replace(url, "https://", "fins://", 1) + "?$$ticker=ACME"}, 0, []string{`"` + url + `"`, "linux:  verifies"}, ""},
		{"redirect", env, []string{"inspect", resolve, site.HTTPSURL("/moved")}, 0, []string{`"` + url + `"`, "1 redirects"}, ""},
		{"file-still", env, []string{"inspect", at("app.json")}, 0, []string{`"Acme Blotter"`}, ""},
		{"certificate-of-another-ca", otherEnv, []string{"inspect", resolve, url}, 1, nil, "certificate signed by unknown authority"},
		{"http", env, []string{"inspect", plainResolve, site.HTTPURL("/blotter/app.json")}, 1, nil, `scheme "http" is not supported`},
		{"fin-link", env, []string{"inspect", plainResolve, strings.Replace(site.HTTPURL("/blotter/app.json"), "http://", "fin://", 1)}, 1, nil, "an http: URL, not HTTPS"},
		{"redirect-to-http", env, []string{"inspect", resolve, plainResolve, site.HTTPSURL("/down")}, 1, nil, "downgrades HTTPS to http:"},
		{"not-found", env, []string{"inspect", resolve, site.HTTPSURL("/none.json")}, 1, nil, "404"},
		{"too-large", env, []string{"inspect", resolve, site.HTTPSURL("/big.json")}, 1, nil, "more than the 1048576 bytes allowed"},
		{"url-refused", env, []string{"inspect", "https://user@apps.acme.test/app.json"}, 1, nil, "user info"},
		{"bad-resolve", env, []string{"inspect", "--resolve", "apps.acme.test", url}, 2, nil, "HOST:PORT:ADDR"},
	} {
		t.Run("inspect-"+tc.name, func(t *testing.T) {
			code, stdout, stderr := rvmTrust(t, tc.env, "", tc.args...)
			if code != tc.code {
				t.Fatalf("got exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("got stdout\n%s\nwant it to hold %q", stdout, w)
				}
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("got stderr %q, want it to hold %q", stderr, tc.stderr)
			}
		})
	}
}
