package runtime

import (
	"fmt"
	"slices"
)

// maxChannelName bounds a channel name (SPEC section 2).
const maxChannelName = 32

// Spec is a parsed runtime.version: an exact version, a wildcard or a
// channel name. The zero Spec fits nothing.
type Spec struct {
	// Channel is the channel name where the spec is one; "" otherwise.
	Channel string
	v       versionSpec
	valid   bool
}

// ParseSpec parses a runtime.version as SPEC section 2 writes it: an exact
// version (38.126.82.64), a wildcard (38.126.*, or * alone) or a channel
// name (lower-case letters, digits and "-", starting with a letter, at
// most 32 characters: stable, stable-v4). Anything else is an error that
// quotes it.
func ParseSpec(s string) (Spec, error) {
	if v, ok := parseVersionSpec(s, true); ok {
		return Spec{v: v, valid: true}, nil
	}
	if IsChannelName(s) {
		return Spec{Channel: s, valid: true}, nil
	}
	return Spec{}, fmt.Errorf("runtime: runtime.version %q is neither a version (38.126.82.64), a wildcard (38.126.*) nor a channel name (stable)", s)
}

// IsChannelName reports whether s is a channel name: lower-case letters,
// digits and "-", starting with a letter, at most 32 characters.
func IsChannelName(s string) bool {
	if s == "" || len(s) > maxChannelName || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// IsExact reports whether the spec is an exact version.
func (s Spec) IsExact() bool { return s.valid && s.Channel == "" && !s.v.wildcard }

// Fits reports whether the exact version v fits the spec; a channel fits
// no version (resolve it first) and neither does anything that is not an
// exact version.
func (s Spec) Fits(v string) bool {
	if !s.valid || s.Channel != "" {
		return false
	}
	exact, ok := parseVersionSpec(v, false)
	return ok && s.v.fits(exact.parts)
}

// IsVersion reports whether s is an exact version: one to four
// dot-separated decimal numbers of at most nine digits, no leading zeros.
func IsVersion(s string) bool {
	_, ok := parseVersionSpec(s, false)
	return ok
}

// CompareVersions compares two exact versions number by number (38.126 is
// below 38.126.0), returning -1, 0 or +1; a string that is not an exact
// version sorts below every version.
func CompareVersions(a, b string) int {
	va, oka := parseVersionSpec(a, false)
	vb, okb := parseVersionSpec(b, false)
	switch {
	case !oka && !okb:
		return 0
	case !oka:
		return -1
	case !okb:
		return 1
	}
	return slices.Compare(va.parts, vb.parts)
}
