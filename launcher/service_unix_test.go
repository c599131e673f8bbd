//go:build !windows

package launcher

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// peerClientEnv makes this test binary a client of the socket it names:
// it sends one status request and prints whatever comes back.
const peerClientEnv = "RVM_TEST_PEER_CLIENT"

// peerRequestEnv, when set, is the raw request the client sends.
const peerRequestEnv = "RVM_TEST_PEER_REQUEST"

func init() {
	sock := os.Getenv(peerClientEnv)
	if sock == "" {
		return
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		fmt.Println("connect:", err)
		os.Exit(1)
	}
	req := os.Getenv(peerRequestEnv)
	if req == "" {
		req = "GET /v1/status HTTP/1.0\r\n\r\n"
	}
	c.Write([]byte(req))
	buf := make([]byte, 4096)
	n, _ := c.Read(buf)
	os.Stdout.Write(buf[:n])
	os.Exit(0)
}

// asOtherUser sends request (raw HTTP; "" for a status request) to the
// socket as user 65534, through a copy of this test binary, and returns
// what came back. The socket and the directories above it in the test's
// temporary directory are opened to that user, so that the connection
// reaches the service's own checks.
func asOtherUser(t *testing.T, w *world, request string) string {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to connect as another user")
	}
	sock := filepath.Join(w.l.env.DataDir, SocketName)
	os.Chmod(sock, 0o666)
	tmp := filepath.Clean(os.TempDir())
	for dir := filepath.Dir(sock); strings.HasPrefix(dir, tmp+string(filepath.Separator)); dir = filepath.Dir(dir) {
		os.Chmod(dir, 0o755)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(w.dir, "client")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), peerClientEnv+"="+sock, peerRequestEnv+"="+request)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the other user could not even connect, so the service's checks were not reached: %v: %s", err, out)
	}
	return string(out)
}

func TestServiceRefusesOtherUsers(t *testing.T) {
	w := newWorld(t)
	startService(t, w, nil, true)
	if out := asOtherUser(t, w, ""); strings.TrimSpace(out) != "" {
		t.Fatalf("a per-user service answered a peer of another user: %s", out)
	}
	// The owner is still served.
	if _, err := w.l.VerifyVia(context.Background(), w.publish("/a.json", `{}`, nil), w.opts); err != nil {
		t.Fatal(err)
	}
}

func TestSystemServiceReadsFilesOnlyForItsUser(t *testing.T) {
	w := newWorld(t)
	startService(t, w, nil, false)
	if out := asOtherUser(t, w, ""); !strings.Contains(out, "200 OK") {
		t.Fatalf("a system service refused a local user's status request: %q", out)
	}
	body := `{"url": "https://apps.acme.test/app.json", "options": {"trustRoots": "/etc/shadow"}}`
	req := fmt.Sprintf("POST /v1/verify HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	if out := asOtherUser(t, w, req); !strings.Contains(out, "403") || !strings.Contains(out, "own user") {
		t.Fatalf("another user named a file for the service to read: got %q, want 403", out)
	}
}
