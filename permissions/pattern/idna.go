package pattern

import (
	"fmt"

	"golang.org/x/net/idna"
)

// idnaToASCII converts an internationalized host name to lowercase ASCII
// with the IDNA lookup profile (UTS #46 nontransitional mapping, STD3
// rules, hyphen, joiner and bidi checks), as browsers do: BÜCHER.de
// becomes xn--bcher-kva.de. It refuses a name that does not convert, a
// malformed punycode label among them.
func idnaToASCII(name string) (string, error) {
	ascii, err := idna.Lookup.ToASCII(name)
	if err != nil {
		return "", fmt.Errorf("invalid internationalized name: %w", err)
	}
	return ascii, nil
}
