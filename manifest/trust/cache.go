package trust

import (
	"crypto/x509"
	"sync"
	"time"

	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// MaxCacheEntries bounds a Cache; past it, expired entries go first, then
// any.
const MaxCacheEntries = 1024

// Cache holds verified blocks, so that a block seen again costs a hash and
// a map lookup instead of a parse, a chain and a signature. An entry is
// keyed by the SHA-256 of the block as it stands in the manifest (its value
// and its signatures: a block with another signature, or written another
// way, is verified afresh), the platform, the trust roots (Roots.Sum) and
// the revocation mode, and lives until the earliest of
// the chain's expiry, the NextUpdate of the CRLs consulted and Purge. What
// can change between calls is applied at every call, hits included: the
// match against the manifest URL, the owner's revoked list, the expiry
// warning. The zero Cache is empty and ready; a nil *Cache holds nothing.
type Cache struct {
	mu      sync.Mutex
	entries map[cacheKey]*entry
}

type cacheKey struct {
	block    [32]byte
	platform string
	roots    [32]byte
	mode     RevocationMode
}

// entry is a verified block, reduced to what a verdict needs.
type entry struct {
	signer      string
	chain       []*x509.Certificate
	sums        []certSums            // each chain certificate's digests
	apps        []string              // app names, by index
	grants      [][]permissions.Entry // enabled permissions, by app index
	canonical   [][]string            // their constraints, as canonicalConstraints writes them
	outside     []error               // why an app lies outside the name constraints; nil if it does not
	index       *pattern.Index        // patterns, owned by app index
	expires     time.Time             // earliest NotAfter of the chain
	expiresName string                // the certificate that expires first
	notBefore   time.Time             // latest NotBefore of the chain
	validUntil  time.Time             // earliest of expires and CRL NextUpdates
}

func newEntry(cfg *Config, chain []*x509.Certificate, sums []certSums, crlUntil time.Time) *entry {
	e := &entry{
		signer:    CertificateName(cfg.Certificate),
		chain:     chain,
		sums:      sums,
		apps:      make([]string, len(cfg.Apps)),
		grants:    make([][]permissions.Entry, len(cfg.Apps)),
		canonical: make([][]string, len(cfg.Apps)),
		outside:   make([]error, len(cfg.Apps)),
	}
	var patterns []pattern.Entry
	for i, app := range cfg.Apps {
		e.apps[i] = app.Name
		e.grants[i] = permissions.Requested(app.Permissions)
		e.canonical[i] = make([]string, len(e.grants[i]))
		for j, g := range e.grants[i] {
			e.canonical[i][j] = canonicalConstraints(g.Constraints)
		}
		for _, p := range app.Match {
			patterns = append(patterns, pattern.Entry{Pattern: p, Owner: i})
			if e.outside[i] == nil {
				e.outside[i] = CheckNameConstraints(p, chain)
			}
		}
	}
	e.index = pattern.NewIndex(patterns)
	for i, c := range chain {
		if i == 0 || c.NotAfter.Before(e.expires) {
			e.expires, e.expiresName = c.NotAfter, CertificateName(c)
		}
		if c.NotBefore.After(e.notBefore) {
			e.notBefore = c.NotBefore
		}
	}
	e.validUntil = e.expires
	if !crlUntil.IsZero() && crlUntil.Before(e.validUntil) {
		e.validUntil = crlUntil
	}
	return e
}

// lookup returns the entry for k if it is current at now.
func (c *Cache) lookup(k cacheKey, now time.Time) *entry {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[k]
	if e == nil {
		return nil
	}
	if now.Before(e.notBefore) || !now.Before(e.validUntil) {
		delete(c.entries, k)
		return nil
	}
	return e
}

// store keeps e under k, unless it is already out of date at now.
func (c *Cache) store(k cacheKey, e *entry, now time.Time) {
	if c == nil || !now.Before(e.validUntil) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[cacheKey]*entry)
	}
	if _, ok := c.entries[k]; !ok && len(c.entries) >= MaxCacheEntries {
		for key, old := range c.entries {
			if !now.Before(old.validUntil) {
				delete(c.entries, key)
			}
		}
		for key := range c.entries {
			if len(c.entries) < MaxCacheEntries {
				break
			}
			delete(c.entries, key)
		}
	}
	c.entries[k] = e
}

// Purge empties the cache: call it when the settings change (trust roots,
// revocation mode, desktop owner settings), so that every block is
// verified afresh.
func (c *Cache) Purge() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
}

// Len returns the number of blocks the cache holds.
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
