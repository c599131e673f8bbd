//go:build unix

package api

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher/launchertest"
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

func TestSystemServiceReadsFilesOnlyForItsUser(t *testing.T) {
	w := launchertest.NewWorld(t)
	startServer(t, w, false)
	if out := asOtherUser(t, w, ""); !strings.Contains(out, "200 OK") {
		t.Fatalf("a system service refused a local user's status request: %q", out)
	}
	body := `{"url": "https://apps.acme.test/app.json", "options": {"trustRoots": "/etc/shadow"}}`
	req := fmt.Sprintf("POST /v1/verify HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	if out := asOtherUser(t, w, req); !strings.Contains(out, "403") || !strings.Contains(out, "own user") {
		t.Fatalf("another user named a file for the service to read: got %q, want 403", out)
	}
}
