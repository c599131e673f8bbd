package repo_test

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// benchRuntimeSize is the unpacked size of the benchmarks' runtime.
const benchRuntimeSize = 100 << 20

var (
	benchOnce    sync.Once
	benchArchive string // the path of a 100 MiB runtime's archive
)

// bigRuntime writes, once, the archive of a runtime of 100 MiB in eight
// files of text-like bytes (they compress about as a real runtime does,
// to a little over half) and the executable.
func bigRuntime(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rvm-bench-")
		platformtest.Must(b, err)
		benchArchive = filepath.Join(dir, "runtime.tar.gz")
		f, err := os.Create(benchArchive)
		platformtest.Must(b, err)
		gz, _ := gzip.NewWriterLevel(f, gzip.DefaultCompression)
		tw := tar.NewWriter(gz)
		exe := "#!/bin/sh\n"
		platformtest.Must(b, tw.WriteHeader(&tar.Header{Name: runtimeExe(), Mode: 0o755, Size: int64(len(exe)), Typeflag: tar.TypeReg}))
		tw.Write([]byte(exe))
		rng := rand.New(rand.NewPCG(1, 2))
		const files = 8
		chunk := make([]byte, benchRuntimeSize/files)
		for i := range files {
			for j := range chunk {
				// Mostly a small alphabet, sometimes any byte.
				if rng.IntN(4) == 0 {
					chunk[j] = byte(rng.IntN(256))
				} else {
					chunk[j] = "etaoin shrdlu"[rng.IntN(13)]
				}
			}
			platformtest.Must(b, tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("lib/part%d.bin", i), Mode: 0o644, Size: int64(len(chunk)), Typeflag: tar.TypeReg}))
			_, err := tw.Write(chunk)
			platformtest.Must(b, err)
		}
		platformtest.Must(b, tw.Close())
		platformtest.Must(b, gz.Close())
		platformtest.Must(b, f.Close())
	})
	return benchArchive
}

// benchWorld publishes the big runtime as 1.0.0.
func benchWorld(b *testing.B) *world {
	archive := bigRuntime(b)
	w := newWorld(b)
	_, err := w.pub.Add("1.0.0", goos, goarch, archive)
	platformtest.Must(b, err)
	_, err = w.pub.Publish(nil)
	platformtest.Must(b, err)
	return w
}

// BenchmarkInstall installs the 100 MiB runtime: a refresh (warm cache),
// the download over loopback TLS, hashed and unpacked as it streams, the
// rename into place.
func BenchmarkInstall(b *testing.B) {
	w := benchWorld(b)
	data := platformtest.TempDir(b)
	platformtest.Must(b, w.client(data).Refresh(ctx))
	info, _ := os.Stat(bigRuntime(b))
	b.SetBytes(info.Size())
	b.ResetTimer()
	for i := range b.N {
		rtdir := filepath.Join(platformtest.TempDir(b), fmt.Sprint(i))
		if _, err := w.client(data).Install(ctx, "1.0.0", rtdir, nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(rtdir)
		b.StartTimer()
	}
}

// BenchmarkCurlInstall is the comparison: curl downloads the same archive
// from the same server, sha256sum hashes it, tar unpacks it.
func BenchmarkCurlInstall(b *testing.B) {
	for _, tool := range []string{"curl", "sha256sum", "tar", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("SKIP: no %s", tool)
		}
	}
	w := benchWorld(b)
	dir := platformtest.TempDir(b)
	ca := filepath.Join(dir, "ca.pem")
	platformtest.Must(b, os.WriteFile(ca, w.ca.PEM(), 0o644))
	url := strings.TrimSuffix(w.url(), "/") + "/" + w.targetName(archiveTarget("1.0.0"))
	info, _ := os.Stat(bigRuntime(b))
	b.SetBytes(info.Size())
	b.ResetTimer()
	for i := range b.N {
		work := filepath.Join(dir, fmt.Sprint(i))
		script := `set -e; mkdir -p "$2/rt"; curl -sSf --cacert "$1" --resolve "$3" -o "$2/a.tar.gz" "$4"; sha256sum "$2/a.tar.gz" >/dev/null; tar -xzf "$2/a.tar.gz" -C "$2/rt"`
		cmd := exec.Command("sh", "-c", script, "sh", ca, work, w.srv.Resolve(host), url)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		b.StopTimer()
		os.RemoveAll(work)
		b.StartTimer()
	}
}

// BenchmarkRefreshUnchanged refreshes a repository that did not change
// since the last refresh, and reports the requests that cost.
func BenchmarkRefreshUnchanged(b *testing.B) {
	w := newWorld(b)
	w.publish(map[string][]byte{"1.0.0": runtimeArchive(b)}, map[string]string{"stable": "1.0.0"})
	data := platformtest.TempDir(b)
	platformtest.Must(b, w.client(data).Refresh(ctx))
	before := w.requests()
	b.ResetTimer()
	for range b.N {
		if err := w.client(data).Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.requests()-before)/float64(b.N), "requests/refresh")
}
