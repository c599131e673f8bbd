package pattern

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		mode Mode
		want URL
	}{
		{"plain", "https://example.com/app/x", Strict, URL{"https", "example.com", 443, "/app/x", ""}},
		{"no-path", "https://example.com", Strict, URL{"https", "example.com", 443, "/", ""}},
		{"case-and-trailing-dot", "HTTPS://WWW.Example.COM./A", Strict, URL{"https", "www.example.com", 443, "/A", ""}},
		{"explicit-port", "https://example.com:8443/", Strict, URL{"https", "example.com", 8443, "/", ""}},
		{"empty-port", "https://example.com:/", Strict, URL{"https", "example.com", 443, "/", ""}},
		{"query-kept-fragment-dropped", "https://example.com/a?b=/c#/d", Strict, URL{"https", "example.com", 443, "/a", "b=/c"}},
		{"query-without-path", "https://example.com?/a", Strict, URL{"https", "example.com", 443, "/", "/a"}},
		{"query-as-given", "https://example.com/a?%2e%2E=..;&b=%zz\\é?", Strict, URL{"https", "example.com", 443, "/a", "%2e%2E=..;&b=%zz\\é?"}},
		{"empty-query-dropped", "https://example.com/a?", Strict, URL{"https", "example.com", 443, "/a", ""}},
		{"query-after-fragment-is-fragment", "https://example.com/a#x?b", Strict, URL{"https", "example.com", 443, "/a", ""}},
		{"fragment-without-path", "https://example.com#/a", Strict, URL{"https", "example.com", 443, "/", ""}},
		{"dot-segments", "https://example.com/a/b/../c/./d/..", Strict, URL{"https", "example.com", 443, "/a/c/", ""}},
		{"above-root", "https://example.com/../../a", Strict, URL{"https", "example.com", 443, "/a", ""}},
		{"escape-case", "https://example.com/%c3%a9%3a", Strict, URL{"https", "example.com", 443, "/%C3%A9%3A", ""}},
		{"unreserved-decoded", "https://example.com/%41%7A%30%2D%5F%7E", Strict, URL{"https", "example.com", 443, "/Az0-_~", ""}},
		{"non-ascii-encoded", "https://example.com/é<>", Strict, URL{"https", "example.com", 443, "/%C3%A9%3C%3E", ""}},
		{"double-slash-kept", "https://example.com//a//b", Strict, URL{"https", "example.com", 443, "//a//b", ""}},
		{"idn-host", "https://Shop.BÜCHER.de/", Strict, URL{"https", "shop.xn--bcher-kva.de", 443, "/", ""}},
		{"idn-full-stops", "https://ａｐｐｓ．acme。test/a", Strict, URL{"https", "apps.acme.test", 443, "/a", ""}},
		{"idn-full-width-capitals", "https://apps.ACME．TEST/a", Strict, URL{"https", "apps.acme.test", 443, "/a", ""}},
		{"idn-trailing-full-stop", "https://apps.acme.test｡/a", Strict, URL{"https", "apps.acme.test", 443, "/a", ""}},
		{"default-port-dropped", "https://apps.acme.test:443/a", Strict, URL{"https", "apps.acme.test", 443, "/a", ""}},
		{"punycode-host-case", "https://XN--BCHER-KVA.de/", Strict, URL{"https", "xn--bcher-kva.de", 443, "/", ""}},
		{"owner-http", "http://example.com/", Owner, URL{"http", "example.com", 80, "/", ""}},
		{"owner-ipv4", "http://192.0.2.1:8080/", Owner, URL{"http", "192.0.2.1", 8080, "/", ""}},
		{"owner-ipv6", "https://[2001:DB8:0::1]/", Owner, URL{"https", "2001:db8::1", 443, "/", ""}},
		{"owner-localhost", "http://LocalHost/", Owner, URL{"http", "localhost", 80, "/", ""}},
		{"strict-localhost-url", "https://localhost/", Strict, URL{"https", "localhost", 443, "/", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseURL(tt.raw, tt.mode)
			if err != nil {
				t.Fatalf("ParseURL(%q): got %v, want no error", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("ParseURL(%q) = %#v, want %#v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseURLRefuses(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		mode Mode
		rule string
	}{
		{"user-info", "https://a@example.com/", Strict, "user info"},
		{"user-info-after-host", "https://example.com@evil.com/", Owner, "user info"},
		{"empty-host", "https:///a", Strict, "empty host"},
		{"relative", "/a/b", Strict, "not an absolute URL"},
		{"strict-http", "http://example.com/", Strict, `scheme "http" is not https`},
		{"owner-ftp", "ftp://example.com/", Owner, `scheme "ftp" is not http or https`},
		{"strict-ipv4", "https://192.0.2.1/", Strict, "IP address"},
		{"strict-ipv6", "https://[::1]/", Strict, "IP address"},
		{"numeric-host", "https://1.2.3.0x4/", Owner, "dotted-decimal"},
		{"port-letters", "https://example.com:https/", Strict, "port"},
		{"port-long", "https://example.com:000443/", Strict, "port"},
		{"encoded-slash", "https://example.com/a%2fb", Strict, "encoded slash"},
		{"encoded-backslash", "https://example.com/a%5cb", Strict, "encoded backslash"},
		{"backslash", `https://example.com\a`, Strict, "backslash"},
		{"tab", "https://exam\tple.com/", Strict, "control character"},
		{"nul-escape-kept", "https://example.com/%", Strict, "malformed percent-encoding"},
		{"dot-params", "https://example.com/a/..;/b", Strict, "dot segment with parameters"},
		{"single-dot-params", "https://example.com/a/.;x/b", Strict, "dot segment with parameters"},
		{"encoded-dot", "https://example.com/a/%2E%2e/b", Strict, "encoded dot %2E"},
		{"encoded-dot-in-a-name", "https://example.com/app%2ejson", Strict, "encoded dot %2E"},
		{"backslash-in-path", `https://example.com/a\b?c`, Strict, "backslash"},
		{"c1-control-in-query", "https://example.com/a?x=\u0085", Strict, `control character or space '\u0085' at byte 24`},
		{"bidi-in-query", "https://example.com/a?x=\u2066y", Strict, `bidirectional formatting character '\u2066' at byte 24`},
		{"bidi-in-path", "https://example.com/\u202ea", Strict, "bidirectional formatting character"},
		{"query-not-utf8", "https://example.com/a?x=\xc3(", Strict, "the query is not UTF-8 at byte 2 of it"},
		{"trailing-full-stop-twice", "https://apps.acme.test.．/a", Strict, "empty label"},
		{"label-too-long", "https://" + strings.Repeat("a", maxLabelLen+1) + ".com/", Strict, "label longer than 63"},
		{"host-too-long", "https://" + longHost(maxHostLen+1) + "/", Strict, "host longer than 253"},
		{"url-too-long", "https://example.com/" + strings.Repeat("a", MaxURLLen-len("https://example.com/")+1), Strict, "longer than 8192"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseURL(tt.raw, tt.mode)
			if err == nil {
				t.Fatalf("ParseURL(%q) = %v, want an error", tt.raw, u)
			}
			if !strings.HasPrefix(err.Error(), "pattern: URL ") || !strings.Contains(err.Error(), tt.rule) {
				t.Errorf("ParseURL error %q, want one starting \"pattern: URL \" and holding %q", err, tt.rule)
			}
		})
	}
}

// TestBoundsAllowed feeds each bound exactly what it allows.
func TestBoundsAllowed(t *testing.T) {
	const prefix = "https://example.com/"
	urls := []string{
		prefix + strings.Repeat("a", MaxURLLen-len(prefix)),
		"https://" + strings.Repeat("a", maxLabelLen) + ".com/",
		"https://" + longHost(maxHostLen) + "/",
	}
	for _, raw := range urls {
		if _, err := ParseURL(raw, Strict); err != nil {
			t.Errorf("ParseURL of %d bytes: got %v, want no error", len(raw), err)
		}
	}
	patterns := []string{
		prefix + strings.Repeat("a", MaxPatternLen-len(prefix)),
		prefix + strings.Repeat("a*", MaxWildcards),
		"https://" + longHost(maxHostLen) + "/*",
	}
	for _, s := range patterns {
		if _, err := Parse(s, Strict); err != nil {
			t.Errorf("Parse of %d bytes: got %v, want no error", len(s), err)
		}
	}
}

func TestURLTooLongOnceNormalized(t *testing.T) {
	raw := "https://example.com/" + strings.Repeat("\xee", 4000)
	if u, err := ParseURL(raw, Strict); err == nil || !strings.Contains(err.Error(), "once normalized") {
		t.Fatalf("ParseURL of %d bytes that normalize to %d: got %v, %v; want an error", len(raw), 3*4000, u, err)
	}
}

// TestBoundsRefused feeds each bound of a pattern one more than it allows.
func TestBoundsRefused(t *testing.T) {
	const prefix = "https://example.com/"
	tests := []struct {
		name    string
		pattern string
		rule    string
	}{
		{"pattern-too-long", prefix + strings.Repeat("a", MaxPatternLen-len(prefix)+1), "longer than 2048"},
		{"too-many-wildcards", prefix + strings.Repeat("a*", MaxWildcards+1), "more than 16 *"},
		{"host-too-long", "https://" + longHost(maxHostLen+1) + "/*", "host longer than 253"},
		{"label-too-long", "https://*." + strings.Repeat("a", maxLabelLen+1) + ".com/*", "label longer than 63"},
		// 1,000 raw bytes fit, their percent-encoding (3,000 bytes) does not.
		{"too-long-once-normalized", prefix + strings.Repeat("\xee", 1000), "once normalized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.pattern, Strict)
			if err == nil {
				t.Fatalf("Parse = %q, want an error", p)
			}
			if !strings.Contains(err.Error(), tt.rule) {
				t.Errorf("Parse error %q, want one holding %q", err, tt.rule)
			}
		})
	}
}

// longHost returns a valid host name of n bytes under example.com.
func longHost(n int) string {
	const suffix = ".example.com"
	var b strings.Builder
	for b.Len() < n-len(suffix) {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strings.Repeat("a", min(maxLabelLen, n-len(suffix)-b.Len())))
	}
	b.WriteString(suffix)
	return b.String()
}

func TestRemoveDotSegments(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"rfc3986-example", "/a/b/c/./../../g", "/a/g"},
		{"root", "/", "/"},
		{"parent-of-root", "/..", "/"},
		{"current-at-end", "/a/.", "/a/"},
		{"parent-at-end", "/a/b/..", "/a/"},
		{"empty-segment-popped", "/a//../b", "/a/b"},
		{"dots-in-names", "/a/..b/.c/...", "/a/..b/.c/..."},
		{"no-dots", "/a/b", "/a/b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := removeDotSegments(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("removeDotSegments(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
