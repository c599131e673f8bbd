// Package install unpacks a runtime archive into a runtime directory
// (SPEC section 9), so that a crash at any moment leaves either nothing or
// the whole runtime, and nothing in the archive can reach outside its
// folder.
//
// A runtime archive is a gzip-compressed tar file holding the runtime
// folder's contents at its top: the executable "runtime" ("runtime.exe"
// on Windows) is the entry "runtime" or "./runtime", with no wrapping
// folder. Entries may be regular files (an execute bit in the mode makes
// the file 0755, else 0644; set-id bits are dropped), folders, symbolic
// links whose target, taken from the link's own folder, stays inside the
// runtime folder, and hard links to a regular file earlier in the
// archive. A link's target is relative, with its ".." elements first and
// climbing no higher than the runtime folder ("../lib/x", not "a/../b").
// Refused, each naming the entry: an absolute name ("/x", "C:x"),
// a name with a ".." element, a backslash or a colon, a second entry of
// one name, an entry below a symbolic link, a link that points outside,
// devices, FIFOs and every other kind. Owners and times are not kept.
//
// An archive is bounded (Limits): 512 MiB as read, 2 GiB of files and
// 100,000 entries unpacked, and a tar stream of at most the unpacked
// bound plus 1 KiB an entry (its headers and padding), so that a gzip bomb
// stops at the bound. Files are written through an os.Root, which refuses
// to follow any link out of the folder even if a check above missed one.
//
// The runtime is built in a folder beside its final place,
// <dir>/.<version>.tmp-<random>, each file synced, and renamed to
// <dir>/<version> only by Staged.Commit: the caller verifies the archive
// (its length and hashes) between Unpack and Commit. Lock takes the lock
// that makes one process at a time install a version; a process killed
// part way leaves only its temporary folder, which the next Clean under
// that lock removes.
package install

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/platform"
)

// Limits bound what an archive may hold. A zero field takes its default.
type Limits struct {
	Compressed int64 // bytes of the archive as read: 512 MiB
	Unpacked   int64 // bytes of its files, unpacked: 2 GiB
	Entries    int   // entries of every kind: 100,000
}

// DefaultLimits are SPEC section 9's bounds.
var DefaultLimits = Limits{Compressed: 512 << 20, Unpacked: 2 << 30, Entries: 100_000}

func (l Limits) withDefaults() Limits {
	if l.Compressed <= 0 {
		l.Compressed = DefaultLimits.Compressed
	}
	if l.Unpacked <= 0 {
		l.Unpacked = DefaultLimits.Unpacked
	}
	if l.Entries <= 0 {
		l.Entries = DefaultLimits.Entries
	}
	return l
}

// entryOverhead is what each entry may add to the tar stream besides its
// file's bytes: a header block and up to a block of padding.
const entryOverhead = 1 << 10

// ArchiveError is an archive refused: Entry names the entry at fault, ""
// where the archive as a whole is (its format, a bound).
type ArchiveError struct {
	Entry string
	Err   error
}

func (e *ArchiveError) Error() string {
	if e.Entry == "" {
		return fmt.Sprintf("install: archive: %v", e.Err)
	}
	return fmt.Sprintf("install: archive entry %q: %v", e.Entry, e.Err)
}

func (e *ArchiveError) Unwrap() error { return e.Err }

// ErrLimit is wrapped by an ArchiveError for an archive over one of its
// bounds.
var ErrLimit = errors.New("over the bound")

// Lock takes the lock on installing version into dir, the file
// <dir>/.<version>.lock, waiting while another process holds it. dir is
// created (0755) when missing.
func Lock(dir, version string) (*platform.FileLock, error) {
	if err := checkTarget(dir, version); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("install: runtime directory: %w", err)
	}
	l, err := platform.LockFile(filepath.Join(dir, "."+version+".lock"))
	if err != nil {
		return nil, fmt.Errorf("install: runtime %s: %w", version, err)
	}
	return l, nil
}

// Clean removes the temporary folders that installs of version into dir
// left when they were killed. Call it holding Lock.
func Clean(dir, version string) error {
	if err := checkTarget(dir, version); err != nil {
		return err
	}
	left, err := filepath.Glob(filepath.Join(dir, "."+version+".tmp-*"))
	if err != nil {
		return fmt.Errorf("install: runtime %s: %w", version, err)
	}
	var errs []error
	for _, p := range left {
		if err := platform.RemoveAll(p); err != nil {
			errs = append(errs, fmt.Errorf("install: remove what an earlier install left: %w", err))
		}
	}
	return errors.Join(errs...)
}

func checkTarget(dir, version string) error {
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("install: runtime directory %q is not an absolute path", dir)
	}
	if !runtime.IsVersion(version) {
		return fmt.Errorf("install: %q is not an exact runtime version", version)
	}
	return nil
}

// Staged is a runtime unpacked beside its final place, not yet installed.
type Staged struct {
	// Version is the version it is to be installed as.
	Version string
	// Path is the temporary folder that holds it.
	Path string
	dir  string
}

// Unpack reads the runtime archive from r to its end and unpacks it into
// a new temporary folder in dir, to be installed as version by Commit or
// dropped by Discard. On an error nothing is left behind; the error is an
// *ArchiveError where the archive is at fault.
func Unpack(dir, version string, r io.Reader, lim Limits) (*Staged, error) {
	if err := checkTarget(dir, version); err != nil {
		return nil, err
	}
	lim = lim.withDefaults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("install: runtime directory: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, "."+version+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("install: runtime %s: %w", version, err)
	}
	s := &Staged{Version: version, Path: tmp, dir: dir}
	exe := platform.RuntimeExecutable()
	err = unpack(tmp, r, lim, exe, func(root *os.Root, u *unpacker) error {
		info, err := root.Lstat(exe)
		if err != nil || !platform.IsExecutableFile(info) {
			return u.noRuntime(exe)
		}
		return nil
	})
	if err == nil {
		err = os.Chmod(tmp, 0o755)
	}
	if err != nil {
		platform.RemoveAll(tmp)
		return nil, err
	}
	return s, nil
}

// CheckArchive checks, as Unpack would, the runtime archive read from r
// for goos (windows, darwin, linux): what a publisher runs before
// publishing it. The runtime executable ("runtime.exe" for windows,
// "runtime" with an execute bit elsewhere) must be at its top. It unpacks
// into a temporary folder that it removes.
func CheckArchive(r io.Reader, goos string, lim Limits) error {
	tmp, err := os.MkdirTemp("", "rvm-archive-check-")
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	defer platform.RemoveAll(tmp)
	exe := "runtime"
	if goos == "windows" {
		exe = "runtime.exe"
	}
	return unpack(tmp, r, lim.withDefaults(), exe, func(_ *os.Root, u *unpacker) error {
		if u.seen[exe] != kindFile || goos != "windows" && u.exeMode&0o111 == 0 {
			return u.noRuntime(exe)
		}
		return nil
	})
}

// noRuntime is the error for an archive without the runtime executable
// exe at its top.
func (u *unpacker) noRuntime(exe string) error {
	hint := ""
	for name, k := range u.seen {
		if _, ok := u.seen[name+"/"+exe]; ok && k == kindDir && !strings.Contains(name, "/") {
			hint = fmt.Sprintf(" (the archive wraps it in the folder %q: put that folder's contents at the top)", name)
		}
	}
	return &ArchiveError{Err: fmt.Errorf("no runtime at the archive's top: want a regular executable file %q there%s", exe, hint)}
}

// unpack unpacks the archive read from r into the folder dir, then runs
// check on the result.
func unpack(dir string, r io.Reader, lim Limits, exe string, check func(*os.Root, *unpacker) error) error {
	raw := &bounded{r: r, left: lim.Compressed, what: fmt.Sprintf("the archive is more than the %d bytes allowed", lim.Compressed)}
	gz, err := gzip.NewReader(raw)
	if err != nil {
		return archiveErr("", raw, fmt.Errorf("not a gzip file: %w", err))
	}
	stream := &bounded{r: gz, left: lim.Unpacked + int64(lim.Entries)*entryOverhead,
		what: fmt.Sprintf("the tar stream is more than the %d bytes its files and entries allow", lim.Unpacked+int64(lim.Entries)*entryOverhead)}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	defer root.Close()
	u := &unpacker{root: root, lim: lim, seen: map[string]kind{}, buf: make([]byte, 256<<10), exe: exe}
	tr := tar.NewReader(stream)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if u.last == "" {
				return archiveErr("", raw, fmt.Errorf("not a tar archive: %w", err))
			}
			return archiveErr(u.last, raw, fmt.Errorf("the archive is unreadable after this entry: %w", err))
		}
		u.last = hdr.Name
		if err := u.entry(hdr, tr); err != nil {
			return archiveErr(hdr.Name, raw, err)
		}
	}
	// The rest (tar padding, the gzip trailer, anything after) is read
	// raw, so that the caller's hash covers the whole archive; nothing
	// after the tar's end is decompressed.
	if _, err := io.CopyBuffer(io.Discard, raw, u.buf); err != nil {
		return archiveErr("", raw, err)
	}
	return check(root, u)
}

// archiveErr is the error for a failure at entry: the archive's reader's
// own failure where it failed (a network error, say), an *ArchiveError for
// the bound where one was run over, else an *ArchiveError for entry.
func archiveErr(entry string, raw *bounded, err error) error {
	if raw.err != nil {
		return raw.err
	}
	if raw.over {
		return &ArchiveError{Err: &overError{raw.what}}
	}
	var ae *ArchiveError
	if errors.As(err, &ae) {
		return ae
	}
	var over *overError
	if errors.As(err, &over) {
		return &ArchiveError{Err: over}
	}
	return &ArchiveError{Entry: entry, Err: err}
}

// overError is a bound run over; it wraps ErrLimit.
type overError struct{ what string }

func (e *overError) Error() string { return e.what }
func (e *overError) Unwrap() error { return ErrLimit }

// bounded reads at most left bytes from r; a read past them fails with an
// *overError. It keeps r's own failure (other than io.EOF) in err.
type bounded struct {
	r    io.Reader
	left int64
	what string
	over bool
	err  error
}

func (b *bounded) Read(p []byte) (int, error) {
	if b.left < 0 {
		b.over = true
		return 0, &overError{b.what}
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		b.over = true
		return n - 1, &overError{b.what}
	}
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// kind is what an entry's name stands for in the folder being built.
type kind int

const (
	kindDir kind = iota + 1
	kindFile
	kindLink
)

type unpacker struct {
	root     *os.Root
	lim      Limits
	seen     map[string]kind
	entries  int
	unpacked int64
	last     string
	buf      []byte
	exe      string // the runtime executable's name
	exeMode  int64  // the mode its entry gave
}

// entry unpacks one tar entry.
func (u *unpacker) entry(hdr *tar.Header, tr io.Reader) error {
	u.entries++
	if u.entries > u.lim.Entries {
		return &ArchiveError{Err: &overError{fmt.Sprintf("more than the %d entries allowed", u.lim.Entries)}}
	}
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	name, err := cleanName(hdr.Name)
	if err != nil {
		return err
	}
	if name == "" {
		if hdr.Typeflag == tar.TypeDir {
			return nil // the top folder itself
		}
		return errors.New("an entry with no name")
	}
	if err := u.parents(name); err != nil {
		return err
	}
	if k, ok := u.seen[name]; ok && !(k == kindDir && hdr.Typeflag == tar.TypeDir) {
		return errors.New("a second entry of that name")
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		if u.seen[name] == kindDir {
			return nil
		}
		if err := u.root.Mkdir(name, 0o755); err != nil {
			return err
		}
		u.seen[name] = kindDir
	case tar.TypeReg, tar.TypeRegA:
		if hdr.Size < 0 || hdr.Size > u.lim.Unpacked-u.unpacked {
			return &ArchiveError{Entry: hdr.Name, Err: &overError{fmt.Sprintf("its %d bytes take the archive over the %d bytes its files may unpack to", hdr.Size, u.lim.Unpacked)}}
		}
		u.unpacked += hdr.Size
		perm := fs.FileMode(0o644)
		if hdr.Mode&0o111 != 0 {
			perm = 0o755
		}
		f, err := u.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if err != nil {
			return err
		}
		u.seen[name] = kindFile
		if name == u.exe {
			u.exeMode = hdr.Mode
		}
		n, err := io.CopyBuffer(f, tr, u.buf)
		if err == nil && n != hdr.Size {
			err = io.ErrUnexpectedEOF
		}
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	case tar.TypeSymlink:
		if err := linkInside(name, hdr.Linkname); err != nil {
			return err
		}
		if err := u.root.Symlink(hdr.Linkname, name); err != nil {
			return err
		}
		u.seen[name] = kindLink
	case tar.TypeLink:
		target, err := cleanName(hdr.Linkname)
		if err != nil || u.seen[target] != kindFile {
			return fmt.Errorf("a hard link to %q, which is not a file earlier in the archive", hdr.Linkname)
		}
		if err := u.root.Link(target, name); err != nil {
			return err
		}
		u.seen[name] = kindFile
	case tar.TypeChar, tar.TypeBlock:
		return errors.New("a device file")
	case tar.TypeFifo:
		return errors.New("a FIFO")
	default:
		return fmt.Errorf("an entry of type %q, which a runtime archive may not hold", string(hdr.Typeflag))
	}
	return nil
}

// parents makes the folders above name that earlier entries did not,
// refusing a name below a file or a link.
func (u *unpacker) parents(name string) error {
	for i := range len(name) {
		if name[i] != '/' {
			continue
		}
		dir := name[:i]
		switch u.seen[dir] {
		case kindDir:
		case kindLink:
			return fmt.Errorf("below %q, a symbolic link", dir)
		case kindFile:
			return fmt.Errorf("below %q, a file", dir)
		default:
			if err := u.root.Mkdir(dir, 0o755); err != nil {
				return err
			}
			u.seen[dir] = kindDir
		}
	}
	return nil
}

// cleanName returns an entry's name as a slash-separated path relative to
// the runtime folder ("" for the folder itself), or why it is refused.
func cleanName(name string) (string, error) {
	switch {
	case strings.HasPrefix(name, "/"):
		return "", errors.New("an absolute path")
	case strings.ContainsAny(name, `\`):
		return "", errors.New("a backslash in the name")
	case strings.Contains(name, ":"):
		return "", errors.New("a colon in the name (a drive or a stream on Windows)")
	case strings.ContainsRune(name, 0):
		return "", errors.New("a NUL in the name")
	}
	var parts []string
	for _, p := range strings.Split(name, "/") {
		switch p {
		case "", ".":
		case "..":
			return "", errors.New(`a ".." element in the name`)
		default:
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/"), nil
}

// linkInside checks that a symbolic link at name (cleaned) to target
// stays inside the runtime folder: the target is relative, its ".."
// elements all come first and climb no higher than the folder. The
// folders above a link are real folders (no entry lies below a link), so
// the ".." elements resolve as written; the names after them descend,
// through links that are each checked the same way.
func linkInside(name, target string) error {
	outside := fmt.Errorf("a symbolic link to %q, outside the runtime folder", target)
	switch {
	case target == "":
		return errors.New("a symbolic link to nothing")
	case strings.HasPrefix(target, "/"), strings.ContainsAny(target, `\:`), strings.ContainsRune(target, 0):
		return outside
	}
	up, climbing := 0, true
	for _, p := range strings.Split(target, "/") {
		switch {
		case p == "" || p == ".":
		case p == ".." && climbing:
			up++
		case p == "..":
			return fmt.Errorf(`a symbolic link to %q: ".." may only begin a link's target`, target)
		default:
			climbing = false
		}
	}
	if up > strings.Count(name, "/") {
		return outside
	}
	return nil
}

// Commit installs the staged runtime as <dir>/<version> by renaming its
// folder there, and returns it. A folder already there is an error: a
// runtime installed is never replaced.
func (s *Staged) Commit() (runtime.Runtime, error) {
	final := filepath.Join(s.dir, s.Version)
	if _, err := os.Lstat(final); err == nil {
		s.Discard()
		return runtime.Runtime{}, fmt.Errorf("install: runtime %s: %s is there already", s.Version, final)
	}
	if err := os.Rename(s.Path, final); err != nil {
		s.Discard()
		return runtime.Runtime{}, fmt.Errorf("install: runtime %s: %w", s.Version, err)
	}
	return runtime.Runtime{Version: s.Version, Path: filepath.Join(final, platform.RuntimeExecutable())}, nil
}

// Discard removes the staged runtime.
func (s *Staged) Discard() error {
	if err := platform.RemoveAll(s.Path); err != nil {
		return fmt.Errorf("install: runtime %s: %w", s.Version, err)
	}
	return nil
}
