//go:build unix

package launchertest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// AsOtherUser writes request (raw HTTP) to the socket sock as the user
// platformtest.Nobody, through a copy of this test binary playing PeerRole
// (see Main), and returns what came back: "connect: " and why where it
// could not connect. The test is skipped where this process is not root,
// and fails where the client has not ended within a minute. The copy's
// directory, the socket's and the directories above them in the temporary
// directory are opened to that user (never the temporary directory
// itself), so that the connection reaches the socket's own mode and the
// service's checks.
func AsOtherUser(t testing.TB, sock, request string) string {
	t.Helper()
	// The request goes on standard input: platformtest.Child joins its
	// arguments with NUL into one environment variable, which exec refuses
	// for more than one argument.
	cmd := platformtest.Child(t, PeerRole, sock)
	cmd.Stdin = strings.NewReader(request)
	platformtest.AsNobody(t, cmd)
	binDir := t.TempDir()
	cmd.Path = platformtest.CopySelf(t, binDir, "peer")
	tmp := filepath.Clean(os.TempDir()) + string(filepath.Separator)
	for _, start := range []string{binDir, filepath.Dir(sock)} {
		for dir := start; strings.HasPrefix(dir, tmp); dir = filepath.Dir(dir) {
			platformtest.Must(t, os.Chmod(dir, 0o755))
		}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	platformtest.Must(t, cmd.Start())
	hung := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	err := cmd.Wait()
	if !hung.Stop() {
		t.Fatalf("the other user's client did not end within a minute: %s", out.Bytes())
	}
	if err != nil {
		t.Fatalf("the other user's client: %v: %s", err, out.Bytes())
	}
	return out.String()
}
