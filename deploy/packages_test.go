//go:build linux

package deploy

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// builtPackages is what packages.sh made.
type builtPackages struct {
	once            sync.Once
	dir             string
	version, commit string
	deb, rpm, msi   string // paths
	err             error  // packages.sh failed, and not for want of wixl alone
	noMSI           string // why there is no msi, where there is none
}

// built is what packages.sh made, once for all the tests.
var built builtPackages

// packages builds the packages with packages.sh, as `make packages` does
// (the version from version.sh, the commit from git), and returns what it
// built; it fails the test where the deb or the rpm could not be built.
func packages(t *testing.T) *builtPackages {
	t.Helper()
	built.once.Do(buildPackages)
	if built.err != nil {
		t.Fatal(built.err)
	}
	return &built
}

func buildPackages() {
	b := &built
	var err error
	if b.dir, err = os.MkdirTemp("", "rvm-packages-"); err != nil {
		b.err = err
		return
	}
	version, err := exec.Command("./version.sh").Output()
	if err != nil {
		b.err = errors.New("version.sh: " + exitText(err))
		return
	}
	commit, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		b.err = errors.New("git rev-parse HEAD: " + exitText(err))
		return
	}
	b.version, b.commit = strings.TrimSpace(string(version)), strings.TrimSpace(string(commit))
	cmd := exec.Command("./packages.sh", b.dir)
	cmd.Env = withoutEnv("VERSION", "COMMIT")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	perr := cmd.Run()
	arch := runtime.GOARCH
	rpmArch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[arch]
	b.deb = filepath.Join(b.dir, "rvm_"+b.version+"_"+arch+".deb")
	b.rpm = filepath.Join(b.dir, "rvm-"+b.version+"."+rpmArch+".rpm")
	b.msi = filepath.Join(b.dir, "rvm-"+b.version+"-x64.msi")
	for _, p := range []string{b.deb, b.rpm} {
		if _, err := os.Stat(p); err != nil {
			b.err = errors.New("packages.sh did not build " + filepath.Base(p) + ": " + stderr.String())
			return
		}
	}
	if _, err := os.Stat(b.msi); err != nil {
		b.noMSI = strings.TrimSpace(strings.TrimPrefix(stderr.String(), "packages.sh: "))
		if !strings.Contains(stderr.String(), "wixl is not installed") {
			b.err = errors.New("packages.sh did not build the msi: " + stderr.String())
		}
		return
	}
	if perr != nil {
		b.err = errors.New("packages.sh: " + perr.Error() + "\n" + stderr.String())
	}
}

// TestMain removes the packages' folder when the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// withoutEnv is this process's environment without the names given.
func withoutEnv(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, n := range names {
			keep = keep && name != n
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}

// exitText is an error of exec in words, with what the program said on
// stderr.
func exitText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return err.Error() + ": " + strings.TrimSpace(string(ee.Stderr))
	}
	return err.Error()
}

// need skips the test where tool is not installed, saying so and how to
// install it.
func need(t *testing.T, tool, install string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("SKIP: %s: %s is not installed (%s)", t.Name(), tool, install)
	}
}

// run runs a program and returns its standard output; it fails the test,
// with what the program said, where the program fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %s: %s", name, strings.Join(args, " "), exitText(err))
	}
	return string(out)
}

// source is a file of this folder, as the packages should hold it.
func source(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
