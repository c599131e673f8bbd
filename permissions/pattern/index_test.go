package pattern

import (
	"fmt"
	"slices"
	"testing"
)

// syntheticEntries returns n entries of varied patterns: wildcards, exact
// hosts, upper-case hosts, ports, globs, and names that end in each
// other's letters (fooN.com and barfooN.com). Owners repeat, so that
// several patterns share one.
func syntheticEntries(tb testing.TB, n int) []Entry {
	tb.Helper()
	entries := make([]Entry, 0, n)
	for i := range n {
		var s string
		mode := Strict
		switch i % 6 {
		case 0:
			s = fmt.Sprintf("https://*.tenant%d.example.com/app/*", i)
		case 1:
			s = fmt.Sprintf("https://www.Tenant%d.EXAMPLE.com/*", i)
		case 2:
			s = fmt.Sprintf("https://*.tenant%d.example.org/a/*/b/*", i)
		case 3:
			s = fmt.Sprintf("https://api.tenant%d.example.net:8443/v1/*", i)
		case 4:
			s = fmt.Sprintf("https://*.foo%d.com/*", i)
		case 5:
			s = fmt.Sprintf("*://bar%d.com/*", i-1)
			mode = Owner
		}
		p, err := Parse(s, mode)
		if err != nil {
			tb.Fatal(err)
		}
		entries = append(entries, Entry{Pattern: p, Owner: i / 3})
	}
	return entries
}

// probe is a URL and whether some pattern should match it.
type probe struct {
	url   URL
	match bool
}

// probes returns URLs around the patterns of syntheticEntries(n): on them,
// below them, in other case, beside them and merely ending like them.
func probes(tb testing.TB, n int) []probe {
	tb.Helper()
	var out []probe
	add := func(raw string, match bool) {
		u, err := ParseURL(raw, Owner)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, probe{u, match})
	}
	for i := 0; i < n; i += max(1, n/50) {
		b := i - i%6
		has := func(k int) bool { return b+k < n }
		add(fmt.Sprintf("https://tenant%d.example.com/app/x", b), has(0))
		add(fmt.Sprintf("https://A.B.TENANT%d.example.com/app/", b), has(0))
		add(fmt.Sprintf("https://evil-tenant%d.example.com/app/x", b), false)
		add(fmt.Sprintf("https://tenant%d.example.com.evil.com/app/x", b), false)
		add(fmt.Sprintf("https://WWW.tenant%d.example.com./index.json", b+1), has(1))
		add(fmt.Sprintf("https://tenant%d.example.com/index.json", b+1), false)
		add(fmt.Sprintf("https://x.tenant%d.example.org/a/1/b/2", b+2), has(2))
		add(fmt.Sprintf("https://x.tenant%d.example.org/a/1/c/2", b+2), false)
		add(fmt.Sprintf("https://api.tenant%d.example.net:8443/v1/z", b+3), has(3))
		add(fmt.Sprintf("https://api.tenant%d.example.net/v1/z", b+3), false)
		add(fmt.Sprintf("https://foo%d.com/", b+4), has(4))
		add(fmt.Sprintf("https://barfoo%d.com/", b+4), false)
		add(fmt.Sprintf("https://x.barfoo%d.com/", b+4), false)
		add(fmt.Sprintf("http://bar%d.com/", b+4), has(5))
		add(fmt.Sprintf("https://BAR%d.com/x", b+4), has(5))
		add(fmt.Sprintf("https://x.bar%d.com/x", b+4), false)
	}
	return out
}

// naiveMatches returns the owners of the entries matching u, each once,
// ascending, trying one pattern after the other.
func naiveMatches(entries []Entry, u URL) []int {
	var owners []int
	for _, e := range entries {
		if e.Pattern.Match(u) && !slices.Contains(owners, e.Owner) {
			owners = append(owners, e.Owner)
		}
	}
	slices.Sort(owners)
	return owners
}

// TestIndexAgreesWithNaive compares the index with one-pattern-at-a-time
// matching at sizes on both sides of 100, where other matchers changed
// behaviour.
func TestIndexAgreesWithNaive(t *testing.T) {
	for _, n := range []int{1, 6, 99, 100, 101, 102, 1000, 5000} {
		t.Run(fmt.Sprintf("patterns=%d", n), func(t *testing.T) {
			entries := syntheticEntries(t, n)
			ix := NewIndex(entries)
			if ix.Len() != n {
				t.Fatalf("Len() = %d, want %d", ix.Len(), n)
			}
			for _, pr := range probes(t, n) {
				got := ix.AppendMatches(nil, pr.url)
				if want := naiveMatches(entries, pr.url); !slices.Equal(got, want) {
					t.Errorf("AppendMatches(%v) = %v, one pattern at a time %v", pr.url, got, want)
				}
				if matched := len(got) > 0; matched != pr.match {
					t.Errorf("AppendMatches(%v) = %v: matched %v, want %v", pr.url, got, matched, pr.match)
				}
			}
		})
	}
}

func TestIndex(t *testing.T) {
	parse := func(s string, m Mode) Pattern {
		p, err := Parse(s, m)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	entries := []Entry{
		{parse("https://*.example.com/*", Strict), 5},
		{parse("https://www.example.com/app/*", Strict), 2},
		{parse("https://www.example.com/*", Strict), 5},
		{parse("https://foo.com/*", Strict), 1},
		{parse("http://localhost:8080/*", Owner), 3},
		{parse("http://[::1]:8080/*", Owner), 4},
		{Pattern{}, 9},
	}
	ix := NewIndex(entries)
	tests := []struct {
		name string
		url  string
		want []int
	}{
		{"owners-once-ascending", "https://www.example.com/app/x", []int{2, 5}},
		{"wildcard-only", "https://a.www.example.com/app/x", []int{5}},
		{"bare-domain", "https://example.com/", []int{5}},
		{"suffix-confusion", "https://barfoo.com/", nil},
		{"exact", "https://FOO.com./x", []int{1}},
		{"no-subdomain-of-exact", "https://a.foo.com/", nil},
		{"localhost", "http://localhost:8080/", []int{3}},
		{"ipv6", "http://[::1]:8080/", []int{4}},
		{"ipv6-other-port", "http://[::1]:8081/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseURL(tt.url, Owner)
			if err != nil {
				t.Fatal(err)
			}
			dst := []int{42}
			got := ix.AppendMatches(dst, u)
			if !slices.Equal(got, append([]int{42}, tt.want...)) {
				t.Errorf("AppendMatches([42], %q) = %v, want [42] then %v", tt.url, got, tt.want)
			}
		})
	}
	if ix.Len() != len(entries)-1 {
		t.Errorf("Len() = %d, want %d (zero Pattern left out)", ix.Len(), len(entries)-1)
	}
}

func TestEmptyIndex(t *testing.T) {
	u, err := ParseURL("https://example.com/", Strict)
	if err != nil {
		t.Fatal(err)
	}
	for name, ix := range map[string]*Index{"nil": nil, "zero": {}, "empty": NewIndex(nil)} {
		if got := ix.AppendMatches(nil, u); len(got) != 0 || ix.Len() != 0 {
			t.Errorf("%s index: AppendMatches = %v, Len = %d, want nothing", name, got, ix.Len())
		}
	}
}

func TestAppendMatchesAllocatesNothing(t *testing.T) {
	const n = 1000
	ix := NewIndex(syntheticEntries(t, n))
	prs := probes(t, n)
	dst := make([]int, 0, 16)
	allocs := testing.AllocsPerRun(10, func() {
		for _, pr := range prs {
			dst = ix.AppendMatches(dst[:0], pr.url)
		}
	})
	if allocs != 0 {
		t.Errorf("got %v allocations per run, want 0", allocs)
	}
}

// BenchmarkMatch matches the same URL mix (hits on wildcards, exact hosts,
// globs and ports, misses beside them and far from them) against indexes
// of 10, 1000 and 100000 patterns.
func BenchmarkMatch(b *testing.B) {
	var urls []URL
	for _, raw := range []string{
		"https://a.b.tenant0.example.com/app/x/y",
		"https://www.tenant1.example.com/index.json",
		"https://x.tenant2.example.org/a/1/b/2",
		"https://api.tenant3.example.net:8443/v1/z",
		"https://foo4.com/",
		"https://evil-tenant0.example.com/app/x",
		"https://tenant0.example.com.evil.com/app/x",
		"https://deep.a.b.c.d.e.f.nowhere.example/x",
	} {
		u, err := ParseURL(raw, Strict)
		if err != nil {
			b.Fatal(err)
		}
		urls = append(urls, u)
	}
	for _, n := range []int{10, 1000, 100000} {
		b.Run(fmt.Sprintf("patterns=%d", n), func(b *testing.B) {
			ix := NewIndex(syntheticEntries(b, n))
			dst := make([]int, 0, 16)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				dst = ix.AppendMatches(dst[:0], urls[i%len(urls)])
			}
		})
	}
}
