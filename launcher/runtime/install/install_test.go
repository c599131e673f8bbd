package install

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// entry is one tar entry of a test archive.
type entry struct {
	name string
	typ  byte
	body string
	link string
	mode int64
	size int64 // the header's size where it differs from len(body)
	pax  map[string]string
}

var exe = platform.RuntimeExecutable()

func runtimeEntry() entry { return entry{name: exe, body: "#!/bin/sh\n", mode: 0o755} }

// archive makes a runtime archive of entries.
func archive(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		size := int64(len(e.body))
		if e.size != 0 {
			size = e.size
		}
		if typ != tar.TypeReg {
			size = 0
		}
		hdr := &tar.Header{Name: e.name, Typeflag: typ, Linkname: e.link, Mode: mode, Size: size, PAXRecords: e.pax, Format: tar.FormatPAX}
		if typ == tar.TypeChar {
			hdr.Devmajor, hdr.Devminor = 1, 3
		}
		platformtest.Must(t, tw.WriteHeader(hdr))
		if typ == tar.TypeReg && e.size == 0 {
			_, err := io.WriteString(tw, e.body)
			platformtest.Must(t, err)
		}
	}
	if !t.Failed() {
		tw.Flush()
	}
	platformtest.Must(t, gz.Close())
	return buf.Bytes()
}

// leftovers lists what is in dir besides lock files.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	platformtest.Must(t, err)
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			names = append(names, e.Name())
		}
	}
	return names
}

// makesLinks are the cases whose archives make a symbolic link before
// what they test: where this system makes none (Windows without the
// privilege, Wine: "Request not supported"), they are skipped.
var makesLinks = map[string]bool{"links-inside": true, "symlink-inner-dot-dot": true, "below-symlink": true}

// skipWithoutLinks skips the case name where it makes a link and this
// system makes none.
func skipWithoutLinks(t *testing.T, name string) {
	if !makesLinks[name] {
		return
	}
	root, err := os.OpenRoot(platformtest.TempDir(t))
	platformtest.Must(t, err)
	defer root.Close()
	if err := root.Symlink("x", "l"); err != nil {
		t.Skipf("this system makes no symbolic links here: %v", err)
	}
}

func TestUnpackGood(t *testing.T) {
	tests := []struct {
		name    string
		entries []entry
		files   []string
	}{
		{name: "plain", entries: []entry{runtimeEntry(), {name: "lib/a.so", body: "a"}}, files: []string{exe, "lib/a.so"}},
		{name: "dot-slash", entries: []entry{{name: "./", typ: tar.TypeDir}, {name: "./" + exe, body: "x", mode: 0o755}, {name: "./lib/", typ: tar.TypeDir}, {name: "./lib/", typ: tar.TypeDir}}, files: []string{exe, "lib"}},
		{name: "links-inside", entries: []entry{runtimeEntry(), {name: "lib/a.so.1", body: "a"}, {name: "lib/a.so", typ: tar.TypeSymlink, link: "a.so.1"},
			{name: "lib/up", typ: tar.TypeSymlink, link: "../" + exe}, {name: "hard", typ: tar.TypeLink, link: "lib/a.so.1"}}, files: []string{"lib/a.so", "hard"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skipWithoutLinks(t, tt.name)
			dir := platformtest.TempDir(t)
			s, err := Unpack(dir, "1.2.3", bytes.NewReader(archive(t, tt.entries...)), Limits{})
			if err != nil {
				t.Fatalf("got %v, want the archive unpacked", err)
			}
			r, err := s.Commit()
			if err != nil || r.Version != "1.2.3" || r.Path != filepath.Join(dir, "1.2.3", exe) {
				t.Fatalf("got %+v, %v; want runtime 1.2.3 at %s", r, err, filepath.Join(dir, "1.2.3", exe))
			}
			for _, f := range tt.files {
				if _, err := os.Stat(filepath.Join(dir, "1.2.3", filepath.FromSlash(f))); err != nil {
					t.Errorf("got %v, want %s unpacked", err, f)
				}
			}
			info, err := os.Lstat(r.Path)
			if err != nil || !platform.IsExecutableFile(info) {
				t.Fatalf("got %v, %v; want an executable runtime", info, err)
			}
			if got := leftovers(t, dir); len(got) != 1 || got[0] != "1.2.3" {
				t.Fatalf("got %q in the runtime directory, want only 1.2.3", got)
			}
		})
	}
}

func TestUnpackRefused(t *testing.T) {
	big := strings.Repeat("x", 100)
	tests := []struct {
		name    string
		raw     []byte // the archive's bytes, where not entries
		entries []entry
		lim     Limits
		entry   string // the entry the error names, "" for the archive
		want    string
	}{
		{name: "dot-dot", entries: []entry{runtimeEntry(), {name: "../evil", body: "x"}}, entry: "../evil", want: `".."`},
		{name: "inner-dot-dot", entries: []entry{runtimeEntry(), {name: "a/../../evil", body: "x"}}, entry: "a/../../evil", want: `".."`},
		{name: "absolute", entries: []entry{runtimeEntry(), {name: "/etc/evil", body: "x"}}, entry: "/etc/evil", want: "absolute"},
		{name: "backslash", entries: []entry{runtimeEntry(), {name: `..\evil`, body: "x"}}, entry: `..\evil`, want: "backslash"},
		{name: "drive", entries: []entry{runtimeEntry(), {name: `C:evil`, body: "x"}}, entry: `C:evil`, want: "colon"},
		{name: "symlink-out", entries: []entry{runtimeEntry(), {name: "lib/l", typ: tar.TypeSymlink, link: "../../etc"}}, entry: "lib/l", want: "outside"},
		{name: "symlink-absolute", entries: []entry{runtimeEntry(), {name: "l", typ: tar.TypeSymlink, link: "/etc/passwd"}}, entry: "l", want: "outside"},
		{name: "symlink-inner-dot-dot", entries: []entry{runtimeEntry(), {name: "self", typ: tar.TypeSymlink, link: "."}, {name: "l", typ: tar.TypeSymlink, link: "self/.."}}, entry: "l", want: `".." may only begin`},
		{name: "below-symlink", entries: []entry{runtimeEntry(), {name: "l", typ: tar.TypeSymlink, link: "."}, {name: "l/x", body: "x"}}, entry: "l/x", want: "symbolic link"},
		{name: "below-file", entries: []entry{runtimeEntry(), {name: exe + "/x", body: "x"}}, entry: exe + "/x", want: "a file"},
		{name: "hard-link-out", entries: []entry{runtimeEntry(), {name: "h", typ: tar.TypeLink, link: "../../etc/passwd"}}, entry: "h", want: "hard link"},
		{name: "device", entries: []entry{runtimeEntry(), {name: "null", typ: tar.TypeChar}}, entry: "null", want: "device"},
		{name: "block-device", entries: []entry{runtimeEntry(), {name: "sda", typ: tar.TypeBlock}}, entry: "sda", want: "device"},
		{name: "fifo", entries: []entry{runtimeEntry(), {name: "pipe", typ: tar.TypeFifo}}, entry: "pipe", want: "FIFO"},
		{name: "duplicate", entries: []entry{runtimeEntry(), runtimeEntry()}, entry: exe, want: "second entry"},
		{name: "no-runtime", entries: []entry{{name: "lib/a.so", body: "a"}}, want: "no runtime at the archive's top"},
		{name: "wrapped", entries: []entry{{name: "rt/" + exe, body: "x", mode: 0o755}}, want: `wraps it in the folder "rt"`},
		{name: "html-page", raw: []byte("<!DOCTYPE html><html><body>503 Service Unavailable</body></html>"), want: "not a gzip file"},
		{name: "not-tar", raw: gzipped(t, []byte(strings.Repeat("<html>", 200))), want: "not a tar archive"},
		{name: "truncated", raw: archive(t, runtimeEntry(), entry{name: "lib/a", body: big})[:60], want: "unexpected EOF"},
		{name: "compressed-over", entries: []entry{runtimeEntry()}, lim: Limits{Compressed: -2}, want: "bytes allowed"},
		{name: "unpacked-over", entries: []entry{runtimeEntry(), {name: "a", body: big}}, lim: Limits{Unpacked: int64(len(big) + len(runtimeEntry().body) - 1)}, entry: "a", want: "unpack to"},
		{name: "bomb-header", entries: []entry{runtimeEntry(), {name: "bomb", size: 1 << 40}}, entry: "bomb", want: "unpack to"},
		{name: "entries-over", entries: []entry{runtimeEntry(), {name: "a", body: "a"}, {name: "b", body: "b"}}, lim: Limits{Entries: 2}, want: "more than the 2 entries"},
		{name: "stream-over", entries: []entry{runtimeEntry(), {name: "a", body: "a", pax: map[string]string{"comment": strings.Repeat("z", 8<<10)}}}, lim: Limits{Unpacked: 100, Entries: 3}, want: "tar stream is more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skipWithoutLinks(t, tt.name)
			dir := platformtest.TempDir(t)
			raw := tt.raw
			if raw == nil {
				raw = archive(t, tt.entries...)
			}
			lim := tt.lim
			if lim.Compressed == -2 {
				lim.Compressed = int64(len(raw)) - 1
			}
			s, err := Unpack(dir, "1.2.3", bytes.NewReader(raw), lim)
			var ae *ArchiveError
			if !errors.As(err, &ae) || ae.Entry != tt.entry || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %+v, %v; want an ArchiveError for entry %q containing %q", s, err, tt.entry, tt.want)
			}
			if tt.entry != "" && !strings.Contains(err.Error(), strconv.Quote(tt.entry)) {
				t.Fatalf("got %v, want it to name entry %q", err, tt.entry)
			}
			if got := leftovers(t, dir); len(got) != 0 {
				t.Fatalf("got %q left in the runtime directory, want nothing", got)
			}
		})
	}
}

// gzipped compresses data.
func gzipped(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	_, err := gz.Write(data)
	platformtest.Must(t, errors.Join(err, gz.Close()))
	return buf.Bytes()
}

// TestLimitsAtBound feeds each bound exactly what it allows.
func TestLimitsAtBound(t *testing.T) {
	body := strings.Repeat("x", 100)
	entries := []entry{runtimeEntry(), {name: "a", body: body}}
	raw := archive(t, entries...)
	lim := Limits{Compressed: int64(len(raw)), Unpacked: int64(len(body) + len(runtimeEntry().body)), Entries: 2}
	dir := platformtest.TempDir(t)
	s, err := Unpack(dir, "1.2.3", bytes.NewReader(raw), lim)
	if err != nil {
		t.Fatalf("got %v, want the archive unpacked at its bounds", err)
	}
	platformtest.Must(t, s.Discard())
	if got := leftovers(t, dir); len(got) != 0 {
		t.Fatalf("got %q after Discard, want nothing", got)
	}
}

// TestSourceError: the reader's own failure (a network error) comes back
// as it is, not as the archive's fault.
func TestSourceError(t *testing.T) {
	cut := errors.New("connection reset")
	raw := archive(t, runtimeEntry(), entry{name: "a", body: strings.Repeat("x", 64<<10)})
	r := io.MultiReader(bytes.NewReader(raw[:len(raw)/2]), errReader{cut})
	dir := platformtest.TempDir(t)
	_, err := Unpack(dir, "1.2.3", r, Limits{})
	if !errors.Is(err, cut) {
		t.Fatalf("got %v, want the reader's own error", err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestCommitNeverReplaces(t *testing.T) {
	dir := platformtest.TempDir(t)
	raw := archive(t, runtimeEntry())
	for i, want := range []string{"", "is there already"} {
		s, err := Unpack(dir, "1.2.3", bytes.NewReader(raw), Limits{})
		platformtest.Must(t, err)
		_, err = s.Commit()
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Fatalf("commit %d: got %v, want %q", i, err, want)
		}
	}
	if got := leftovers(t, dir); len(got) != 1 {
		t.Fatalf("got %q, want only the runtime", got)
	}
}

func TestTargetChecked(t *testing.T) {
	tests := []struct{ name, dir, version, want string }{
		{name: "relative-dir", dir: "runtimes", version: "1.2.3", want: "not an absolute path"},
		{name: "path-version", dir: "", version: "../1.2.3", want: "not an exact runtime version"},
		{name: "wildcard-version", dir: "", version: "1.*", want: "not an exact runtime version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir
			if dir == "" {
				dir = platformtest.TempDir(t)
			}
			if _, err := Unpack(dir, tt.version, bytes.NewReader(nil), Limits{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Unpack: got %v, want %q", err, tt.want)
			}
			if _, err := Lock(dir, tt.version); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Lock: got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	dir := platformtest.TempDir(t)
	for _, p := range []string{".1.2.3.tmp-1/x", ".1.2.3.tmp-2/y", ".1.2.4.tmp-1/z"} {
		platformtest.Must(t, os.MkdirAll(filepath.Join(dir, filepath.FromSlash(p)), 0o755))
	}
	l, err := Lock(dir, "1.2.3")
	platformtest.Must(t, err)
	defer l.Unlock()
	platformtest.Must(t, Clean(dir, "1.2.3"))
	if got := leftovers(t, dir); len(got) != 1 || got[0] != ".1.2.4.tmp-1" {
		t.Fatalf("got %q, want only another version's leftovers", got)
	}
}
