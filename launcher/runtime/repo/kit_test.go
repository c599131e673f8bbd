package repo_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/rvm-launcher/rvm/launcher/runtime/publisher"
	"github.com/rvm-launcher/rvm/launcher/runtime/repo"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// host is the name the test repository is served as.
const host = "runtimes.acme.test"

// t0 is the time the test repositories are made at.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// goos and goarch are the platform the tests install for: this machine's.
var goos, goarch = hostPlatform()

// file is one file of a test runtime archive.
type file struct {
	name, body string
	typ        byte
	link       string
	size       int64
}

// runtimeArchive makes a runtime archive holding the executable and files.
func runtimeArchive(t testing.TB, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	all := append([]file{{name: platform.RuntimeExecutable(), body: "#!/bin/sh\necho runtime\n"}}, files...)
	for _, f := range all {
		typ := f.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		size := int64(len(f.body))
		if f.size != 0 {
			size = f.size
		}
		if typ != tar.TypeReg {
			size = 0
		}
		hdr := &tar.Header{Name: f.name, Typeflag: typ, Linkname: f.link, Mode: 0o755, Size: size}
		platformtest.Must(t, tw.WriteHeader(hdr))
		if typ == tar.TypeReg && f.size == 0 {
			_, err := io.WriteString(tw, f.body)
			platformtest.Must(t, err)
		}
	}
	tw.Flush() // not Close: a bomb's entry is left short
	platformtest.Must(t, gz.Close())
	return buf.Bytes()
}

// world is a repository made by the publisher, served over TLS on
// loopback, and a clock that the publisher and the clients share.
type world struct {
	t      testing.TB
	dir    string
	pub    *publisher.Repo
	srv    *manifesttest.Server
	ca     *manifesttest.CA
	now    time.Time
	mu     sync.Mutex
	over   map[string]http.HandlerFunc // path below the base -> handler in place of the file
	counts map[string]int              // path below the base -> requests
}

// newWorld makes a repository and serves it.
func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, dir: filepath.Join(platformtest.TempDir(t), "repo"), now: t0, over: map[string]http.HandlerFunc{}, counts: map[string]int{}}
	pub, err := publisher.Init(w.dir, publisher.InitOptions{Now: w.clock})
	platformtest.Must(t, err)
	w.pub = pub
	ca, err := manifesttest.NewCA("test CA")
	platformtest.Must(t, err)
	w.ca = ca
	srv, err := manifesttest.NewTLSServer(ca, http.HandlerFunc(w.serve), host)
	platformtest.Must(t, err)
	t.Cleanup(srv.Close)
	w.srv = srv
	return w
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

// advance moves the shared clock.
func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	w.now = w.now.Add(d)
	w.mu.Unlock()
}

// serve answers below /rt/ from the repository's public tree, or from an
// override.
func (w *world) serve(rw http.ResponseWriter, req *http.Request) {
	name, ok := strings.CutPrefix(req.URL.Path, "/rt/")
	if !ok {
		http.NotFound(rw, req)
		return
	}
	w.mu.Lock()
	w.counts[name]++
	h := w.over[name]
	if h == nil && strings.HasPrefix(name, "targets/") {
		h = w.over["targets/*"]
	}
	w.mu.Unlock()
	if h != nil {
		h(rw, req)
		return
	}
	f, err := os.Open(filepath.Join(w.dir, "public", filepath.FromSlash(path.Clean("/"+name))))
	if err != nil {
		http.NotFound(rw, req)
		return
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		rw.Header().Set("Content-Length", fmt.Sprint(info.Size()))
	}
	io.Copy(rw, f)
}

// override answers name (below the base) with h.
func (w *world) override(name string, h http.HandlerFunc) {
	w.mu.Lock()
	w.over[name] = h
	w.mu.Unlock()
}

// count is the requests for name (below the base) so far.
func (w *world) count(name string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.counts[name]
}

// requests is every request so far.
func (w *world) requests() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, c := range w.counts {
		n += c
	}
	return n
}

// url is the repository's base URL.
func (w *world) url() string { return w.srv.URL(host, "/rt/") }

// root is the repository's first root.
func (w *world) root() []byte {
	data, err := os.ReadFile(filepath.Join(w.dir, "public", "metadata", "1.root.json"))
	platformtest.Must(w.t, err)
	return data
}

// fetcher reaches the server by name and trusts its CA.
func (w *world) fetcher(timeouts fetch.Timeouts) *fetch.Fetcher {
	return &fetch.Fetcher{RootCAs: w.ca.Pool, Resolve: map[string]string{host + ":" + w.srv.Port: w.srv.Addr}, Timeouts: timeouts}
}

// client makes a client of the repository with its cache in data (none
// where "").
func (w *world) client(data string, edit ...func(*repo.Options)) *repo.Client {
	w.t.Helper()
	o := repo.Options{URL: w.url(), Root: w.root(), DataDir: data, Fetcher: w.fetcher(fetch.Timeouts{Total: 5 * time.Second}), Now: w.clock, OS: goos, Arch: goarch}
	for _, e := range edit {
		e(&o)
	}
	c, err := repo.New(o)
	platformtest.Must(w.t, err)
	return c
}

// publish adds the runtime archives (version -> archive) for this
// platform, points the channels at versions, and publishes.
func (w *world) publish(archives map[string][]byte, channels map[string]string) {
	w.t.Helper()
	for v, a := range archives {
		p := filepath.Join(platformtest.TempDir(w.t), "rt.tar.gz")
		platformtest.Must(w.t, os.WriteFile(p, a, 0o644))
		_, err := w.pub.Add(v, goos, goarch, p)
		platformtest.Must(w.t, err)
	}
	for name, v := range channels {
		platformtest.Must(w.t, w.pub.Channel(name, v))
	}
	_, err := w.pub.Publish(nil)
	platformtest.Must(w.t, err)
}

// public is the path of a served file.
func (w *world) public(name string) string {
	return filepath.Join(w.dir, "public", filepath.FromSlash(name))
}

// read reads a served file.
func (w *world) read(name string) []byte {
	data, err := os.ReadFile(w.public(name))
	platformtest.Must(w.t, err)
	return data
}

// targetName is where a target is served, below the base.
func (w *world) targetName(target string) string {
	targets := w.current()
	tf := targets.Signed.Targets[target]
	if tf == nil {
		w.t.Fatalf("no target %s", target)
	}
	return "targets/" + publisher.ServedPath(target, tf.Hashes["sha256"])
}

func loadMeta[T metadata.Roles](w *world, name string) *metadata.Metadata[T] {
	var m metadata.Metadata[T]
	_, err := m.FromBytes(w.read("metadata/" + name))
	platformtest.Must(w.t, err)
	return &m
}

// current is the published targets metadata.
func (w *world) current() *metadata.Metadata[metadata.TargetsType] {
	ts := loadMeta[metadata.TimestampType](w, "timestamp.json")
	snap := loadMeta[metadata.SnapshotType](w, fmt.Sprintf("%d.snapshot.json", ts.Signed.Meta["snapshot.json"].Version))
	return loadMeta[metadata.TargetsType](w, fmt.Sprintf("%d.targets.json", snap.Signed.Meta["targets.json"].Version))
}

// signer loads a key file of the repository (keys/<role>.pem, or a path
// below keys/).
func (w *world) signer(name string) signature.Signer {
	w.t.Helper()
	data, err := os.ReadFile(filepath.Join(w.dir, "keys", name))
	platformtest.Must(w.t, err)
	block, _ := pem.Decode(data)
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	platformtest.Must(w.t, err)
	s, err := signature.LoadSigner(priv, crypto.SHA256)
	platformtest.Must(w.t, err)
	return s
}

// signed signs m with the keys named and returns its bytes.
func signed[T metadata.Roles](w *world, m *metadata.Metadata[T], keys ...string) []byte {
	m.ClearSignatures()
	for _, k := range keys {
		_, err := m.Sign(w.signer(k))
		platformtest.Must(w.t, err)
	}
	data, err := m.ToBytes(true)
	platformtest.Must(w.t, err)
	return data
}

// write writes a served file.
func (w *world) write(name string, data []byte) {
	platformtest.Must(w.t, os.MkdirAll(filepath.Dir(w.public(name)), 0o755))
	platformtest.Must(w.t, os.WriteFile(w.public(name), data, 0o644))
}

// metaFor describes metadata bytes as a snapshot or timestamp lists them.
func metaFor(version int64, data []byte) *metadata.MetaFiles {
	m := metadata.MetaFile(version)
	m.Length = int64(len(data))
	tf, _ := metadata.TargetFile().FromBytes("x", data, "sha256")
	m.Hashes = tf.Hashes
	return m
}

// resign publishes, by hand, targets changed by edit (a publisher whose
// tool would refuse what it adds: a hostile archive, say), signed with
// the repository's keys, with a new snapshot and timestamp.
func (w *world) resign(edit func(targets *metadata.Metadata[metadata.TargetsType])) {
	w.t.Helper()
	targets := w.current()
	edit(targets)
	targets.Signed.Version++
	tdata := signed(w, targets, "targets.pem")
	w.write(fmt.Sprintf("metadata/%d.targets.json", targets.Signed.Version), tdata)
	ts := loadMeta[metadata.TimestampType](w, "timestamp.json")
	snap := loadMeta[metadata.SnapshotType](w, fmt.Sprintf("%d.snapshot.json", ts.Signed.Meta["snapshot.json"].Version))
	snap.Signed.Version++
	snap.Signed.Meta["targets.json"] = metaFor(targets.Signed.Version, tdata)
	sdata := signed(w, snap, "snapshot.pem")
	w.write(fmt.Sprintf("metadata/%d.snapshot.json", snap.Signed.Version), sdata)
	ts.Signed.Version++
	ts.Signed.Meta["snapshot.json"] = metaFor(snap.Signed.Version, sdata)
	w.write("metadata/timestamp.json", signed(w, ts, "timestamp.pem"))
}

// addRaw publishes data as the archive of version, unchecked.
func (w *world) addRaw(version string, data []byte) string {
	target := fmt.Sprintf("runtimes/%s/%s-%s.tar.gz", version, goos, goarch)
	w.resign(func(targets *metadata.Metadata[metadata.TargetsType]) {
		tf, err := metadata.TargetFile().FromBytes(target, data, "sha256")
		platformtest.Must(w.t, err)
		targets.Signed.Targets[target] = tf
		w.write("targets/"+publisher.ServedPath(target, tf.Hashes["sha256"]), data)
	})
	return target
}

func hostPlatform() (string, string) { return goruntime.GOOS, goruntime.GOARCH }

func runtimeExe() string { return platform.RuntimeExecutable() }
