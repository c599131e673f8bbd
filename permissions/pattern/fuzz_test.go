package pattern

import (
	"slices"
	"strings"
	"testing"
)

// FuzzPattern parses two patterns and a URL in either mode. Nothing may
// panic; a parsed pattern and URL must print in forms that parse back to
// themselves; a match must hold by the pattern's host, checked here
// without the matcher; and the index must agree with trying one pattern
// after the other.
func FuzzPattern(f *testing.F) {
	seeds := []struct {
		p1, p2, url string
		owner       bool
	}{
		{"https://*.example.com/app/*", "https://www.example.com/*", "https://a.example.com/app/x", false},
		{"https://*.example.com/*", "https://foo.com/*", "https://barfoo.com/", false},
		{"https://*.example.com/*", "https://example.com/*", "https://example.com.evil.com/", false},
		{"https://example.com/a*b*c", "https://example.com/*", "https://EXAMPLE.com./a/%2e%2e/abc?x#y", false},
		{"https://example.com:8443/*", "https://*.Bücher.de/*", "https://shop.bücher.de:8443/", false},
		{"*://[::1]:8080/*", "http://localhost/*", "http://[0::1]:8080/x/../y", true},
		{"http://127.0.0.1/*", "*://*.localhost/*", "http://a.localhost/%7e", true},
		{"https://*.co.uk/*", "https://*.github.io/*", "https://a@b.co.uk/", false},
	}
	for _, s := range seeds {
		f.Add(s.p1, s.p2, s.url, s.owner)
	}
	f.Fuzz(func(t *testing.T, s1, s2, raw string, owner bool) {
		mode := Strict
		if owner {
			mode = Owner
		}
		var entries []Entry
		for i, s := range []string{s1, s2} {
			p, err := Parse(s, mode)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "pattern: ") {
					t.Errorf("Parse(%q) error %q, want it to start with \"pattern: \"", s, err)
				}
				continue
			}
			again, err := Parse(p.String(), mode)
			if err != nil || again.String() != p.String() {
				t.Errorf("Parse(%q).String() = %q, which parses to %q, %v", s, p, again, err)
			}
			entries = append(entries, Entry{Pattern: p, Owner: i}, Entry{Pattern: p, Owner: 5})
		}
		u, err := ParseURL(raw, mode)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "pattern: URL ") {
				t.Errorf("ParseURL(%q) error %q, want it to start with \"pattern: URL \"", raw, err)
			}
			return
		}
		if again, err := ParseURL(u.String(), mode); err != nil || again != u {
			t.Errorf("ParseURL(%q) = %#v, whose String %q parses to %#v, %v", raw, u, u.String(), again, err)
		}
		for _, e := range entries {
			if e.Pattern.Match(u) && !hostCovers(e.Pattern.Host(), u.Host) {
				t.Errorf("%s matches %q, whose host %q it does not cover", e.Pattern, raw, u.Host)
			}
		}
		got := NewIndex(entries).AppendMatches(nil, u)
		if want := naiveMatches(entries, u); !slices.Equal(got, want) {
			t.Errorf("index matches %q with owners %v, one pattern at a time %v", raw, got, want)
		}
	})
}

// hostCovers reports whether a pattern's Host covers a URL's host: equal
// to it, or for "*.name", equal to name or ending in "." and name.
func hostCovers(patternHost, host string) bool {
	if name, ok := strings.CutPrefix(patternHost, "*."); ok {
		return host == name || strings.HasSuffix(host, "."+name)
	}
	return host == strings.Trim(patternHost, "[]")
}
