package trust

import (
	"encoding/base64"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
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

// ParseBlock parses a trustedAppConfigs object strictly: one strict JSON
// value (see package strictjson) of at most MaxBlockSize bytes, an object
// with exactly the keys "value" (a string of standard base64) and
// "signature" (an object whose keys are platforms and whose values are
// strings of standard base64). It does not decode the config; see
// ParseConfig. The error is an *Error with code Malformed.
func ParseBlock(raw jsontext.Value) (*Block, error) {
	b, err := scanBlock(raw)
	if err != nil {
		return nil, err
	}
	if _, err := decodeBase64(b.Value, "trustedAppConfigs.value"); err != nil {
		return nil, err
	}
	return b, nil
}

// blockMembers are the members of a block, as document reads them.
type blockMembers struct {
	Value     jsontext.Value            `json:"value"`
	Signature jsontext.Value            `json:"signature"`
	Other     map[string]jsontext.Value `json:",embed"`
}

// signatureMembers are the members of a block's signature object, as part
// reads them.
type signatureMembers struct {
	Win   jsontext.Value            `json:"win"`
	Mac   jsontext.Value            `json:"mac"`
	Linux jsontext.Value            `json:"linux"`
	Other map[string]jsontext.Value `json:",embed"`
}

// scanBlock is ParseBlock but for the value's base64, which Verify decodes
// only when its cache does not already know the value.
func scanBlock(raw jsontext.Value) (*Block, *Error) {
	if len(raw) > MaxBlockSize {
		return nil, fail(Malformed, nil, "trustedAppConfigs is larger than %d KiB", MaxBlockSize>>10)
	}
	var doc blockMembers
	if err := document(raw, "trustedAppConfigs", &doc); err != nil {
		return nil, err
	}
	if k := unknownKey(doc.Other); k != "" {
		return nil, fail(Malformed, nil, "trustedAppConfigs has an unknown key %q", k)
	}
	if doc.Value == nil {
		return nil, fail(Malformed, nil, "trustedAppConfigs has no value")
	}
	if doc.Signature == nil {
		return nil, fail(Malformed, nil, "trustedAppConfigs has no signature")
	}
	value, err := stringOf(doc.Value, "trustedAppConfigs.value")
	if err != nil {
		return nil, err
	}
	var sigs signatureMembers
	if err := part(doc.Signature, &sigs, "trustedAppConfigs.signature"); err != nil {
		return nil, err
	}
	if k := unknownKey(sigs.Other); k != "" {
		return nil, fail(Malformed, nil, "trustedAppConfigs.signature has an unknown platform %q; want win, mac or linux", k)
	}
	b := &Block{Value: value, Signature: make(map[string]string, len(platforms))}
	for _, s := range [...]struct {
		platform string
		value    jsontext.Value
	}{{"win", sigs.Win}, {"mac", sigs.Mac}, {"linux", sigs.Linux}} {
		if s.value == nil {
			continue
		}
		sig, err := stringOf(s.value, "trustedAppConfigs.signature.", s.platform)
		if err != nil {
			return nil, err
		}
		if _, err := decodeBase64(sig, "trustedAppConfigs.signature.", s.platform); err != nil {
			return nil, err
		}
		b.Signature[s.platform] = sig
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
