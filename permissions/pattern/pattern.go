package pattern

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Mode says which patterns and URLs are allowed.
type Mode int

const (
	// Strict is for the patterns of signed trustedAppConfigs blocks: https
	// only, no localhost, no IP address, no public suffix.
	Strict Mode = iota
	// Owner is for desktop owner policies: Strict's rules, but also the
	// http and * schemes, localhost and IP addresses.
	Owner
)

// check refuses a Mode that is neither Strict nor Owner, so that a stray
// value never loosens the rules.
func (m Mode) check() error {
	if m != Strict && m != Owner {
		return fmt.Errorf("unknown mode %d", int(m))
	}
	return nil
}

// Bounds on a pattern.
const (
	// MaxPatternLen is the longest pattern Parse reads, in bytes.
	MaxPatternLen = 2048
	// MaxWildcards is the most * a pattern's path may hold.
	MaxWildcards = 16
)

// schemes is a set of URL schemes a pattern allows.
type schemes uint8

const (
	schemeHTTPS schemes = 1 << iota
	schemeHTTP
)

// Pattern is a parsed, validated URL pattern. The zero Pattern matches
// nothing.
type Pattern struct {
	norm     string   // the normalized pattern, as String returns it
	schemes  schemes  // 0 only in the zero Pattern
	host     string   // ASCII host without "*."; IPv6 without brackets
	wildcard bool     // whether the pattern was *.host
	port     uint16   // the explicit port, or 0 for each scheme's default
	parts    []string // the path split at each *
}

// Parse parses and validates a pattern in mode m. The error names the
// pattern and the rule it breaks.
func Parse(s string, m Mode) (Pattern, error) {
	p, err := parse(s, m)
	if err != nil {
		return Pattern{}, fmt.Errorf("pattern: %q: %w", s, err)
	}
	return p, nil
}

func parse(s string, m Mode) (Pattern, error) {
	if err := m.check(); err != nil {
		return Pattern{}, err
	}
	if len(s) > MaxPatternLen {
		return Pattern{}, fmt.Errorf("longer than %d bytes", MaxPatternLen)
	}
	if err := checkControls(s); err != nil {
		return Pattern{}, err
	}
	if err := checkBackslash(s); err != nil {
		return Pattern{}, err
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return Pattern{}, fmt.Errorf("%q at byte %d: query and fragment are not part of a match", s[i], i)
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return Pattern{}, errors.New("no scheme: write https://HOST/PATH")
	}
	var p Pattern
	switch strings.ToLower(scheme) {
	case "https":
		p.schemes = schemeHTTPS
	case "http":
		p.schemes = schemeHTTP
	case "*":
		p.schemes = schemeHTTPS | schemeHTTP
	default:
		if m == Owner {
			return Pattern{}, fmt.Errorf("scheme %q is not https, http or *", scheme)
		}
		return Pattern{}, fmt.Errorf("scheme %q is not https", scheme)
	}
	if m == Strict && p.schemes != schemeHTTPS {
		return Pattern{}, fmt.Errorf("scheme %q is not https", scheme)
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return Pattern{}, errors.New("no path: write /* after the host for every path")
	}
	authority, path := rest[:slash], rest[slash:]
	hostPort, port, err := splitAuthority(authority, false)
	if err != nil {
		return Pattern{}, err
	}
	if port == defaultPort("https") && p.schemes == schemeHTTPS || port == defaultPort("http") && p.schemes == schemeHTTP {
		port = 0
	}
	p.port = port
	if p.host, p.wildcard, err = parsePatternHost(hostPort, m); err != nil {
		return Pattern{}, err
	}
	if strings.Count(path, "*") > MaxWildcards {
		return Pattern{}, fmt.Errorf("more than %d * in the path", MaxWildcards)
	}
	if path, err = normalizePath(path); err != nil {
		return Pattern{}, err
	}
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." || isDotSegmentWithParams(seg) {
			return Pattern{}, fmt.Errorf("dot segment %q in the path: paths are matched after dot segments are removed", seg)
		}
	}
	p.parts = strings.Split(path, "*")
	p.norm = p.format(path)
	// Percent-encoding can make the normalized form longer than what was
	// written: it too must fit, so that it parses back.
	if len(p.norm) > MaxPatternLen {
		return Pattern{}, fmt.Errorf("longer than %d bytes once normalized (%d)", MaxPatternLen, len(p.norm))
	}
	return p, nil
}

// parsePatternHost parses HOST or *.HOST and checks the rules of a
// pattern's host.
func parsePatternHost(raw string, m Mode) (string, bool, error) {
	name, wildcard := strings.CutPrefix(raw, "*.")
	if strings.Contains(name, "*") {
		return "", false, errors.New("the wildcard * may only be the whole first label, as in *.example.com")
	}
	host, kind, err := parseHost(name, m)
	if err != nil {
		return "", false, err
	}
	switch kind {
	case hostLocalhost:
		if m == Strict {
			return "", false, errors.New("localhost is not allowed")
		}
	case hostIP:
		if wildcard {
			return "", false, errors.New("an IP address cannot follow *.")
		}
	case hostName:
		if err := checkRegistrable(host); err != nil {
			if wildcard {
				return "", false, fmt.Errorf("*.%w", err)
			}
			return "", false, err
		}
	}
	return host, wildcard, nil
}

// format returns the normalized form of p with the given path.
func (p Pattern) format(path string) string {
	var b strings.Builder
	switch p.schemes {
	case schemeHTTPS:
		b.WriteString("https://")
	case schemeHTTP:
		b.WriteString("http://")
	default:
		b.WriteString("*://")
	}
	b.WriteString(p.Host())
	if p.port != 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(int(p.port)))
	}
	b.WriteString(path)
	return b.String()
}

// String returns the normalized pattern: lowercase scheme and ASCII host,
// the default port left out, the path's percent-encoding normalized. It
// parses back to the same Pattern. The zero Pattern's is "".
func (p Pattern) String() string { return p.norm }

// Host returns the pattern's ASCII host: "*.example.com" for a wildcard,
// an IPv6 address in brackets. The zero Pattern's is "".
func (p Pattern) Host() string {
	switch {
	case p.wildcard:
		return "*." + p.host
	case strings.Contains(p.host, ":"):
		return "[" + p.host + "]"
	}
	return p.host
}

// Match reports whether u, as ParseURL returns it, matches p.
func (p Pattern) Match(u URL) bool {
	return p.matchSchemePort(u) && p.matchHost(u.Host) && globMatch(p.parts, u.Path)
}

func (p Pattern) matchSchemePort(u URL) bool {
	var s schemes
	switch u.Scheme {
	case "https":
		s = schemeHTTPS
	case "http":
		s = schemeHTTP
	}
	if p.schemes&s == 0 {
		return false
	}
	if p.port != 0 {
		return u.Port == p.port
	}
	return u.Port == defaultPort(u.Scheme)
}

// matchHost reports whether host is p's host or, for a wildcard, a name
// below it, label by label.
func (p Pattern) matchHost(host string) bool {
	if host == p.host {
		return true
	}
	return p.wildcard && len(host) > len(p.host) &&
		host[len(host)-len(p.host)-1] == '.' && strings.HasSuffix(host, p.host)
}
