package pattern

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxURLLen is the longest URL ParseURL reads, in bytes.
const MaxURLLen = 8192

// URL is a URL normalized as SPEC 2 says; make one with ParseURL. Scheme
// is "https" or "http"; Host is a lowercase ASCII name without a trailing
// dot, or an IP address in canonical form (IPv6 without brackets); Port is
// the explicit port or the scheme's default; Path starts with "/", has no
// dot segments and has its percent-encoding normalized; Query is the query
// as it was given, without its "?" ("" where there is none or it is
// empty). The fragment is dropped. Only Scheme, Host, Port and Path take
// part in a match. The zero URL matches no pattern.
type URL struct {
	Scheme string
	Host   string
	Port   uint16
	Path   string
	Query  string
}

// String returns u as an absolute URL, the port shown only where it is not
// the scheme's default: the normalized URL, which rvm fetches, stores and
// hands to the runtime, and which ParseURL reads back as u.
func (u URL) String() string {
	host := u.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if u.Port != defaultPort(u.Scheme) {
		host += ":" + strconv.Itoa(int(u.Port))
	}
	s := u.Scheme + "://" + host + u.Path
	if u.Query != "" {
		s += "?" + u.Query
	}
	return s
}

// URLError is a URL that ParseURL refused: the URL as given and the rule it
// broke. Callers that name the URL in their own words (a launch request
// that was a fins:// link, a redirect hop) take Err.
type URLError struct {
	URL string
	Err error
}

func (e *URLError) Error() string { return fmt.Sprintf("pattern: URL %q: %v", e.URL, e.Err) }

func (e *URLError) Unwrap() error { return e.Err }

// ParseURL parses and normalizes an absolute URL (SPEC 2). It refuses user
// info (anything with an @ before the path), an empty host, a host that
// does not convert to ASCII, a malformed port, in the path a backslash, an
// encoded slash, backslash or dot (%2F, %5C, %2E) or a dot segment with
// parameters, and spaces and control characters anywhere; in Strict mode
// also an IP address host and any scheme but https. In Owner mode the
// scheme may be http or https. The query is kept as given, the fragment
// dropped. The error is a *URLError.
func ParseURL(raw string, m Mode) (URL, error) {
	u, err := parseURL(raw, m)
	if err != nil {
		return URL{}, &URLError{URL: raw, Err: err}
	}
	return u, nil
}

// NormalizeURL returns the normalized form of an absolute http or https URL
// (SPEC 2), as ParseURL reads it in Owner mode: the one form of a URL that
// rvm fetches and that patterns match. Normalizing its result gives the
// result back. The error is a *URLError.
func NormalizeURL(raw string) (string, error) {
	u, err := ParseURL(raw, Owner)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func parseURL(raw string, m Mode) (URL, error) {
	if err := m.check(); err != nil {
		return URL{}, err
	}
	if len(raw) > MaxURLLen {
		return URL{}, fmt.Errorf("longer than %d bytes", MaxURLLen)
	}
	if err := checkControls(raw); err != nil {
		return URL{}, err
	}
	// The fragment ends the URL wherever it starts, and the query starts
	// at the first "?" before it, as every URL parser reads them.
	rest, _, _ := strings.Cut(raw, "#")
	rest, query, _ := strings.Cut(rest, "?")
	if err := checkBackslash(rest); err != nil {
		return URL{}, err
	}
	if err := checkQuery(query); err != nil {
		return URL{}, err
	}
	scheme, rest, ok := strings.Cut(rest, "://")
	if !ok {
		return URL{}, errors.New("not an absolute URL with ://")
	}
	scheme = strings.ToLower(scheme)
	switch {
	case scheme == "https":
	case scheme == "http" && m == Owner:
	case m == Owner:
		return URL{}, fmt.Errorf("scheme %q is not http or https", scheme)
	default:
		return URL{}, fmt.Errorf("scheme %q is not https", scheme)
	}
	authority, path := rest, "/"
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	hostPort, port, err := splitAuthority(authority, true)
	if err != nil {
		return URL{}, err
	}
	host, _, err := parseHost(hostPort, m)
	if err != nil {
		return URL{}, err
	}
	if port == 0 {
		port = defaultPort(scheme)
	}
	if path, err = normalizePath(path); err != nil {
		return URL{}, err
	}
	if path, err = removeDotSegments(path); err != nil {
		return URL{}, err
	}
	u := URL{Scheme: scheme, Host: host, Port: port, Path: path, Query: query}
	// Percent-encoding can make the normalized form longer than what was
	// given: it too must fit, so that it parses back.
	if n := len(u.String()); n > MaxURLLen {
		return URL{}, fmt.Errorf("longer than %d bytes once normalized (%d)", MaxURLLen, n)
	}
	return u, nil
}

// checkControls refuses control characters (ASCII and C1), spaces and
// bidirectional formatting characters anywhere in a URL or pattern: WHATWG
// parsers drop tabs and newlines, so such input could mean two things, and
// the query, which is kept as given, would carry the others to whoever is
// shown the URL.
func checkControls(s string) error {
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case r <= ' ' || r == 0x7f || r >= utf8.RuneSelf && unicode.IsControl(r):
			return fmt.Errorf("control character or space %q at byte %d", r, i)
		case r >= utf8.RuneSelf && unicode.Is(unicode.Bidi_Control, r):
			return fmt.Errorf("bidirectional formatting character %q at byte %d", r, i)
		}
		i += size
	}
	return nil
}

// checkQuery refuses a query that is not UTF-8: it is kept as given, and
// shown, stored and handed to the runtime as text.
func checkQuery(q string) error {
	for i, r := range q {
		if _, size := utf8.DecodeRuneInString(q[i:]); r == utf8.RuneError && size == 1 {
			return fmt.Errorf("the query is not UTF-8 at byte %d of it", i)
		}
	}
	return nil
}

// checkBackslash refuses a backslash in the part of a URL before its query
// (or anywhere in a pattern): WHATWG parsers read it as a slash there, so
// it could separate segments for one reader and not for another.
func checkBackslash(s string) error {
	if i := strings.IndexByte(s, '\\'); i >= 0 {
		return fmt.Errorf("backslash at byte %d", i)
	}
	return nil
}

// splitAuthority splits host[:port] into the host (brackets kept for IPv6)
// and the port, 0 where there is none. It refuses user info. An empty port
// after the colon is allowed only where emptyPortOK.
func splitAuthority(authority string, emptyPortOK bool) (string, uint16, error) {
	if strings.Contains(authority, "@") {
		return "", 0, errors.New("user info (@) is not allowed")
	}
	host, port := authority, ""
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return "", 0, errors.New("unterminated [ in IPv6 address")
		}
		host, port = authority[:end+1], authority[end+1:]
		if port != "" && port[0] != ':' {
			return "", 0, fmt.Errorf("unexpected %q after IPv6 address", port)
		}
	} else if i := strings.LastIndexByte(authority, ':'); i >= 0 {
		host, port = authority[:i], authority[i:]
	}
	if port == "" {
		return host, 0, nil
	}
	port = port[1:]
	if port == "" {
		if emptyPortOK {
			return host, 0, nil
		}
		return "", 0, errors.New("empty port")
	}
	n, err := parsePort(port)
	if err != nil {
		return "", 0, err
	}
	return host, n, nil
}

// parsePort parses a decimal port from 1 to 65535.
func parsePort(s string) (uint16, error) {
	if len(s) > 5 || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return uint16(n), nil
}

// defaultPort is the port a URL of the scheme uses where it names none.
func defaultPort(scheme string) uint16 {
	switch scheme {
	case "https":
		return 443
	case "http":
		return 80
	}
	return 0
}
