package service

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// startService runs a per-user service of env (the world's machine, in
// the world's data directory, or a variant) until the test ends. The world's Launcher becomes its client; the returned client
// speaks HTTP to the socket.
func startService(t testing.TB, w *launchertest.World, env launcher.Env) (*Service, *http.Client) {
	t.Helper()
	if len(env.DataDir) > 90 {
		t.Skipf("data directory %s too long for a Unix socket path", env.DataDir)
	}
	svc := &Service{Env: env, PerUser: true}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		svc.Stop(ctx)
	})
	w.L.Remote = api.NewClient(env.DataDir, false, zerolog.Nop())
	sock := filepath.Join(env.DataDir, api.SocketName)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	return svc, client
}

// replaceFile replaces path by rename, as editors save, with js.
func replaceFile(t *testing.T, path, js string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls got until it returns want, for at most 10 seconds: a
// change applies within a second, and a slow machine is not a failure.
func waitFor(t *testing.T, what string, got func() string, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for g := got(); g != want; g = got() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: got %q, want %q", what, g, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServiceAppliesSettingsChanges(t *testing.T) {
	w := launchertest.NewWorld(t)
	cfg := t.TempDir()
	env := w.Env
	env.Getenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}
	path := filepath.Join(cfg, "rvm", "settings.json")
	replaceFile(t, path, `{"RuntimeDirectory": "/opt/one"}`)
	svc, _ := startService(t, w, env)
	none, err := launcher.ParseOptions(launcher.Options{}, "")
	if err != nil {
		t.Fatal(err)
	}
	runtimeDir := func() string {
		v, _ := svc.Launcher().Settings(context.Background(), none).Machine[settings.RuntimeDirectory].Value.(string)
		return v
	}
	waitFor(t, "RuntimeDirectory", runtimeDir, "/opt/one")
	replaceFile(t, path, `{"RuntimeDirectory": "/opt/two"}`)
	waitFor(t, "RuntimeDirectory", runtimeDir, "/opt/two")
	// An invalid change keeps the last good settings.
	replaceFile(t, path, `{"RuntimeDirectory": 5}`)
	time.Sleep(3 * settings.SettingsDebounce)
	for i := 0; i < 10; i++ {
		if got := runtimeDir(); got != "/opt/two" {
			t.Fatalf("after an invalid change: got %q, want the last good /opt/two", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	replaceFile(t, path, `{"RuntimeDirectory": "/opt/three"}`)
	waitFor(t, "RuntimeDirectory", runtimeDir, "/opt/three")
}

// A service started with RVM_MACHINE_SETTINGS (Env.MachineSettings)
// decides with that file where a request names none, as seen through its
// socket, and applies a change to it.
func TestServiceHonoursItsMachineSettings(t *testing.T) {
	w := launchertest.NewWorld(t)
	deny := filepath.Join(w.Dir, "deny.json")
	allow := filepath.Join(w.Dir, "allow.json")
	replaceFile(t, deny, `{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
	replaceFile(t, allow, `{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`)
	env := w.Env
	env.MachineSettings = filepath.Join(w.Dir, "service", "settings.json")
	replaceFile(t, env.MachineSettings, fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, deny))
	_, client := startService(t, w, env)
	url := w.Publish("/blotter/app.json", launchertest.Requested, nil)
	body, err := json.Marshal(api.Request{URL: url, Options: launcher.Options{Platform: "linux", Resolve: w.Opts.Resolve}})
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		t.Helper()
		resp, err := client.Post("http://rvm/v1/verify", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("verify through the socket: %s %s (%v)", resp.Status, data, err)
		}
		var doc launcher.Document
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		d := doc.Permissions["Window.getSnapshot"]
		return fmt.Sprintf("%s (%s)", d.Verdict, d.Source)
	}
	if got, want := snapshot(), "denied (desktop-owner-default)"; got != want {
		t.Fatalf("Window.getSnapshot: got %s, want %s: the service's own machine settings name a DOS that denies it", got, want)
	}
	replaceFile(t, env.MachineSettings, fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, allow))
	waitFor(t, "Window.getSnapshot after the settings named another DOS", snapshot, "granted (desktop-owner-default)")
}

func TestServiceStopsCleanlyUnderLoad(t *testing.T) {
	w := launchertest.NewWorld(t)
	svc, _ := startService(t, w, w.Env)
	url := w.Publish("/blotter/slow.json", launchertest.Requested, nil)
	w.SetDelay(200 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, err := launcher.NewRequest(fmt.Sprintf("%s?n=%d", url, i%5), w.Opts, "linux")
			if err == nil {
				_, err = w.L.VerifyVia(context.Background(), r)
			}
			errs <- err
		}(i)
	}
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		// Requests in flight finish; later ones are done in-process.
		if err != nil {
			t.Errorf("a request failed across the stop: %v", err)
		}
	}
	if _, err := net.Dial("unix", filepath.Join(w.Env.DataDir, api.SocketName)); err == nil {
		t.Errorf("the socket still answers after Stop")
	}
}

// A settings file whose folder appears after the service started is
// applied, and so is one whose folder is removed and made again.
func TestServiceAppliesSettingsInAFolderMadeLater(t *testing.T) {
	w := launchertest.NewWorld(t)
	cfg := t.TempDir()
	env := w.Env
	env.Getenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}
	svc, _ := startService(t, w, env)
	none, err := launcher.ParseOptions(launcher.Options{}, "")
	if err != nil {
		t.Fatal(err)
	}
	runtimeDir := func() string {
		v, _ := svc.Launcher().Settings(context.Background(), none).Machine[settings.RuntimeDirectory].Value.(string)
		return v
	}
	folder := filepath.Join(cfg, "rvm")
	path := filepath.Join(folder, "settings.json")
	replaceFile(t, path, `{"RuntimeDirectory": "/opt/one"}`)
	waitFor(t, "RuntimeDirectory in a folder made after the start", runtimeDir, "/opt/one")
	if err := os.RemoveAll(folder); err != nil {
		t.Fatal(err)
	}
	replaceFile(t, path, `{"RuntimeDirectory": "/opt/two"}`)
	waitFor(t, "RuntimeDirectory in a folder removed and made again", runtimeDir, "/opt/two")
}

// logLines is a log that tests read while the service writes it.
type logLines struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logLines) count(s string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprint(strings.Count(l.b.String(), s))
}

// The desktop owner settings file that the machine settings name is
// watched, and when the settings name another, in a folder made later,
// that one is.
func TestServiceWatchesTheOwnerSettingsItsSettingsName(t *testing.T) {
	w := launchertest.NewWorld(t)
	dos1 := filepath.Join(w.Dir, "one", "dos.json")
	dos2 := filepath.Join(w.Dir, "two", "later", "dos.json")
	replaceFile(t, dos1, `{"desktopSettings": {}}`)
	env := w.Env
	var log logLines
	env.Log = zerolog.New(&log)
	env.MachineSettings = filepath.Join(w.Dir, "service", "settings.json")
	replaceFile(t, env.MachineSettings, fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, dos1))
	startService(t, w, env)
	const changed = "settings changed"
	changes := func() string { return log.count(changed) }

	replaceFile(t, dos1, `{"desktopSettings": {"securedAPIDefaultPermission": "deny"}}`)
	waitFor(t, "changes logged after the first file changed", changes, "1")
	replaceFile(t, env.MachineSettings, fmt.Sprintf(`{"DesktopOwnerSettings": %q}`, dos2))
	waitFor(t, "changes logged after the settings named a second file", changes, "2")
	replaceFile(t, dos2, `{"desktopSettings": {"securedAPIDefaultPermission": "allow"}}`)
	waitFor(t, "changes logged after the second file was made, in folders made later", changes, "3")
}
