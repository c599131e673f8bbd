package pattern

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
)

// Bounds on a host name (RFC 1035 as refined by RFC 1123).
const (
	maxHostLen  = 253
	maxLabelLen = 63
)

// hostKind tells what a parsed host is.
type hostKind uint8

const (
	hostName      hostKind = iota + 1 // a DNS name, not localhost
	hostLocalhost                     // localhost or a name below it
	hostIP                            // an IPv4 or IPv6 address
)

// parseHost turns the host part of an authority (brackets included for
// IPv6) into its canonical form: a lowercase ASCII name without a trailing
// dot, or an IP address as netip prints it. It refuses an IP address in
// Strict mode. The error does not name the input; callers add it.
func parseHost(raw string, m Mode) (string, hostKind, error) {
	if raw == "" {
		return "", 0, errors.New("empty host")
	}
	if raw[0] == '[' {
		if raw[len(raw)-1] != ']' {
			return "", 0, errors.New("unterminated [ in IPv6 address")
		}
		addr, err := netip.ParseAddr(raw[1 : len(raw)-1])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", 0, fmt.Errorf("invalid IPv6 address %s", raw)
		}
		if m == Strict {
			return "", 0, errors.New("IP address hosts are not allowed")
		}
		return addr.String(), hostIP, nil
	}
	if strings.Contains(raw, ":") {
		return "", 0, errors.New("an IPv6 address needs brackets, as in [::1]")
	}
	if strings.ContainsAny(raw, "%[]") {
		return "", 0, fmt.Errorf("host %q holds a character that is never part of a name", raw)
	}
	// One trailing dot is dropped once the name is ASCII, so that the
	// full stops IDNA maps to "." (．, 。, ｡) count as dots there too.
	name, err := asciiName(raw)
	if err != nil {
		return "", 0, err
	}
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return "", 0, errors.New("empty host")
	}
	if len(name) > maxHostLen {
		return "", 0, fmt.Errorf("host longer than %d bytes", maxHostLen)
	}
	if endsInNumber(name) {
		addr, err := netip.ParseAddr(name)
		if err != nil || !addr.Is4() {
			return "", 0, fmt.Errorf("host %q ends in a number but is not a dotted-decimal IPv4 address", name)
		}
		if m == Strict {
			return "", 0, errors.New("IP address hosts are not allowed")
		}
		return addr.String(), hostIP, nil
	}
	if err := checkLabels(name); err != nil {
		return "", 0, err
	}
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return name, hostLocalhost, nil
	}
	return name, hostName, nil
}

// asciiName lowercases a host name and converts it to ASCII where it is
// internationalized: where it holds a non-ASCII character, or a label in
// punycode (xn--), which the conversion checks.
func asciiName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", errors.New("host is not valid UTF-8")
	}
	for label := range strings.SplitSeq(name, ".") {
		if hasPrefixFold(label, "xn--") {
			return idnaToASCII(name)
		}
	}
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return idnaToASCII(name)
		}
	}
	return strings.ToLower(name), nil
}

// hasPrefixFold reports whether s starts with the lowercase ASCII prefix,
// ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// endsInNumber reports whether the last label of name is all decimal
// digits or a 0x hexadecimal number: WHATWG URL parsers then read the whole
// host as an IPv4 address (127.1, 0x7f.0.0.1, 2130706433), so such a host
// is either a canonical dotted-decimal address or refused.
func endsInNumber(name string) bool {
	last := name[strings.LastIndexByte(name, '.')+1:]
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") {
		last = last[2:]
		return strings.Trim(last, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}

// checkLabels checks that every label of an ASCII name is 1 to 63 letters,
// digits and hyphens, not starting or ending with a hyphen.
func checkLabels(name string) error {
	for label := range strings.SplitSeq(name, ".") {
		switch {
		case label == "":
			return errors.New("empty label in host")
		case len(label) > maxLabelLen:
			return fmt.Errorf("label longer than %d bytes in host", maxLabelLen)
		case label[0] == '-' || label[len(label)-1] == '-':
			return fmt.Errorf("label %q starts or ends with a hyphen", label)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return fmt.Errorf("label %q holds %q: only letters, digits and hyphens are allowed", label, c)
			}
		}
	}
	return nil
}

// checkRegistrable refuses a pattern host name that is too broad: one label
// only, or a public suffix from either section of the list.
func checkRegistrable(name string) error {
	dotted := strings.Contains(name, ".")
	if suffix, icann := publicsuffix.PublicSuffix(name); suffix == name && (icann || dotted) {
		section := "private"
		if icann {
			section = "ICANN"
		}
		return fmt.Errorf("%s is a public suffix (%s section of the list)", name, section)
	}
	if !dotted {
		return fmt.Errorf("%s has a single label: at least two are needed", name)
	}
	return nil
}
