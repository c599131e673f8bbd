package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher/runtime/publisher"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// scriptArchive is a runtime archive whose runtime writes its arguments,
// one a line, to out.
func scriptArchive(t *testing.T, out string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + out + ".tmp && mv " + out + ".tmp " + out + "\n"
	platformtest.Must(t, tw.WriteHeader(&tar.Header{Name: "runtime", Mode: 0o755, Size: int64(len(script)), Typeflag: tar.TypeReg}))
	tw.Write([]byte(script))
	platformtest.Must(t, tw.Close())
	platformtest.Must(t, gz.Close())
	return buf.Bytes()
}

// TestRuntimeFromTheOwnersRepository: the owner's /etc/rvm/settings.json
// names a runtime repository; rvm runtime install and rvm launch download,
// verify and install from it, a version the owner blocks is refused (exit
// 3) with nothing downloaded, and a repository whose timestamp cannot be
// verified fails the launch (exit 1) with one line naming the role.
func TestRuntimeFromTheOwnersRepository(t *testing.T) {
	s := newServer(t, map[string]string{"/app.json": appManifest})
	out := filepath.Join(t.TempDir(), "argv")
	pubDir := filepath.Join(t.TempDir(), "repo")
	pub, err := publisher.Init(pubDir, publisher.InitOptions{})
	platformtest.Must(t, err)
	archive := filepath.Join(t.TempDir(), "rt.tar.gz")
	platformtest.Must(t, os.WriteFile(archive, scriptArchive(t, out), 0o644))
	goos, goarch := platform.Target()
	_, err = pub.Add("38.2.0.0", goos, goarch, archive)
	platformtest.Must(t, err)
	_, err = pub.Publish(nil)
	platformtest.Must(t, err)

	var brokenTimestamp, archives atomic.Int32
	public := http.FileServer(http.Dir(filepath.Join(pubDir, "public")))
	ca, err := manifesttest.NewCA("repository CA")
	platformtest.Must(t, err)
	srv, err := manifesttest.NewTLSServer(ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metadata/timestamp.json" && brokenTimestamp.Load() == 1 {
			w.Write([]byte(`{"signed": {}, "signatures": []}`))
			return
		}
		if strings.HasSuffix(r.URL.Path, ".tar.gz") {
			archives.Add(1)
		}
		public.ServeHTTP(w, r)
	}), "runtimes.acme.test")
	platformtest.Must(t, err)
	t.Cleanup(srv.Close)
	certs := filepath.Join(t.TempDir(), "certs.pem")
	var serverCA string
	for _, kv := range s.env {
		if v, ok := strings.CutPrefix(kv, "SSL_CERT_FILE="); ok {
			serverCA = v
		}
	}
	appsPEM, err := os.ReadFile(serverCA)
	platformtest.Must(t, err)
	platformtest.Must(t, os.WriteFile(certs, append(appsPEM, ca.PEM()...), 0o644))
	env := setEnv(s.env, "SSL_CERT_FILE", certs)
	root := filepath.Join(t.TempDir(), "1.root.json")
	data, err := os.ReadFile(filepath.Join(pubDir, "public", "metadata", "1.root.json"))
	platformtest.Must(t, err)
	platformtest.Must(t, os.WriteFile(root, data, 0o644))
	owner := fmt.Sprintf(`{"RuntimeRepository": %q, "RuntimeRepositoryRoot": %q}`, srv.URL("runtimes.acme.test", "/"), root)
	resolve := "--resolve=" + srv.Resolve("runtimes.acme.test")

	// userSettings writes per-user settings with a new runtime directory
	// and, where dos is not "", desktop owner settings holding it.
	userSettings := func(dos string) (settings, rtDir string) {
		rtDir = t.TempDir()
		m := map[string]string{"RuntimeDirectory": rtDir}
		if dos != "" {
			m["DesktopOwnerSettings"] = filepath.Join(t.TempDir(), "dos.json")
			platformtest.Must(t, os.WriteFile(m["DesktopOwnerSettings"], []byte(dos), 0o644))
		}
		settings = filepath.Join(t.TempDir(), "settings.json")
		b, _ := json.Marshal(m)
		platformtest.Must(t, os.WriteFile(settings, b, 0o644))
		return settings, rtDir
	}

	t.Run("install", func(t *testing.T) {
		settings, rtDir := userSettings("")
		code, stdout, stderr := ownerRVM(t, owner, 0o644, "root", env, "runtime", "install", "--json", "--machine-settings", settings, resolve, "38.*")
		var got struct{ Requested, Version, State, Path string }
		if code != 0 || json.Unmarshal([]byte(stdout), &got) != nil {
			t.Fatalf("exit %d %q %q", code, stdout, stderr)
		}
		if got.State != "installed" || got.Version != "38.2.0.0" || got.Path != filepath.Join(rtDir, "38.2.0.0") {
			t.Errorf("got %+v, want 38.2.0.0 installed in %s", got, rtDir)
		}
		code, stdout, _ = ownerRVM(t, owner, 0o644, "root", env, "runtime", "install", "--machine-settings", settings, resolve, "38.2.0.0")
		if code != 0 || strings.TrimSpace(stdout) != "runtime 38.2.0.0 installed in "+filepath.Join(rtDir, "38.2.0.0") {
			t.Errorf("installing it again: exit %d %q", code, stdout)
		}
	})
	t.Run("launch-downloads", func(t *testing.T) {
		settings, rtDir := userSettings("")
		code, stdout, stderr := ownerRVM(t, owner, 0o644, "root", env, "launch", "--json", "--machine-settings", settings, s.resolve(), resolve, s.url("/app.json"))
		if code != 0 || !strings.Contains(stdout, `"version": "38.2.0.0",`) || !strings.Contains(stdout, `"state": "installed"`) {
			t.Fatalf("exit %d %q %q", code, stdout, stderr)
		}
		if _, err := os.Stat(filepath.Join(rtDir, "38.2.0.0", "runtime")); err != nil {
			t.Errorf("not installed: %v", err)
		}
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(out); err == nil {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("the runtime did not start: %v", err)
			}
		}
	})
	t.Run("blocked", func(t *testing.T) {
		settings, rtDir := userSettings(`{"desktopSettings": {"blockedRuntimeVersions": ["38.*"]}}`)
		before := archives.Load()
		code, stdout, stderr := ownerRVM(t, owner, 0o644, "root", env, "launch", "--json", "--machine-settings", settings, s.resolve(), resolve, s.url("/app.json"))
		if code != 3 || !strings.Contains(stderr, `38.2.0.0 is in blockedRuntimeVersions ("38.*")`) || !strings.Contains(stdout, `"state": "blocked"`) || !strings.Contains(stdout, `"allowed": false`) {
			t.Fatalf("exit %d %q %q, want 3, blocked, naming the rule", code, stdout, stderr)
		}
		if entries, _ := os.ReadDir(rtDir); archives.Load() != before || len(entries) != 0 {
			t.Errorf("%d archives downloaded and %d entries installed for a blocked version", archives.Load()-before, len(entries))
		}
	})
	t.Run("timestamp-unverifiable", func(t *testing.T) {
		brokenTimestamp.Store(1)
		defer brokenTimestamp.Store(0)
		settings, _ := userSettings("")
		code, _, stderr := ownerRVM(t, owner, 0o644, "root", setEnv(env, "RVM_HOME", t.TempDir()), "launch", "--machine-settings", settings, s.resolve(), resolve, s.url("/app.json"))
		if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "the runtime repository failed: timestamp metadata: ") {
			t.Fatalf("exit %d %q, want 1 with one line naming the timestamp metadata", code, stderr)
		}
	})
}
