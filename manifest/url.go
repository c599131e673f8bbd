package manifest

import (
	"fmt"
	"net/url"
	"strings"
)

// Request is a parsed launch request: the URL a user or a link asked for,
// the URL to fetch and the arguments a fins:// link hands to the app.
type Request struct {
	// Requested is the URL as it was given.
	Requested string
	// URL is the manifest URL to fetch: https:// or, for fin://, http://.
	URL string
	// UserAppConfigArgs are the $$ query parameters of a fins:// link, with
	// the $$ taken off their names; nil when there are none.
	UserAppConfigArgs map[string]string
}

// maxURLLength bounds a requested URL; browsers stop well before this.
const maxURLLength = 8 << 10

// ParseRequest parses a launch request URL (SPEC 2): https:// is fetched as
// is; fins:// means https:// with its $$ parameters taken out into
// UserAppConfigArgs; fin:// means http://, which only a relaxed fetch can
// reach. Anything else, user info, a missing host or a URL longer than 8 KiB
// is refused with an error that names the URL.
func ParseRequest(raw string) (*Request, error) {
	if len(raw) > maxURLLength {
		return nil, fmt.Errorf("manifest: URL is longer than %d bytes", maxURLLength)
	}
	if raw == "" {
		return nil, fmt.Errorf("manifest: empty URL")
	}
	for _, r := range raw {
		if r < 0x21 || r == 0x7f {
			return nil, fmt.Errorf("manifest: URL %q holds a space or control character", raw)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err // url.Error repeats the URL, which this error names
		}
		return nil, fmt.Errorf("manifest: URL %q: %w", raw, err)
	}
	req := &Request{Requested: raw}
	switch strings.ToLower(u.Scheme) {
	case "https":
		u.Scheme = "https"
	case "fins":
		u.Scheme = "https"
		args, rest := splitAppArgs(u.RawQuery)
		u.RawQuery = rest
		req.UserAppConfigArgs = args
	case "fin":
		u.Scheme = "http"
	case "":
		return nil, fmt.Errorf("manifest: URL %q has no scheme: want https://, fins:// or fin://", raw)
	default:
		return nil, fmt.Errorf("manifest: URL %q: scheme %q is not supported: want https://, fins:// or fin://", raw, u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("manifest: URL %q has no host", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("manifest: URL %q holds user info", raw)
	}
	u.Fragment, u.RawFragment = "", ""
	u.ForceQuery = false
	req.URL = u.String()
	return req, nil
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
