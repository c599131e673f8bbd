//go:build unix

package settings

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// An owner settings file that the user cannot read (here a real file of
// root's, 0600, read by a process of uid 65534) fails closed for that
// user: every setting it could hold counts as its strictest value, the
// owner settings as unavailable, and the error names the file. Reading it
// as if it were absent would drop the owner's policy (flaw 7).
func TestOwnerSourceUnreadableByTheUserFailsClosed(t *testing.T) {
	dir := platformtest.TempDir(t)
	platformtest.Must(t, os.Chmod(dir, 0o755))
	path := filepath.Join(dir, "settings.json")
	platformtest.Must(t, os.WriteFile(path, []byte(`{"DesktopOwnerSettings": "/etc/rvm/owner.json", "allowInvalidNetworkCertificates": 1}`), 0o600))
	exe := platformtest.CopySelf(t, filepath.Join(dir, "bin"), "settings.test")
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = platformtest.ChildEnv("load-owner-source", path)
	cmd.Stderr = os.Stderr
	platformtest.AsNobody(t, cmd)
	out, err := cmd.Output()
	platformtest.Must(t, err)
	var got struct {
		Values map[string]struct {
			Value  any
			Source string
			Failed bool
		}
		OwnerInvalid string
		Errors       []string
	}
	platformtest.Must(t, json.Unmarshal(out, &got))
	for _, s := range Table {
		v := got.Values[s.Name]
		if jsonText(t, v.Value) != jsonText(t, s.strictest()) || v.Source != path || !v.Failed {
			t.Errorf("%s: got %v from %q (failed closed %v), want %v failed closed from %s", s.Name, v.Value, v.Source, v.Failed, s.strictest(), path)
		}
	}
	if got.OwnerInvalid != path {
		t.Errorf("got the owner settings invalid %q, want them unavailable, from %s", got.OwnerInvalid, path)
	}
	if want := "settings: settings file " + path + ": permission denied"; len(got.Errors) != 1 || !strings.Contains(got.Errors[0], want) {
		t.Errorf("got errors %q, want one holding %q", got.Errors, want)
	}
}
