//go:build unix

package service

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// visitorRole is a local user who asks a service for its status and then
// tries to read its cache (see visitor).
const visitorRole = "service-visitor"

func init() {
	platformtest.Roles(map[string]func([]string) int{visitorRole: visitor})
}

// visitor is visitorRole, with the arguments SOCKET and CACHE: it prints
// the first line of the answer to a status request on SOCKET (or
// "connect: " and why not), then "cache: " and what reading the folder
// CACHE and the first file in it gave.
func visitor(args []string) int {
	sock, cache := args[0], args[1]
	if c, err := net.Dial("unix", sock); err != nil {
		fmt.Println("connect:", err)
	} else {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		io.WriteString(c, "GET /v1/status HTTP/1.0\r\n\r\n")
		answer, _ := io.ReadAll(c)
		c.Close()
		status, _, _ := strings.Cut(string(answer), "\r\n")
		fmt.Println(status)
	}
	entries, err := os.ReadDir(cache)
	fmt.Println("cache:", len(entries), "entries,", err)
	return 0
}

// A system service is reachable by every local user: uid 65534 gets an
// answer on its socket, while its cache stays private.
func TestSystemServiceIsReachableAndItsCachePrivate(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	w := launchertest.NewWorld(t)
	top := platformtest.TempDir(t)
	platformtest.Must(t, os.Chmod(top, 0o755)) // as /var/lib is
	env := w.Env
	env.DataDir = filepath.Join(top, "rvm")
	svc := &Service{Env: env}
	platformtest.Must(t, svc.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		svc.Stop(ctx)
	})
	if _, err := svc.Launcher().Verify(context.Background(), w.Publish("/blotter/app.json", launchertest.Requested, nil), w.Opts); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(env.DataDir, "cache")
	if entries, err := os.ReadDir(cache); err != nil || len(entries) == 0 {
		t.Fatalf("the service cached nothing (%v): the test would prove nothing", err)
	}

	bin := platformtest.TempDir(t)
	platformtest.Must(t, os.Chmod(bin, 0o755))
	cmd := exec.Command(platformtest.CopySelf(t, bin, "visitor"), "-test.run=^$")
	cmd.Env = platformtest.ChildEnv(visitorRole, filepath.Join(env.DataDir, api.SocketName), cache)
	platformtest.AsNobody(t, cmd)
	out, err := cmd.CombinedOutput()
	platformtest.Must(t, err)
	got := string(out)
	if !strings.Contains(got, "HTTP/1.0 200 OK") {
		t.Errorf("another local user got %q from the system service, want an answer (200 OK)", got)
	}
	if !strings.Contains(got, "cache: 0 entries, open "+cache+": permission denied") {
		t.Errorf("another local user got %q reading the cache, want permission denied", got)
	}
}
