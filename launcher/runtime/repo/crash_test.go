package repo_test

import (
	"bufio"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/launcher/runtime/repo"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

func TestMain(m *testing.M) {
	platformtest.Roles(map[string]func([]string) int{"install": childInstall})
	os.Exit(m.Run())
}

// childInstall installs a version as its own process: args are the
// repository URL, the root file, the CA file, the --resolve entry, the
// data and runtime directories, the version and when to stop: "never",
// or a fraction of the archive ("0", "0.5") after which it says "ready"
// on stdout and waits to be killed.
func childInstall(argv []string) int {
	var args []string
	if len(argv) != 1 || json.Unmarshal([]byte(argv[0]), &args) != nil || len(args) != 8 {
		fmt.Fprintln(os.Stderr, "want one argument: a JSON array of 8 strings")
		return 2
	}
	url, rootFile, caFile, resolve, data, rtdir, version, stop := args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7]
	root, err := os.ReadFile(rootFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	block, _ := pem.Decode(caPEM)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	from, to, err := fetch.ParseResolve(resolve)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c, err := repo.New(repo.Options{URL: url, Root: root, DataDir: data, Fetcher: &fetch.Fetcher{RootCAs: pool, Resolve: map[string]string{from: to}},
		Now: func() time.Time { return t0 }, OS: goos, Arch: goarch})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var progress repo.Progress
	if stop != "never" {
		var frac float64
		fmt.Sscan(stop, &frac)
		said := false
		progress = func(done, total int64) {
			if !said && done > 0 && float64(done) >= frac*float64(total) {
				said = true
				fmt.Println("ready")
				io.Copy(io.Discard, os.Stdin) // until killed
				select {}
			}
		}
	}
	r, err := c.Install(ctx, version, rtdir, progress)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(r.Path)
	return 0
}

// child starts a process that installs version.
func (w *world) child(t *testing.T, data, rtdir, version, stop string) (*exec.Cmd, *bufio.Reader, io.WriteCloser) {
	t.Helper()
	dir := platformtest.TempDir(t)
	rootFile, caFile := filepath.Join(dir, "1.root.json"), filepath.Join(dir, "ca.pem")
	platformtest.Must(t, os.WriteFile(rootFile, w.root(), 0o644))
	platformtest.Must(t, os.WriteFile(caFile, w.ca.PEM(), 0o644))
	// One argument: platformtest joins several with NUL, which an
	// environment variable cannot hold.
	args, err := json.Marshal([]string{w.url(), rootFile, caFile, w.srv.Resolve(host), data, rtdir, version, stop})
	platformtest.Must(t, err)
	cmd := platformtest.Child(t, "install", string(args))
	out, err := cmd.StdoutPipe()
	platformtest.Must(t, err)
	in, err := cmd.StdinPipe()
	platformtest.Must(t, err)
	platformtest.Must(t, cmd.Start())
	return cmd, bufio.NewReader(out), in
}

// bigArchive is a runtime with two files of random bytes (which do not
// compress), so that the archive is read in many pieces.
func bigArchive(t *testing.T) []byte {
	a, b := make([]byte, 1<<20), make([]byte, 1<<20)
	rand.Read(a)
	rand.Read(b)
	return runtimeArchive(t, file{name: "lib/a.bin", body: string(a)}, file{name: "lib/b.bin", body: string(b)})
}

// TestCrash: a process killed part way through the download (which is
// also part way through unpacking) leaves nothing installed, and the next
// install succeeds and clears what it left.
func TestCrash(t *testing.T) {
	tests := []struct {
		name, stop string
		unpacked   bool // the killed process had unpacked files
	}{
		{name: "mid-download", stop: "0"},
		{name: "mid-unpack", stop: "0.5", unpacked: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.publish(map[string][]byte{"1.0.0": bigArchive(t)}, nil)
			data, rtdir := platformtest.TempDir(t), filepath.Join(platformtest.TempDir(t), "runtime")
			cmd, out, in := w.child(t, data, rtdir, "1.0.0", tt.stop)
			line, err := out.ReadString('\n')
			if strings.TrimSpace(line) != "ready" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("got %q, %v from the child, want ready", line, err)
			}
			platformtest.Must(t, cmd.Process.Kill())
			cmd.Wait()
			in.Close()
			if all, _ := runtime.Installed(rtdir); len(all) != 0 {
				t.Fatalf("got %+v installed after the kill, want nothing", all)
			}
			left, _ := filepath.Glob(filepath.Join(rtdir, ".1.0.0.tmp-*"))
			if len(left) != 1 {
				t.Fatalf("got %q left by the killed install, want its temporary folder", left)
			}
			if _, err := os.Stat(filepath.Join(left[0], runtimeExe())); tt.unpacked && err != nil {
				t.Fatalf("got %v, want the killed install to have unpacked the runtime", err)
			}
			r, err := w.client(data).Install(ctx, "1.0.0", rtdir, nil)
			if err != nil || r.Version != "1.0.0" {
				t.Fatalf("got %+v, %v; want 1.0.0 installed by the next run", r, err)
			}
			if left, _ := filepath.Glob(filepath.Join(rtdir, ".1.0.0.tmp-*")); len(left) != 0 {
				t.Fatalf("got %q left after the next install, want it cleared", left)
			}
		})
	}
}

// TestConcurrentInstalls: two processes installing one version at once
// download it once.
func TestConcurrentInstalls(t *testing.T) {
	w := newWorld(t)
	w.publish(map[string][]byte{"1.0.0": bigArchive(t)}, nil)
	rtdir := filepath.Join(platformtest.TempDir(t), "runtime")
	type result struct {
		cmd *exec.Cmd
		out *bufio.Reader
	}
	var children []result
	for range 2 {
		cmd, out, in := w.child(t, platformtest.TempDir(t), rtdir, "1.0.0", "never")
		in.Close()
		children = append(children, result{cmd, out})
	}
	for i, c := range children {
		line, _ := c.out.ReadString('\n')
		if err := c.cmd.Wait(); err != nil || strings.TrimSpace(line) != filepath.Join(rtdir, "1.0.0", runtimeExe()) {
			t.Fatalf("child %d: got %q, %v; want the installed runtime's path", i, line, err)
		}
	}
	if got := w.count(w.targetName(archiveTarget("1.0.0"))); got != 1 {
		t.Fatalf("got %d downloads of the archive, want 1", got)
	}
}
