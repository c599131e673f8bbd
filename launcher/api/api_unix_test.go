//go:build unix

package api

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// asOtherUser sends request (raw HTTP; "" for a status request) to the
// world's socket as another user (see launchertest.AsOtherUser), with the
// socket itself opened to every user so that the connection reaches the
// server's own checks, and returns what came back.
func asOtherUser(t *testing.T, w *launchertest.World, request string) string {
	t.Helper()
	if request == "" {
		request = "GET /v1/status HTTP/1.0\r\n\r\n"
	}
	sock := filepath.Join(w.Env.DataDir, SocketName)
	if err := os.Chmod(sock, 0o666); err != nil {
		t.Fatal(err)
	}
	out := launchertest.AsOtherUser(t, sock, request)
	if strings.HasPrefix(out, "connect:") {
		t.Fatalf("the other user could not even connect, so the service's checks were not reached: %s", out)
	}
	return out
}

func TestServiceRefusesOtherUsers(t *testing.T) {
	w := launchertest.NewWorld(t)
	startServer(t, w, true)
	if out := asOtherUser(t, w, ""); strings.TrimSpace(out) != "" {
		t.Fatalf("a per-user service answered a peer of another user: %s", out)
	}
	// The owner is still served.
	if _, err := verifyVia(t, w, w.Publish("/a.json", `{}`, nil)); err != nil {
		t.Fatal(err)
	}
}

// A system service reads no file that another user's request names and
// takes no TLS roots of its choosing (SPEC 7): it answers 403, and the
// caller decides in-process. Other per-call inputs (a proxy, --resolve)
// it honours for anyone.
func TestSystemServiceReadsFilesOnlyForItsUser(t *testing.T) {
	w := launchertest.NewWorld(t)
	startServer(t, w, false)
	if out := asOtherUser(t, w, ""); !strings.Contains(out, "200 OK") {
		t.Fatalf("a system service refused a local user's status request: %q", out)
	}
	for _, tt := range []struct {
		name, options string
		want          string // the answer's status line holds it
	}{
		{"trust-roots", `{"trustRoots": "/etc/shadow"}`, "403"},
		{"machine-settings", `{"machineSettings": "/root/.ssh/settings.json"}`, "403"},
		{"ssl-cert-file", `{"environment": {"SSL_CERT_FILE": "/tmp/roots-of-mine.pem"}}`, "403"},
		{"ssl-cert-dir", `{"environment": {"SSL_CERT_DIR": "/tmp/roots-of-mine"}}`, "403"},
		{"proxy", `{"environment": {"HTTPS_PROXY": "http://127.0.0.1:1"}}`, "422"},
		{"resolve", `{"resolve": ["apps.acme.test:443:127.0.0.1"]}`, "422"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"url": "https://apps.acme.test/app.json", "options": ` + tt.options + `}`
			req := fmt.Sprintf("POST /v1/verify HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			out := asOtherUser(t, w, req)
			status, _, _ := strings.Cut(out, "\r\n")
			if !strings.Contains(status, tt.want) {
				t.Fatalf("another user asked with %s: got %q, want %s", tt.options, out, tt.want)
			}
			if tt.want == "403" && !strings.Contains(out, "only for the service's own user") {
				t.Errorf("the 403 does not say why: %q", out)
			}
		})
	}
}

// fakeServiceRole is a local API that answers every verify with a forged
// decision (see fakeService).
const fakeServiceRole = "api-fake-service"

func init() {
	platformtest.Roles(map[string]func([]string) int{fakeServiceRole: fakeService})
}

// forgedManifest is the manifest URL of the fake service's decisions.
const forgedManifest = "https://forged.test/app.json"

// fakeService is fakeServiceRole, with the arguments DIR and, optionally,
// "mkdir": it makes DIR (0755) where asked, listens on its socket (0666),
// prints "listening" and answers every verify with a decision that grants
// System.launchExternalProcess to forgedManifest, until its standard input
// closes.
func fakeService(args []string) int {
	dir := args[0]
	if len(args) > 1 && args[1] == "mkdir" {
		if err := os.Mkdir(dir, 0o755); err != nil {
			fmt.Println(err)
			return 1
		}
	}
	sock := filepath.Join(dir, SocketName)
	ln, err := net.Listen("unix", sock)
	if err == nil {
		err = os.Chmod(sock, 0o666)
	}
	if err != nil {
		fmt.Println(err)
		return 1
	}
	forged := `{"requestedUrl": "` + forgedManifest + `", "manifestUrl": "` + forgedManifest + `", "launch": {"allowed": true, "reason": ""},
		"fetch": {"mode": "strict", "redirects": 0, "warnings": []}, "trust": {"status": "trusted", "code": "ok", "reason": "", "platform": "linux", "warnings": []},
		"permissions": {"System.launchExternalProcess": {"decision": "granted", "source": "trusted-app-configs"}}}`
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, forged)
	}))
	fmt.Println("listening")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// fakeServiceAsNobody runs fakeService as the user platformtest.Nobody on
// the socket in dir (making dir first, with mkdir) until the test ends.
// The folders above dir, up to the temporary directory, must be reachable
// by that user.
func fakeServiceAsNobody(t *testing.T, dir string, mkdir bool) {
	t.Helper()
	args := []string{dir}
	if mkdir {
		args = append(args, "mkdir")
	}
	cmd := platformtest.Child(t, fakeServiceRole, args...)
	platformtest.AsNobody(t, cmd)
	bin := platformtest.TempDir(t)
	platformtest.Must(t, os.Chmod(bin, 0o755))
	cmd.Path = platformtest.CopySelf(t, bin, "fake-service")
	stdin, err := cmd.StdinPipe()
	platformtest.Must(t, err)
	stdout, err := cmd.StdoutPipe()
	platformtest.Must(t, err)
	platformtest.Must(t, cmd.Start())
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "listening" {
		t.Fatalf("the fake service as another user did not listen: %q (%v)", line, err)
	}
}

// TestClientTrustsOnlyRootOrItsOwnUser serves a forged API as another user
// (uid 65534) on the socket of a system-like data directory, in the ways
// such a user can: in a folder of its own, with a socket of its own in
// root's folder, or answering on a socket that root owns. root's client
// decides in-process instead, and says why with -v; a genuine root-owned
// system service is still used.
func TestClientTrustsOnlyRootOrItsOwnUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a service as another user")
	}
	for _, tt := range []struct {
		name string
		// serve starts a service on the socket in dir, whose parent
		// exists, root's (0755).
		serve   func(t *testing.T, w *launchertest.World, dir string)
		wantWhy string // "" where the service is used
	}{
		{name: "folder-of-another-user", serve: func(t *testing.T, _ *launchertest.World, dir string) {
			platformtest.Must(t, os.Chown(filepath.Dir(dir), platformtest.Nobody, platformtest.Nobody))
			fakeServiceAsNobody(t, dir, true)
		}, wantWhy: "the socket's folder is owned by user 65534"},
		{name: "socket-of-another-user-in-roots-folder", serve: func(t *testing.T, _ *launchertest.World, dir string) {
			platformtest.Must(t, os.Mkdir(dir, 0o777))
			platformtest.Must(t, os.Chmod(dir, 0o777))
			fakeServiceAsNobody(t, dir, false)
			platformtest.Must(t, os.Chmod(dir, 0o755))
		}, wantWhy: "the socket is owned by user 65534"},
		{name: "another-user-answers-on-roots-socket", serve: func(t *testing.T, _ *launchertest.World, dir string) {
			platformtest.Must(t, os.Mkdir(dir, 0o777))
			platformtest.Must(t, os.Chmod(dir, 0o777))
			fakeServiceAsNobody(t, dir, false)
			platformtest.Must(t, os.Lchown(filepath.Join(dir, SocketName), 0, 0))
			platformtest.Must(t, os.Chmod(dir, 0o755))
		}, wantWhy: "the process answering on the socket runs as user 65534"},
		{name: "genuine-system-service", serve: func(t *testing.T, w *launchertest.World, dir string) {
			env := w.Env
			env.DataDir = dir
			startServer(t, &launchertest.World{Env: env, L: launcher.New(env)}, false)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := launchertest.NewWorld(t)
			url := w.Publish("/blotter/app.json", launchertest.Requested, nil)
			top := platformtest.TempDir(t)
			platformtest.Must(t, os.Chmod(top, 0o755))
			sys := filepath.Join(top, "lib")
			platformtest.Must(t, os.Mkdir(sys, 0o755))
			dir := filepath.Join(sys, "rvm")
			tt.serve(t, w, dir)

			var log strings.Builder
			w.L.Remote = &Client{
				Sockets: []string{filepath.Join(w.Env.DataDir, SocketName), filepath.Join(dir, SocketName)},
				Log:     zerolog.New(&log).Level(zerolog.DebugLevel),
			}
			_, serr := w.L.Remote.(*Client).Status(context.Background())
			if tt.wantWhy != "" && (!errors.Is(serr, launcher.ErrNoService) || !strings.Contains(fmt.Sprint(serr), tt.wantWhy)) {
				t.Errorf("status: got %v, want no service, since %s", serr, tt.wantWhy)
			}
			doc, err := verifyVia(t, w, url)
			platformtest.Must(t, err)
			if tt.wantWhy == "" {
				platformtest.Must(t, serr)
				if doc.ManifestURL != url || !strings.Contains(log.String(), "decided by the service") {
					t.Fatalf("got a decision for %s, log %s, want the genuine service's for %s", doc.ManifestURL, log.String(), url)
				}
				return
			}
			if doc.ManifestURL == forgedManifest {
				t.Fatalf("root's client took the forged decision of another user's service: %s granted %+v",
					doc.ManifestURL, doc.Permissions["System.launchExternalProcess"])
			}
			if doc.ManifestURL != url {
				t.Errorf("got a decision for %s, want one made in-process for %s", doc.ManifestURL, url)
			}
			if !strings.Contains(log.String(), tt.wantWhy) || !strings.Contains(log.String(), "deciding in-process") {
				t.Errorf("got log %s, want it to say it decides in-process because %s", log.String(), tt.wantWhy)
			}
		})
	}
}
