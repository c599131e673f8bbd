package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/platform"
)

// source is where a Client reads a repository's files: names are
// slash-separated, relative to the repository's base (metadata/timestamp.json).
type source interface {
	// get reads a file of at most limit bytes; with validators from an
	// earlier answer, only if it changed (the response then says
	// NotModified and holds no body).
	get(ctx context.Context, name string, limit int64, v fetch.Validators) (*fetch.Response, error)
	// open streams a file of at most limit bytes; stall bounds each wait
	// for more. contentType is what the server said the file is.
	open(ctx context.Context, name string, limit int64, stall time.Duration) (body io.ReadCloser, contentType string, err error)
	// base is the URL that names are relative to, for go-tuf and messages.
	base() string
}

// httpSource reads a repository served over HTTPS, strictly.
type httpSource struct {
	f   *fetch.Fetcher
	url string // without a trailing slash
}

func (s *httpSource) base() string { return s.url }

func (s *httpSource) get(ctx context.Context, name string, limit int64, v fetch.Validators) (*fetch.Response, error) {
	return s.f.GetStrict(ctx, s.url+"/"+name, limit, v)
}

func (s *httpSource) open(ctx context.Context, name string, limit int64, stall time.Duration) (io.ReadCloser, string, error) {
	st, err := s.f.OpenStrict(ctx, s.url+"/"+name, limit, stall)
	if err != nil {
		return nil, "", err
	}
	return st, st.ContentType, nil
}

// dirSource reads a repository's public folder, as rvm-repo verify does
// before it is served.
type dirSource struct{ dir string }

func (s *dirSource) base() string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(s.dir)}).String()
}

func (s *dirSource) path(name string) (string, error) {
	if !filepath.IsLocal(filepath.FromSlash(name)) {
		return "", fmt.Errorf("repo: %q is not a file of the repository", name)
	}
	return filepath.Join(s.dir, filepath.FromSlash(name)), nil
}

func (s *dirSource) get(_ context.Context, name string, limit int64, _ fetch.Validators) (*fetch.Response, error) {
	p, err := s.path(name)
	if err != nil {
		return nil, err
	}
	data, err := platform.ReadFileLimit(p, limit)
	if err != nil {
		return nil, err
	}
	return &fetch.Response{Body: data}, nil
}

func (s *dirSource) open(_ context.Context, name string, limit int64, _ time.Duration) (io.ReadCloser, string, error) {
	p, err := s.path(name)
	if err != nil {
		return nil, "", err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, "", err
	}
	return &limitedFile{f: f, r: io.LimitReader(f, limit+1), limit: limit}, "", nil
}

// limitedFile reads a file within a bound, as a fetch.Stream does.
type limitedFile struct {
	f     *os.File
	r     io.Reader
	n     int64
	limit int64
}

func (l *limitedFile) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.limit {
		return n - int(l.n-l.limit), &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("%s is more than the %d bytes allowed", l.f.Name(), l.limit)}
	}
	return n, err
}

func (l *limitedFile) Close() error { return l.f.Close() }

// notFound reports whether err says that the file is not there: a 404, an
// absent file, or for S3-like servers that hide absent files, a 403.
func notFound(err error, orForbidden bool) bool {
	var fe *fetch.FetchError
	if errors.As(err, &fe) {
		return fe.Status == 404 || orForbidden && fe.Status == 403
	}
	return errors.Is(err, os.ErrNotExist)
}

// tufFetcher is go-tuf's fetcher over a source. It remembers the role of
// the file it was last asked for (go-tuf updates the roles in order and
// fails on the one it last fetched) and counts its requests. It asks for
// timestamp.json conditionally where it has the validators of the copy
// go-tuf keeps (see timestampCache), and hands go-tuf that copy on a 304.
type tufFetcher struct {
	ctx      context.Context
	src      source
	role     string
	requests int
	// stamp is the cached timestamp and the validators it came with
	// (zero where there are none to send); got is what the server
	// answered for timestamp.json this time.
	stamp timestampCache
	got   *fetch.Response
}

// maxMetadata bounds every metadata file, whatever the metadata that
// names it says.
const maxMetadata = 8 << 20

func (t *tufFetcher) DownloadFile(u string, maxLength int64, _ time.Duration) ([]byte, error) {
	name, ok := strings.CutPrefix(u, t.src.base()+"/")
	if !ok {
		return nil, fmt.Errorf("repo: %s is not below the repository %s", u, t.src.base())
	}
	t.role = roleOfFile(path.Base(name))
	t.requests++
	timestamp := name == "metadata/"+metadata.TIMESTAMP+".json"
	var cond fetch.Validators
	if timestamp {
		cond = t.stamp.Validators
	}
	resp, err := t.src.get(t.ctx, name, min(maxLength, maxMetadata), cond)
	if err != nil && t.role == metadata.ROOT && notFound(err, true) {
		// go-tuf looks for the next root until the server says there is
		// none, by a 404.
		return nil, &metadata.ErrDownloadHTTP{StatusCode: 404, URL: u}
	}
	if err != nil {
		return nil, err
	}
	if timestamp {
		t.got = resp
	}
	if resp.NotModified {
		// Only sent validators are answered so: the copy go-tuf keeps,
		// which they came with, and which go-tuf checks again
		// (signature, version, expiry).
		return t.stamp.body, nil
	}
	return resp.Body, nil
}

// roleOfFile is the role a metadata file name belongs to: N.root.json,
// timestamp.json, N.snapshot.json, N.targets.json.
func roleOfFile(name string) string {
	name = strings.TrimSuffix(name, ".json")
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return name
}
