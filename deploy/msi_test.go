//go:build linux

package deploy

import (
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// regValue is a registry value as reg.exe shows it.
type regValue struct{ Type, Data string }

// Where the msi puts rvm, as Windows names it.
const (
	installDir  = `C:\Program Files\rvm`
	rvmExe      = installDir + `\rvm.exe`
	serviceKey  = `HKLM\SYSTEM\CurrentControlSet\Services\rvm`
	eventSource = `HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\rvm`
)

// wanted is every registry key the msi makes, with its values.
var wanted = map[string]map[string]regValue{
	serviceKey: {
		"DisplayName":  {"REG_SZ", "rvm runtime launcher"},
		"Description":  {"REG_SZ", "Verifies app manifests and decides their permissions for rvm launch."},
		"ImagePath":    {"REG_SZ", `"` + rvmExe + `" service run`},
		"ObjectName":   {"REG_SZ", "LocalSystem"},
		"Start":        {"REG_DWORD", "0x2"},  // automatic
		"Type":         {"REG_DWORD", "0x10"}, // a process of its own
		"ErrorControl": {"REG_DWORD", "0x1"},
	},
	`HKLM\Software\Classes\fins`:                    {"(Default)": {"REG_SZ", "URL:fins Protocol"}, "URL Protocol": {"REG_SZ", ""}},
	`HKLM\Software\Classes\fins\shell\open\command`: {"(Default)": {"REG_SZ", `"` + rvmExe + `" launch --from-link -- "%1"`}},
	`HKLM\Software\Classes\fin`:                     {"(Default)": {"REG_SZ", "URL:fin Protocol"}, "URL Protocol": {"REG_SZ", ""}},
	`HKLM\Software\Classes\fin\shell\open\command`:  {"(Default)": {"REG_SZ", `"` + rvmExe + `" launch --from-link -- "%1"`}},
	eventSource: {
		"EventMessageFile": {"REG_EXPAND_SZ", `%SystemRoot%\System32\EventCreate.exe`},
		"TypesSupported":   {"REG_DWORD", "0x7"},
		"CustomSource":     {"REG_DWORD", "0x1"},
	},
}

// windows runs programs under Wine.
type windows struct {
	t       *testing.T
	wrapper string
}

// run runs a Windows program under Wine (platformtest.WineRun).
func (w windows) run(args ...string) (stdout, stderr string, ok bool) {
	w.t.Helper()
	return platformtest.WineRun(w.t, w.wrapper, args...)
}

// key reads a registry key's values with reg.exe; ok is false where the
// key does not exist.
func (w windows) key(path string) (values map[string]regValue, ok bool) {
	out, _, ok := w.run("reg", "query", path)
	if !ok {
		return nil, false
	}
	values = map[string]regValue{}
	for _, line := range strings.Split(out, "\n") {
		rest, value := strings.CutPrefix(line, "    ")
		if !value {
			continue
		}
		f := strings.SplitN(rest, "    ", 3)
		if len(f) < 2 {
			continue
		}
		v := regValue{Type: f[1]}
		if len(f) == 3 {
			v.Data = f[2]
		}
		values[f[0]] = v
	}
	return values, true
}

// exists reports whether a file or folder exists, as Windows sees it: its
// folder lists it.
func (w windows) exists(path string) bool {
	i := strings.LastIndex(path, `\`)
	out, _, _ := w.run("cmd", "/c", "dir", "/b", path[:i])
	for _, name := range strings.Split(out, "\n") {
		if strings.EqualFold(strings.TrimSpace(name), path[i+1:]) {
			return true
		}
	}
	return false
}

// nothingInstalled fails the test for each part of rvm that is there.
func (w windows) nothingInstalled(when string) {
	w.t.Helper()
	for path := range wanted {
		if _, ok := w.key(path); ok {
			w.t.Errorf("%s: %s is there, want it absent", when, path)
		}
	}
	for _, path := range []string{rvmExe, installDir} {
		if w.exists(path) {
			w.t.Errorf("%s: %s is there, want it absent", when, path)
		}
	}
}

// installed fails the test for each part of rvm that is not there as the
// msi makes it.
func (w windows) installed() {
	w.t.Helper()
	for path, want := range wanted {
		got, ok := w.key(path)
		if !ok {
			w.t.Errorf("%s: absent after the install", path)
			continue
		}
		// Windows Installer quotes a service's executable; Wine 8's
		// msi does not.
		if path == serviceKey && got["ImagePath"] == (regValue{"REG_SZ", rvmExe + " service run"}) {
			w.t.Logf("%s: ImagePath %s is not quoted, as Wine's msi writes it", path, got["ImagePath"].Data)
			got["ImagePath"] = want["ImagePath"]
		}
		for name, v := range want {
			if got[name] != v {
				w.t.Errorf(`%s\%s: got %v, want %v`, path, name, got[name], v)
			}
		}
		if path != serviceKey && !maps.Equal(got, want) {
			w.t.Errorf("%s: got values %v, want only %v", path, got, want)
		}
	}
	if !w.exists(rvmExe) {
		w.t.Errorf("%s: absent after the install", rvmExe)
	}
}

// TestMSI installs the msi with msiexec under Wine (in the prefix
// $HOME/.wine-rvm-packages), silently, checks the
// registry and Program Files before, after the install and after the
// uninstall, and that the installed rvm.exe reports the msi's version.
// Wine's sockets have no AF_UNIX, so rvm's service cannot run there: the
// install that starts the service fails and must leave nothing behind,
// and the rest is checked on an install without the StartService feature
// (ADDLOCAL=Rvm), which registers the service without starting it.
func TestMSI(t *testing.T) {
	p := packages(t)
	if p.noMSI != "" {
		t.Skipf("SKIP: TestMSI: %s", p.noMSI)
	}
	// A prefix of its own: the msi installs machine-wide, and Wine's
	// msi, uninstalling, removes the keys above it that it leaves empty
	// (EventLog\Application, in a fresh prefix), which the Windows tests'
	// prefix must keep.
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skipf("SKIP: TestMSI: no home folder for its Wine prefix: %v", err)
	}
	w := windows{t, platformtest.Wine(t, filepath.Join(home, ".wine-rvm-packages"))}
	msi := platformtest.WinePath(p.msi)
	w.nothingInstalled("before the install (a run that was cut short may have left rvm installed in the Wine prefix: msiexec /x the msi it built, or remove the prefix)")
	t.Cleanup(func() { w.run("msiexec", "/x", msi, "/qn") })

	// The whole package: msiexec /i rvm.msi /qn.
	_, stderr, ok := w.run("cmd", "/c", "set WINEDEBUG=err+msi&& msiexec /i "+msi+" /qn")
	if ok {
		t.Log("the service started under Wine: checking the full install")
		w.installed()
		if _, _, ok := w.run("msiexec", "/x", msi, "/qn"); !ok {
			t.Fatal("msiexec /x failed")
		}
		w.nothingInstalled("after msiexec /x")
	} else {
		if !strings.Contains(stderr, `ITERATE_StartService failed to start service L"rvm"`) {
			t.Fatalf("msiexec /i %s /qn failed, and not for want of starting the service:\n%s", msi, stderr)
		}
		w.nothingInstalled("after an install whose service did not start (Wine: no AF_UNIX sockets)")
	}

	if _, _, ok := w.run("msiexec", "/i", msi, "/qn", "ADDLOCAL=Rvm"); !ok {
		t.Fatalf("msiexec /i %s /qn ADDLOCAL=Rvm failed", msi)
	}
	w.installed()
	wantVersion := "rvm " + p.version + "\ncommit " + p.commit + "\nbuilt with " + runtime.Version() + " for windows/" + runtime.GOARCH + "\n"
	if out, _, ok := w.run(rvmExe, "--version"); !ok || out != wantVersion {
		t.Errorf("%s --version: got %q (ok %v), want %q", rvmExe, out, ok, wantVersion)
	}
	if _, _, ok := w.run("msiexec", "/x", msi, "/qn"); !ok {
		t.Fatal("msiexec /x failed")
	}
	w.nothingInstalled("after msiexec /x")
}
