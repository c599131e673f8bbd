package launcher

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"testing"

	"github.com/rvm-launcher/rvm/manifest/fetch"
)

// distinctResolveRequests makes n requests to a closed port on loopback,
// each with a --resolve set of its own (as a service asked by many
// different command lines is), and returns the heap still in use after
// they are done and collected, in bytes.
func distinctResolveRequests(t testing.TB, l *Launcher, n int) uint64 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		r, err := NewRequest(fmt.Sprintf("https://apps.acme.test:%d/app.json", port), Options{Platform: "linux",
			Resolve: []string{fmt.Sprintf("apps.acme.test:%d:127.0.0.1", port), fmt.Sprintf("other%d.acme.test:443:127.0.0.1", i)}}, "linux")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Decide(context.Background(), r); err == nil {
			t.Fatal("a fetch from a closed port succeeded")
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(l) // the service's Launcher lives on
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

// maxRetainedHeap bounds the heap that 10,000 requests with distinct
// --resolve sets may leave behind: a few dozen fetchers (each about
// 10 KiB), far from one per set.
const maxRetainedHeap = 16 << 20

// A service asked with ever new --resolve sets keeps a bounded number of
// fetchers, and its heap does not grow with the number of sets.
func TestFetchersBounded(t *testing.T) {
	l := New(Env{DataDir: t.TempDir()})
	retained := distinctResolveRequests(t, l, 10_000)
	t.Logf("heap retained after 10,000 requests with distinct --resolve sets: %.1f MiB", float64(retained)/(1<<20))
	if n := l.fetchers.len(); n > maxFetchers {
		t.Errorf("got %d fetchers kept, want at most %d", n, maxFetchers)
	}
	if retained > maxRetainedHeap {
		t.Errorf("got %.1f MiB of heap retained after 10,000 requests with distinct --resolve sets, want at most %d MiB", float64(retained)/(1<<20), maxRetainedHeap>>20)
	}
}

func TestFetcherCacheLeastRecentlyUsedOut(t *testing.T) {
	var c fetcherCache
	made := map[string]*fetch.Fetcher{}
	get := func(key string) *fetch.Fetcher {
		return c.get(key, func() *fetch.Fetcher {
			made[key] = &fetch.Fetcher{}
			return made[key]
		})
	}
	first := get("first")
	for i := range maxFetchers - 1 {
		get(fmt.Sprint(i))
	}
	if get("first") != first {
		t.Fatal("got a new fetcher for a set still held, want the one made for it")
	}
	get("one-more") // the least recently used, "0", goes out
	if c.len() != maxFetchers {
		t.Errorf("got %d fetchers, want %d", c.len(), maxFetchers)
	}
	if get("first") != first {
		t.Error("got a new fetcher for the set used most recently but one, want the one made for it")
	}
	old := made["0"]
	if get("0") == old {
		t.Error("got the old fetcher for the least recently used set, want it let go and a new one made")
	}
}
