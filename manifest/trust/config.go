package trust

import (
	"crypto/x509"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/pattern"
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

// ParseConfig decodes a block's value: standard base64 of a JSON object of
// at most MaxConfigSize bytes, without duplicate keys at any depth, with
// exactly the keys of SPEC 5.1 and within the bounds above. Patterns are
// parsed in pattern.Strict mode and permissions objects by
// permissions.Parse; permission names that rvm does not know are kept (they
// are never granted, since no manifest can request them successfully). The
// error is an *Error with code Malformed, or UnsupportedVersion for a
// version other than 1.
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
	data, ferr := decodeBase64(value, "trustedAppConfigs.value")
	if ferr != nil {
		return nil, ferr
	}
	if len(data) > MaxConfigSize {
		return nil, fail(Malformed, nil, "the config is larger than %d KiB", MaxConfigSize>>10)
	}
	root, err := parseJSON(data)
	if err != nil {
		return nil, fail(Malformed, err, "the config is not valid JSON: %v", err)
	}
	if root.kind != '{' {
		return nil, fail(Malformed, nil, "the config is %s, want an object", root.kindName())
	}
	// The version decides how to read the rest, so it comes first: a later
	// version may well have keys that this one does not know.
	ver := root.member("version")
	if ver == nil {
		return nil, fail(Malformed, nil, "the config has no version")
	}
	if ver.kind != '0' {
		return nil, fail(Malformed, nil, "the config's version is %s, want the number 1", ver.kindName())
	}
	if v, err := strconv.Atoi(string(ver.raw)); err != nil || v != 1 {
		return nil, fail(UnsupportedVersion, nil, "the config's version is %s; this rvm reads version 1 only", ver.raw)
	}
	c := &Config{Version: 1}
	var haveCert, haveApps bool
	for i, key := range root.keys {
		v := root.elems[i]
		switch key {
		case "version":
		case "certificate":
			if v.kind != '"' {
				return nil, fail(Malformed, nil, "the config's certificate is %s, want a string", v.kindName())
			}
			cert, err := parseCert(v.str, "certificate")
			if err != nil {
				return nil, err
			}
			c.Certificate, haveCert = cert, true
		case "intermediates":
			if v.kind != '[' {
				return nil, fail(Malformed, nil, "the config's intermediates are %s, want an array", v.kindName())
			}
			if len(v.elems) > MaxIntermediates {
				return nil, fail(Malformed, nil, "the config lists %d intermediates, more than %d", len(v.elems), MaxIntermediates)
			}
			for j, e := range v.elems {
				if e.kind != '"' {
					return nil, fail(Malformed, nil, "the config's intermediates[%d] is %s, want a string", j, e.kindName())
				}
				cert, err := parseCert(e.str, "intermediates[", strconv.Itoa(j), "]")
				if err != nil {
					return nil, err
				}
				c.Intermediates = append(c.Intermediates, cert)
			}
		case "apps":
			apps, err := parseApps(v)
			if err != nil {
				return nil, err
			}
			c.Apps, haveApps = apps, true
		default:
			return nil, fail(Malformed, nil, "the config has an unknown key %q", key)
		}
	}
	if !haveCert {
		return nil, fail(Malformed, nil, "the config has no certificate")
	}
	if !haveApps {
		return nil, fail(Malformed, nil, "the config has no apps")
	}
	return c, nil
}

// parseCert parses a certificate in base64 DER; where... names it.
func parseCert(b64 string, where ...string) (*x509.Certificate, *Error) {
	der, err := decodeBase64(b64, append([]string{"the config's "}, where...)...)
	if err != nil {
		return nil, err
	}
	cert, xerr := x509.ParseCertificate(der)
	if xerr != nil {
		return nil, fail(Malformed, xerr, "the config's %s is not a certificate: %v", strings.Join(where, ""), xerr)
	}
	return cert, nil
}

func parseApps(v *node) ([]App, *Error) {
	if v.kind != '[' {
		return nil, fail(Malformed, nil, "the config's apps are %s, want an array", v.kindName())
	}
	if len(v.elems) == 0 {
		return nil, fail(Malformed, nil, "the config's apps are empty")
	}
	if len(v.elems) > MaxApps {
		return nil, fail(Malformed, nil, "the config lists %d apps, more than %d", len(v.elems), MaxApps)
	}
	apps := make([]App, 0, len(v.elems))
	names := make(map[string]bool, len(v.elems))
	for i, e := range v.elems {
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

func parseApp(v *node, index int) (App, *Error) {
	var app App
	where := fmt.Sprintf("apps[%d]", index)
	if v.kind != '{' {
		return app, fail(Malformed, nil, "the config's %s is %s, want an object", where, v.kindName())
	}
	var haveName, haveMatch bool
	for i, key := range v.keys {
		e := v.elems[i]
		switch key {
		case "name":
			if e.kind != '"' {
				return app, fail(Malformed, nil, "the config's %s.name is %s, want a string", where, e.kindName())
			}
			if err := checkName(e.str); err != nil {
				return app, fail(Malformed, nil, "the config's %s.name %v", where, err)
			}
			app.Name, haveName = e.str, true
		case "match":
			if e.kind != '[' {
				return app, fail(Malformed, nil, "the config's %s.match is %s, want an array", where, e.kindName())
			}
			if len(e.elems) == 0 {
				return app, fail(Malformed, nil, "the config's %s.match is empty", where)
			}
			if len(e.elems) > MaxPatterns {
				return app, fail(Malformed, nil, "the config's %s.match lists %d patterns, more than %d", where, len(e.elems), MaxPatterns)
			}
			app.Match = make([]pattern.Pattern, 0, len(e.elems))
			for j, s := range e.elems {
				if s.kind != '"' {
					return app, fail(Malformed, nil, "the config's %s.match[%d] is %s, want a string", where, j, s.kindName())
				}
				p, err := pattern.Parse(s.str, pattern.Strict)
				if err != nil {
					return app, fail(Malformed, err, "the config's %s.match[%d] is not a valid pattern: %v", where, j, err)
				}
				app.Match = append(app.Match, p)
			}
			haveMatch = true
		case "permissions":
			if e.kind != '{' {
				return app, fail(Malformed, nil, "the config's %s.permissions is %s, want an object", where, e.kindName())
			}
			perms, err := permissions.Parse(e.raw, where+".permissions")
			if err != nil {
				return app, fail(Malformed, err, "the config's %s.permissions are invalid: %v", where, err)
			}
			app.Permissions = perms
		default:
			return app, fail(Malformed, nil, "the config's %s has an unknown key %q", where, key)
		}
	}
	if !haveName {
		return app, fail(Malformed, nil, "the config's %s has no name", where)
	}
	if !haveMatch {
		return app, fail(Malformed, nil, "the config's %s (%q) has no match", where, app.Name)
	}
	return app, nil
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
