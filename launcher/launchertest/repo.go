package launchertest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/runtime/publisher"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// RepoHost is the name the World's runtime repository answers as.
const RepoHost = "runtimes.acme.test"

// Repo is a runtime repository made with rvm-repo's logic (package
// publisher) and served over TLS on loopback, as RepoHost, by a server
// whose certificate the World's CA issued. Its files can be answered
// otherwise (Override), as a hostile mirror would, and its requests are
// counted.
type Repo struct {
	T testing.TB
	// Dir is the publisher's folder (keys/, public/).
	Dir    string
	Pub    *publisher.Repo
	Server *manifesttest.Server

	mu     sync.Mutex
	over   map[string]http.HandlerFunc // path below the base -> handler in place of the file
	counts map[string]int              // path below the base -> requests
}

// NewRepo makes an empty repository for w (keys and first metadata) and
// serves it; w's options then reach it (--resolve).
func (w *World) NewRepo() *Repo {
	w.T.Helper()
	r := &Repo{T: w.T, Dir: filepath.Join(w.Dir, "repo"), over: map[string]http.HandlerFunc{}, counts: map[string]int{}}
	pub, err := publisher.Init(r.Dir, publisher.InitOptions{})
	platformtest.Must(w.T, err)
	r.Pub = pub
	srv, err := manifesttest.NewTLSServer(w.CA, http.HandlerFunc(r.serve), RepoHost)
	platformtest.Must(w.T, err)
	w.T.Cleanup(srv.Close)
	r.Server = srv
	w.Opts.Resolve = append(w.Opts.Resolve, srv.Resolve(RepoHost))
	return r
}

// URL is the repository's base URL (RuntimeRepository).
func (r *Repo) URL() string { return r.Server.URL(RepoHost, "/rt/") }

// Root is the path of the owner's copy of the repository's first root
// (RuntimeRepositoryRoot).
func (r *Repo) Root() string {
	p := filepath.Join(r.Dir, "owner-1.root.json")
	if _, err := os.Stat(p); err != nil {
		data, err := os.ReadFile(r.Public("metadata/1.root.json"))
		platformtest.Must(r.T, err)
		platformtest.Must(r.T, os.WriteFile(p, data, 0o644))
	}
	return p
}

// Public is the path of a served file, below the base.
func (r *Repo) Public(name string) string {
	return filepath.Join(r.Dir, "public", filepath.FromSlash(name))
}

// Publish adds the runtime archives (version to archive) for this
// platform, points channels at versions, and publishes.
func (r *Repo) Publish(archives map[string][]byte, channels map[string]string) {
	r.T.Helper()
	goos, goarch := platform.Target()
	for v, a := range archives {
		p := filepath.Join(platformtest.TempDir(r.T), "runtime.tar.gz")
		platformtest.Must(r.T, os.WriteFile(p, a, 0o644))
		_, err := r.Pub.Add(v, goos, goarch, p)
		platformtest.Must(r.T, err)
	}
	for name, v := range channels {
		platformtest.Must(r.T, r.Pub.Channel(name, v))
	}
	_, err := r.Pub.Publish(nil)
	platformtest.Must(r.T, err)
}

// Target is the path, below the base, where the archive of version for
// this platform is served.
func (r *Repo) Target(version string) string {
	goos, goarch := platform.Target()
	entries, err := filepath.Glob(r.Public("targets/runtimes/" + version + "/*." + goos + "-" + goarch + ".tar.gz"))
	if err != nil || len(entries) != 1 {
		r.T.Fatalf("not one served archive of runtime %s: %v %v", version, entries, err)
	}
	rel, _ := filepath.Rel(filepath.Join(r.Dir, "public"), entries[0])
	return filepath.ToSlash(rel)
}

// Override answers name (below the base; "targets/*" for every target)
// with h in place of the file.
func (r *Repo) Override(name string, h http.HandlerFunc) {
	r.mu.Lock()
	r.over[name] = h
	r.mu.Unlock()
}

// Requests is how many requests the repository has answered.
func (r *Repo) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.counts {
		n += c
	}
	return n
}

// TargetRequests is how many requests for targets (archives, channels)
// the repository has answered.
func (r *Repo) TargetRequests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for name, c := range r.counts {
		if strings.HasPrefix(name, "targets/") {
			n += c
		}
	}
	return n
}

func (r *Repo) serve(rw http.ResponseWriter, req *http.Request) {
	name, ok := strings.CutPrefix(req.URL.Path, "/rt/")
	if !ok {
		http.NotFound(rw, req)
		return
	}
	r.mu.Lock()
	r.counts[name]++
	h := r.over[name]
	if h == nil && strings.HasPrefix(name, "targets/") {
		h = r.over["targets/*"]
	}
	r.mu.Unlock()
	if h != nil {
		h(rw, req)
		return
	}
	f, err := os.Open(r.Public(path.Clean("/" + name)[1:]))
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

// OwnerMachineSettings makes js the machine settings of an owner source
// of w (as /etc/rvm/settings.json is), with w's options still naming the
// per-user ones, and gives w a new Launcher that reads them.
func (w *World) OwnerMachineSettings(js string) {
	w.T.Helper()
	p := filepath.Join(w.Dir, "owner-settings.json")
	platformtest.Must(w.T, os.WriteFile(p, []byte(js), 0o644))
	w.Env.Settings = &settings.Sources{Owner: []settings.Source{settings.JSONFile(p)}}
	w.L = launcher.New(w.Env)
}

// OwnerSettings is the owner's machine settings that configure r, with
// the more settings of extra (a JSON object, or "").
func (r *Repo) OwnerSettings(extra string) string {
	m := map[string]any{"RuntimeRepository": r.URL(), "RuntimeRepositoryRoot": r.Root()}
	if extra != "" {
		platformtest.Must(r.T, json.Unmarshal([]byte(extra), &m))
	}
	data, err := json.Marshal(m)
	platformtest.Must(r.T, err)
	return string(data)
}

var (
	selfOnce    sync.Once
	selfArchive []byte
	selfErr     error
)

// RuntimeArchive is a runtime archive whose executable is this test
// binary: a launch of the runtime installed from it starts the stand-in
// runtime (see Main). It is made once.
func RuntimeArchive(t testing.TB) []byte {
	t.Helper()
	selfOnce.Do(func() {
		self, err := os.Executable()
		if err != nil {
			selfErr = err
			return
		}
		exe, err := os.ReadFile(self)
		if err != nil {
			selfErr = err
			return
		}
		selfArchive, selfErr = Archive(TarEntry{Name: platform.RuntimeExecutable(), Body: exe, Mode: 0o755})
	})
	platformtest.Must(t, selfErr)
	return selfArchive
}

// TarEntry is an entry of a test archive: a regular file unless Type says
// otherwise.
type TarEntry struct {
	Name     string
	Type     byte
	Body     []byte
	Linkname string
	Mode     int64
}

// Archive makes a gzip-compressed tar archive of entries.
func Archive(entries ...TarEntry) ([]byte, error) {
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		typ := e.Type
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: e.Name, Typeflag: typ, Linkname: e.Linkname, Mode: e.Mode}
		if typ == tar.TypeReg {
			hdr.Size = int64(len(e.Body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.Body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
