package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/rvm-launcher/rvm/platform"
)

// cached is a manifest as the cache keeps it on disk.
type cached struct {
	URL       string    `json:"url"`
	FinalURL  string    `json:"finalUrl"`
	Redirects int       `json:"redirects"`
	Strict    bool      `json:"strict"`
	FetchedAt time.Time `json:"fetchedAt"`
	Body      []byte    `json:"body"`
}

// cachePath names the cache file of a manifest URL. The --resolve entries
// are part of the key, so that a copy fetched from one address never stands
// in for another.
func (f *Fetcher) cachePath(url string) string {
	h := sha256.New()
	h.Write([]byte(url))
	keys := make([]string, 0, len(f.Resolve))
	for k := range f.Resolve {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "\x00%s=%s", k, f.Resolve[k])
	}
	return filepath.Join(f.CacheDir, hex.EncodeToString(h.Sum(nil))+".json")
}

// storeCache keeps c as the cached copy of its URL. A copy that says the
// same (body, final URL, redirects, strictness) is left as it is: most
// fetches bring back an unchanged manifest, and rewriting it costs two
// fsyncs. FetchedAt then says when that content was first stored.
func (f *Fetcher) storeCache(c cached) error {
	if f.CacheDir == "" {
		return nil
	}
	if old, err := f.loadCache(c.URL); err == nil && old.FinalURL == c.FinalURL &&
		old.Redirects == c.Redirects && old.Strict == c.Strict && bytes.Equal(old.Body, c.Body) {
		return nil
	}
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return platform.WriteFileAtomic(f.cachePath(c.URL), data, 0o600)
}

// loadCache reads the cached copy of url; os.ErrNotExist when there is none.
func (f *Fetcher) loadCache(url string) (*cached, error) {
	if f.CacheDir == "" {
		return nil, os.ErrNotExist
	}
	// Base64 and the JSON around it: well under 2 MiB for a 1 MiB body.
	data, err := platform.ReadFileLimit(f.cachePath(url), 2<<20)
	if err != nil {
		return nil, err
	}
	var c cached
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("cached copy is damaged: %w", err)
	}
	if c.URL != url {
		return nil, os.ErrNotExist
	}
	return &c, nil
}
