package platform

import (
	"strings"
)

// fileURLPath is the path of a file URL's host and path: /C:/x is C:/x; a
// host other than localhost names the UNC path //host/share/x. A port
// has no place in either.
func fileURLPath(host, port, p string) (string, bool) {
	switch {
	case port != "":
		return "", false
	case host != "" && !strings.EqualFold(host, "localhost"):
		return "//" + host + p, true
	case len(p) >= 3 && p[0] == '/' && p[2] == ':':
		return p[1:], true
	}
	return p, true
}

// backslashFileURL is the file URL that rest, what follows "file:" and
// starts with a backslash, stands for: Windows writes file:\\\C:\x for
// file:///C:/x and file:\\server\share\x for file://server/share/x.
func backslashFileURL(rest string) (string, bool) {
	return strings.ReplaceAll(rest, `\`, "/"), true
}
