package fetch

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxFreshness bounds the Cache-Control max-age a Response reports: the
// longest a server may ask rvm to use a copy without asking again, where
// a caller honours it at all. Each caller bounds it further by what the
// spec allows for its kind of document (SPEC 4 fetches the desktop owner
// settings at every launch, so they honour none; a runtime repository's
// metadata is bounded by its timestamp's expiry too).
const MaxFreshness = 24 * time.Hour

// MaxRetryAfter bounds the Retry-After a FetchError reports: the longest
// a server that answers 429 or 503 can keep rvm from asking again. In
// that time rvm goes on as when the server cannot be reached (the last
// good copy, or a check that fails closed), so a server cannot freeze a
// client on stale data for longer.
const MaxRetryAfter = 10 * time.Minute

// maxAge reads Cache-Control max-age (RFC 9111 section 5.2.2.1) from the
// header values: 0 where it is absent, malformed, given twice, or where
// no-cache or no-store asks that no copy be used unchecked; at most
// MaxFreshness.
func maxAge(values []string) time.Duration {
	var age time.Duration
	seen := false
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-cache", "no-store":
				return 0
			case "max-age":
				if seen {
					return 0 // conflicting directives: trust neither (RFC 9111 section 4.2.1)
				}
				seen = true
				age = seconds(strings.Trim(strings.TrimSpace(arg), `"`), MaxFreshness)
			}
		}
	}
	return age
}

// retryAfter reads Retry-After (RFC 9110 section 10.2.3) from a 429 or
// 503 answer: delay-seconds, or an HTTP date counted from the answer's own
// Date (a date without one is not read, since the two clocks may differ);
// 0 for any other status or a value that does not parse; at most
// MaxRetryAfter.
func retryAfter(resp *http.Response) time.Duration {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if v[0] >= '0' && v[0] <= '9' {
		return seconds(v, MaxRetryAfter)
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil || !at.After(date) {
		return 0
	}
	return min(at.Sub(date), MaxRetryAfter)
}

// seconds reads a non-negative decimal number of seconds, at most max
// (a larger or overflowing number is max); 0 where s is not one.
func seconds(s string, max time.Duration) time.Duration {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > int64(max/time.Second) {
		return max // all digits: only too large to hold
	}
	return time.Duration(n) * time.Second
}
