package launcher

import (
	"container/list"
	"sync"

	"github.com/rvm-launcher/rvm/manifest/fetch"
)

// maxFetchers bounds the fetchers a Launcher keeps, one for each set of
// --resolve entries, each with its pool of connections: a service asked
// with ever new sets keeps those of the most recent few dozen.
const maxFetchers = 32

// fetcherCache holds fetchers by their --resolve set, at most maxFetchers,
// the least recently used let go first (its idle connections closed). The
// zero value is empty and ready; it is safe for concurrent use.
type fetcherCache struct {
	mu    sync.Mutex
	order list.List // of *fetcherEntry, the most recently used first
	byKey map[string]*list.Element
}

type fetcherEntry struct {
	key string
	f   *fetch.Fetcher
}

// get returns the fetcher for key, made by newFetcher where there is none.
func (c *fetcherCache) get(key string, newFetcher func() *fetch.Fetcher) *fetch.Fetcher {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*fetcherEntry).f
	}
	if c.byKey == nil {
		c.byKey = map[string]*list.Element{}
	}
	f := newFetcher()
	c.byKey[key] = c.order.PushFront(&fetcherEntry{key: key, f: f})
	for c.order.Len() > maxFetchers {
		old := c.order.Remove(c.order.Back()).(*fetcherEntry)
		delete(c.byKey, old.key)
		// A request still using it keeps it for as long as it needs.
		old.f.CloseIdleConnections()
	}
	return f
}

// len reports how many fetchers c holds.
func (c *fetcherCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
