package pattern

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxURLLen is the longest URL ParseURL reads, in bytes.
const MaxURLLen = 8192

// URL is a URL normalized for matching; make one with ParseURL. Scheme is
// "https" or "http"; Host is a lowercase ASCII name without a trailing dot,
// or an IP address in canonical form (IPv6 without brackets); Port is the
// explicit port or the scheme's default; Path starts with "/", has no dot
// segments and has its percent-encoding normalized. Query and fragment are
// dropped. The zero URL matches no pattern.
type URL struct {
	Scheme string
	Host   string
	Port   uint16
	Path   string
}

// String returns u as an absolute URL, the port shown only where it is not
// the scheme's default.
func (u URL) String() string {
	host := u.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if u.Port != defaultPort(u.Scheme) {
		host += ":" + strconv.Itoa(int(u.Port))
	}
	return u.Scheme + "://" + host + u.Path
}

// ParseURL parses and normalizes an absolute URL for matching. It refuses
// user info (anything with an @ before the path), an empty host, a
// malformed port, a backslash or encoded slash in the path, and
// characters that are never part of a URL; in Strict mode also an IP
// address host and any scheme but https. In Owner mode the scheme may be
// http or https. Query and fragment are ignored.
func ParseURL(raw string, m Mode) (URL, error) {
	u, err := parseURL(raw, m)
	if err != nil {
		return URL{}, fmt.Errorf("pattern: URL %q: %w", raw, err)
	}
	return u, nil
}

func parseURL(raw string, m Mode) (URL, error) {
	if err := m.check(); err != nil {
		return URL{}, err
	}
	if len(raw) > MaxURLLen {
		return URL{}, fmt.Errorf("longer than %d bytes", MaxURLLen)
	}
	if err := checkBytes(raw); err != nil {
		return URL{}, err
	}
	scheme, rest, ok := strings.Cut(raw, "://")
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
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, rest := rest[:end], rest[end:]
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
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
	path := rest
	if path == "" {
		path = "/"
	}
	if path, err = normalizePath(path); err != nil {
		return URL{}, err
	}
	if path, err = removeDotSegments(path); err != nil {
		return URL{}, err
	}
	u := URL{Scheme: scheme, Host: host, Port: port, Path: path}
	// Percent-encoding can make the normalized form longer than what was
	// given: it too must fit, so that it parses back.
	if n := len(u.String()); n > MaxURLLen {
		return URL{}, fmt.Errorf("longer than %d bytes once normalized (%d)", MaxURLLen, n)
	}
	return u, nil
}

// checkBytes refuses ASCII control characters, spaces and backslashes
// anywhere in a URL or pattern: WHATWG parsers drop tabs and newlines and
// read a backslash as a slash, so such input could mean two things.
func checkBytes(s string) error {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c <= ' ' || c == 0x7f:
			return fmt.Errorf("control character or space %q at byte %d", c, i)
		case c == '\\':
			return fmt.Errorf("backslash at byte %d", i)
		}
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
