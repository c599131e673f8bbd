// Package repo is rvm's client of a runtime repository (SPEC section 9): a
// TUF 1.0 repository with consistent snapshots, served as static files,
// whose targets are runtime archives and the channels that name them. It
// refreshes the metadata with go-tuf's updater, reading every file through
// rvm's strict fetcher (HTTPS only, TLS 1.2 or later, never relaxed,
// --resolve honoured, each file bounded), resolves runtime.version
// against what the repository and the runtime directory hold, and
// installs a version: the archive is hashed as it streams in and
// unpacked beside its final folder at the same time, and renamed into
// place only when its length and hashes match what targets.json signed.
//
// # The repository
//
// RuntimeRepository is the base URL: the folder that holds metadata/ and
// targets/ (a trailing slash or not, the same). RuntimeRepositoryRoot is a
// copy of its first root, 1.root.json, which the client trusts and then
// updates from as TUF prescribes (2.root.json, 3.root.json, ... until the
// server answers 404; a 403, as S3 answers for files it does not have,
// counts as 404 here). The targets it reads:
//
//	runtimes/<version>/<os>-<arch>.tar.gz   a runtime archive (package
//	                                        install says what it holds);
//	                                        os windows, darwin or linux,
//	                                        arch amd64 or arm64
//	channels.json                           {"stable": "38.126.82.64", ...}:
//	                                        channel names and exact versions
//
// # The cache
//
// Verified metadata is cached in <data>/tuf/<hex SHA-256 of the base URL,
// without a trailing slash>/: metadata/ (go-tuf's), targets/channels.json,
// verified.json (the last set of metadata and channels that verified
// together, kept whole) and anchor (the SHA-256 of the trusted root the
// cache grew from: a different RuntimeRepositoryRoot starts the cache
// anew). A refresh that changes nothing costs two small requests: the
// next root (a 404) and timestamp.json.
//
// # Refreshing
//
// A Client refreshes once and shares the outcome with every caller, at
// once or later, for MaxAge (zero: for the Client's life, which is one
// launch on the command line); concurrent callers wait for the one
// refresh under way. go-tuf's updater lives only inside that one refresh,
// so it is never used by two goroutines. Two processes refreshing one cache
// take turns (a lock file).
//
// With ServerHints, the server can spare a fleet refreshes: for the
// Cache-Control max-age of timestamp.json (at most a day, never past a
// role's expiry, less a per-desktop part of up to a fifth so that a
// fleet's refreshes spread), the last verified copy, checked again, stands
// in for a refresh when resolving to an installed version (never before
// a download, nor where it finds nothing that fits); after a 429
// or 503 with Retry-After (at most ten minutes), the repository is not
// asked and the refresh fails as offline. Both are kept in hints.json.
//
// When the refresh fails (offline, expired metadata, or metadata refused),
// the last verified copy still resolves channels, to installed versions
// only, with a notice; nothing new is installed. Every failure is an
// *Error naming the role, or the target and the archive entry.
package repo

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/launcher/runtime/install"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// MaxRoot bounds a root's metadata: each that a refresh reads, and the
// trusted first root (RuntimeRepositoryRoot) that its caller reads.
const MaxRoot = 512 << 10

// Bounds of the other metadata go-tuf reads (each also within
// maxMetadata).
const (
	maxTimestamp     = 16 << 10
	maxSnapshot      = 2 << 20
	maxTargets       = 8 << 20
	maxChannels      = 64 << 10
	maxRootRotations = 32
	maxVerifiedFile  = 4*maxMetadata + maxChannels
)

// ChannelsTarget is the target that maps channel names to versions.
const ChannelsTarget = "channels.json"

// Options configure a Client.
type Options struct {
	// URL is the repository's base URL (RuntimeRepository), https.
	URL string
	// Root is the trusted first root, 1.root.json as the owner's
	// RuntimeRepositoryRoot holds it.
	Root []byte
	// DataDir is rvm's data directory: the metadata cache is
	// <DataDir>/tuf/<hex SHA-256 of URL>/. "" keeps no cache (every
	// refresh starts from Root, and there is no last verified copy).
	DataDir string
	// Fetcher fetches strictly; nil is a zero fetch.Fetcher (system roots,
	// default timeouts). Its Timeouts bound each metadata file; its
	// Resolve entries apply.
	Fetcher *fetch.Fetcher
	// Folder, when set, reads the repository from this folder (a
	// repository's public/ tree) instead of URL: rvm-repo verify checks a
	// repository so before it is served.
	Folder string
	// Now is the clock that expiry is checked against; nil is the system
	// clock.
	Now func() time.Time
	// OS and Arch name the platform whose archives are installed; "" is
	// this machine's.
	OS, Arch string
	// Stall bounds each wait for more bytes of an archive: 30s when zero.
	Stall time.Duration
	// MinRate is the average rate, in bytes a second, that an archive's
	// download may not fall under: it must end within a minute plus its
	// length at that rate. 16 KiB/s when zero.
	MinRate int64
	// Limits bound the archives (install.DefaultLimits where zero).
	Limits install.Limits
	// MaxAge is how long the outcome of a refresh is shared; zero shares
	// it for the Client's life.
	MaxAge time.Duration
	// ServerHints, with a DataDir, lets the repository's server spare
	// later Clients of that cache a refresh: for the Cache-Control
	// max-age of its timestamp.json (at most fetch.MaxFreshness and never
	// past any role's expiry, each desktop taking off its own part of up to
	// a fifth, Jitter), the last verified metadata stands in for a refresh
	// when resolving to an installed version, though never before a
	// download nor where nothing fits; and after a 429 or
	// 503 with Retry-After (at most fetch.MaxRetryAfter), nothing is asked
	// of it and the refresh fails as offline. rvm doctor, which checks the
	// repository itself, leaves it off.
	ServerHints bool
	// Jitter is this desktop's fraction in [0, 1) (fetch.Store.Jitter),
	// by which ServerHints shortens each max-age: a fleet's refreshes then
	// do not align.
	Jitter float64
}

// Client reads one runtime repository. It is safe for concurrent use.
type Client struct {
	o     Options
	src   source
	cache string // "" without a cache

	mu       sync.Mutex
	state    *state
	at       time.Time
	inflight chan struct{}
}

// state is the outcome of one refresh.
type state struct {
	cached   bool                             // taken from the last verified copy, which the server said is fresh (ServerHints): a download refreshes first
	err      error                            // why the refresh failed; nil when it did not
	targets  map[string]*metadata.TargetFiles // the verified targets (nil when err is set)
	channels map[string]string                // the verified channels; from the last verified copy when err is set (nil when there is none)
	expires  map[string]time.Time             // each role's expiry, where known
	requests int                              // requests the refresh made
	// notModified reports that timestamp.json was answered 304.
	notModified bool
}

// New returns a client of the repository that o names. It checks the
// options, not the repository: nothing is fetched until it is needed.
func New(o Options) (*Client, error) {
	if o.OS == "" || o.Arch == "" {
		os, arch := platform.Target()
		o.OS, o.Arch = cmp.Or(o.OS, os), cmp.Or(o.Arch, arch)
	}
	if !slices.Contains([]string{"windows", "darwin", "linux"}, o.OS) || !slices.Contains([]string{"amd64", "arm64"}, o.Arch) {
		return nil, fmt.Errorf("repo: no runtimes are published for %s-%s: want os windows, darwin or linux and arch amd64 or arm64", o.OS, o.Arch)
	}
	if len(o.Root) == 0 {
		return nil, errors.New("repo: no trusted root (RuntimeRepositoryRoot) given")
	}
	if o.Stall <= 0 {
		o.Stall = 30 * time.Second
	}
	if o.MinRate <= 0 {
		o.MinRate = 16 << 10
	}
	c := &Client{o: o}
	if o.Folder != "" {
		c.src = &dirSource{dir: o.Folder}
	} else {
		u, err := url.Parse(o.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("repo: RuntimeRepository %q is not an https:// URL of a folder", o.URL)
		}
		f := o.Fetcher
		if f == nil {
			f = &fetch.Fetcher{}
		}
		c.src = &httpSource{f: f, url: strings.TrimRight(o.URL, "/")}
	}
	if o.DataDir != "" {
		sum := sha256.Sum256([]byte(c.src.base()))
		c.cache = filepath.Join(o.DataDir, "tuf", hex.EncodeToString(sum[:]))
	}
	return c, nil
}

// CacheDir is the folder of the client's metadata cache; "" when it keeps
// none.
func (c *Client) CacheDir() string { return c.cache }

func (c *Client) now() time.Time {
	if c.o.Now != nil {
		return c.o.Now()
	}
	return time.Now()
}

// Refresh brings the metadata up to date as TUF prescribes (root,
// timestamp, snapshot, targets, then channels.json), once: concurrent and
// later callers share its outcome (for MaxAge). With ServerHints, the last
// verified copy while the server's max-age lasts, or the server's
// Retry-After, stands for a refresh. Its error is an *Error.
func (c *Client) Refresh(ctx context.Context) error {
	st, err := c.refreshed(ctx)
	if err != nil {
		return err
	}
	return st.err
}

// refreshed returns the outcome of the shared refresh, refreshing where
// none is current; its error is only ctx's.
func (c *Client) refreshed(ctx context.Context) (*state, error) {
	return c.refreshedFor(ctx, false)
}

// refreshedFor is refreshed; with network, an outcome taken from the last
// verified copy (ServerHints) does not count as current: before a
// download the metadata is refreshed (SPEC 9).
func (c *Client) refreshedFor(ctx context.Context, network bool) (*state, error) {
	c.mu.Lock()
	for {
		if c.state != nil && (c.o.MaxAge == 0 || c.now().Sub(c.at) < c.o.MaxAge) && !(network && c.state.cached) {
			st := c.state
			c.mu.Unlock()
			return st, nil
		}
		if c.inflight == nil {
			break
		}
		wait := c.inflight
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		c.mu.Lock()
	}
	done := make(chan struct{})
	c.inflight = done
	c.mu.Unlock()

	st := c.hinted(network)
	if st == nil {
		st = c.refresh(ctx)
	}

	c.mu.Lock()
	c.state, c.at, c.inflight = st, c.now(), nil
	c.mu.Unlock()
	close(done)
	return st, nil
}

// servedFromCache reports whether the current outcome was taken from the
// last verified copy rather than a refresh.
func (c *Client) servedFromCache() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state != nil && c.state.cached
}

// verified is verified.json: the raw metadata and channels that last
// verified together.
type verified struct {
	Root      []byte `json:"root"`
	Timestamp []byte `json:"timestamp"`
	Snapshot  []byte `json:"snapshot"`
	Targets   []byte `json:"targets"`
	Channels  []byte `json:"channels,omitempty"`
}

// refresh runs one refresh, asking for timestamp.json conditionally;
// where the copy a 304 stands for leads to metadata that does not pass
// (expired, say, or naming a snapshot the server no longer has: a server
// whose validator did not change with the file), once more asking for
// the whole file. A network failure is not retried.
func (c *Client) refresh(ctx context.Context) *state {
	st := c.refreshWith(ctx, true)
	var re *Error
	if st.notModified && errors.As(st.err, &re) && re.Kind != KindNetwork {
		return c.refreshWith(ctx, false)
	}
	return st
}

// refreshWith runs one refresh, conditionally where conditional.
func (c *Client) refreshWith(ctx context.Context, conditional bool) *state {
	st := &state{}
	var tf *tufFetcher
	fail := func(err error) *state {
		st.err = err
		st.targets = nil
		st.channels = c.lastVerified()
		st.notModified = tf != nil && tf.got != nil && tf.got.NotModified
		var fe *fetch.FetchError
		if errors.As(err, &fe) && fe.RetryAfter > 0 {
			c.saveHints(hints{RetryAt: c.now().Add(fe.RetryAfter)})
		}
		return st
	}
	var metaDir string
	if c.cache != "" {
		lock, err := platform.LockFile(filepath.Join(c.cache, ".lock"))
		if err != nil {
			return fail(&Error{Role: metadata.ROOT, Kind: KindInvalid, Err: fmt.Errorf("metadata cache: %w", err)})
		}
		defer lock.Unlock()
		metaDir = filepath.Join(c.cache, "metadata")
		if err := c.checkAnchor(); err != nil {
			return fail(&Error{Role: metadata.ROOT, Kind: KindInvalid, Err: err})
		}
	}
	trusted := c.trustedRoot(metaDir)
	cfg, err := config.New(c.src.base()+"/metadata", trusted)
	if err != nil {
		return fail(&Error{Role: metadata.ROOT, Kind: KindInvalid, Err: err})
	}
	tf = &tufFetcher{ctx: ctx, src: c.src}
	if conditional {
		tf.stamp = c.loadTimestampCache(metaDir)
	}
	cfg.Fetcher = tf
	cfg.RemoteTargetsURL = c.src.base() + "/targets"
	cfg.MaxRootRotations = maxRootRotations
	cfg.RootMaxLength, cfg.TimestampMaxLength, cfg.SnapshotMaxLength, cfg.TargetsMaxLength = MaxRoot, maxTimestamp, maxSnapshot, maxTargets
	cfg.MaxDelegations = 0
	if c.cache == "" {
		cfg.DisableLocalCache = true
	} else {
		cfg.LocalMetadataDir = metaDir
		cfg.LocalTargetsDir = filepath.Join(c.cache, "targets")
		if err := platform.EnsureDir(metaDir); err != nil {
			return fail(&Error{Role: metadata.ROOT, Kind: KindInvalid, Err: fmt.Errorf("metadata cache: %w", err)})
		}
	}
	up, err := updater.New(cfg)
	if err != nil {
		return fail(&Error{Role: metadata.ROOT, Kind: kindOf(err), Err: fmt.Errorf("trusted root (RuntimeRepositoryRoot): %w", err)})
	}
	up.UnsafeSetRefTime(c.now().UTC())
	err = up.Refresh()
	st.requests = tf.requests
	if err != nil {
		return fail(&Error{Role: failedRole(err, tf.role), Kind: kindOf(err), Err: err})
	}
	set := up.GetTrustedMetadataSet()
	st.expires = map[string]time.Time{
		metadata.ROOT:      set.Root.Signed.Expires,
		metadata.TIMESTAMP: set.Timestamp.Signed.Expires,
		metadata.SNAPSHOT:  set.Snapshot.Signed.Expires,
		metadata.TARGETS:   set.Targets[metadata.TARGETS].Signed.Expires,
	}
	st.targets = map[string]*metadata.TargetFiles{}
	for name, t := range up.GetTopLevelTargets() {
		st.targets[name] = t
	}
	raw, err := c.channelsFile(ctx, st, tf)
	st.requests = tf.requests
	if err != nil {
		return fail(err)
	}
	if st.channels, err = parseChannels(raw); err != nil {
		return fail(&Error{Target: ChannelsTarget, Kind: KindInvalid, Err: err})
	}
	c.saveVerified(metaDir, raw)
	c.saveTimestampCache(tf.got)
	if tf.got != nil {
		c.saveHints(hints{FreshUntil: c.freshUntil(tf.got.MaxAge, st.expires)})
	}
	return st
}

// timestampCache is the validators of the last timestamp.json the server
// sent, with that file's bytes where they are still the copy go-tuf keeps
// (metadata/timestamp.json): a refresh then asks for timestamp.json only
// if it changed, and an unchanged repository costs a 304 (SPEC 4 asks
// that of every remote file a fleet reads). Kept in timestamp.etag.json
// as the validators and the SHA-256 of the bytes they came with.
type timestampCache struct {
	Validators fetch.Validators `json:"validators"`
	SHA256     string           `json:"sha256"`
	body       []byte
}

// maxTimestampCacheFile bounds timestamp.etag.json: two header values
// (each within the fetcher's header bound) and a hash.
const maxTimestampCacheFile = 256 << 10

// loadTimestampCache returns the validators to send for timestamp.json
// with the cached copy they stand for; zero where there is no cache, or
// the cached timestamp is not the one the validators came with.
func (c *Client) loadTimestampCache(metaDir string) timestampCache {
	if metaDir == "" {
		return timestampCache{}
	}
	data, err := platform.ReadFileLimit(filepath.Join(c.cache, "timestamp.etag.json"), maxTimestampCacheFile)
	if err != nil {
		return timestampCache{}
	}
	var tc timestampCache
	if json.Unmarshal(data, &tc) != nil {
		return timestampCache{}
	}
	body, err := platform.ReadFileLimit(filepath.Join(metaDir, metadata.TIMESTAMP+".json"), maxTimestamp)
	if err != nil {
		return timestampCache{}
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != tc.SHA256 {
		return timestampCache{}
	}
	tc.body = body
	return tc
}

// saveTimestampCache keeps the validators of got, the answer to this
// refresh's request for timestamp.json, where it brought a new file
// with validators; a 304 leaves the cache as it is.
func (c *Client) saveTimestampCache(got *fetch.Response) {
	if c.cache == "" || got == nil || got.NotModified || got.Validators == (fetch.Validators{}) {
		return
	}
	sum := sha256.Sum256(got.Body)
	data, err := json.Marshal(timestampCache{Validators: got.Validators, SHA256: hex.EncodeToString(sum[:])})
	if err != nil {
		return
	}
	platform.WriteFileAtomic(filepath.Join(c.cache, "timestamp.etag.json"), data, 0o600) // at worst the next refresh asks for the whole file
}

// failedRole is the role a refresh failed on: the one an expiry names,
// else the one whose file was fetched last.
func failedRole(err error, last string) string {
	var exp *metadata.ErrExpiredMetadata
	if errors.As(err, &exp) {
		for _, r := range []string{metadata.ROOT, metadata.TIMESTAMP, metadata.SNAPSHOT, metadata.TARGETS} {
			if strings.Contains(exp.Msg, r) {
				return r
			}
		}
	}
	if last == "" {
		return metadata.ROOT
	}
	return last
}

// checkAnchor starts the cache anew where it grew from another trusted
// root than the one given.
func (c *Client) checkAnchor() error {
	sum := sha256.Sum256(c.o.Root)
	want := hex.EncodeToString(sum[:])
	p := filepath.Join(c.cache, "anchor")
	if got, err := platform.ReadFileLimit(p, 128); err == nil && strings.TrimSpace(string(got)) == want {
		return nil
	}
	for _, name := range []string{"metadata", "targets", "verified.json", "timestamp.etag.json", "hints.json"} {
		if err := platform.RemoveAll(filepath.Join(c.cache, name)); err != nil {
			return fmt.Errorf("metadata cache: %w", err)
		}
	}
	return platform.WriteFileAtomic(p, []byte(want+"\n"), 0o600)
}

// trustedRoot is the root to start from: the cached one (verified by
// earlier refreshes from the given root) where it is newer, else the
// given root.
func (c *Client) trustedRoot(metaDir string) []byte {
	if metaDir == "" {
		return c.o.Root
	}
	cached, err := platform.ReadFileLimit(filepath.Join(metaDir, "root.json"), MaxRoot)
	if err != nil {
		return c.o.Root
	}
	var given, got metadata.Metadata[metadata.RootType]
	if _, err := given.FromBytes(c.o.Root); err != nil {
		return c.o.Root
	}
	if _, err := got.FromBytes(cached); err != nil || got.Signed.Version <= given.Signed.Version {
		return c.o.Root
	}
	return cached
}

// channelsFile returns channels.json's verified bytes (nil where the
// repository has none): the cached copy where it matches the target,
// else downloaded and checked.
func (c *Client) channelsFile(ctx context.Context, st *state, tf *tufFetcher) ([]byte, error) {
	info, ok := st.targets[ChannelsTarget]
	if !ok {
		return nil, nil
	}
	cached := ""
	if c.cache != "" {
		cached = filepath.Join(c.cache, "targets", ChannelsTarget)
		if data, err := platform.ReadFileLimit(cached, maxChannels); err == nil && info.VerifyLengthHashes(data) == nil {
			return data, nil
		}
	}
	if info.Length > maxChannels {
		return nil, &Error{Target: ChannelsTarget, Kind: KindInvalid, Err: fmt.Errorf("%d bytes is more than the %d allowed", info.Length, maxChannels)}
	}
	name, err := servedName(ChannelsTarget, info)
	if err != nil {
		return nil, &Error{Target: ChannelsTarget, Kind: KindInvalid, Err: err}
	}
	tf.requests++
	resp, err := c.src.get(ctx, "targets/"+name, info.Length, fetch.Validators{})
	if err != nil {
		return nil, &Error{Target: ChannelsTarget, Kind: kindOf(err), Err: err}
	}
	data := resp.Body
	if err := info.VerifyLengthHashes(data); err != nil {
		return nil, &Error{Target: ChannelsTarget, Kind: KindMismatch, Err: fmt.Errorf("not what targets.json signed: %w", err)}
	}
	if cached != "" {
		platform.WriteFileAtomic(cached, data, 0o600)
	}
	return data, nil
}

// parseChannels reads channels.json: an object of channel names and exact
// versions, strictly (no duplicate names).
func parseChannels(data []byte) (map[string]string, error) {
	out := map[string]string{}
	if data == nil {
		return out, nil
	}
	if err := strictjson.Unmarshal(data, &out, true); err != nil {
		return nil, fmt.Errorf("want an object of channel names and versions: %w", err)
	}
	for name, v := range out {
		if !runtime.IsChannelName(name) {
			return nil, fmt.Errorf("%q is not a channel name", name)
		}
		if !runtime.IsVersion(v) {
			return nil, fmt.Errorf("channel %s: %q is not an exact version", name, v)
		}
	}
	return out, nil
}

// saveVerified keeps the metadata and channels that verified together,
// as one file, for when the repository cannot be refreshed.
func (c *Client) saveVerified(metaDir string, channels []byte) {
	if metaDir == "" {
		return
	}
	var v verified
	for _, f := range []struct {
		name string
		to   *[]byte
	}{{"root", &v.Root}, {"timestamp", &v.Timestamp}, {"snapshot", &v.Snapshot}, {"targets", &v.Targets}} {
		data, err := platform.ReadFileLimit(filepath.Join(metaDir, f.name+".json"), maxMetadata)
		if err != nil {
			return
		}
		*f.to = data
	}
	v.Channels = channels
	p := filepath.Join(c.cache, "verified.json")
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	if old, err := platform.ReadFileLimit(p, maxVerifiedFile); err == nil && string(old) == string(data) {
		return
	}
	platform.WriteFileAtomic(p, data, 0o600)
}

// lastVerified returns the channels of the last verified copy, checked
// again (signatures, versions and hashes; not expiry, which is why it is
// the last copy), or nil where there is none that checks.
func (c *Client) lastVerified() map[string]string {
	if st := c.loadVerified(); st != nil {
		return st.channels
	}
	return nil
}

// loadVerified returns the last verified copy as the outcome of a
// refresh, checked again as lastVerified says, with each role's expiry;
// nil where there is none that checks.
func (c *Client) loadVerified() *state {
	if c.cache == "" {
		return nil
	}
	data, err := platform.ReadFileLimit(filepath.Join(c.cache, "verified.json"), maxVerifiedFile)
	if err != nil {
		return nil
	}
	var v verified
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	var (
		root    metadata.Metadata[metadata.RootType]
		ts      metadata.Metadata[metadata.TimestampType]
		snap    metadata.Metadata[metadata.SnapshotType]
		targets metadata.Metadata[metadata.TargetsType]
		given   metadata.Metadata[metadata.RootType]
	)
	if _, err := root.FromBytes(v.Root); err != nil || root.VerifyDelegate(metadata.ROOT, &root) != nil {
		return nil
	}
	if _, err := given.FromBytes(c.o.Root); err != nil || root.Signed.Version < given.Signed.Version {
		return nil
	}
	if _, err := ts.FromBytes(v.Timestamp); err != nil || root.VerifyDelegate(metadata.TIMESTAMP, &ts) != nil {
		return nil
	}
	sm, ok := ts.Signed.Meta["snapshot.json"]
	if _, err := snap.FromBytes(v.Snapshot); !ok || err != nil || root.VerifyDelegate(metadata.SNAPSHOT, &snap) != nil ||
		snap.Signed.Version != sm.Version || sm.VerifyLengthHashes(v.Snapshot) != nil {
		return nil
	}
	tm, ok := snap.Signed.Meta["targets.json"]
	if _, err := targets.FromBytes(v.Targets); !ok || err != nil || root.VerifyDelegate(metadata.TARGETS, &targets) != nil ||
		targets.Signed.Version != tm.Version || tm.VerifyLengthHashes(v.Targets) != nil {
		return nil
	}
	st := &state{
		targets: targets.Signed.Targets,
		expires: map[string]time.Time{
			metadata.ROOT:      root.Signed.Expires,
			metadata.TIMESTAMP: ts.Signed.Expires,
			metadata.SNAPSHOT:  snap.Signed.Expires,
			metadata.TARGETS:   targets.Signed.Expires,
		},
		channels: map[string]string{},
	}
	info, ok := targets.Signed.Targets[ChannelsTarget]
	if !ok {
		return st
	}
	if info.VerifyLengthHashes(v.Channels) != nil {
		return nil
	}
	if st.channels, err = parseChannels(v.Channels); err != nil {
		return nil
	}
	return st
}

// hints is hints.json: what the repository's server asked of the
// refreshes of this cache (ServerHints).
type hints struct {
	// FreshUntil is when the last verified copy stops standing in for a
	// refresh (the max-age of timestamp.json, bounded).
	FreshUntil time.Time `json:"freshUntil,omitzero"`
	// RetryAt is when the server may be asked again (Retry-After).
	RetryAt time.Time `json:"retryAt,omitzero"`
}

// maxHintsFile bounds hints.json.
const maxHintsFile = 4 << 10

// freshUntil is when a copy checked now with this max-age stops being
// fresh: the max-age (at most fetch.MaxFreshness) less this desktop's
// part of up to a fifth of it, and never past the earliest expiry of the
// roles; now (not fresh) without ServerHints or a max-age.
func (c *Client) freshUntil(maxAge time.Duration, expires map[string]time.Time) time.Time {
	now := c.now()
	if !c.o.ServerHints || maxAge <= 0 {
		return now
	}
	maxAge = min(maxAge, fetch.MaxFreshness)
	jitter := min(max(c.o.Jitter, 0), 1)
	until := now.Add(maxAge - time.Duration(float64(maxAge/5)*jitter))
	for _, exp := range expires {
		if exp.Before(until) {
			until = exp
		}
	}
	return until
}

// saveHints keeps h for the Clients that come after (ServerHints only).
func (c *Client) saveHints(h hints) {
	if !c.o.ServerHints || c.cache == "" {
		return
	}
	data, err := json.Marshal(h)
	if err != nil {
		return
	}
	platform.WriteFileAtomic(filepath.Join(c.cache, "hints.json"), data, 0o600) // at worst the next launch refreshes
}

// hinted returns, under ServerHints, the outcome the server's hints give
// without a request: an offline failure while the server asked not to be
// asked, or (unless network, for a download) the last verified copy
// while it is fresh; nil where a refresh is to be made. Hints are bounded
// again as they are read (a clock set back, a file written by hand).
func (c *Client) hinted(network bool) *state {
	if !c.o.ServerHints || c.cache == "" {
		return nil
	}
	data, err := platform.ReadFileLimit(filepath.Join(c.cache, "hints.json"), maxHintsFile)
	if err != nil {
		return nil
	}
	var h hints
	if json.Unmarshal(data, &h) != nil {
		return nil
	}
	now := c.now()
	if now.Before(h.RetryAt) && h.RetryAt.Sub(now) <= fetch.MaxRetryAfter {
		return &state{
			err:      &Error{Role: metadata.TIMESTAMP, Kind: KindNetwork, Err: fmt.Errorf("the repository asked (Retry-After) not to be asked again until %s", h.RetryAt.UTC().Format(time.RFC3339))},
			channels: c.lastVerified(),
		}
	}
	if network || !now.Before(h.FreshUntil) || h.FreshUntil.Sub(now) > fetch.MaxFreshness {
		return nil
	}
	st := c.loadVerified()
	if st == nil {
		return nil
	}
	for _, exp := range st.expires {
		if !now.Before(exp) {
			return nil
		}
	}
	st.cached = true
	return st
}

// servedName is the name a target is served under, below targets/: with
// consistent snapshots (which rvm-repo always uses), its SHA-256 (or,
// without one, its first hash by name) before its base name.
func servedName(target string, info *metadata.TargetFiles) (string, error) {
	algs := slices.Sorted(maps.Keys(info.Hashes))
	if len(algs) == 0 {
		return "", errors.New("targets.json gives it no hash")
	}
	alg := algs[0]
	if _, ok := info.Hashes["sha256"]; ok {
		alg = "sha256"
	}
	dir, base := "", target
	if i := strings.LastIndexByte(target, '/'); i >= 0 {
		dir, base = target[:i+1], target[i+1:]
	}
	return dir + hex.EncodeToString(info.Hashes[alg]) + "." + base, nil
}

// Channels returns the channels of the repository's channels.json, from
// a fresh refresh; where the refresh failed, those of the last verified
// copy (nil where there is none) and the refresh's error.
func (c *Client) Channels(ctx context.Context) (map[string]string, error) {
	st, err := c.refreshed(ctx)
	if err != nil {
		return nil, err
	}
	return maps.Clone(st.channels), st.err
}

// RuntimeTarget is the target path of the runtime archive of version for
// the client's platform.
func (c *Client) RuntimeTarget(version string) string {
	return fmt.Sprintf("runtimes/%s/%s-%s.tar.gz", version, c.o.OS, c.o.Arch)
}

// Versions returns the versions the repository has a runtime archive of
// for the client's platform, highest first. It refreshes first (once);
// when that fails it returns the refresh's error and no versions.
func (c *Client) Versions(ctx context.Context) ([]string, error) {
	st, err := c.refreshed(ctx)
	if err != nil {
		return nil, err
	}
	if st.err != nil {
		return nil, st.err
	}
	suffix := fmt.Sprintf("/%s-%s.tar.gz", c.o.OS, c.o.Arch)
	var out []string
	for name := range st.targets {
		v, ok := strings.CutPrefix(name, "runtimes/")
		if !ok {
			continue
		}
		if v, ok = strings.CutSuffix(v, suffix); ok && runtime.IsVersion(v) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return runtime.CompareVersions(b, a) })
	return out, nil
}

// Expires returns when each role's metadata expires, from a fresh
// refresh (rvm doctor warns when one is near).
func (c *Client) Expires(ctx context.Context) (map[string]time.Time, error) {
	st, err := c.refreshed(ctx)
	if err != nil {
		return nil, err
	}
	if st.err != nil {
		return nil, st.err
	}
	out := map[string]time.Time{}
	for k, v := range st.expires {
		out[k] = v
	}
	return out, nil
}

// Requests reports how many requests the last refresh made.
func (c *Client) Requests() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == nil {
		return 0
	}
	return c.state.requests
}

// targetInfo is the verified description of target, from a fresh
// refresh.
func (c *Client) targetInfo(ctx context.Context, target string) (*metadata.TargetFiles, error) {
	st, err := c.refreshedFor(ctx, true)
	if err != nil {
		return nil, err
	}
	if st.err != nil {
		return nil, st.err
	}
	info, ok := st.targets[target]
	if !ok {
		return nil, &Error{Target: target, Kind: KindNotFound, Err: errors.New("the repository has no such target")}
	}
	return info, nil
}

// Targets returns every target's name and signed length, from a fresh
// refresh.
func (c *Client) Targets(ctx context.Context) (map[string]int64, error) {
	st, err := c.refreshed(ctx)
	if err != nil {
		return nil, err
	}
	if st.err != nil {
		return nil, st.err
	}
	out := map[string]int64{}
	for k, v := range st.targets {
		out[k] = v.Length
	}
	return out, nil
}
