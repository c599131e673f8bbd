package pattern

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
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

// FuzzNormalizeURL normalizes a URL. Nothing may panic; a refusal is a
// *URLError; normalizing is idempotent (the normalized URL normalizes to
// itself and parses, in either mode, to what the URL parsed to); and the
// fetcher reads the normalized URL as the matcher does: net/url, which
// net/http's client parses it with, finds the same scheme, host, port,
// path and query in it, no user info and no fragment, prints it back
// unchanged and asks the server for exactly its path and query.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{
		"https://apps.acme．test/blotter/app.json",
		"https://apps.acme。test/blotter/app.json",
		"https://apps.ACME．TEST/blotter/app.json?x=1",
		"https://ａｐｐｓ．acme。test｡:443/x",
		"https://shop.BÜCHER.de/café?q=é",
		"https://apps.acme.test/x/..;/app.json",
		"https://apps.acme.test/uploads/../blotter/app.json",
		"https://apps.acme.test/a/%2e%2E/b",
		"https://apps.acme.test/a%2Fb%5c",
		"https://apps.acme.test/%61%7e%c3%a9/./x/..?%2e#frag",
		"HTTP://[0::1]:80//a//b?c=d\\e",
		"http://127.0.0.1:8080",
		"https://a@b.test/",
		"https://x.test?/a#b?c",
		"https://x.test:/a*b(c)!$&'+,;=:@",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := NormalizeURL(raw)
		if err != nil {
			var ue *URLError
			if !errors.As(err, &ue) || ue.URL != raw || !strings.HasPrefix(err.Error(), "pattern: URL ") {
				t.Errorf("NormalizeURL(%q) error %q (%T), want a *URLError naming the URL", raw, err, err)
			}
			return
		}
		if again, err := NormalizeURL(n); err != nil || again != n {
			t.Errorf("NormalizeURL(%q) = %q, which normalizes to %q, %v", raw, n, again, err)
		}
		for _, mode := range []Mode{Strict, Owner} {
			want, werr := ParseURL(raw, mode)
			got, gerr := ParseURL(n, mode)
			if (werr == nil) != (gerr == nil) || got != want {
				t.Errorf("mode %d: ParseURL(%q) = %#v, %v; of its normalized form %q: %#v, %v", mode, raw, want, werr, n, got, gerr)
			}
		}
		u, _ := ParseURL(n, Owner)
		req, err := http.NewRequest(http.MethodGet, n, nil)
		if err != nil {
			t.Fatalf("NormalizeURL(%q) = %q, which net/http refuses: %v", raw, n, err)
		}
		g := req.URL
		port := strconv.Itoa(int(u.Port))
		if u.Port == defaultPort(u.Scheme) {
			port = ""
		}
		wantURI := u.Path
		if u.Query != "" {
			wantURI += "?" + u.Query
		}
		if g.Scheme != u.Scheme || g.Hostname() != u.Host || g.Port() != port || g.EscapedPath() != u.Path ||
			g.RawQuery != u.Query || g.User != nil || g.Opaque != "" || g.Fragment != "" {
			t.Errorf("%q: net/url reads scheme %q, host %q, port %q, path %q, query %q, user %v, opaque %q, fragment %q; the matcher %#v",
				n, g.Scheme, g.Hostname(), g.Port(), g.EscapedPath(), g.RawQuery, g.User, g.Opaque, g.Fragment, u)
		}
		if got := g.String(); got != n {
			t.Errorf("net/url prints %q back as %q", n, got)
		}
		if got := g.RequestURI(); got != wantURI {
			t.Errorf("%q: net/http asks for %q, want %q", n, got, wantURI)
		}
	})
}
