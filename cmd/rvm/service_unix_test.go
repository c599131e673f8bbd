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
	"testing"
	"time"
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
	if err := os.MkdirAll(s.home, 0o700); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(s.home, "rvm.sock")
	if len(sock) > 100 {
		t.Skipf("socket path %s too long for a Unix socket", sock)
	}

	var stderr bytes.Buffer
	cmd := exec.Command(rvmBin, "service", "run", "--user")
	cmd.Env = append(append([]string{}, s.env...), "RVM_MACHINE_SETTINGS="+settings)
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
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
			t.Errorf("rvm service run did not stop on an interrupt: %s", stderr.String())
		}
	})
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("rvm service run exited (%v) before it listened: %s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("rvm service run did not listen on %s within a minute: %s", sock, stderr.String())
		}
	}

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
