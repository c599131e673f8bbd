//go:build !windows

package platform

// fileURLPath is the path of a file URL's host and path: a file of this
// machine only (no host, or localhost).
func fileURLPath(host, port, p string) (string, bool) {
	if port != "" || (host != "" && host != "localhost") {
		return "", false
	}
	return p, true
}

// backslashFileURL is the file URL that rest, what follows "file:" and
// starts with a backslash, stands for: none outside Windows.
func backslashFileURL(string) (string, bool) { return "", false }
