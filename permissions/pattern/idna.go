package pattern

import "errors"

// idnaToASCII would convert an internationalized host name to ASCII. Until
// the module requires golang.org/x/text (which golang.org/x/net/idna
// needs), it refuses every such name: secure, but IDN hosts cannot be
// matched yet.
func idnaToASCII(string) (string, error) {
	return "", errors.New("internationalized names are not supported yet")
}
