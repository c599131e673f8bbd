package launcher_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/launcher/runtime/publisher"
	"github.com/rvm-launcher/rvm/manifest/manifesttest"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// The hosts of the fleet's one server.
const (
	fleetApps     = "apps.acme.test"
	fleetOwner    = "dos.acme.test"
	fleetCRL      = "crl.acme.test"
	fleetRuntimes = "runtimes.acme.test"
)

// fleetDays is how many days of daily launches BenchmarkFleet simulates.
const fleetDays = 3

// The kinds of request the fleet's server counts.
const (
	kindManifest = "manifest"
	kindOwner    = "owner-settings"
	kindCRL      = "crl"
	kindRepo     = "repo-metadata"
	kindArchive  = "runtime-archive"
)

// fleetSizes are the fleets BenchmarkFleet simulates: RVM_FLEET_DESKTOPS
// (make bench sets 10000), else a small fleet that a plain
// `go test -bench .` runs in seconds.
func fleetSizes() []int {
	if n, err := strconv.Atoi(os.Getenv("RVM_FLEET_DESKTOPS")); err == nil && n > 0 {
		return []int{n}
	}
	return []int{100}
}

// fleetServer is the one server of a fleet on loopback: the desktop owner
// settings, the CRL of the signing certificate's CA, the runtime
// repository (made with rvm-repo's logic) and the app's manifest, each
// with an ETag and a 304 for a request that has it, as a static file
// server or CDN answers. It counts each answer by kind, status and
// simulated minute, and the bytes an HTTP/1.1 answer would take (status
// line, headers, body; TLS not counted).
type fleetServer struct {
	now  *atomic.Int64 // the simulated clock, in Unix nanoseconds
	dir  string        // the repository's folder
	docs map[string][]byte

	mu       sync.Mutex
	counts   map[fleetKey]int
	bytes    map[fleetKey]int64
	byMinute map[int64]map[string]int // Unix minute -> kind -> requests
}

// fleetKey is a kind of request and the status it was answered with.
type fleetKey struct {
	kind   string
	status int
}

func (s *fleetServer) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	host, _, _ := strings.Cut(req.Host, ":")
	kind, body, cacheControl := "", []byte(nil), ""
	switch host {
	case fleetApps:
		kind, body = kindManifest, s.docs[req.URL.Path]
	case fleetOwner:
		kind, body = kindOwner, s.docs[req.URL.Path]
	case fleetCRL:
		kind, body = kindCRL, s.docs[req.URL.Path]
	case fleetRuntimes:
		name := strings.TrimPrefix(req.URL.Path, "/rt/")
		kind = kindRepo
		if strings.HasPrefix(name, "targets/runtimes/") {
			kind = kindArchive
		}
		if name == "metadata/timestamp.json" {
			cacheControl = "max-age=300"
		}
		if filepath.IsLocal(filepath.FromSlash(name)) {
			body, _ = os.ReadFile(filepath.Join(s.dir, "public", filepath.FromSlash(name)))
		}
	}
	status := http.StatusOK
	h := rw.Header()
	if body == nil {
		status = http.StatusNotFound
		body = []byte("404 page not found\n")
	} else {
		sum := sha256.Sum256(body)
		tag := `"` + hex.EncodeToString(sum[:16]) + `"`
		h.Set("ETag", tag)
		if cacheControl != "" {
			h.Set("Cache-Control", cacheControl)
		}
		if req.Header.Get("If-None-Match") == tag {
			status, body = http.StatusNotModified, nil
		}
	}
	if body != nil {
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("Content-Type", "application/octet-stream")
	}
	h.Set("Date", time.Unix(0, s.now.Load()).UTC().Format(http.TimeFormat))
	var head strings.Builder
	fmt.Fprintf(&head, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	h.Write(&head)
	head.WriteString("\r\n")

	key := fleetKey{kind, status}
	minute := s.now.Load() / int64(time.Minute)
	s.mu.Lock()
	s.counts[key]++
	s.bytes[key] += int64(head.Len() + len(body))
	if s.byMinute[minute] == nil {
		s.byMinute[minute] = map[string]int{}
	}
	s.byMinute[minute][kind]++
	s.mu.Unlock()

	rw.WriteHeader(status)
	rw.Write(body)
}

// snapshot returns the counts so far and starts them again.
func (s *fleetServer) snapshot() (map[fleetKey]int, map[fleetKey]int64, map[int64]map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, b, m := s.counts, s.bytes, s.byMinute
	s.counts, s.bytes, s.byMinute = map[fleetKey]int{}, map[fleetKey]int64{}, map[int64]map[string]int{}
	return c, b, m
}

// BenchmarkFleet simulates a fleet of desktops, each with its own data
// directory and a Launcher made for each launch (as `rvm launch` is a
// process of its own), against one server on loopback holding the desktop
// owner settings, the CRL of the signing certificate's CA, the runtime
// repository and the app's signed manifest (runtime "stable"). Every
// desktop starts at 9:00 each day, for three days, and launches the app
// once: the decision and, the first day, the runtime's download and
// install (the runtime is not started). The repository's timestamp lasts
// a week and is served with max-age=300; the CRL is current for a week.
//
// It reports, per launch on the days after the first (the steady state),
// the requests answered 200 and 304 (and 404: the next root that TUF asks
// for at each refresh) and their bytes, by kind; and the busiest simulated
// minute's requests per desktop, the first day and after.
func BenchmarkFleet(b *testing.B) {
	for _, n := range fleetSizes() {
		b.Run(fmt.Sprintf("desktops=%d", n), func(b *testing.B) { benchFleet(b, n) })
	}
}

func benchFleet(b *testing.B, desktops int) {
	dir := b.TempDir()
	start := time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC) // a Monday, 9:00
	var now atomic.Int64
	now.Store(start.Add(-time.Hour).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }

	// The repository: one runtime on the stable channel, its timestamp
	// good for a week.
	pub, err := publisher.Init(filepath.Join(dir, "repo"), publisher.InitOptions{Now: clock, Expires: map[string]time.Duration{"timestamp": 7 * 24 * time.Hour}})
	platformtest.Must(b, err)
	archive, err := launchertest.Archive(launchertest.TarEntry{Name: platform.RuntimeExecutable(), Body: []byte("#!/bin/sh\nexit 0\n"), Mode: 0o755})
	platformtest.Must(b, err)
	archivePath := filepath.Join(dir, "runtime.tar.gz")
	platformtest.Must(b, os.WriteFile(archivePath, archive, 0o644))
	_, err = pub.Add("38.1.0.0", goruntime.GOOS, goruntime.GOARCH, archivePath)
	platformtest.Must(b, err)
	platformtest.Must(b, pub.Channel("stable", "38.1.0.0"))
	_, err = pub.Publish(nil)
	platformtest.Must(b, err)

	srv := &fleetServer{now: &now, dir: filepath.Join(dir, "repo"), docs: map[string][]byte{},
		counts: map[fleetKey]int{}, bytes: map[fleetKey]int64{}, byMinute: map[int64]map[string]int{}}
	ca, err := manifesttest.NewCA("fleet TLS CA")
	platformtest.Must(b, err)
	cert, err := ca.Issue(fleetApps, fleetOwner, fleetCRL, fleetRuntimes)
	platformtest.Must(b, err)
	hs := httptest.NewUnstartedServer(srv)
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	// A launch is a process of its own, whose connections go when it
	// exits; here the server lets them go once idle, or the fleet's would
	// pile up.
	hs.Config.IdleTimeout = time.Second
	hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	hs.StartTLS()
	b.Cleanup(hs.Close)
	_, port, _ := net.SplitHostPort(hs.Listener.Addr().String())
	tlsSrv := &manifesttest.Server{Server: hs, Addr: hs.Listener.Addr().String(), Port: port}

	// The signer, whose CA publishes a CRL good for a week.
	root := trusttest.NewRoot(b, trusttest.Options{})
	crlURL := tlsSrv.URL(fleetCRL, "/root.crl")
	signer := root.Issue(b, trusttest.Options{CRLURLs: []string{crlURL}})
	srv.docs["/root.crl"] = root.CRL(b, 1, start.Add(-2*time.Hour), start.Add(7*24*time.Hour))
	roots := trusttest.WriteRoots(b, root)
	apps := trusttest.Apps(trusttest.App{Name: "Acme Blotter", Match: []string{fmt.Sprintf("https://*.acme.test:%s/blotter/*", tlsSrv.Port)},
		Permissions: `{"System": {"launchExternalProcess": true}}`})
	manifest, _ := json.Marshal(map[string]any{
		"runtime":           map[string]any{"version": "stable"},
		"startup_app":       map[string]any{"name": "blotter", "permissions": json.RawMessage(`{"System": {"launchExternalProcess": true}, "Window": {"getSnapshot": true}}`)},
		"trustedAppConfigs": trusttest.Block(b, signer, trusttest.Config(signer, apps), "linux"),
	})
	srv.docs["/blotter/app.json"] = manifest
	srv.docs["/owner.json"] = []byte(strings.ReplaceAll(`{"desktopSettings": {"securedAPIDefaultPermission": "deny", "allowedManifestUrls": ["https://*.acme.test:PORT/*"],
  "allowedRuntimeVersions": ["38.*"], "minimumRuntimeVersion": "38.0.0.0"},
 "applicationSettings": {"default": {"permissions": {"System": {"readRegistryValue": false}}},
  "blotter": {"urls": ["https://apps.acme.test:PORT/blotter/*"], "permissions": {"Window": {"getSnapshot": true}}}}}`, "PORT", tlsSrv.Port))

	ownerFile := filepath.Join(dir, "owner-machine-settings.json")
	rootFile := filepath.Join(dir, "1.root.json")
	rootJSON, err := os.ReadFile(filepath.Join(dir, "repo", "public", "metadata", "1.root.json"))
	platformtest.Must(b, err)
	platformtest.Must(b, os.WriteFile(rootFile, rootJSON, 0o644))
	ms, _ := json.Marshal(map[string]string{"DesktopOwnerSettings": tlsSrv.URL(fleetOwner, "/owner.json"),
		"RuntimeRepository": tlsSrv.URL(fleetRuntimes, "/rt/"), "RuntimeRepositoryRoot": rootFile})
	platformtest.Must(b, os.WriteFile(ownerFile, ms, 0o644))
	userFile := filepath.Join(dir, "user-settings.json")
	platformtest.Must(b, os.WriteFile(userFile, []byte(`{}`), 0o644))
	opts := launcher.Options{Platform: "linux", TrustRoots: roots, MachineSettings: userFile}
	for _, h := range []string{fleetApps, fleetOwner, fleetCRL, fleetRuntimes} {
		opts.Resolve = append(opts.Resolve, tlsSrv.Resolve(h))
	}
	url := tlsSrv.URL(fleetApps, "/blotter/app.json")
	r, err := launcher.NewRequest(url, opts, "linux")
	platformtest.Must(b, err)
	sources := &settings.Sources{Owner: []settings.Source{settings.JSONFile(ownerFile)}}

	launch := func(i int) error {
		l := launcher.New(launcher.Env{DataDir: filepath.Join(dir, "desktops", strconv.Itoa(i)), TLSRoots: ca.Pool, Now: clock, Settings: sources})
		ctx := context.Background()
		doc, err := l.Decide(ctx, r)
		if err != nil {
			return err
		}
		l.PrepareRuntime(ctx, doc, nil)
		if doc.Trust.Status != launcher.StatusTrusted || !doc.Launch.Allowed || doc.RuntimeState.State != launcher.RuntimeInstalled {
			return fmt.Errorf("desktop %d: trust %s (%s), launch %v (%s), runtime %s (%s)", i, doc.Trust.Status, doc.Trust.Reason,
				doc.Launch.Allowed, doc.Launch.Reason, doc.RuntimeState.State, doc.RuntimeState.Reason)
		}
		return nil
	}

	var coldCounts, steadyCounts map[fleetKey]int
	var coldBytes, steadyBytes map[fleetKey]int64
	var coldPeak, steadyPeak, ownerPeak int
	b.ResetTimer()
	for b.Loop() {
		steadyCounts, steadyBytes = map[fleetKey]int{}, map[fleetKey]int64{}
		steadyPeak, ownerPeak = 0, 0
		for day := range fleetDays {
			now.Store(start.AddDate(0, 0, day).UnixNano())
			work := make(chan int)
			var wg sync.WaitGroup
			var failed atomic.Pointer[error]
			for range 2 * goruntime.GOMAXPROCS(0) {
				wg.Go(func() {
					for i := range work {
						if err := launch(i); err != nil {
							failed.CompareAndSwap(nil, &err)
						}
					}
				})
			}
			for i := range desktops {
				work <- i
			}
			close(work)
			wg.Wait()
			if err := failed.Load(); err != nil {
				b.Fatalf("day %d: %v", day+1, *err)
			}
			counts, bytes, minutes := srv.snapshot()
			peak, owner := 0, 0
			for _, byKind := range minutes {
				n := 0
				for _, c := range byKind {
					n += c
				}
				peak, owner = max(peak, n), max(owner, byKind[kindOwner])
			}
			if day == 0 {
				coldCounts, coldBytes, coldPeak = counts, bytes, peak
				continue
			}
			for k, v := range counts {
				steadyCounts[k] += v
			}
			for k, v := range bytes {
				steadyBytes[k] += v
			}
			steadyPeak, ownerPeak = max(steadyPeak, peak), max(ownerPeak, owner)
		}
		b.StopTimer()
		platformtest.Must(b, os.RemoveAll(filepath.Join(dir, "desktops")))
		b.StartTimer()
	}

	launches := float64(desktops * (fleetDays - 1))
	for _, kind := range []string{kindOwner, kindCRL, kindRepo, kindManifest} {
		var bytes int64
		for _, status := range []int{200, 304, 404} {
			k := fleetKey{kind, status}
			b.ReportMetric(float64(steadyCounts[k])/launches, fmt.Sprintf("%s-%d/launch", kind, status))
			bytes += steadyBytes[k]
		}
		b.ReportMetric(float64(bytes)/launches, kind+"-B/launch")
	}
	var coldAll int64
	for _, v := range coldBytes {
		coldAll += v
	}
	b.ReportMetric(float64(coldAll)/float64(desktops), "first-day-B/desktop")
	b.ReportMetric(float64(coldCounts[fleetKey{kindArchive, 200}])/float64(desktops), "first-day-archives/desktop")
	b.ReportMetric(float64(coldPeak)/float64(desktops), "first-day-peak-req/min/desktop")
	b.ReportMetric(float64(steadyPeak)/float64(desktops), "peak-req/min/desktop")
	// Each launch asks for the owner settings once (SPEC 4), so the
	// desktops that ask in a minute are its owner-settings requests.
	if asked := steadyCounts[fleetKey{kindOwner, 200}] + steadyCounts[fleetKey{kindOwner, 304}]; float64(asked) != launches {
		b.Fatalf("got %d requests for the owner settings in %v launches, want one a launch", asked, launches)
	}
	b.ReportMetric(float64(ownerPeak)/float64(desktops), "peak-desktops/min/desktops")
	others := slices.Sorted(func(yield func(string) bool) {
		for k := range steadyCounts {
			if k.status != 200 && k.status != 304 && k.status != 404 && !yield(fmt.Sprintf("%s %d", k.kind, k.status)) {
				return
			}
		}
	})
	if len(others) > 0 {
		b.Fatalf("unexpected answers at steady state: %v", others)
	}
}
