package launcher_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/permissions"
)

// flag returns the value of the last argument of args that begins with
// prefix ("--decision="), as rvm passes its own flags.
func flag(args []string, prefix string) string {
	v := ""
	for _, a := range args {
		if p, ok := strings.CutPrefix(a, prefix); ok {
			v = p
		}
	}
	return v
}

// receivedBy reads what the stand-in runtime reported to out, and removes
// the report for the next launch.
func receivedBy(t *testing.T, out string) launchertest.Received {
	t.Helper()
	var got launchertest.Received
	if err := json.Unmarshal(launchertest.WaitForFile(t, out), &got); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	return got
}

// serveManifest serves, at path, a manifest asking for runtime 38.* with
// arguments and the permission System.launchExternalProcess, and returns
// its URL and bytes.
func serveManifest(t *testing.T, w *launchertest.World, path string, arguments []string) (string, []byte) {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"runtime":     map[string]any{"version": "38.*", "arguments": arguments},
		"startup_app": map[string]any{"name": "app", "permissions": map[string]any{"System": map[string]any{"launchExternalProcess": true}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return w.Serve(path, body), body
}

// TestLaunchArgumentsCannotRedirectTheRuntime is the attack of issue 12,
// flaw 1: a manifest that no one signed passes arguments that a runtime
// whose parser takes abbreviations (the last of a flag winning) would read
// as its --decision, --config and --manifest, pointing them at a trusted
// app's files (whose names the attacker is given here; rvm named them by
// a hash of the app's URL before). The runtime reads the attacker's own
// decision and manifest, and none of those arguments reaches it.
func TestLaunchArgumentsCannotRedirectTheRuntime(t *testing.T) {
	w, _, out := launchWorld(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.Pattern("/blotter/"))
	victim := w.Publish("/blotter/app.json", launchertest.Requested, w.Block(apps, "linux"))
	if _, _, err := launch(t, w, victim, nil); err != nil {
		t.Fatalf("launching the trusted app: %v", err)
	}
	victimDecision := flag(receivedBy(t, out).Args, "--decision=")

	attack := []string{"--decisio=" + victimDecision, "--conf=" + victim, "--manif=" + victimDecision, "--"}
	evil, body := serveManifest(t, w, "/evil/app.json", attack)
	doc, _, err := launch(t, w, evil, nil)
	if err != nil {
		t.Fatalf("launching the attacker's app: %v", err)
	}
	got := receivedBy(t, out)
	var read launcher.Document
	if err := json.Unmarshal([]byte(got.Decision), &read); err != nil {
		t.Fatalf("got decision %q: %v", got.Decision, err)
	}
	if read.ManifestURL != evil || got.Config != evil {
		t.Fatalf("the attacker's runtime read the decision of %s and config %s, want its own, %s", read.ManifestURL, got.Config, evil)
	}
	if p := read.Permissions["System.launchExternalProcess"]; p.Verdict == permissions.Granted {
		t.Errorf("the attacker's runtime got System.launchExternalProcess granted (%s)", p.Source)
	}
	if got.Manifest != string(body) {
		t.Errorf("got manifest %q, want the bytes rvm verified, %q", got.Manifest, body)
	}
	notices := strings.Join(doc.Notices, "\n")
	for _, a := range attack {
		if slices.Contains(got.Args, a) {
			t.Errorf("got arguments %q, want %q dropped", got.Args, a)
		}
		if !strings.Contains(notices, strconv.Quote(a)) {
			t.Errorf("got notices %q, want one naming %q", doc.Notices, a)
		}
	}
}

// TestLaunchUnauthenticatedPassesNoArguments: a manifest fetched relaxed
// (its server's certificate does not verify, which the default settings
// let through) passes no runtime arguments at all.
func TestLaunchUnauthenticatedPassesNoArguments(t *testing.T) {
	w, _, out := launchWorld(t)
	url, _ := serveManifest(t, w, "/app.json", []string{"--v=1", "--lang=en"})
	env := w.Env
	env.TLSRoots = x509.NewCertPool() // trusts nothing
	l := launcher.New(env)
	doc, _, err := l.LaunchVia(context.Background(), request(t, url, w.Opts), nil)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Fetch.Mode != "relaxed" {
		t.Fatalf("got fetch mode %s, want relaxed", doc.Fetch.Mode)
	}
	got := receivedBy(t, out)
	if len(got.Args) != 3 || !strings.HasPrefix(got.Args[0], "--config=") {
		t.Errorf("got arguments %q, want rvm's three flags alone", got.Args)
	}
	notices := strings.Join(doc.Notices, "\n")
	if !strings.Contains(notices, `"--v=1", "--lang=en" dropped`) {
		t.Errorf("got notices %q, want one naming the arguments dropped", doc.Notices)
	}
}

// TestLaunchRuntimeExitsAtOnce: a runtime that exits with a non-zero status
// at its start is a failed launch, whose error quotes its output.
func TestLaunchRuntimeExitsAtOnce(t *testing.T) {
	w, _, _ := launchWorld(t)
	url, _ := serveManifest(t, w, "/app.json", nil)
	t.Setenv(launchertest.RuntimeExitEnv, "3")
	doc, pid, err := launch(t, w, url, nil)
	if err == nil || pid != 0 || doc == nil {
		t.Fatalf("got doc %v, pid %d, error %v, want the decision and an error", doc != nil, pid, err)
	}
	if !strings.Contains(err.Error(), "status 3") || !strings.Contains(err.Error(), strconv.Quote(launchertest.RuntimeFailure)) {
		t.Errorf("got error %q, want it to give status 3 and quote the runtime's output %q", err, launchertest.RuntimeFailure)
	}
}

// TestLaunchFiles: each launch has its own decision document and manifest
// copy, private and named by nothing a manifest knows; once its runtime
// has exited, the next launch removes them.
func TestLaunchFiles(t *testing.T) {
	w, _, out := launchWorld(t)
	url, _ := serveManifest(t, w, "/app.json", nil)
	var decisions []string
	for range 2 {
		if _, _, err := launch(t, w, url, nil); err != nil {
			t.Fatal(err)
		}
		got := receivedBy(t, out)
		for _, f := range []string{flag(got.Args, "--decision="), flag(got.Args, "--manifest=")} {
			if filepath.Dir(f) != filepath.Join(w.Env.DataDir, "decisions") || len(strings.Split(filepath.Base(f), ".")[0]) != 32 {
				t.Errorf("got file %s, want one named by 32 hex digits in %s", f, filepath.Join(w.Env.DataDir, "decisions"))
			}
		}
		decisions = append(decisions, flag(got.Args, "--decision="))
	}
	if decisions[0] == decisions[1] {
		t.Fatalf("got decision document %s for both launches, want one each", decisions[0])
	}
	// The first runtime has exited (it reported, then exited 0): the
	// second launch removed its files.
	for _, f := range []string{decisions[0], strings.Replace(decisions[0], ".decision.", ".manifest.", 1)} {
		if _, err := os.Lstat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %s (%v) after its runtime exited, want it removed", f, err)
		}
	}
}

// TestLaunchThroughServiceCarriesTheManifest: where the service decides,
// the runtime still gets the manifest bytes that were verified.
func TestLaunchThroughServiceCarriesTheManifest(t *testing.T) {
	w, _, out := launchWorld(t)
	if len(w.Env.DataDir) > 90 {
		t.Skipf("data directory %s too long for a Unix socket path", w.Env.DataDir)
	}
	ln, err := api.Listen(w.Env.DataDir, true)
	if err != nil {
		t.Fatal(err)
	}
	srv := &api.Server{L: launcher.New(w.Env), PerUser: true, Log: zerolog.Nop()}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	})
	var log strings.Builder
	w.L.Remote = api.NewClient(w.Env.DataDir, false, zerolog.New(&log).Level(zerolog.DebugLevel))
	url, body := serveManifest(t, w, "/app.json", []string{"--v=1"})
	if _, _, err := launch(t, w, url, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "decided by the service") {
		t.Fatalf("got client log %s, want the service to have decided", log.String())
	}
	got := receivedBy(t, out)
	if got.Manifest != string(body) || got.Args[0] != "--v=1" {
		t.Errorf("got manifest %q, arguments %q, want %q and --v=1 first", got.Manifest, got.Args, body)
	}
}

// TestTrustFailureLoggedWhereDecided: a trust failure is marked for the
// system log (SPEC 10) by the process that decided, the service, naming
// the peer it decided for, and not a second time by the command that
// asked it.
func TestTrustFailureLoggedWhereDecided(t *testing.T) {
	w := launchertest.NewWorld(t)
	if len(w.Env.DataDir) > 90 {
		t.Skipf("data directory %s too long for a Unix socket path", w.Env.DataDir)
	}
	ln, err := api.Listen(w.Env.DataDir, true)
	if err != nil {
		t.Fatal(err)
	}
	var serviceLog, clientLog strings.Builder
	serviceEnv, clientEnv := w.Env, w.Env
	serviceEnv.Log, clientEnv.Log = zerolog.New(&serviceLog), zerolog.New(&clientLog)
	srv := &api.Server{L: launcher.New(serviceEnv), PerUser: true, Log: zerolog.Nop()}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	client := launcher.New(clientEnv)
	client.Remote = api.NewClient(w.Env.DataDir, false, zerolog.Nop())
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q]}]`, w.Pattern("/"))
	url := w.Publish("/app.json", `{}`, w.Block(apps, "win"))
	doc, err := client.VerifyVia(context.Background(), request(t, url, w.Opts))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	<-done
	if doc.DecidedBy.By != launcher.ByService || doc.Trust.Code != "no-platform-signature" {
		t.Fatalf("got decided by %s, trust code %s; want the service, no-platform-signature", doc.DecidedBy.By, doc.Trust.Code)
	}
	failures := func(log string) []map[string]any {
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
			var e map[string]any
			if json.Unmarshal([]byte(line), &e) == nil && e["message"] == "trust failure" {
				out = append(out, e)
			}
		}
		return out
	}
	got := failures(serviceLog.String())
	uid := strconv.Itoa(os.Getuid())
	if len(got) != 1 || got[0]["security"] != true || got[0]["peerUid"] != uid || got[0]["code"] != "no-platform-signature" || got[0]["manifest"] != url {
		t.Errorf("service log: got trust failures %v, want one marked security, for peer %s, code no-platform-signature, manifest %s", got, uid, url)
	}
	if got := failures(clientLog.String()); len(got) != 0 {
		t.Errorf("client log: got trust failures %v, want none (the service sent it)", got)
	}
}

// TestLaunchOwnerAllowsRuntimeArguments: a switch of SPEC 8's list reaches
// the runtime only where the owner's allowedRuntimeArguments names it, in
// process and through a service alike.
func TestLaunchOwnerAllowsRuntimeArguments(t *testing.T) {
	for _, tt := range []struct {
		name    string
		allowed []string
		passed  bool
	}{
		{"not-allowed", []string{}, false},
		{"allowed", []string{"--remote-debugging-port"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, runtimeDir, out := launchWorld(t)
			owner := filepath.Join(w.Dir, "owner.json")
			dos, _ := json.Marshal(map[string]any{"desktopSettings": map[string]any{"allowedRuntimeArguments": tt.allowed}})
			if err := os.WriteFile(owner, dos, 0o644); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(map[string]string{"RuntimeDirectory": runtimeDir, "DesktopOwnerSettings": owner})
			w.Settings(string(b))
			url, _ := serveManifest(t, w, "/app.json", []string{"--remote-debugging-port=9222"})
			doc, _, err := w.L.LaunchVia(context.Background(), request(t, url, w.Opts), nil)
			if err != nil {
				t.Fatal(err)
			}
			got := receivedBy(t, out)
			if passed := slices.Contains(got.Args, "--remote-debugging-port=9222"); passed != tt.passed {
				t.Errorf("got arguments %q, want --remote-debugging-port=9222 passed %v", got.Args, tt.passed)
			}
			dropped := strings.Contains(strings.Join(doc.Notices, "\n"), "remote-debugging-port")
			if dropped == tt.passed {
				t.Errorf("got notices %q, want a notice of the switch dropped %v", doc.Notices, !tt.passed)
			}
		})
	}
}
