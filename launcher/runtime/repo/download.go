package repo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/launcher/runtime/install"
)

// Progress is told how a download goes: the bytes received so far and the
// total (the signed length), from the downloading goroutine, as often as
// bytes arrive; done == total once all arrived. It may forward the figures
// elsewhere (the service to its client), or draw a bar (package progress).
// A nil Progress is not called.
type Progress func(done, total int64)

// Install downloads the runtime archive of version for the client's
// platform, verifies it against the refreshed targets metadata and installs
// it into the runtime directory dir, returning it. One process at a time
// installs a version (a lock file in dir); one that waited and finds the
// version installed returns it without downloading. The archive's bytes
// are hashed as they arrive and unpacked beside the final folder at once;
// the folder is renamed into place only when the length and every hash
// match. When the repository cannot be refreshed, nothing is installed.
// Its error is an *Error naming the role, or the target and the entry.
func (c *Client) Install(ctx context.Context, version, dir string, progress Progress) (runtime.Runtime, error) {
	if !runtime.IsVersion(version) {
		return runtime.Runtime{}, &Error{Target: c.RuntimeTarget(version), Kind: KindInvalid, Err: fmt.Errorf("%q is not an exact version", version)}
	}
	target := c.RuntimeTarget(version)
	info, err := c.targetInfo(ctx, target)
	if err != nil {
		return runtime.Runtime{}, err
	}
	lock, err := install.Lock(dir, version)
	if err != nil {
		return runtime.Runtime{}, err
	}
	defer lock.Unlock()
	if r, ok := installed(dir, version); ok {
		return r, nil
	}
	if err := install.Clean(dir, version); err != nil {
		return runtime.Runtime{}, err
	}
	lim := c.limits()
	staged, err := c.download(ctx, target, info, progress, func(r io.Reader) (*install.Staged, error) {
		return install.Unpack(dir, version, r, lim)
	})
	if err != nil {
		return runtime.Runtime{}, err
	}
	r, err := staged.Commit()
	if err != nil {
		return runtime.Runtime{}, &Error{Target: target, Kind: KindInvalid, Err: err}
	}
	return r, nil
}

// installed finds version among the runtimes installed in dir.
func installed(dir, version string) (runtime.Runtime, bool) {
	all, _ := runtime.Installed(dir)
	for _, r := range all {
		if r.Version == version {
			return r, true
		}
	}
	return runtime.Runtime{}, false
}

func (c *Client) limits() install.Limits {
	lim := c.o.Limits
	if lim.Compressed <= 0 {
		lim.Compressed = install.DefaultLimits.Compressed
	}
	return lim
}

// Check downloads the runtime archive target (of any platform) and checks
// it as Install would, installing nothing: what rvm-repo verify does for
// each archive.
func (c *Client) Check(ctx context.Context, target string) error {
	info, err := c.targetInfo(ctx, target)
	if err != nil {
		return err
	}
	goos, _, _ := strings.Cut(path.Base(target), "-")
	lim := c.limits()
	_, err = c.download(ctx, target, info, nil, func(r io.Reader) (*install.Staged, error) {
		return nil, install.CheckArchive(r, goos, lim)
	})
	return err
}

// download streams target through unpack (which reads it to its end),
// hashing it on the way, and returns what unpack staged once the target
// proved to be the one signed.
func (c *Client) download(ctx context.Context, target string, info *metadata.TargetFiles, progress Progress, unpack func(io.Reader) (*install.Staged, error)) (*install.Staged, error) {
	if lim := c.limits(); info.Length > lim.Compressed {
		return nil, &Error{Target: target, Kind: KindArchive, Err: fmt.Errorf("targets.json gives it %d bytes, more than the %d an archive may have", info.Length, c.limits().Compressed)}
	}
	v, err := newVerifier(info)
	if err != nil {
		return nil, &Error{Target: target, Kind: KindInvalid, Err: err}
	}
	name, err := servedName(target, info)
	if err != nil {
		return nil, &Error{Target: target, Kind: KindInvalid, Err: err}
	}
	// A minute, and the length at the slowest rate allowed: a server that
	// trickles cannot hold the download open for ever.
	ctx, cancel := context.WithTimeout(ctx, time.Minute+time.Duration(info.Length/c.o.MinRate)*time.Second)
	defer cancel()
	body, ctype, err := c.src.open(ctx, "targets/"+name, info.Length, c.o.Stall)
	if err != nil {
		return nil, &Error{Target: target, Kind: kindOf(err), Err: err}
	}
	defer body.Close()
	v.r, v.progress = body, progress
	if progress != nil {
		progress(0, info.Length)
	}
	staged, uerr := unpack(v)
	if uerr != nil && v.srcErr == nil {
		// The archive was refused part way: read the rest, so that an
		// archive that is not the one signed (an HTML error page, say) is
		// reported as that, not as a broken archive.
		_, v.srcErr = io.Copy(io.Discard, v)
	}
	if v.srcErr != nil && !errors.Is(v.srcErr, io.EOF) {
		if staged != nil {
			staged.Discard()
		}
		return nil, &Error{Target: target, Kind: kindOf(v.srcErr), Err: describeSource(v.srcErr, info.Length)}
	}
	if err := v.check(ctype); err != nil {
		if staged != nil {
			staged.Discard()
		}
		return nil, &Error{Target: target, Kind: KindMismatch, Err: err}
	}
	if uerr != nil {
		var ae *install.ArchiveError
		if errors.As(uerr, &ae) {
			return nil, &Error{Target: target, Entry: ae.Entry, Kind: KindArchive, Err: ae.Err}
		}
		return nil, &Error{Target: target, Kind: KindInvalid, Err: uerr}
	}
	return staged, nil
}

// describeSource words a download's failure; a body over the signed
// length is endless data.
func describeSource(err error, length int64) error {
	if kindOf(err) == KindMismatch {
		return fmt.Errorf("the server sent more than the %d bytes targets.json signed: %w", length, err)
	}
	return err
}

// verifier hashes and counts what it reads, for every hash that
// targets.json gives.
type verifier struct {
	r        io.Reader
	info     *metadata.TargetFiles
	hashes   map[string]hash.Hash
	n        int64
	srcErr   error // the source's failure, io.EOF at its end
	progress Progress
}

func newVerifier(info *metadata.TargetFiles) (*verifier, error) {
	v := &verifier{info: info, hashes: map[string]hash.Hash{}}
	for alg := range info.Hashes {
		switch alg {
		case "sha256":
			v.hashes[alg] = sha256.New()
		case "sha512":
			v.hashes[alg] = sha512.New()
		default:
			return nil, fmt.Errorf("targets.json hashes it with %q, which rvm does not know (want sha256 or sha512)", alg)
		}
	}
	if len(v.hashes) == 0 {
		return nil, errors.New("targets.json gives it no hash")
	}
	return v, nil
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	if n > 0 {
		for _, h := range v.hashes {
			h.Write(p[:n])
		}
		v.n += int64(n)
		if v.progress != nil {
			v.progress(v.n, v.info.Length)
		}
	}
	if err != nil && v.srcErr == nil {
		v.srcErr = err
	}
	return n, err
}

// check compares what was read with what targets.json signed.
func (v *verifier) check(contentType string) error {
	hint := ""
	if strings.HasPrefix(strings.ToLower(contentType), "text/html") {
		hint = " (the server sent an HTML page, an error page perhaps, in its place)"
	}
	if v.n != v.info.Length {
		return fmt.Errorf("got %d bytes, targets.json signed %d%s", v.n, v.info.Length, hint)
	}
	for _, alg := range slices.Sorted(maps.Keys(v.hashes)) {
		if got := v.hashes[alg].Sum(nil); !bytes.Equal(got, v.info.Hashes[alg]) {
			return fmt.Errorf("%s %s, targets.json signed %s: not the archive the publisher signed%s", alg, hex.EncodeToString(got), hex.EncodeToString(v.info.Hashes[alg]), hint)
		}
	}
	return nil
}
