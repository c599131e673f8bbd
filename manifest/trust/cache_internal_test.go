package trust

import (
	"strconv"
	"testing"
	"time"
)

// TestCacheBound feeds the cache one entry more than it holds.
func TestCacheBound(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &Cache{}
	e := &entry{validUntil: now.AddDate(1, 0, 0)}
	for i := 0; i <= MaxCacheEntries; i++ {
		c.store(cacheKey{platform: strconv.Itoa(i)}, e, now)
	}
	if got := c.Len(); got != MaxCacheEntries {
		t.Errorf("got %d entries, want %d", got, MaxCacheEntries)
	}
	var nilCache *Cache
	nilCache.store(cacheKey{}, e, now)
	if nilCache.Len() != 0 || nilCache.lookup(cacheKey{}, now) != nil {
		t.Errorf("a nil cache holds something, want nothing")
	}
}
