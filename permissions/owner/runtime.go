package owner

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/launcher/runtime"
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

// parseAllowed parses allowedRuntimeVersions, whose value is raw, at the
// place at.
func (r *runtimeRules) parseAllowed(raw jsontext.Value, at string) (err error) {
	r.allowed, err = versionList(raw, at)
	r.allowedSet = err == nil
	return err
}

// parseBlocked parses blockedRuntimeVersions.
func (r *runtimeRules) parseBlocked(raw jsontext.Value, at string) (err error) {
	r.blocked, err = versionList(raw, at)
	return err
}

// versionList decodes a list of at most MaxRuntimeVersions versions or
// wildcards.
func versionList(raw jsontext.Value, at string) ([]string, error) {
	list, err := stringList(raw, at, MaxRuntimeVersions)
	if err != nil {
		return nil, err
	}
	for i, v := range list {
		if spec, err := runtime.ParseSpec(v); err != nil || spec.Channel != "" {
			return nil, fmt.Errorf("owner: %s[%d]: want a version (38.126.82.64) or a wildcard (38.126.*), got %q", at, i, v)
		}
	}
	return list, nil
}

// parseMinimum parses minimumRuntimeVersion.
func (r *runtimeRules) parseMinimum(raw jsontext.Value, at string) error {
	var v string
	if err := decodeStrict(raw, &v); err != nil {
		return fmt.Errorf("owner: %s: want a string", at)
	}
	if !runtime.IsVersion(v) {
		return fmt.Errorf("owner: %s: want an exact version (38.126.82.64), got %q", at, v)
	}
	r.minimum = v
	return nil
}

// parseClean parses cleanUnusedRuntimes.
func (r *runtimeRules) parseClean(raw jsontext.Value, at string) error {
	if err := decodeStrict(raw, &r.clean); err != nil {
		return fmt.Errorf("owner: %s: want true or false", at)
	}
	return nil
}

// parseExpiration parses unusedRuntimeExpirationInMinutes.
func (r *runtimeRules) parseExpiration(raw jsontext.Value, at string) error {
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if raw.Kind() != '0' || err != nil || n < 0 || n > MaxUnusedRuntimeExpiration {
		return fmt.Errorf("owner: %s: want a whole number of minutes from 0 to %d, got %q", at, MaxUnusedRuntimeExpiration, raw)
	}
	r.expiration, r.expirationSet = int(n), true
	return nil
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
