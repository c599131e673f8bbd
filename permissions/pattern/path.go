package pattern

import (
	"errors"
	"fmt"
	"strings"
)

// normalizePath puts a path (the part of a URL or pattern after the
// authority, query and fragment already cut off) into the one form that
// matching compares:
//   - a percent-encoded unreserved character (letters, digits, - _ ~) is
//     decoded; every other escape keeps its byte with upper-case hex digits
//     (%c3%a9 becomes %C3%A9);
//   - a byte that may not stand in a path (space, quote, <, >, ^, `, {, |,
//     }, [, ], non-ASCII) is percent-encoded;
//   - a backslash, raw or as %5C, an encoded slash %2F and an encoded dot
//     %2E are refused: servers differ on whether they separate segments or
//     make a dot segment, and on whether they decode before or after
//     removing dot segments, so they could carry a dot segment past the
//     match;
//   - a malformed escape and an ASCII control character are refused.
//
// The wildcard * is a sub-delimiter and passes through as it stands.
func normalizePath(p string) (string, error) {
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%':
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return "", fmt.Errorf("malformed percent-encoding at byte %d of the path", i)
			}
			d := unhex(p[i+1])<<4 | unhex(p[i+2])
			i += 2
			switch {
			case d == '/':
				return "", errors.New("encoded slash %2F in the path")
			case d == '\\':
				return "", errors.New("encoded backslash %5C in the path")
			case d == '.':
				return "", errors.New("encoded dot %2E in the path")
			case isUnreserved(d):
				b.WriteByte(d)
			default:
				writeEscape(&b, d)
			}
		case c == '\\':
			return "", errors.New("backslash in the path")
		case c < 0x20 || c == 0x7f:
			return "", fmt.Errorf("control character %q in the path", c)
		case isUnreserved(c) || strings.IndexByte("/!$&'()*+,;=:@", c) >= 0:
			b.WriteByte(c)
		default:
			writeEscape(&b, c)
		}
	}
	return b.String(), nil
}

// removeDotSegments removes the "." and ".." segments of an absolute path
// as RFC 3986 section 5.2.4 does. It refuses a segment that is a dot
// segment followed by path parameters ("..;x"), which some servers
// resolve as a dot segment.
func removeDotSegments(p string) (string, error) {
	if !strings.Contains(p, ".") {
		return p, nil
	}
	segs := strings.Split(p[1:], "/")
	out := segs[:0]
	for i, s := range segs {
		if isDotSegmentWithParams(s) {
			return "", fmt.Errorf("dot segment with parameters %q in the path", s)
		}
		last := i == len(segs)-1
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
			continue
		}
		if last {
			out = append(out, "")
		}
	}
	return "/" + strings.Join(out, "/"), nil
}

// isDotSegmentWithParams reports whether s is "." or ".." followed by ";".
func isDotSegmentWithParams(s string) bool {
	before, _, found := strings.Cut(s, ";")
	return found && (before == "." || before == "..")
}

// globMatch reports whether path matches the glob whose literal parts,
// split at each *, are parts: parts[0] is a prefix, the last part a
// suffix, and the ones between occur in order. A glob without * has one
// part and matches only itself.
func globMatch(parts []string, path string) bool {
	if len(parts) == 1 {
		return path == parts[0]
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(path) < len(first)+len(last) || !strings.HasPrefix(path, first) || !strings.HasSuffix(path, last) {
		return false
	}
	rest := path[len(first) : len(path)-len(last)]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	return true
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

func writeEscape(b *strings.Builder, c byte) {
	const hex = "0123456789ABCDEF"
	b.WriteByte('%')
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&15])
}
