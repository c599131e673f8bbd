package manifest

import (
	"fmt"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform/strictjson"
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
	TrustedAppConfigs jsontext.Value
	// Name is the app's name as the manifest gives it (startup_app.name,
	// else platform.name), unverified: prompts show it where no trusted
	// block names the app. "" where neither is a string.
	Name string
}

// Runtime is the manifest's runtime object.
type Runtime struct {
	// Version is an exact version, a wildcard or a channel name (SPEC 8).
	Version string
	// Arguments are passed to the runtime after rvm's own. The manifest may
	// give them as one string (split at white space) or an array of strings.
	Arguments []string
}

// Parse reads a manifest. It refuses, with an error naming the key at fault
// (and for malformed JSON the line and column): more than MaxManifestSize
// bytes, anything but one JSON object (see strictjson.Outer: no byte-order
// mark, UTF-8, nothing after it), a key twice in any object rvm reads (the
// top level, runtime, startup_app, platform, permissions and their
// constraints, to any depth), and a wrong type for a key that rvm reads.
// Keys rvm does not read are kept as they are, duplicates inside them
// included; trustedAppConfigs is checked strictly by its verifier.
func Parse(data []byte) (*Manifest, error) {
	if len(data) > MaxManifestSize {
		return nil, fmt.Errorf("manifest: %d bytes is more than the %d allowed", len(data), MaxManifestSize)
	}
	top, err := strictjson.Outer(data)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	keys := make(map[string]jsontext.Value, len(top))
	for _, m := range top {
		keys[m.Name] = m.Value
	}
	m := &Manifest{}
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
		if name, ok := present(obj, "name"); ok && m.Name == "" && name.Kind() == '"' {
			json.Unmarshal(name, &m.Name) // a string of strict JSON always decodes
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
		if raw.Kind() != '{' {
			return nil, fmt.Errorf("manifest: trustedAppConfigs: want an object, got %s", strictjson.Kind(raw))
		}
		m.TrustedAppConfigs = raw
	}
	return m, nil
}

// present reports the value of key, treating JSON null as absent.
func present(obj map[string]jsontext.Value, key string) (jsontext.Value, bool) {
	raw, ok := obj[key]
	if !ok || raw.Kind() == 'n' {
		return nil, false
	}
	return raw, true
}

// object splits raw, the value of key (strict JSON already), into its
// members, refusing anything but an object.
func object(raw jsontext.Value, key string) (map[string]jsontext.Value, error) {
	if raw.Kind() != '{' {
		return nil, fmt.Errorf("manifest: %s: want an object, got %s", key, strictjson.Kind(raw))
	}
	ms, err := strictjson.Members(raw)
	if err != nil {
		return nil, fmt.Errorf("manifest: %s: %w", key, err)
	}
	out := make(map[string]jsontext.Value, len(ms))
	for _, m := range ms {
		out[m.Name] = m.Value
	}
	return out, nil
}

func parseRuntime(raw jsontext.Value) (Runtime, error) {
	obj, err := object(raw, "runtime")
	if err != nil {
		return Runtime{}, err
	}
	var rt Runtime
	if v, ok := present(obj, "version"); ok {
		if v.Kind() != '"' || json.Unmarshal(v, &rt.Version) != nil {
			return Runtime{}, fmt.Errorf("manifest: runtime.version: want a string, got %s", strictjson.Kind(v))
		}
	}
	if v, ok := present(obj, "arguments"); ok {
		var s string
		switch {
		case v.Kind() == '"' && json.Unmarshal(v, &s) == nil:
			rt.Arguments = strings.Fields(s)
		case v.Kind() == '[' && json.Unmarshal(v, &rt.Arguments) == nil:
		default:
			return Runtime{}, fmt.Errorf("manifest: runtime.arguments: want a string or an array of strings, got %s", strictjson.Kind(v))
		}
		if len(rt.Arguments) > maxArguments {
			return Runtime{}, fmt.Errorf("manifest: runtime.arguments: more than %d arguments", maxArguments)
		}
	}
	return rt, nil
}
