package manifest

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// Request is a parsed launch request: the URL a user or a link asked for,
// the URL to fetch and the arguments a fins:// link hands to the app.
type Request struct {
	// Requested is the URL as it was given.
	Requested string
	// URL is the manifest URL to fetch, normalized as SPEC 2 says
	// (pattern.NormalizeURL): https:// or, for fin://, http://, without
	// the $$ parameters of a fins:// link or a fragment.
	URL string
	// UserAppConfigArgs are the $$ query parameters of a fins:// link, with
	// the $$ taken off their names; nil when there are none.
	UserAppConfigArgs map[string]string
	// Link reports a fins:// or fin:// URL: every launch of one counts as
	// a link launch, which the owner may refuse (SPEC 7).
	Link bool
}

// ParseRequest parses a launch request URL (SPEC 2): https:// is fetched as
// is; fins:// means https:// with its $$ parameters taken out into
// UserAppConfigArgs; fin:// means http://, which only a relaxed fetch can
// reach. The URL to fetch is normalized, once, as every URL rvm fetches or
// matches is (pattern.NormalizeURL): its host in ASCII and lower case, its
// path without dot segments; the $$ parameters come out of its query, which
// is otherwise kept as given. Any other scheme, user info, a missing host,
// a URL longer than pattern.MaxURLLen, and a URL that cannot be normalized
// (a control or bidirectional formatting character anywhere, a path
// holding \, %2E, %2F, %5C or a dot segment with parameters, a host that
// does not convert to ASCII) are refused with an error that names the URL
// as given.
func ParseRequest(raw string) (*Request, error) {
	if len(raw) > pattern.MaxURLLen {
		return nil, fmt.Errorf("manifest: URL is longer than %d bytes", pattern.MaxURLLen)
	}
	if raw == "" {
		return nil, fmt.Errorf("manifest: empty URL")
	}
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok || !isScheme(scheme) {
		return nil, fmt.Errorf("manifest: URL %q has no scheme: want https://, fins:// or fin://", raw)
	}
	fins, link := false, true
	switch strings.ToLower(scheme) {
	case "https":
		scheme, link = "https", false
	case "fins":
		scheme, fins = "https", true
	case "fin":
		scheme = "http"
	default:
		return nil, fmt.Errorf("manifest: URL %q: scheme %q is not supported: want https://, fins:// or fin://", raw, scheme)
	}
	if !strings.HasPrefix(rest, "//") {
		return nil, fmt.Errorf("manifest: URL %q has no host", raw)
	}
	u, err := pattern.ParseURL(scheme+":"+rest, pattern.Owner)
	if err != nil {
		var ue *pattern.URLError
		if errors.As(err, &ue) {
			err = ue.Err // the URL it names is ours, not the one given
		}
		return nil, fmt.Errorf("manifest: URL %q: %w", raw, err)
	}
	req := &Request{Requested: raw, Link: link}
	if fins {
		// The query is kept as given, so the $$ parameters come out of it
		// as they were written.
		req.UserAppConfigArgs, u.Query = splitAppArgs(u.Query)
	}
	req.URL = u.String()
	return req, nil
}

// isScheme reports whether s is a URL scheme as RFC 3986 writes one: a
// letter, then letters, digits, "+", "-" and ".".
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// splitAppArgs takes the parameters whose names begin with $$ out of a raw
// query. It returns them decoded, without the $$, and the rest of the query
// as it was written. Where a name repeats, the first value wins.
func splitAppArgs(rawQuery string) (args map[string]string, rest string) {
	if rawQuery == "" {
		return nil, ""
	}
	var kept []string
	for _, part := range strings.Split(rawQuery, "&") {
		name, value, _ := strings.Cut(part, "=")
		dn, err := url.QueryUnescape(name)
		if err != nil || !strings.HasPrefix(dn, "$$") {
			kept = append(kept, part)
			continue
		}
		dv, err := url.QueryUnescape(value)
		if err != nil {
			dv = value
		}
		if args == nil {
			args = map[string]string{}
		}
		key := strings.TrimPrefix(dn, "$$")
		if key == "" {
			continue
		}
		if _, dup := args[key]; !dup {
			args[key] = dv
		}
	}
	return args, strings.Join(kept, "&")
}
