package trust

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/pattern"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// Bounds on a config, so that a hostile block costs little.
const (
	// MaxConfigSize is the largest config JSON, in bytes after base64
	// decoding.
	MaxConfigSize = 64 << 10
	// MaxIntermediates is the most intermediate certificates a config holds.
	MaxIntermediates = 4
	// MaxApps is the most app entries a config holds.
	MaxApps = 256
	// MaxPatterns is the most match patterns an app entry holds.
	MaxPatterns = 64
	// MaxNameLen is the longest app name, in bytes.
	MaxNameLen = 256
	// MaxConfigDepth is the deepest nesting of objects and arrays in a
	// config: the apps array, an app, and a permissions object with its
	// own bound and its constraints fit well inside it.
	MaxConfigDepth = 32
)

// Config is the decoded value of a block.
type Config struct {
	// Version is 1.
	Version int
	// Certificate is the signing certificate.
	Certificate *x509.Certificate
	// Intermediates are the certificates that chain Certificate to a trust
	// root, as the config lists them.
	Intermediates []*x509.Certificate
	// Apps are the app entries, in order.
	Apps []App
}

// App is one app entry of a config.
type App struct {
	// Name is the app's name, unique within the config.
	Name string
	// Match are the patterns (pattern.Strict) of the manifest URLs that the
	// entry covers.
	Match []pattern.Pattern
	// Permissions are the leaves of the entry's permissions object, sorted
	// by name; nil when it has none.
	Permissions []permissions.Entry
}

// ParseConfig decodes a block's value: standard base64 of a strict JSON
// object (see package strictjson) of at most MaxConfigSize bytes, nested
// at most MaxConfigDepth levels, with exactly the keys of SPEC 5.1 and
// within the bounds above. Patterns are parsed in pattern.Strict mode and
// permissions objects by permissions.Parse; permission names that rvm does
// not know are kept (they are never granted, since no manifest can request
// them successfully). The error is an *Error with code Malformed, or
// UnsupportedVersion for a version other than 1.
func ParseConfig(value string) (*Config, error) {
	c, err := parseConfig(value)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func parseConfig(value string) (*Config, *Error) {
	if len(value) > strictBase64.EncodedLen(MaxConfigSize) {
		return nil, fail(Malformed, nil, "the config is larger than %d KiB", MaxConfigSize>>10)
	}
	data, err := decodeBase64(value, "trustedAppConfigs.value")
	if err != nil {
		return nil, err
	}
	if len(data) > MaxConfigSize {
		return nil, fail(Malformed, nil, "the config is larger than %d KiB", MaxConfigSize>>10)
	}
	if nestedDeeper(data, MaxConfigDepth) {
		return nil, fail(Malformed, nil, "the config is nested deeper than %d levels", MaxConfigDepth)
	}
	var doc configMembers
	if err := document(data, "the config", &doc); err != nil {
		return nil, err
	}
	// The version decides how to read the rest, so it comes first: a later
	// version may well have keys that this one does not know.
	switch ver := doc.Version; {
	case ver == nil:
		return nil, fail(Malformed, nil, "the config has no version")
	case ver.Kind() != '0':
		return nil, fail(Malformed, nil, "the config's version is %s, want the number 1", strictjson.Kind(ver))
	case string(ver) != "1":
		// Only the canonical 1: not 1.0, 1e0 or 10e-1.
		return nil, fail(UnsupportedVersion, nil, "the config's version is %s; this rvm reads version 1 only", ver)
	}
	if k := unknownKey(doc.Other); k != "" {
		return nil, fail(Malformed, nil, "the config has an unknown key %q", k)
	}
	if doc.Certificate == nil {
		return nil, fail(Malformed, nil, "the config has no certificate")
	}
	if doc.Apps == nil {
		return nil, fail(Malformed, nil, "the config has no apps")
	}
	c := &Config{Version: 1}
	if c.Certificate, err = parseCert(doc.Certificate, "certificate"); err != nil {
		return nil, err
	}
	if doc.Intermediates != nil {
		elems, ok := elements(doc.Intermediates)
		if !ok {
			return nil, fail(Malformed, nil, "the config's intermediates are %s, want an array", strictjson.Kind(doc.Intermediates))
		}
		if len(elems) > MaxIntermediates {
			return nil, fail(Malformed, nil, "the config lists %d intermediates, more than %d", len(elems), MaxIntermediates)
		}
		for j, e := range elems {
			cert, err := parseCert(e, "intermediates[", strconv.Itoa(j), "]")
			if err != nil {
				return nil, err
			}
			c.Intermediates = append(c.Intermediates, cert)
		}
	}
	if c.Apps, err = parseApps(doc.Apps); err != nil {
		return nil, err
	}
	return c, nil
}

// configMembers are the members of a config, as document reads them.
type configMembers struct {
	Version       jsontext.Value            `json:"version"`
	Certificate   jsontext.Value            `json:"certificate"`
	Intermediates jsontext.Value            `json:"intermediates"`
	Apps          jsontext.Value            `json:"apps"`
	Other         map[string]jsontext.Value `json:",embed"`
}

// appMembers are the members of an app entry, as part reads them.
type appMembers struct {
	Name        jsontext.Value            `json:"name"`
	Match       jsontext.Value            `json:"match"`
	Permissions jsontext.Value            `json:"permissions"`
	Other       map[string]jsontext.Value `json:",embed"`
}

// nestedDeeper reports whether the JSON text data nests objects and arrays
// more than limit levels deep. It reads any input within its bounds, valid
// JSON or not, so that it runs before the library, whose own bound (10,000
// levels) is far higher: a config past MaxConfigDepth is refused for that.
func nestedDeeper(data []byte, limit int) bool {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			// Skip the string: to the first quote after i not escaped by
			// an odd run of backslashes.
			for {
				j := bytes.IndexByte(data[i+1:], '"')
				if j < 0 {
					return false
				}
				i += 1 + j
				k := i
				for data[k-1] == '\\' {
					k--
				}
				if (i-k)%2 == 0 {
					break
				}
			}
		case '{', '[':
			if depth++; depth > limit {
				return true
			}
		case '}', ']':
			depth--
		}
	}
	return false
}

// parseCert parses a certificate in base64 DER, a JSON string; where...
// names it.
func parseCert(v jsontext.Value, where ...string) (*x509.Certificate, *Error) {
	name := append([]string{"the config's "}, where...)
	b64, err := stringOf(v, name...)
	if err != nil {
		return nil, err
	}
	der, err := decodeBase64(b64, name...)
	if err != nil {
		return nil, err
	}
	cert, xerr := x509.ParseCertificate(der)
	if xerr != nil {
		return nil, fail(Malformed, xerr, "the config's %s is not a certificate: %v", strings.Join(where, ""), xerr)
	}
	return cert, nil
}

func parseApps(v jsontext.Value) ([]App, *Error) {
	elems, ok := elements(v)
	if !ok {
		return nil, fail(Malformed, nil, "the config's apps are %s, want an array", strictjson.Kind(v))
	}
	if len(elems) == 0 {
		return nil, fail(Malformed, nil, "the config's apps are empty")
	}
	if len(elems) > MaxApps {
		return nil, fail(Malformed, nil, "the config lists %d apps, more than %d", len(elems), MaxApps)
	}
	apps := make([]App, 0, len(elems))
	names := make(map[string]bool, len(elems))
	for i, e := range elems {
		app, err := parseApp(e, i)
		if err != nil {
			return nil, err
		}
		if names[app.Name] {
			return nil, fail(Malformed, nil, "the config has two apps named %q", app.Name)
		}
		names[app.Name] = true
		apps = append(apps, app)
	}
	return apps, nil
}

func parseApp(v jsontext.Value, index int) (App, *Error) {
	var app App
	where := fmt.Sprintf("apps[%d]", index)
	var doc appMembers
	if err := part(v, &doc, "the config's ", where); err != nil {
		return app, err
	}
	if k := unknownKey(doc.Other); k != "" {
		return app, fail(Malformed, nil, "the config's %s has an unknown key %q", where, k)
	}
	if doc.Name == nil {
		return app, fail(Malformed, nil, "the config's %s has no name", where)
	}
	var err *Error
	if app.Name, err = stringOf(doc.Name, "the config's ", where, ".name"); err != nil {
		return app, err
	}
	if err := checkName(app.Name); err != nil {
		return app, fail(Malformed, nil, "the config's %s.name %v", where, err)
	}
	if doc.Match == nil {
		return app, fail(Malformed, nil, "the config's %s (%q) has no match", where, app.Name)
	}
	if app.Match, err = parseMatch(doc.Match, where); err != nil {
		return app, err
	}
	if doc.Permissions != nil {
		if doc.Permissions.Kind() != '{' {
			return app, fail(Malformed, nil, "the config's %s.permissions is %s, want an object", where, strictjson.Kind(doc.Permissions))
		}
		perms, perr := permissions.Parse(doc.Permissions, where+".permissions")
		if perr != nil {
			return app, fail(Malformed, perr, "the config's %s.permissions are invalid: %v", where, perr)
		}
		app.Permissions = perms
	}
	return app, nil
}

// parseMatch parses the match patterns of the app entry at where.
func parseMatch(v jsontext.Value, where string) ([]pattern.Pattern, *Error) {
	elems, ok := elements(v)
	if !ok {
		return nil, fail(Malformed, nil, "the config's %s.match is %s, want an array", where, strictjson.Kind(v))
	}
	if len(elems) == 0 {
		return nil, fail(Malformed, nil, "the config's %s.match is empty", where)
	}
	if len(elems) > MaxPatterns {
		return nil, fail(Malformed, nil, "the config's %s.match lists %d patterns, more than %d", where, len(elems), MaxPatterns)
	}
	out := make([]pattern.Pattern, 0, len(elems))
	for j, e := range elems {
		s, err := stringOf(e, "the config's ", where, ".match[", strconv.Itoa(j), "]")
		if err != nil {
			return nil, err
		}
		p, perr := pattern.Parse(s, pattern.Strict)
		if perr != nil {
			return nil, fail(Malformed, perr, "the config's %s.match[%d] is not a valid pattern: %v", where, j, perr)
		}
		out = append(out, p)
	}
	return out, nil
}

// checkName refuses an app name that is empty, too long or holds a control
// character.
func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("is empty")
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("is longer than %d bytes", MaxNameLen)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%q holds a control character", name)
		}
	}
	return nil
}
