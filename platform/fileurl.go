package platform

import (
	"fmt"
	"net/url"
	"path/filepath"
)

// FileURLPath reports the local path of a file:// URL: file:///etc/rvm/x
// on Unix, file:///C:/ProgramData/RVM/x on Windows. A URL with a host
// other than localhost names a file on another machine, and is refused.
func FileURLPath(u *url.URL) (string, error) {
	if u.Scheme != "file" || (u.Host != "" && u.Host != "localhost") {
		return "", fmt.Errorf("platform: %q is not a file:///path URL of this machine", u.String())
	}
	if u.Path == "" {
		return "", fmt.Errorf("platform: %q has no path", u.String())
	}
	return filepath.FromSlash(fileURLPath(u.Path)), nil
}
