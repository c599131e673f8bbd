//go:build linux || darwin

package hostile

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher/launchertest"
)

// TestAPIRefusesOtherUsers runs a copy of this test binary as the user
// nobody (uid 65534) against a per-user service (see
// launchertest.AsOtherUser), asking for a decision and then the status:
// the socket's mode keeps it out, and with the way opened up to it, the
// service hangs up without a word. The service's own user is served
// throughout. It needs root, to run a process as another user.
func TestAPIRefusesOtherUsers(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	r := newAPIRig(t)
	body := `{"url": "https://apps.acme.test/app.json"}`
	request := fmt.Sprintf("POST /v1/verify HTTP/1.1\r\nHost: rvm\r\nContent-Length: %d\r\n\r\n%sGET /v1/status HTTP/1.1\r\nHost: rvm\r\n\r\n", len(body), body)
	peer := func(t *testing.T) string {
		t.Helper()
		return strings.TrimSpace(launchertest.AsOtherUser(t, r.sock, request))
	}

	t.Run("socket-mode-keeps-it-out", func(t *testing.T) {
		if got := peer(t); !strings.Contains(got, "permission denied") {
			t.Errorf("got %q, want the connection refused by the socket's mode 0600", got)
		}
	})
	t.Run("peer-check-hangs-up", func(t *testing.T) {
		if err := os.Chmod(r.sock, 0o666); err != nil {
			t.Fatal(err)
		}
		if got := peer(t); got != "" {
			t.Errorf("a peer of another user was answered: %q", got)
		}
	})
	r.decides(t)
}
