package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rvm-launcher/rvm/manifest/jsonscan"
	"github.com/rvm-launcher/rvm/permissions"
)

// MaxManifestSize is the largest manifest rvm reads: 1 MiB.
const MaxManifestSize = 1 << 20

// maxArguments bounds runtime.arguments.
const maxArguments = 256

// Manifest is the part of an app manifest that rvm reads.
type Manifest struct {
	// Runtime is the runtime the app asks for.
	Runtime Runtime
	// Permissions are the permissions the app requests: the enabled leaves
	// of startup_app.permissions and platform.permissions, once each, sorted
	// by name.
	Permissions []permissions.Entry
	// TrustedAppConfigs is the raw trustedAppConfigs value; nil when the
	// manifest has none.
	TrustedAppConfigs json.RawMessage
	// Keys holds every top-level key, the ones rvm reads and the others.
	Keys map[string]json.RawMessage
}

// Runtime is the manifest's runtime object.
type Runtime struct {
	// Version is an exact version, a wildcard or a channel name (SPEC 8).
	Version string
	// Arguments are passed to the runtime after rvm's own. The manifest may
	// give them as one string (split at white space) or an array of strings.
	Arguments []string
}

// Parse reads a manifest. It refuses, with an error naming the key at fault:
// more than MaxManifestSize bytes, invalid UTF-8, a byte-order mark, anything
// but one JSON object, duplicate keys at the top level and in the objects
// rvm reads (runtime, startup_app, platform, their permissions), and a
// wrong type for a key that rvm reads.
func Parse(data []byte) (*Manifest, error) {
	if len(data) > MaxManifestSize {
		return nil, fmt.Errorf("manifest: %d bytes is more than the %d allowed", len(data), MaxManifestSize)
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, errors.New("manifest: starts with a byte-order mark, which JSON does not allow")
	}
	if !utf8.Valid(data) {
		return nil, errors.New("manifest: not valid UTF-8")
	}
	keys, err := topLevel(data)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Keys: keys}
	if raw, ok := present(keys, "runtime"); ok {
		if m.Runtime, err = parseRuntime(raw); err != nil {
			return nil, err
		}
	}
	var lists [][]permissions.Entry
	for _, key := range []string{"startup_app", "platform"} {
		raw, ok := present(keys, key)
		if !ok {
			continue
		}
		obj, err := object(raw, key)
		if err != nil {
			return nil, err
		}
		perms, ok := present(obj, "permissions")
		if !ok {
			continue
		}
		entries, err := permissions.Parse(perms, key+".permissions")
		if err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
		lists = append(lists, entries)
	}
	m.Permissions = permissions.Requested(lists...)
	if raw, ok := present(keys, "trustedAppConfigs"); ok {
		if raw[0] != '{' {
			return nil, errors.New("manifest: trustedAppConfigs: want an object")
		}
		m.TrustedAppConfigs = raw
	}
	return m, nil
}

// present reports the trimmed value of key, treating JSON null as absent.
func present(obj map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	raw := bytes.TrimSpace(obj[key])
	if len(raw) == 0 || string(raw) == "null" {
		return nil, false
	}
	return raw, true
}

// topLevel splits the manifest into its top-level members, refusing
// anything but a single object and duplicate keys (two trustedAppConfigs
// keys must not let two readers see two different blocks). Valid JSON (the
// common case) is split by splitValid, a plain scan at a fraction of the
// cost of a json.Decoder; anything else, and every error, goes through
// decodeTopLevel, which words the error.
func topLevel(data []byte) (map[string]json.RawMessage, error) {
	if json.Valid(data) {
		if keys, ok := splitValid(bytes.Clone(data)); ok {
			return keys, nil
		}
	}
	return decodeTopLevel(data)
}

// decodeTopLevel is topLevel with a json.Decoder.
func decodeTopLevel(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("manifest: not JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("manifest: the top level is %s, want an object", kindOf(tok))
	}
	keys, err := members(dec, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("manifest: data after the JSON object")
	}
	return keys, nil
}

// object splits raw, the value of the top-level key (valid JSON already),
// into its members, refusing anything but an object and duplicate keys:
// two readers must not see two different permissions objects or runtimes.
func object(raw json.RawMessage, key string) (map[string]json.RawMessage, error) {
	if keys, ok := splitValid(raw); ok {
		return keys, nil
	}
	return decodeObject(raw, key)
}

// decodeObject is object with a json.Decoder.
func decodeObject(raw json.RawMessage, key string) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("manifest: %s: want an object", key)
	}
	return members(dec, key)
}

// members reads the members of the object whose '{' dec has just read, up
// to its '}', refusing duplicate keys. where names the object in errors:
// a top-level key, or "" for the manifest itself.
func members(dec *json.Decoder, where string) (map[string]json.RawMessage, error) {
	in, path := "", ""
	if where != "" {
		in, path = where+": ", where+"."
	}
	keys := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("manifest: %snot JSON: %w", in, err)
		}
		key := tok.(string)
		if _, dup := keys[key]; dup {
			return nil, fmt.Errorf("manifest: %sduplicate key %q", in, key)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("manifest: %s%s: %w", path, key, err)
		}
		keys[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("manifest: %snot JSON: %w", in, err)
	}
	return keys, nil
}

// splitValid splits raw, valid JSON, into the members of the object it
// holds, as the json.Decoder of decodeObject does; the values are slices
// of raw. It reports false where raw is not an object or holds a key
// twice, for the decoder to word the error.
func splitValid(raw []byte) (map[string]json.RawMessage, bool) {
	members, ok := jsonscan.Members(raw)
	if !ok {
		return nil, false
	}
	keys := make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		keys[m.Key] = m.Value
	}
	return keys, true
}

func kindOf(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "not an object"
}

func parseRuntime(raw json.RawMessage) (Runtime, error) {
	obj, err := object(raw, "runtime")
	if err != nil {
		return Runtime{}, err
	}
	var rt Runtime
	if v, ok := present(obj, "version"); ok {
		if err := json.Unmarshal(v, &rt.Version); err != nil {
			return Runtime{}, errors.New("manifest: runtime.version: want a string")
		}
	}
	if v, ok := present(obj, "arguments"); ok {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			rt.Arguments = strings.Fields(s)
		} else if err := json.Unmarshal(v, &rt.Arguments); err != nil {
			return Runtime{}, errors.New("manifest: runtime.arguments: want a string or an array of strings")
		}
		if len(rt.Arguments) > maxArguments {
			return Runtime{}, fmt.Errorf("manifest: runtime.arguments: more than %d arguments", maxArguments)
		}
	}
	return rt, nil
}
