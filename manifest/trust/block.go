package trust

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// MaxBlockSize bounds the trustedAppConfigs object as it stands in the
// manifest: room for a value of MaxConfigSize and three signatures.
const MaxBlockSize = 128 << 10

// strictBase64 is standard base64 with padding and zero trailing bits.
var strictBase64 = base64.StdEncoding.Strict()

// Block is a trustedAppConfigs object as it stands in the manifest.
type Block struct {
	// Value is the base64 text of the config JSON, exactly as in the
	// manifest; signatures are made over it.
	Value string
	// Signature maps a platform ("win", "mac", "linux") to the base64
	// signature for it.
	Signature map[string]string
}

// ParseBlock parses a trustedAppConfigs object strictly: a JSON object with
// exactly the keys "value" (a string of standard base64) and "signature"
// (an object whose keys are platforms and whose values are strings of
// standard base64), no duplicate key, at most MaxBlockSize bytes. It does
// not decode the config; see ParseConfig. The error is an *Error with code
// Malformed.
func ParseBlock(raw json.RawMessage) (*Block, error) {
	b, err := scanBlock(raw)
	if err != nil {
		return nil, err
	}
	if _, err := decodeBase64(b.Value, "trustedAppConfigs.value"); err != nil {
		return nil, err
	}
	return b, nil
}

// scanBlock is ParseBlock but for the value's base64, which Verify decodes
// only when its cache does not already know the value.
func scanBlock(raw json.RawMessage) (*Block, *Error) {
	if len(raw) > MaxBlockSize {
		return nil, fail(Malformed, nil, "trustedAppConfigs is larger than %d KiB", MaxBlockSize>>10)
	}
	n, err := parseJSON(raw)
	if err != nil {
		return nil, fail(Malformed, err, "trustedAppConfigs is not valid JSON: %v", err)
	}
	if n.kind != '{' {
		return nil, fail(Malformed, nil, "trustedAppConfigs is %s, want an object", n.kindName())
	}
	b := &Block{}
	var haveValue, haveSignature bool
	for i, key := range n.keys {
		v := n.elems[i]
		switch key {
		case "value":
			if v.kind != '"' {
				return nil, fail(Malformed, nil, "trustedAppConfigs.value is %s, want a string", v.kindName())
			}
			b.Value, haveValue = v.str, true
		case "signature":
			if v.kind != '{' {
				return nil, fail(Malformed, nil, "trustedAppConfigs.signature is %s, want an object", v.kindName())
			}
			b.Signature = make(map[string]string, len(v.keys))
			for j, p := range v.keys {
				if !KnownPlatform(p) {
					return nil, fail(Malformed, nil, "trustedAppConfigs.signature has an unknown platform %q; want win, mac or linux", p)
				}
				s := v.elems[j]
				if s.kind != '"' {
					return nil, fail(Malformed, nil, "trustedAppConfigs.signature.%s is %s, want a string", p, s.kindName())
				}
				if _, err := decodeBase64(s.str, "trustedAppConfigs.signature.", p); err != nil {
					return nil, err
				}
				b.Signature[p] = s.str
			}
			haveSignature = true
		default:
			return nil, fail(Malformed, nil, "trustedAppConfigs has an unknown key %q", key)
		}
	}
	if !haveValue {
		return nil, fail(Malformed, nil, "trustedAppConfigs has no value")
	}
	if !haveSignature {
		return nil, fail(Malformed, nil, "trustedAppConfigs has no signature")
	}
	return b, nil
}

// decodeBase64 decodes standard base64 with padding and nothing else,
// where... names s in the error (joined, so that the name is built only on
// failure).
func decodeBase64(s string, where ...string) ([]byte, *Error) {
	b, err := strictBase64.DecodeString(s)
	// Go's decoder skips line breaks: a padded encoding has exactly one
	// length for what it decodes to, and a line break makes s longer.
	if err == nil && strictBase64.EncodedLen(len(b)) == len(s) {
		return b, nil
	}
	name := strings.Join(where, "")
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return nil, fail(Malformed, nil, "%s is not standard base64: it holds a line break at offset %d", name, i)
	}
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		return nil, fail(Malformed, nil, "%s is not standard base64: it uses the URL-safe alphabet (%q at offset %d)", name, s[i], i)
	}
	return nil, fail(Malformed, err, "%s is not standard base64 with padding: %v", name, err)
}
