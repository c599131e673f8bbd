package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// TestDoctorOwnerFile: the owner's /etc/rvm/settings.json sets an HTTPS
// setting to 1 and names trust roots in a folder every user may write to;
// rvm doctor, run as a user, fails both checks, naming the owner's file
// and the folder at fault, and its --trust-roots is refused (exit 2).
func TestDoctorOwnerFile(t *testing.T) {
	s := newServer(t, nil)
	open := filepath.Join(platformtest.TempDir(t), "open")
	platformtest.Must(t, os.Mkdir(open, 0o777))
	platformtest.Must(t, os.Chmod(open, 0o777))
	platformtest.Must(t, os.Chmod(filepath.Dir(open), 0o755))
	roots := filepath.Join(open, "roots.pem")
	platformtest.Must(t, os.WriteFile(roots, trusttest.PEM(trusttest.NewRoot(t, trusttest.Options{})), 0o644))
	etc := fmt.Sprintf(`{"allowHttpsToHttpNetworkRedirects": 1, "TrustRootsFile": %q}`, roots)
	const file = "/etc/rvm/settings.json"

	code, stdout, stderr := ownerRVM(t, etc, 0o644, "root", s.env, "doctor", "--json")
	if code != 1 {
		t.Errorf("exit %d, want 1: %s", code, stderr)
	}
	checks := readDoctorReport(t, stdout, stderr)
	wantCheck(t, checks, "allow-https-to-http-network-redirects", "failed", "allowHttpsToHttpNetworkRedirects is set to 1 in "+file)
	wantCheck(t, checks, "trust-roots-file-protected", "failed", fmt.Sprintf("TrustRootsFile %q (in %s) could be replaced by others: %q: the folder above the file is writable by every user (mode 0777)", roots, file, open))
	wantCheck(t, checks, "trust-roots", "ok", "(TrustRootsFile in "+file+")")

	code, _, stderr = ownerRVM(t, etc, 0o644, "root", s.env, "doctor", "--trust-roots", roots)
	if want := "rvm: doctor: --trust-roots refused: the owner source " + file + " sets TrustRootsFile"; code != 2 || stderr != want+", and then only the roots it names count (see \"rvm doctor --help\")\n" {
		t.Errorf("--trust-roots: exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
}
