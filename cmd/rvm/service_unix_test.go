//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/manifest/manifesttest"
)

// `rvm service run` honours RVM_MACHINE_SETTINGS (SPEC 1 and 7): a
// per-user service started with it decides with the desktop owner settings
// that file names, as a verify through its socket shows, where the request
// names no settings file of its own. A client's RVM_MACHINE_SETTINGS goes
// with its request and wins.
func TestServiceRunHonoursMachineSettings(t *testing.T) {
	s := newServer(t, map[string]string{"/app.json": appManifest})
	dir := t.TempDir()
	dos := filepath.Join(dir, "dos.json")
	os.WriteFile(dos, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`), 0o644)
	settings := filepath.Join(dir, "service-settings.json")
	os.WriteFile(settings, []byte(fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, dos)), 0o644)
	sock, _ := serviceRun(t, s.home, append(append([]string{}, s.env...), "RVM_MACHINE_SETTINGS="+settings))
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}

	body, _ := json.Marshal(map[string]any{"url": s.url("/app.json"), "options": map[string]any{"resolve": []string{s.srv.Resolve("apps.acme.test")}}})
	resp, err := client.Post("http://rvm/v1/verify", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("verify through the socket: %s %s (%v)", resp.Status, data, err)
	}
	var doc struct {
		Permissions map[string]struct{ Decision, Source string }
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("the answer is not a decision document: %v\n%s", err, data)
	}
	if p := doc.Permissions["Window.getSnapshot"]; p.Decision != "denied" || p.Source != "desktop-owner-default" {
		t.Errorf("Window.getSnapshot: got %+v, want denied (desktop-owner-default): the service ignored the owner settings that RVM_MACHINE_SETTINGS names", p)
	}

	allow := filepath.Join(dir, "allow.json")
	os.WriteFile(allow, []byte(`{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`), 0o644)
	mine := filepath.Join(dir, "client-settings.json")
	os.WriteFile(mine, []byte(fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, allow)), 0o644)
	code, stdout, verbose := rvm(t, append(append([]string{}, s.env...), "RVM_MACHINE_SETTINGS="+mine), "verify", "-v", "--json", s.resolve(), s.url("/app.json"))
	if code != 0 || !strings.Contains(verbose, "decided by the service") {
		t.Fatalf("rvm verify: exit %d, want 0 and a decision by the service: %s", code, verbose)
	}
	doc.Permissions = nil
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not the decision document: %v\n%s", err, stdout)
	}
	if p := doc.Permissions["Window.getSnapshot"]; p.Decision != "granted" || p.Source != "desktop-owner-default" {
		t.Errorf("Window.getSnapshot: got %+v, want granted (desktop-owner-default): the client's RVM_MACHINE_SETTINGS did not go with its request", p)
	}
}

// serviceRun runs `rvm service run --user` with env (whose RVM_HOME is
// home) until the test ends, and returns its socket, once it listens, and
// what it writes to stdout and stderr.
func serviceRun(t *testing.T, home string, env []string) (string, *syncBuffer) {
	t.Helper()
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(home, "rvm.sock")
	if len(sock) > 100 {
		t.Skipf("socket path %s too long for a Unix socket", sock)
	}
	out := &syncBuffer{}
	cmd := exec.Command(rvmBin, "service", "run", "--user")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("rvm service run did not stop on an interrupt: %s", out)
		}
	})
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return sock, out
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("rvm service run exited (%v) before it listened: %s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("rvm service run did not listen on %s within a minute: %s", sock, out)
		}
	}
}

// syncBuffer is a bytes.Buffer that a process may write to while a test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A service decides as the command line would (issue 12, flaw 4). Its own
// environment trusts no root of the vendor's server and names no proxy,
// yet rvm verify through it, with SSL_CERT_FILE in the caller's
// environment (and HTTPS_PROXY, for a host that only the proxy reaches),
// gives the document that rvm verify gives in-process, decidedBy aside.
func TestServiceDecidesAsTheCommandLine(t *testing.T) {
	s := newServer(t, map[string]string{"/app.json": appManifest})
	proxy, err := manifesttest.NewProxy(s.srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	dir := t.TempDir()
	// One runtime folder for both ways, since the document names it.
	common := filepath.Join(dir, "settings.json")
	os.WriteFile(common, []byte(fmt.Sprintf(`{"RuntimeDirectory": %q}`, filepath.Join(dir, "runtime"))), 0o644)
	svcHome := filepath.Join(dir, "svc")
	serviceRun(t, svcHome, setEnv(setEnv(withoutTLSRoots(s.env), "RVM_HOME", svcHome), "RVM_MACHINE_SETTINGS", ""))

	for _, tt := range []struct {
		name string
		env  []string // more of the caller's environment: a name and its value
		args []string
	}{
		{"ssl-cert-file", nil, []string{s.resolve()}},
		{"https-proxy", []string{"HTTPS_PROXY", proxy.URL}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"verify", "-v", "--json"}, tt.args...), "--", s.url("/app.json"))
			caller := setEnv(s.env, "RVM_MACHINE_SETTINGS", common)
			if tt.env != nil {
				caller = setEnv(caller, tt.env[0], tt.env[1])
			}
			code, viaService, log := rvm(t, setEnv(caller, "RVM_HOME", svcHome), args...)
			if code != 0 || !strings.Contains(log, "decided by the service") {
				t.Fatalf("through the service: exit %d, want 0 and a decision by the service: %s", code, log)
			}
			code, inProcess, log := rvm(t, setEnv(caller, "RVM_HOME", filepath.Join(t.TempDir(), "home")), args...)
			if code != 0 {
				t.Fatalf("in-process: exit %d: %s", code, log)
			}
			via, in := withoutDecidedBy(t, viaService), withoutDecidedBy(t, inProcess)
			if via != in {
				t.Errorf("the service decided otherwise:\n%s\nin-process:\n%s", via, in)
			}
			if !strings.Contains(in, `"mode": "strict"`) {
				t.Errorf("in-process: want a strict fetch:\n%s", in)
			}
		})
	}
}

// withoutDecidedBy is the decision document doc with its decidedBy left
// out, re-encoded for comparing.
func withoutDecidedBy(t *testing.T, doc string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("not a decision document: %v\n%s", err, doc)
	}
	if _, ok := m["decidedBy"]; !ok {
		t.Fatalf("no decidedBy in %s", doc)
	}
	delete(m, "decidedBy")
	out, _ := json.MarshalIndent(m, "", "  ")
	return string(out)
}
