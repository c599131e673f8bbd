package pattern

import (
	"slices"
	"strings"
)

// Index matches a URL against many patterns at once. Entries are grouped
// by host in a map, so that a match looks up the URL's host and each of its
// parent names (one map lookup a label) and tests only the patterns found
// there: the cost depends on the URL and on how many patterns share its
// names, not on how many patterns the index holds. The zero Index, like a
// nil one, holds nothing.
type Index struct {
	hosts map[string]*bucket
	n     int
}

// Entry is a pattern and the owner it stands for: an app entry of a signed
// block or a desktop owner policy, numbered by the caller.
type Entry struct {
	Pattern Pattern
	Owner   int
}

// bucket holds the entries of one host: exact holds the patterns naming
// the host itself, wild the *.host ones.
type bucket struct {
	exact, wild []Entry
}

// NewIndex compiles entries into an Index. Zero Patterns are left out.
func NewIndex(entries []Entry) *Index {
	ix := &Index{hosts: make(map[string]*bucket)}
	for _, e := range entries {
		if e.Pattern.schemes == 0 {
			continue
		}
		b := ix.hosts[e.Pattern.host]
		if b == nil {
			b = new(bucket)
			ix.hosts[e.Pattern.host] = b
		}
		if e.Pattern.wildcard {
			b.wild = append(b.wild, e)
		} else {
			b.exact = append(b.exact, e)
		}
		ix.n++
	}
	return ix
}

// Len returns the number of patterns in the index.
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return ix.n
}

// AppendMatches appends to dst the owners of all entries whose pattern
// matches u, each owner once, in ascending order, and returns the extended
// slice. It allocates nothing when dst has room for the owners.
func (ix *Index) AppendMatches(dst []int, u URL) []int {
	if ix == nil || ix.hosts == nil {
		return dst
	}
	start := len(dst)
	host := u.Host
	if b := ix.hosts[host]; b != nil {
		dst = appendMatching(dst, b.exact, u)
		dst = appendMatching(dst, b.wild, u)
	}
	if !strings.Contains(host, ":") { // IPv6 addresses have no parents
		for {
			i := strings.IndexByte(host, '.')
			if i < 0 {
				break
			}
			host = host[i+1:]
			if b := ix.hosts[host]; b != nil {
				dst = appendMatching(dst, b.wild, u)
			}
		}
	}
	found := dst[start:]
	slices.Sort(found)
	return dst[:start+len(slices.Compact(found))]
}

func appendMatching(dst []int, entries []Entry, u URL) []int {
	for i := range entries {
		if entries[i].Pattern.Match(u) {
			dst = append(dst, entries[i].Owner)
		}
	}
	return dst
}
