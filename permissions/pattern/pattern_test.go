package pattern

import (
	"strings"
	"testing"
)

func TestPatternForms(t *testing.T) {
	tests := []struct {
		name     string
		pattern  string
		mode     Mode
		wantStr  string
		wantHost string
	}{
		{"wildcard", "HTTPS://*.Example.COM/App/*", Strict, "https://*.example.com/App/*", "*.example.com"},
		{"exact-port", "https://example.com:8443/", Strict, "https://example.com:8443/", "example.com"},
		{"default-port-dropped", "https://example.com:443/x", Strict, "https://example.com/x", "example.com"},
		{"http-default-port-dropped", "http://example.com:80/x", Owner, "http://example.com/x", "example.com"},
		{"any-scheme-port-kept", "*://example.com:443/x", Owner, "*://example.com:443/x", "example.com"},
		{"ipv6", "http://[2001:DB8::0:1]:8080/*", Owner, "http://[2001:db8::1]:8080/*", "[2001:db8::1]"},
		{"ipv4", "http://192.0.2.1/*", Owner, "http://192.0.2.1/*", "192.0.2.1"},
		{"localhost", "http://LOCALHOST/*", Owner, "http://localhost/*", "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.pattern, tt.mode)
			if err != nil {
				t.Fatalf("Parse(%q): got %v, want no error", tt.pattern, err)
			}
			if got := p.String(); got != tt.wantStr {
				t.Errorf("String() = %q, want %q", got, tt.wantStr)
			}
			if got := p.Host(); got != tt.wantHost {
				t.Errorf("Host() = %q, want %q", got, tt.wantHost)
			}
			again, err := Parse(p.String(), tt.mode)
			if err != nil || again.String() != p.String() {
				t.Errorf("Parse(String()) = %q, %v, want %q", again, err, p)
			}
		})
	}
}

func TestZeroPatternMatchesNothing(t *testing.T) {
	var p Pattern
	for _, u := range []URL{{}, {Scheme: "https", Port: 443, Path: "/"}, {Scheme: "http", Host: "example.com", Port: 80, Path: "/"}} {
		if p.Match(u) {
			t.Errorf("zero Pattern matches %#v, want no match", u)
		}
	}
	if p.String() != "" || p.Host() != "" {
		t.Errorf("zero Pattern String, Host = %q, %q, want empty", p.String(), p.Host())
	}
}

func TestParseErrorNamesPattern(t *testing.T) {
	const s = "https://*.com/*"
	_, err := Parse(s, Strict)
	want := `pattern: "https://*.com/*": *.com is a public suffix (ICANN section of the list)`
	if err == nil || err.Error() != want {
		t.Errorf("Parse(%q) error = %v, want %s", s, err, want)
	}
}

// TestModesDiffer checks that each Owner-only form is refused in Strict
// mode and allowed in Owner mode.
func TestModesDiffer(t *testing.T) {
	for _, s := range []string{
		"http://example.com/*",
		"*://example.com/*",
		"https://localhost/*",
		"https://*.localhost/*",
		"https://app.localhost:3000/*",
		"https://127.0.0.1/*",
		"https://[::1]/*",
	} {
		t.Run(strings.NewReplacer("://", "-", "/", "", "*", "any", ":", "-", "[", "", "]", "").Replace(s), func(t *testing.T) {
			if _, err := Parse(s, Strict); err == nil {
				t.Errorf("Parse(%q, Strict): got no error, want one", s)
			}
			if _, err := Parse(s, Owner); err != nil {
				t.Errorf("Parse(%q, Owner): got %v, want no error", s, err)
			}
		})
	}
}

func TestUnknownModeRefused(t *testing.T) {
	for _, m := range []Mode{-1, 2} {
		if p, err := Parse("http://localhost/*", m); err == nil || !strings.Contains(err.Error(), "unknown mode") {
			t.Errorf("Parse in mode %d = %q, %v, want an unknown mode error", m, p, err)
		}
		if u, err := ParseURL("http://localhost/", m); err == nil || !strings.Contains(err.Error(), "unknown mode") {
			t.Errorf("ParseURL in mode %d = %v, %v, want an unknown mode error", m, u, err)
		}
	}
}
