package launcher

import (
	"slices"
	"strings"

	"github.com/rvm-launcher/rvm/platform/prompt"
)

// packagePrefixes are the names that error messages begin with (STYLE:
// each of rvm's packages begins its messages with its name; Go's tls and
// x509 and the JSON packages do the same), which Message leaves out: a
// chain of them says where in the code an error arose, which a user has
// no use for. A test checks that every package of the module is here.
var packagePrefixes = []string{
	"api", "authority", "deploy", "doctor", "fetch", "install", "launcher", "manifest", "owner",
	"pattern", "permissions", "platform", "privfile", "progress", "prompt", "publisher",
	"repo", "runtime", "service", "settings", "strictjson", "syslog", "trust",
	"tls", "x509", "json", "jsontext",
}

// Message is err as a person reads it, for one line on a terminal after
// "rvm: ": the chain's package prefixes left out (see Words), every
// character a terminal would not show as itself escaped (prompt.Printable).
// What remains is the sentences that name the input at fault: the URL,
// the file, the setting and its source, the key.
func Message(err error) string { return prompt.Printable(Words(err.Error())) }

// Words is the text s of messages with each package prefix ("launcher: ",
// "fetch: ", "x509: ") left out where it begins s, or follows ": ", "; "
// or "(". Text in double quotes (as %q writes text from outside) is kept
// as it stands.
func Words(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '"' {
			j := quotedEnd(s, i)
			b.WriteString(s[i:j])
			i = j
			continue
		}
		if i == 0 || strings.HasSuffix(s[:i], ": ") || strings.HasSuffix(s[:i], "; ") || s[i-1] == '(' {
			if n := prefixAt(s[i:]); n > 0 {
				i += n
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// quotedEnd is the index just past the double-quoted string that starts
// at s[i], backslash escapes included; len(s) where it does not end.
func quotedEnd(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(s)
}

// prefixAt is the length of the package prefix ("name: ") that s begins
// with, 0 where it begins with none.
func prefixAt(s string) int {
	name, _, ok := strings.Cut(s, ": ")
	if !ok || !slices.Contains(packagePrefixes, name) {
		return 0
	}
	return len(name) + len(": ")
}
