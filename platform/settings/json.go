package settings

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// maxSettingsFile bounds a settings file; real ones are a few hundred bytes.
const maxSettingsFile = 64 << 10

// JSONFile is a settings source read from a JSON object file (at most 64
// KiB, read strictly: no duplicate keys, valid UTF-8, nothing after the
// object) of the values of SPEC section 4: strings, the numbers 0 or 1 for
// the flags, whole numbers for CachedManifestMaxAgeDays. Its errors give
// the line and column of the fault.
func JSONFile(path string) Source {
	return Source{Name: path, load: func() (rawSettings, error) {
		data, err := readSettingsFile(path)
		if err != nil {
			return rawSettings{}, err
		}
		return parseJSONSettings(data, path)
	}}
}

// readSettingsFile reads a settings file within maxSettingsFile. Its error
// names the file; for one that does not exist it wraps os.ErrNotExist.
func readSettingsFile(path string) ([]byte, error) {
	data, err := platform.ReadFileLimit(path, maxSettingsFile)
	var pathErr *os.PathError
	var tooLarge *platform.TooLargeError
	switch {
	case errors.As(err, &pathErr):
		return nil, fmt.Errorf("settings: settings file %s: %w", path, pathErr.Err)
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("settings: settings file %s: larger than %d bytes", path, maxSettingsFile)
	case err != nil:
		return nil, fmt.Errorf("settings: settings file %s: %w", path, err)
	}
	return data, nil
}

// parseJSONSettings reads a settings file, strictly (package strictjson):
// a fault in the file, or in one of its values, is reported with its line
// and column.
func parseJSONSettings(data []byte, source string) (rawSettings, error) {
	if err := strictjson.Check(data); err != nil {
		return rawSettings{}, fmt.Errorf("settings: settings file %s: %w", source, err)
	}
	// One value, checked, with only JSON white space around it.
	top := jsontext.Value(bytes.Trim(data, " \t\r\n"))
	start := int64(len(data) - len(bytes.TrimLeft(data, " \t\r\n")))
	if top.Kind() != '{' {
		line, col := strictjson.Position(data, start)
		return rawSettings{}, fmt.Errorf("settings: settings file %s: line %d, column %d: want a JSON object, got %s", source, line, col, strictjson.Kind(top))
	}
	members, err := strictjson.Members(top)
	if err != nil {
		return rawSettings{}, fmt.Errorf("settings: settings file %s: %w", source, err)
	}
	raw := newRawSettings()
	for _, m := range members {
		line, col := strictjson.Position(data, start+m.Offset)
		raw.add(m.Name, jsonValue(m.Value), fmt.Sprintf("%s, line %d, column %d", source, line, col))
	}
	return raw, nil
}

// number is a JSON number as it stands in a settings file.
type number string

// jsonValue is the Go value that checkValue reads from v, one strict JSON
// value: a string, a number, a bool, nil, or for an array or object an
// empty one (its contents are never a valid setting).
func jsonValue(v jsontext.Value) any {
	switch v.Kind() {
	case '"':
		var s string
		json.Unmarshal(v, &s) // v is a checked string
		return s
	case '0':
		return number(v)
	case 't', 'f':
		return v.Kind() == 't'
	case '[':
		return []any{}
	case '{':
		return map[string]any{}
	}
	return nil
}
