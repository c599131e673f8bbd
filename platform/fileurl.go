package platform

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// FileURLPath reports the path of the file that the file URL s names, in
// every form desktop owners write one (SPEC 4): file:///etc/rvm/x (and
// file://localhost/etc/rvm/x) everywhere; on Windows also
// file:///C:/ProgramData/RVM/x, its backslash form file:\\\C:\ProgramData\RVM\x,
// and file://server/share/x (or file:\\server\share\x), the UNC path
// \\server\share\x. Percent-escapes in the path are decoded. Elsewhere a
// URL with a host other than localhost names a file on another machine,
// and a backslash form is a Windows one: both are refused, and so are a
// user, a query and a fragment everywhere.
func FileURLPath(s string) (string, error) {
	if len(s) < len("file:") || !strings.EqualFold(s[:len("file:")], "file:") {
		return "", fmt.Errorf("platform: %q is not a file: URL", s)
	}
	rest := s[len("file:"):]
	if strings.HasPrefix(rest, `\`) {
		var ok bool
		if rest, ok = backslashFileURL(rest); !ok {
			return "", fmt.Errorf(`platform: %q: a file:\\ URL is a Windows form, want file:///path`, s)
		}
	}
	u, err := url.Parse("file:" + rest)
	switch {
	case err != nil:
		return "", fmt.Errorf("platform: %q: %w", s, err)
	case u.Opaque != "":
		return "", fmt.Errorf("platform: %q: want file:///path", s)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("platform: %q: a file URL has no user, query or fragment", s)
	case u.Path == "" || u.Path == "/":
		return "", fmt.Errorf("platform: %q has no path", s)
	}
	path, ok := fileURLPath(u.Hostname(), u.Port(), u.Path)
	if !ok {
		return "", fmt.Errorf("platform: %q names a file on %q, another machine: want file:///path", s, u.Host)
	}
	return filepath.FromSlash(path), nil
}
