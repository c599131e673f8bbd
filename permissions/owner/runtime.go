package owner

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// The runtime keys of desktopSettings (SPEC 9), OpenFin's names:
//
//	"allowedRuntimeVersions": ["38.126.*"],       versions or wildcards; where present, only a version that fits one may run
//	"blockedRuntimeVersions": ["38.126.80.*"],    versions or wildcards; a version that fits one may not run
//	"minimumRuntimeVersion": "38.126.0.0",        an exact version; an older one may not run
//	"cleanUnusedRuntimes": true,                  remove runtimes not launched for ...
//	"unusedRuntimeExpirationInMinutes": 43200     ... this long (default 43200, 30 days)
//
// A version the owner does not allow is neither downloaded nor started.
// Each list holds at most MaxRuntimeVersions entries; an entry that is
// not a version or a wildcard (a channel name, say), a minimum that is not
// an exact version, and an expiration that is not a whole number of
// minutes from 0 to MaxUnusedRuntimeExpiration make the file invalid.
const (
	// MaxRuntimeVersions bounds allowedRuntimeVersions and
	// blockedRuntimeVersions.
	MaxRuntimeVersions = 1024
	// MaxUnusedRuntimeExpiration bounds unusedRuntimeExpirationInMinutes:
	// about a hundred years.
	MaxUnusedRuntimeExpiration = 100 * 365 * 24 * 60
	// DefaultUnusedRuntimeExpiration is unusedRuntimeExpirationInMinutes
	// where cleanUnusedRuntimes is true and it is not given: 30 days.
	DefaultUnusedRuntimeExpiration = 30 * 24 * 60
)

// runtimeRules are the runtime keys of one file. The zero value restricts
// nothing, as a file without them does.
type runtimeRules struct {
	allowed    []string // nil: allowedRuntimeVersions absent
	allowedSet bool
	blocked    []string
	minimum    string
	clean      bool
	// expiration is unusedRuntimeExpirationInMinutes, where expirationSet.
	expiration    int
	expirationSet bool
}

// parseRuntimeKey reads the runtime key k of desktopSettings. They only
// restrict what may run, so that they apply under deny-only too, except
// cleanUnusedRuntimes and its expiration, which remove runtimes: a file
// anyone on the network could have written does not get to do that.
func (r *runtimeRules) parseRuntimeKey(p *parser, k field) {
	switch k.name {
	case "allowedRuntimeVersions":
		r.allowed, r.allowedSet = p.versionList(k)
	case "blockedRuntimeVersions":
		r.blocked, _ = p.versionList(k)
	case "minimumRuntimeVersion":
		switch v := stringValue(k.value); {
		case k.value.Kind() != '"':
			p.problem(k, "want a string, got %s", strictjson.Kind(k.value))
		case !runtime.IsVersion(v):
			p.problem(k, "want an exact version (38.126.82.64), got %q", v)
		default:
			r.minimum = v
		}
	case "cleanUnusedRuntimes":
		clean, _ := p.boolean(k)
		if clean && p.denyOnly {
			p.notice(k, "true ignored: the file came over plain http://, which can only deny, and this would remove runtimes")
			clean = false
		}
		r.clean = clean
	case "unusedRuntimeExpirationInMinutes":
		n, err := strconv.ParseInt(string(k.value), 10, 64)
		if k.value.Kind() != '0' || err != nil || n < 0 || n > MaxUnusedRuntimeExpiration {
			p.problem(k, "want a whole number of minutes from 0 to %d, got %q", MaxUnusedRuntimeExpiration, k.value)
			return
		}
		r.expiration, r.expirationSet = int(n), true
	}
}

// versionList reads a list of at most MaxRuntimeVersions versions or
// wildcards, with a problem for each entry that is neither.
func (p *parser) versionList(f field) ([]string, bool) {
	list, ok := p.stringList(f, MaxRuntimeVersions)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		if spec, err := runtime.ParseSpec(e.s); err != nil || spec.Channel != "" {
			p.problem(e.field, "want a version (38.126.82.64) or a wildcard (38.126.*), got %q", e.s)
			ok = false
			continue
		}
		out = append(out, e.s)
	}
	return out, ok
}

// AllowsRuntime reports whether the owner lets the runtime of the exact
// version v run (allowedRuntimeVersions, blockedRuntimeVersions,
// minimumRuntimeVersion) and, where not, why, in a few words naming the
// key and the entry. Without owner settings every version may run.
func (s *Settings) AllowsRuntime(v string) (allowed bool, reason string) {
	if s == nil {
		return true, ""
	}
	r := s.runtime
	if r.minimum != "" && runtime.CompareVersions(v, r.minimum) < 0 {
		return false, fmt.Sprintf("%s is below minimumRuntimeVersion %s", v, r.minimum)
	}
	for _, b := range r.blocked {
		if spec, _ := runtime.ParseSpec(b); spec.Fits(v) {
			return false, fmt.Sprintf("%s is in blockedRuntimeVersions (%q)", v, b)
		}
	}
	if !r.allowedSet {
		return true, ""
	}
	for _, a := range r.allowed {
		if spec, _ := runtime.ParseSpec(a); spec.Fits(v) {
			return true, ""
		}
	}
	if len(r.allowed) == 0 {
		return false, fmt.Sprintf("%s is not in allowedRuntimeVersions, which is empty", v)
	}
	return false, fmt.Sprintf("%s is not in allowedRuntimeVersions (%s)", v, quoteAll(r.allowed))
}

// UnusedRuntimeExpiry reports whether the owner has unused runtimes
// removed (cleanUnusedRuntimes) and, where so, after how long without a
// launch (unusedRuntimeExpirationInMinutes, DefaultUnusedRuntimeExpiration
// where not given). Without owner settings none are removed.
func (s *Settings) UnusedRuntimeExpiry() (after time.Duration, clean bool) {
	if s == nil || !s.runtime.clean {
		return 0, false
	}
	minutes := DefaultUnusedRuntimeExpiration
	if s.runtime.expirationSet {
		minutes = s.runtime.expiration
	}
	return time.Duration(minutes) * time.Minute, true
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
