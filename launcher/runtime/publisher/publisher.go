// Package publisher makes and updates a runtime repository: the signed TUF
// 1.0 repository (theupdateframework.io, with consistent snapshots) from
// which rvm downloads runtimes (SPEC section 9). It is rvm-repo's logic;
// the command only parses flags.
//
// A repository folder DIR holds:
//
//	DIR/repo.json            settings: the key algorithm and, per role, the
//	                         validity last given (see Expires)
//	DIR/keys/<role>.pem      the private key of each role (root, targets,
//	                         snapshot, timestamp): PKCS #8 PEM, no
//	                         passphrase, 0600, in a 0700 folder
//	DIR/keys/retired/        keys replaced by Rotate, to be destroyed
//	DIR/staged/              changes staged by Add and Channel
//	DIR/public/              what is served, never a key:
//	  metadata/1.root.json, 2.root.json, ...  every root, by version
//	  metadata/root.json                      the current root
//	  metadata/timestamp.json
//	  metadata/<N>.snapshot.json, <N>.targets.json
//	  targets/runtimes/<version>/<sha256>.<os>-<arch>.tar.gz
//	  targets/<sha256>.channels.json
//
// Targets are runtime archives, runtimes/<version>/<os>-<arch>.tar.gz (os
// windows, darwin or linux; arch amd64 or arm64), and channels.json, a JSON
// object of channel names and exact versions ({"stable": "38.126.82.64"}).
// Each is listed in targets.json with its length and SHA-256, and served
// under its hash (consistent snapshots), so that a CDN may cache every
// file but timestamp.json and N+1.root.json forever.
//
// Publish signs, in this order, new targets, snapshot and timestamp
// metadata, writing the files a client reads last (timestamp.json) last:
// a client that reads the tree while it is being written sees the old
// repository or the new one. Upload the public tree in the same order
// (targets/, then metadata/ with timestamp.json last).
package publisher

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/launcher/runtime/install"
	"github.com/rvm-launcher/rvm/platform"
)

// Alg is a key algorithm.
type Alg string

// The key algorithms a repository may use.
const (
	Ed25519   Alg = "ed25519"
	ECDSAP256 Alg = "ecdsa-p256"
)

// Roles are the four top-level roles, in the order they are signed.
var Roles = []string{metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP}

// DefaultExpires are the validities of each role's metadata where none
// was given.
var DefaultExpires = map[string]time.Duration{
	metadata.ROOT:      365 * 24 * time.Hour,
	metadata.TARGETS:   90 * 24 * time.Hour,
	metadata.SNAPSHOT:  7 * 24 * time.Hour,
	metadata.TIMESTAMP: 24 * time.Hour,
}

// Platforms are the os-arch pairs a runtime archive may be for.
var Platforms = []string{"windows-amd64", "windows-arm64", "darwin-amd64", "darwin-arm64", "linux-amd64", "linux-arm64"}

// ChannelsTarget is the target that maps channel names to versions.
const ChannelsTarget = "channels.json"

// Bounds on what a repository folder holds.
const (
	maxMetadataFile = 8 << 20
	maxKeyFile      = 64 << 10
	maxConfigFile   = 64 << 10
	maxArchive      = 512 << 20
)

// ParseDuration parses a DURATION: Go's duration syntax (2s, 36h) or a
// number of days (7d). It must be positive; there is no minimum.
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 32)
		if err != nil || n <= 0 || n > 100*365 {
			return 0, fmt.Errorf("publisher: duration %q: want a number of days from 1 to 36500 (7d) or a Go duration (36h)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("publisher: duration %q: want a positive Go duration (2s, 36h) or a number of days (7d)", s)
	}
	return d, nil
}

// ParseExpires parses ROLE=DURATION.
func ParseExpires(s string) (role string, d time.Duration, err error) {
	role, dur, ok := strings.Cut(s, "=")
	if !ok || !slices.Contains(Roles, role) {
		return "", 0, fmt.Errorf("publisher: --expires %q: want ROLE=DURATION, ROLE one of %s", s, strings.Join(Roles, ", "))
	}
	d, err = ParseDuration(dur)
	return role, d, err
}

// config is repo.json.
type config struct {
	Alg Alg `json:"alg"`
	// Expires holds each role's validity as last given (Go duration
	// syntax); a role not there takes DefaultExpires.
	Expires map[string]string `json:"expires,omitempty"`
}

// staging is staged/staged.json: the changes not yet published.
type staging struct {
	// Targets maps a target path to the name of its staged copy.
	Targets map[string]string `json:"targets,omitempty"`
	// Channels maps channel names to versions.
	Channels map[string]string `json:"channels,omitempty"`
}

// Repo is a repository folder opened for changes. Its methods are not
// safe for concurrent use, and two processes must not change one
// repository at once.
type Repo struct {
	// Dir is the repository folder.
	Dir string
	// Now is the clock that expiry dates are counted from; nil is the
	// system clock.
	Now func() time.Time
	cfg config
}

func (r *Repo) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Repo) public(elem ...string) string {
	return filepath.Join(append([]string{r.Dir, "public"}, elem...)...)
}

func (r *Repo) keyPath(role string) string { return filepath.Join(r.Dir, "keys", role+".pem") }

// InitOptions say how to make a repository.
type InitOptions struct {
	// Alg is the key algorithm; "" is Ed25519.
	Alg Alg
	// Expires sets the validity of roles' first metadata, remembered for
	// their later signing.
	Expires map[string]time.Duration
	// Now is the clock; nil is the system clock.
	Now func() time.Time
}

// Init makes a repository in dir, which must not exist or be empty: a key
// for each role and the first metadata (1.root.json, empty targets,
// snapshot and timestamp), consistent snapshots on.
func Init(dir string, o InitOptions) (*Repo, error) {
	switch o.Alg {
	case "":
		o.Alg = Ed25519
	case Ed25519, ECDSAP256:
	default:
		return nil, fmt.Errorf("publisher: --alg %q: want %s or %s", o.Alg, Ed25519, ECDSAP256)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("publisher: %s is not empty: a repository is made in a new or empty folder", dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("publisher: %w", err)
	}
	r := &Repo{Dir: dir, Now: o.Now, cfg: config{Alg: o.Alg, Expires: map[string]string{}}}
	r.remember(o.Expires)
	for _, d := range []string{r.Dir, r.public("metadata"), r.public("targets")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("publisher: %w", err)
		}
	}
	if err := platform.EnsureDir(filepath.Join(dir, "keys")); err != nil {
		return nil, fmt.Errorf("publisher: %w", err)
	}
	root := metadata.Root(r.expiry(metadata.ROOT))
	root.Signed.ConsistentSnapshot = true
	for _, role := range Roles {
		key, err := r.newKey(role)
		if err != nil {
			return nil, err
		}
		if err := root.Signed.AddKey(key, role); err != nil {
			return nil, fmt.Errorf("publisher: add the %s key: %w", role, err)
		}
	}
	if err := r.saveConfig(); err != nil {
		return nil, err
	}
	if err := r.writeRoot(root, r.keyPath(metadata.ROOT)); err != nil {
		return nil, err
	}
	targets := metadata.Targets(r.expiry(metadata.TARGETS))
	if err := r.signChain(targets, 1); err != nil {
		return nil, err
	}
	return r, nil
}

// Open opens the repository in dir.
func Open(dir string) (*Repo, error) {
	r := &Repo{Dir: dir}
	data, err := platform.ReadFileLimit(filepath.Join(dir, "repo.json"), maxConfigFile)
	if err != nil {
		return nil, fmt.Errorf("publisher: %s is not a repository made by rvm-repo init: %w", dir, err)
	}
	if err := json.Unmarshal(data, &r.cfg); err != nil {
		return nil, fmt.Errorf("publisher: %s: %w", filepath.Join(dir, "repo.json"), err)
	}
	if r.cfg.Expires == nil {
		r.cfg.Expires = map[string]string{}
	}
	return r, nil
}

// remember records the validities given, for later signing.
func (r *Repo) remember(expires map[string]time.Duration) {
	for role, d := range expires {
		r.cfg.Expires[role] = d.String()
	}
}

// expiry is when metadata of role signed now expires.
func (r *Repo) expiry(role string) time.Time {
	d := DefaultExpires[role]
	if s, ok := r.cfg.Expires[role]; ok {
		if got, err := time.ParseDuration(s); err == nil && got > 0 {
			d = got
		}
	}
	return r.now().Add(d).Truncate(time.Second)
}

func (r *Repo) saveConfig() error {
	data, err := json.MarshalIndent(r.cfg, "", "  ")
	if err != nil {
		return err
	}
	return platform.WriteFileAtomic(filepath.Join(r.Dir, "repo.json"), append(data, '\n'), 0o644)
}

// newKey makes a key for role and writes it to keys/<role>.pem, moving the
// one there to keys/retired/.
func (r *Repo) newKey(role string) (*metadata.Key, error) {
	var priv crypto.Signer
	var err error
	switch r.cfg.Alg {
	case ECDSAP256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		return nil, fmt.Errorf("publisher: make the %s key: %w", role, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("publisher: make the %s key: %w", role, err)
	}
	key, err := metadata.KeyFromPublicKey(priv.Public())
	if err != nil {
		return nil, fmt.Errorf("publisher: make the %s key: %w", role, err)
	}
	p := r.keyPath(role)
	if _, err := os.Lstat(p); err == nil {
		old, _ := r.publicKey(role)
		id := "old"
		if old != nil {
			id, _ = old.ID()
			id = id[:16]
		}
		retired := filepath.Join(r.Dir, "keys", "retired", role+"-"+id+".pem")
		if err := platform.EnsureDir(filepath.Dir(retired)); err != nil {
			return nil, fmt.Errorf("publisher: retire the %s key: %w", role, err)
		}
		if err := os.Rename(p, retired); err != nil {
			return nil, fmt.Errorf("publisher: retire the %s key: %w", role, err)
		}
	}
	if err := platform.WriteFileAtomic(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, fmt.Errorf("publisher: write the %s key: %w", role, err)
	}
	return key, nil
}

// signer loads the private key at path.
func signer(path string) (signature.Signer, error) {
	data, err := platform.ReadFileLimit(path, maxKeyFile)
	if err != nil {
		return nil, fmt.Errorf("publisher: key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("publisher: key %s: want a PKCS #8 PEM PRIVATE KEY", path)
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("publisher: key %s: %w", path, err)
	}
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		return signature.LoadED25519Signer(k)
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("publisher: key %s: ECDSA keys must be P-256", path)
		}
		return signature.LoadECDSASigner(k, crypto.SHA256)
	}
	return nil, fmt.Errorf("publisher: key %s: want an Ed25519 or ECDSA P-256 key", path)
}

// publicKey is the TUF key of role's current private key.
func (r *Repo) publicKey(role string) (*metadata.Key, error) {
	s, err := signer(r.keyPath(role))
	if err != nil {
		return nil, err
	}
	pub, err := s.PublicKey()
	if err != nil {
		return nil, err
	}
	return metadata.KeyFromPublicKey(pub)
}

// sign signs m with the keys of roles (their current keys) and, where
// given, the keys at extra paths.
func sign[T metadata.Roles](m *metadata.Metadata[T], keyPaths ...string) error {
	m.ClearSignatures()
	for _, p := range keyPaths {
		s, err := signer(p)
		if err != nil {
			return err
		}
		if _, err := m.Sign(s); err != nil {
			return fmt.Errorf("publisher: sign with %s: %w", p, err)
		}
	}
	return nil
}

// writePublic writes a served file atomically, its folders 0755.
func (r *Repo) writePublic(name string, data []byte) error {
	p := r.public(filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("publisher: %w", err)
	}
	if err := platform.WriteFileAtomic(p, data, 0o644); err != nil {
		return fmt.Errorf("publisher: %w", err)
	}
	return nil
}

func marshal[T metadata.Roles](m *metadata.Metadata[T]) ([]byte, error) {
	data, err := m.ToBytes(true)
	if err != nil {
		return nil, fmt.Errorf("publisher: %w", err)
	}
	return append(data, '\n'), nil
}

// writeRoot signs root with the keys at keyPaths and writes it as
// <version>.root.json and root.json.
func (r *Repo) writeRoot(root *metadata.Metadata[metadata.RootType], keyPaths ...string) error {
	if err := sign(root, keyPaths...); err != nil {
		return err
	}
	data, err := marshal(root)
	if err != nil {
		return err
	}
	if err := r.writePublic(fmt.Sprintf("metadata/%d.root.json", root.Signed.Version), data); err != nil {
		return err
	}
	return r.writePublic("metadata/root.json", data)
}

// signChain signs targets as its version, then a snapshot and a timestamp
// one version above those published (version 1 for a new repository), and
// writes them, timestamp.json last.
func (r *Repo) signChain(targets *metadata.Metadata[metadata.TargetsType], version int64) error {
	targets.Signed.Version = version
	targets.Signed.Expires = r.expiry(metadata.TARGETS)
	if err := sign(targets, r.keyPath(metadata.TARGETS)); err != nil {
		return err
	}
	tdata, err := marshal(targets)
	if err != nil {
		return err
	}
	if err := r.writePublic(fmt.Sprintf("metadata/%d.targets.json", version), tdata); err != nil {
		return err
	}
	snapVersion := int64(1)
	if cur, err := r.loadSnapshot(); err == nil {
		snapVersion = cur.Signed.Version + 1
	}
	snap := metadata.Snapshot(r.expiry(metadata.SNAPSHOT))
	snap.Signed.Version = snapVersion
	snap.Signed.Meta = map[string]*metadata.MetaFiles{"targets.json": metaFile(version, tdata)}
	return r.signSnapshot(snap)
}

// signSnapshot signs and writes snap, then a new timestamp for it.
func (r *Repo) signSnapshot(snap *metadata.Metadata[metadata.SnapshotType]) error {
	snap.Signed.Expires = r.expiry(metadata.SNAPSHOT)
	if err := sign(snap, r.keyPath(metadata.SNAPSHOT)); err != nil {
		return err
	}
	sdata, err := marshal(snap)
	if err != nil {
		return err
	}
	if err := r.writePublic(fmt.Sprintf("metadata/%d.snapshot.json", snap.Signed.Version), sdata); err != nil {
		return err
	}
	return r.signTimestamp(metaFile(snap.Signed.Version, sdata))
}

// signTimestamp signs and writes a timestamp one version above the
// published one, for the snapshot described by meta.
func (r *Repo) signTimestamp(meta *metadata.MetaFiles) error {
	ts := metadata.Timestamp(r.expiry(metadata.TIMESTAMP))
	if cur, err := r.loadTimestamp(); err == nil {
		ts.Signed.Version = cur.Signed.Version + 1
	}
	ts.Signed.Meta = map[string]*metadata.MetaFiles{"snapshot.json": meta}
	if err := sign(ts, r.keyPath(metadata.TIMESTAMP)); err != nil {
		return err
	}
	data, err := marshal(ts)
	if err != nil {
		return err
	}
	return r.writePublic("metadata/timestamp.json", data)
}

// metaFile describes a metadata file by version, length and SHA-256.
func metaFile(version int64, data []byte) *metadata.MetaFiles {
	sum := sha256.Sum256(data)
	m := metadata.MetaFile(version)
	m.Length = int64(len(data))
	m.Hashes = metadata.Hashes{"sha256": sum[:]}
	return m
}

func load[T metadata.Roles](r *Repo, name string) (*metadata.Metadata[T], error) {
	data, err := platform.ReadFileLimit(r.public("metadata", name), maxMetadataFile)
	if err != nil {
		return nil, fmt.Errorf("publisher: %w", err)
	}
	var m metadata.Metadata[T]
	if _, err := m.FromBytes(data); err != nil {
		return nil, fmt.Errorf("publisher: %s: %w", r.public("metadata", name), err)
	}
	return &m, nil
}

func (r *Repo) loadRoot() (*metadata.Metadata[metadata.RootType], error) {
	return load[metadata.RootType](r, "root.json")
}

func (r *Repo) loadTimestamp() (*metadata.Metadata[metadata.TimestampType], error) {
	return load[metadata.TimestampType](r, "timestamp.json")
}

func (r *Repo) loadSnapshot() (*metadata.Metadata[metadata.SnapshotType], error) {
	ts, err := r.loadTimestamp()
	if err != nil {
		return nil, err
	}
	meta, ok := ts.Signed.Meta["snapshot.json"]
	if !ok {
		return nil, errors.New("publisher: timestamp.json names no snapshot")
	}
	return load[metadata.SnapshotType](r, fmt.Sprintf("%d.snapshot.json", meta.Version))
}

func (r *Repo) loadTargets() (*metadata.Metadata[metadata.TargetsType], error) {
	snap, err := r.loadSnapshot()
	if err != nil {
		return nil, err
	}
	meta, ok := snap.Signed.Meta["targets.json"]
	if !ok {
		return nil, errors.New("publisher: the snapshot names no targets")
	}
	return load[metadata.TargetsType](r, fmt.Sprintf("%d.targets.json", meta.Version))
}

// RuntimeTarget is the target path of a runtime archive.
func RuntimeTarget(version, goos, goarch string) string {
	return fmt.Sprintf("runtimes/%s/%s-%s.tar.gz", version, goos, goarch)
}

// ServedPath is where a target with the given SHA-256 is served, below
// targets/: its name prefixed with the hash, as consistent snapshots
// have it.
func ServedPath(target string, sha256sum []byte) string {
	dir, base := path.Split(target)
	return dir + hex.EncodeToString(sha256sum) + "." + base
}

func (r *Repo) staged(elem ...string) string {
	return filepath.Join(append([]string{r.Dir, "staged"}, elem...)...)
}

func (r *Repo) loadStaging() (*staging, error) {
	s := &staging{}
	data, err := platform.ReadFileLimit(r.staged("staged.json"), maxConfigFile)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("publisher: staged changes: %w", err)
	}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("publisher: staged changes %s: %w", r.staged("staged.json"), err)
	}
	return s, nil
}

func (r *Repo) saveStaging(s *staging) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return platform.WriteFileAtomic(r.staged("staged.json"), append(data, '\n'), 0o644)
}

// Add stages the runtime archive file as version for goos-goarch: it is
// checked (a bounded tar.gz holding a runtime at its top, as rvm will
// unpack it) and copied, so that later changes to file do not matter.
// Nothing is visible until Publish.
func (r *Repo) Add(version, goos, goarch, file string) (target string, err error) {
	if !runtime.IsVersion(version) {
		return "", fmt.Errorf("publisher: --version %q is not an exact version (38.126.82.64)", version)
	}
	if !slices.Contains(Platforms, goos+"-"+goarch) {
		return "", fmt.Errorf("publisher: --os %q --arch %q: want os windows, darwin or linux and arch amd64 or arm64", goos, goarch)
	}
	if err := checkArchive(file, goos); err != nil {
		return "", err
	}

	st, err := r.loadStaging()
	if err != nil {
		return "", err
	}
	target = RuntimeTarget(version, goos, goarch)
	if cur, err := r.loadTargets(); err == nil {
		if _, ok := cur.Signed.Targets[target]; ok {
			return "", fmt.Errorf("publisher: %s is published already: a published runtime is never replaced (publish a new version)", target)
		}
	}
	in, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("publisher: %w", err)
	}
	defer in.Close()
	if err := platform.EnsureDir(r.staged()); err != nil {
		return "", fmt.Errorf("publisher: %w", err)
	}
	out, err := os.CreateTemp(r.staged(), "archive-*.tar.gz")
	if err != nil {
		return "", fmt.Errorf("publisher: %w", err)
	}
	_, err = io.Copy(out, io.LimitReader(in, maxArchive+1))
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", fmt.Errorf("publisher: copy %s: %w", file, err)
	}
	if st.Targets == nil {
		st.Targets = map[string]string{}
	}
	if old, ok := st.Targets[target]; ok {
		os.Remove(r.staged(old))
	}
	st.Targets[target] = filepath.Base(out.Name())
	return target, r.saveStaging(st)
}

// Channel stages channel name pointing at version, which must be
// published or staged for at least one platform.
func (r *Repo) Channel(name, version string) error {
	if !runtime.IsChannelName(name) {
		return fmt.Errorf("publisher: channel %q: want lower-case letters, digits and -, starting with a letter, at most 32 characters", name)
	}
	if !runtime.IsVersion(version) {
		return fmt.Errorf("publisher: channel %s: %q is not an exact version (38.126.82.64)", name, version)
	}
	st, err := r.loadStaging()
	if err != nil {
		return err
	}
	known := false
	prefix := "runtimes/" + version + "/"
	for t := range st.Targets {
		known = known || strings.HasPrefix(t, prefix)
	}
	if cur, err := r.loadTargets(); err == nil {
		for t := range cur.Signed.Targets {
			known = known || strings.HasPrefix(t, prefix)
		}
	}
	if !known {
		return fmt.Errorf("publisher: channel %s: version %s is neither published nor staged (rvm-repo add it first)", name, version)
	}
	if st.Channels == nil {
		st.Channels = map[string]string{}
	}
	st.Channels[name] = version
	return r.saveStaging(st)
}

// Summary says what Publish published.
type Summary struct {
	Targets  []string          // the targets added
	Channels map[string]string // channels.json as published
	Version  int64             // the targets metadata version
}

// Publish signs the staged changes into new targets, snapshot and
// timestamp metadata (renewing their expiry even with nothing staged),
// with the validities given remembered for later. A validity given for
// root also signs a new root version.
func (r *Repo) Publish(expires map[string]time.Duration) (*Summary, error) {
	r.remember(expires)
	if err := r.saveConfig(); err != nil {
		return nil, err
	}
	if _, ok := expires[metadata.ROOT]; ok {
		root, err := r.loadRoot()
		if err != nil {
			return nil, err
		}
		root.Signed.Version++
		root.Signed.Expires = r.expiry(metadata.ROOT)
		if err := r.writeRoot(root, r.keyPath(metadata.ROOT)); err != nil {
			return nil, err
		}
	}
	st, err := r.loadStaging()
	if err != nil {
		return nil, err
	}
	targets, err := r.loadTargets()
	if err != nil {
		return nil, err
	}
	sum := &Summary{Channels: map[string]string{}}
	for _, t := range slices.Sorted(maps.Keys(st.Targets)) {
		data, err := os.ReadFile(r.staged(st.Targets[t]))
		if err != nil {
			return nil, fmt.Errorf("publisher: staged %s: %w", t, err)
		}
		if err := r.addTarget(targets, t, data); err != nil {
			return nil, err
		}
		sum.Targets = append(sum.Targets, t)
	}
	if len(st.Channels) > 0 {
		channels, err := r.channels(targets)
		if err != nil {
			return nil, err
		}
		for name, v := range st.Channels {
			channels[name] = v
		}
		data, err := json.MarshalIndent(channels, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := r.addTarget(targets, ChannelsTarget, append(data, '\n')); err != nil {
			return nil, err
		}
	}
	if sum.Channels, err = r.channels(targets); err != nil {
		return nil, err
	}
	if err := r.signChain(targets, targets.Signed.Version+1); err != nil {
		return nil, err
	}
	for _, f := range st.Targets {
		os.Remove(r.staged(f))
	}
	if err := os.Remove(r.staged("staged.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("publisher: %w", err)
	}
	sum.Version = targets.Signed.Version
	return sum, nil
}

// checkArchive checks the runtime archive file for goos as rvm will
// unpack it.
func checkArchive(file, goos string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("publisher: %w", err)
	}
	defer f.Close()
	if err := install.CheckArchive(f, goos, install.DefaultLimits); err != nil {
		return fmt.Errorf("publisher: %s: %w", file, err)
	}
	return nil
}

// addTarget writes data as target under its hash and lists it in targets.
func (r *Repo) addTarget(targets *metadata.Metadata[metadata.TargetsType], target string, data []byte) error {
	tf, err := metadata.TargetFile().FromBytes(target, data, "sha256")
	if err != nil {
		return fmt.Errorf("publisher: target %s: %w", target, err)
	}
	if err := r.writePublic("targets/"+ServedPath(target, tf.Hashes["sha256"]), data); err != nil {
		return err
	}
	targets.Signed.Targets[target] = tf
	return nil
}

// channels reads the channels.json that targets lists ({} where none).
func (r *Repo) channels(targets *metadata.Metadata[metadata.TargetsType]) (map[string]string, error) {
	out := map[string]string{}
	tf, ok := targets.Signed.Targets[ChannelsTarget]
	if !ok {
		return out, nil
	}
	p := r.public("targets", filepath.FromSlash(ServedPath(ChannelsTarget, tf.Hashes["sha256"])))
	data, err := platform.ReadFileLimit(p, maxConfigFile)
	if err != nil {
		return nil, fmt.Errorf("publisher: %w", err)
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("publisher: %s: %w", p, err)
	}
	return out, nil
}

// Timestamp signs a new timestamp for the published snapshot: what a
// repository's operator runs more often than the timestamp's validity,
// so that clients never see it expire.
func (r *Repo) Timestamp(expires map[string]time.Duration) error {
	for role := range expires {
		if role != metadata.TIMESTAMP {
			return fmt.Errorf("publisher: timestamp signs only the timestamp; --expires %s=... belongs to publish", role)
		}
	}
	r.remember(expires)
	if err := r.saveConfig(); err != nil {
		return err
	}
	ts, err := r.loadTimestamp()
	if err != nil {
		return err
	}
	return r.signTimestamp(ts.Signed.Meta["snapshot.json"])
}

// Rotate replaces role's key with a new one: the new root lists the new
// key in place of the old and is signed by the old and new root keys (for
// role root: the old root key and the new one), so that clients that
// trust the old root accept it and, from then on, refuse what the old key
// signs. The role's metadata is signed again with the new key (and the
// roles it feeds: targets, snapshot, timestamp), so that the repository
// stays whole; staged changes stay staged. The old key goes to
// keys/retired/.
func (r *Repo) Rotate(role string) error {
	if !slices.Contains(Roles, role) {
		return fmt.Errorf("publisher: --role %q: want one of %s", role, strings.Join(Roles, ", "))
	}
	root, err := r.loadRoot()
	if err != nil {
		return err
	}
	oldRoot := r.keyPath(metadata.ROOT)
	oldKey, err := r.publicKey(role)
	if err != nil {
		return err
	}
	oldID, err := oldKey.ID()
	if err != nil {
		return err
	}
	retired := ""
	if role == metadata.ROOT {
		// The old root key must sign the new root: keep a copy of it for
		// that, since newKey moves it away.
		retired = filepath.Join(r.Dir, "keys", "retired", "root-"+oldID[:16]+".pem")
	}
	key, err := r.newKey(role)
	if err != nil {
		return err
	}
	if err := root.Signed.RevokeKey(oldID, role); err != nil {
		return fmt.Errorf("publisher: rotate %s: %w", role, err)
	}
	if err := root.Signed.AddKey(key, role); err != nil {
		return fmt.Errorf("publisher: rotate %s: %w", role, err)
	}
	root.Signed.Version++
	root.Signed.Expires = r.expiry(metadata.ROOT)
	keys := []string{oldRoot}
	if retired != "" {
		keys = []string{retired, r.keyPath(metadata.ROOT)}
	}
	if err := r.writeRoot(root, keys...); err != nil {
		return err
	}
	switch role {
	case metadata.TARGETS:
		targets, err := r.loadTargets()
		if err != nil {
			return err
		}
		return r.signChain(targets, targets.Signed.Version+1)
	case metadata.SNAPSHOT:
		snap, err := r.loadSnapshot()
		if err != nil {
			return err
		}
		snap.Signed.Version++
		return r.signSnapshot(snap)
	case metadata.TIMESTAMP:
		return r.Timestamp(nil)
	}
	return nil
}
