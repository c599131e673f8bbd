package pattern

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// toASCII converts a host name to lowercase ASCII.
func toASCII(name string) (string, error) {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return "", errors.New("internationalized name: write it in its ASCII (xn--) form")
		}
	}
	return strings.ToLower(name), nil
}
