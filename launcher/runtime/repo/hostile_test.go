package repo_test

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/launcher/runtime/repo"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// hostile is one attack on a client that refreshed the repository once
// (with 1.0.0 published); the client then tries to install version.
type hostile struct {
	name string
	// attack changes the repository or the server after the first
	// refresh; it returns the version to install ("" for 2.0.0, which
	// the attack publishes where it needs one).
	attack func(t *testing.T, w *world) string
	// opts adjusts the attacked client.
	opts func(*repo.Options)
	// role or target (and entry) the error must name, and its kind.
	role, target, entry string
	kind                repo.Kind
	want                string
}

func archiveTarget(v string) string { return fmt.Sprintf("runtimes/%s/%s-%s.tar.gz", v, goos, goarch) }

// trickle answers with one byte, then nothing until the client leaves.
func trickle(rw http.ResponseWriter, req *http.Request) {
	rw.Write([]byte{0x1f})
	rw.(http.Flusher).Flush()
	<-req.Context().Done()
}

func hostiles() []hostile {
	good := func(t *testing.T, w *world) string {
		w.publish(map[string][]byte{"2.0.0": runtimeArchive(t)}, nil)
		return "2.0.0"
	}
	return []hostile{
		{name: "rollback-timestamp", role: "timestamp", kind: repo.KindRollback, want: "version", attack: func(t *testing.T, w *world) string {
			// An older timestamp, validly signed.
			ts := loadMeta[metadata.TimestampType](w, "timestamp.json")
			ts.Signed.Version = 1
			w.write("metadata/timestamp.json", signed(w, ts, "timestamp.pem"))
			return "1.0.0"
		}},
		{name: "rollback-timestamp-names-older-snapshot", role: "timestamp", kind: repo.KindRollback, want: "snapshot version", attack: func(t *testing.T, w *world) string {
			ts := loadMeta[metadata.TimestampType](w, "timestamp.json")
			ts.Signed.Version++
			ts.Signed.Meta["snapshot.json"] = metaFor(1, w.read("metadata/1.snapshot.json"))
			w.write("metadata/timestamp.json", signed(w, ts, "timestamp.pem"))
			return "1.0.0"
		}},
		{name: "rollback-snapshot", role: "snapshot", kind: repo.KindMismatch, attack: func(t *testing.T, w *world) string {
			old := w.read("metadata/2.snapshot.json")
			good(t, w)
			w.write("metadata/3.snapshot.json", old)
			return "2.0.0"
		}},
		{name: "rollback-targets", role: "targets", kind: repo.KindMismatch, attack: func(t *testing.T, w *world) string {
			old := w.read("metadata/2.targets.json")
			good(t, w)
			w.write("metadata/3.targets.json", old)
			return "2.0.0"
		}},
		{name: "freeze", role: "timestamp", kind: repo.KindExpired, want: "expired", attack: func(t *testing.T, w *world) string {
			good(t, w)
			w.advance(25 * time.Hour) // the timestamp lasts a day
			return "2.0.0"
		}},
		{name: "mix-and-match", role: "targets", kind: repo.KindMismatch, attack: func(t *testing.T, w *world) string {
			// targets.json of the right version, signed by the targets
			// key, but not the one the snapshot describes.
			good(t, w)
			targets := w.current()
			delete(targets.Signed.Targets, archiveTarget("1.0.0"))
			w.write(fmt.Sprintf("metadata/%d.targets.json", targets.Signed.Version), signed(w, targets, "targets.pem"))
			return "2.0.0"
		}},
		{name: "arbitrary-software", target: archiveTarget("2.0.0"), kind: repo.KindMismatch, want: "not the archive the publisher signed", attack: func(t *testing.T, w *world) string {
			good(t, w)
			name := w.targetName(archiveTarget("2.0.0"))
			data := w.read(name)
			evil := runtimeArchive(t, file{name: "evil", body: strings.Repeat("e", 64)})
			w.write(name, append(evil, make([]byte, max(0, len(data)-len(evil)))...)[:len(data)])
			return "2.0.0"
		}},
		{name: "endless-data", target: archiveTarget("2.0.0"), kind: repo.KindMismatch, want: "more than the", attack: func(t *testing.T, w *world) string {
			good(t, w)
			name := w.targetName(archiveTarget("2.0.0"))
			data := w.read(name)
			w.override(name, func(rw http.ResponseWriter, req *http.Request) {
				rw.Write(data)
				for range 64 {
					if _, err := rw.Write(make([]byte, 64<<10)); err != nil {
						return
					}
				}
			})
			return "2.0.0"
		}},
		{name: "slow-retrieval-metadata", role: "timestamp", kind: repo.KindNetwork, want: "timed out",
			opts: func(o *repo.Options) { o.Fetcher.Timeouts = fetch.Timeouts{Total: 300 * time.Millisecond} },
			attack: func(t *testing.T, w *world) string {
				w.override("metadata/timestamp.json", trickle)
				return "1.0.0"
			}},
		{name: "slow-retrieval-archive", target: archiveTarget("2.0.0"), kind: repo.KindNetwork, want: "stalled",
			opts: func(o *repo.Options) { o.Stall = 200 * time.Millisecond },
			attack: func(t *testing.T, w *world) string {
				good(t, w)
				w.override(w.targetName(archiveTarget("2.0.0")), trickle)
				return "2.0.0"
			}},
		{name: "compromised-root-key", role: "root", kind: repo.KindSignature, want: "root", attack: func(t *testing.T, w *world) string {
			// The root key leaked and was rotated; the attacker signs the
			// next root with the old key.
			platformtest.Must(t, w.pub.Rotate("root"))
			root := loadMeta[metadata.RootType](w, "root.json")
			root.Signed.Version++
			old := retired(t, w, "root")
			w.write(fmt.Sprintf("metadata/%d.root.json", root.Signed.Version), signed(w, root, old))
			return "1.0.0"
		}},
		{name: "compromised-timestamp-key", role: "timestamp", kind: repo.KindSignature, want: "timestamp", attack: func(t *testing.T, w *world) string {
			platformtest.Must(t, w.pub.Rotate("timestamp"))
			ts := loadMeta[metadata.TimestampType](w, "timestamp.json")
			ts.Signed.Version++
			w.write("metadata/timestamp.json", signed(w, ts, retired(t, w, "timestamp")))
			return "1.0.0"
		}},
		{name: "threshold-not-met", role: "timestamp", kind: repo.KindSignature, want: "want 2", attack: func(t *testing.T, w *world) string {
			// Root 2 asks for two timestamp signatures; the timestamp has one.
			root := loadMeta[metadata.RootType](w, "root.json")
			pub, err := w.signer("snapshot.pem").PublicKey()
			platformtest.Must(t, err)
			second, err := metadata.KeyFromPublicKey(pub)
			platformtest.Must(t, err)
			platformtest.Must(t, root.Signed.AddKey(second, metadata.TIMESTAMP))
			root.Signed.Roles[metadata.TIMESTAMP].Threshold = 2
			root.Signed.Version++
			w.write("metadata/2.root.json", signed(w, root, "root.pem"))
			ts := loadMeta[metadata.TimestampType](w, "timestamp.json")
			ts.Signed.Version++
			w.write("metadata/timestamp.json", signed(w, ts, "timestamp.pem"))
			return "1.0.0"
		}},
		{name: "redirect-to-http", target: archiveTarget("2.0.0"), kind: repo.KindInvalid, want: "downgrades HTTPS", attack: func(t *testing.T, w *world) string {
			good(t, w)
			w.override(w.targetName(archiveTarget("2.0.0")), func(rw http.ResponseWriter, req *http.Request) {
				http.Redirect(rw, req, "http://"+host+"/archive.tar.gz", http.StatusFound)
			})
			return "2.0.0"
		}},
		{name: "cdn-html-error-page", target: archiveTarget("2.0.0"), kind: repo.KindMismatch, want: "HTML page", attack: func(t *testing.T, w *world) string {
			good(t, w)
			w.override(w.targetName(archiveTarget("2.0.0")), func(rw http.ResponseWriter, req *http.Request) {
				rw.Header().Set("Content-Type", "text/html; charset=utf-8")
				io.WriteString(rw, "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>")
			})
			return "2.0.0"
		}},
		{name: "archive-dot-dot", target: archiveTarget("2.0.0"), entry: "../evil", kind: repo.KindArchive, want: `".."`, attack: func(t *testing.T, w *world) string {
			w.addRaw("2.0.0", runtimeArchive(t, file{name: "../evil", body: "x"}))
			return "2.0.0"
		}},
		{name: "archive-absolute", target: archiveTarget("2.0.0"), entry: "/tmp/evil", kind: repo.KindArchive, want: "absolute", attack: func(t *testing.T, w *world) string {
			w.addRaw("2.0.0", runtimeArchive(t, file{name: "/tmp/evil", body: "x"}))
			return "2.0.0"
		}},
		{name: "archive-symlink-out", target: archiveTarget("2.0.0"), entry: "lib", kind: repo.KindArchive, want: "outside", attack: func(t *testing.T, w *world) string {
			w.addRaw("2.0.0", runtimeArchive(t, file{name: "lib", typ: tar.TypeSymlink, link: "../../.."}, file{name: "lib/evil", body: "x"}))
			return "2.0.0"
		}},
		{name: "archive-device", target: archiveTarget("2.0.0"), entry: "null", kind: repo.KindArchive, want: "device", attack: func(t *testing.T, w *world) string {
			w.addRaw("2.0.0", runtimeArchive(t, file{name: "null", typ: tar.TypeChar}))
			return "2.0.0"
		}},
		{name: "archive-gzip-bomb-compressed", target: archiveTarget("2.0.0"), entry: "zeros", kind: repo.KindArchive, want: "unpack to",
			opts: func(o *repo.Options) { o.Limits.Unpacked = 1 << 20 },
			attack: func(t *testing.T, w *world) string {
				w.addRaw("2.0.0", runtimeArchive(t, file{name: "zeros", body: string(make([]byte, 16<<20))}))
				return "2.0.0"
			}},
		{name: "archive-gzip-bomb", target: archiveTarget("2.0.0"), entry: "bomb", kind: repo.KindArchive, want: "unpack to", attack: func(t *testing.T, w *world) string {
			w.addRaw("2.0.0", runtimeArchive(t, file{name: "bomb", size: 1 << 40}))
			return "2.0.0"
		}},
	}
}

// retired is the key file that Rotate retired for role.
func retired(t *testing.T, w *world, role string) string {
	t.Helper()
	found, err := filepath.Glob(filepath.Join(w.dir, "keys", "retired", role+"-*.pem"))
	if err != nil || len(found) != 1 {
		t.Fatalf("got retired keys %q, %v; want one for %s", found, err, role)
	}
	return filepath.Join("retired", filepath.Base(found[0]))
}

// TestHostile: each attack ends in one error naming the role, or the
// target and the entry, and nothing is installed.
func TestHostile(t *testing.T) {
	for _, tt := range hostiles() {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.publish(map[string][]byte{"1.0.0": runtimeArchive(t)}, map[string]string{"stable": "1.0.0"})
			data, rtdir := platformtest.TempDir(t), filepath.Join(platformtest.TempDir(t), "runtime")
			platformtest.Must(t, w.client(data).Refresh(ctx))
			version := tt.attack(t, w)
			opts := []func(*repo.Options){}
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			_, err := w.client(data, opts...).Install(ctx, version, rtdir, nil)
			var re *repo.Error
			if !errors.As(err, &re) || re.Role != tt.role || re.Target != tt.target || re.Entry != tt.entry || re.Kind != tt.kind {
				t.Fatalf("got %#v (%v), want a repo.Error for role %q, target %q, entry %q, kind %s", re, err, tt.role, tt.target, tt.entry, tt.kind)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, tt.want) || !strings.Contains(msg, tt.role+tt.target) {
				t.Fatalf("got %q, want one line naming %q and containing %q", msg, tt.role+tt.target, tt.want)
			}
			if all, _ := runtime.Installed(rtdir); len(all) != 0 {
				t.Fatalf("got %+v installed, want nothing", all)
			}
			if left, _ := filepath.Glob(filepath.Join(rtdir, ".*.tmp-*")); len(left) != 0 {
				t.Fatalf("got %q left behind, want nothing", left)
			}
			t.Log(msg)
		})
	}
}

// TestRotatedKeysAccepted: after each rotation, the client follows the
// new root and installs.
func TestRotatedKeysAccepted(t *testing.T) {
	for _, role := range []string{"root", "targets", "snapshot", "timestamp"} {
		t.Run(role, func(t *testing.T) {
			w := newWorld(t)
			w.publish(map[string][]byte{"1.0.0": runtimeArchive(t)}, nil)
			data := platformtest.TempDir(t)
			platformtest.Must(t, w.client(data).Refresh(ctx))
			platformtest.Must(t, w.pub.Rotate(role))
			w.publish(map[string][]byte{"2.0.0": runtimeArchive(t)}, nil)
			if _, err := w.client(data).Install(ctx, "2.0.0", filepath.Join(platformtest.TempDir(t), "rt"), nil); err != nil {
				t.Fatalf("got %v, want 2.0.0 installed after rotating %s", err, role)
			}
			if _, err := os.Stat(filepath.Join(data, "tuf")); err != nil {
				t.Fatal(err)
			}
		})
	}
}
