package permissions

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// Limits on a permissions object, so that a hostile document costs little.
const (
	// MaxPermissions is the most leaves one permissions object may hold.
	MaxPermissions = 1024
	// MaxDepth is the deepest nesting of a permissions object.
	MaxDepth = 8
)

// Entry is one leaf of a permissions object: its dotted Name, whether it is
// Enabled, and for the object form the whole object as Constraints (nil for
// a plain boolean).
type Entry struct {
	Name        string
	Enabled     bool
	Constraints jsontext.Value
}

// webAPIs is the one group that may also be written as an array of names,
// as OpenFin writes it: {"webAPIs": ["audio", "clipboard-read"]} requests
// webAPIs.audio and webAPIs.clipboard-read.
const webAPIs = "webAPIs"

// Parse flattens a nested permissions object into its leaves, sorted by
// name. where names the object in errors (for example
// "startup_app.permissions"). It refuses anything but objects and booleans
// (and, for the top-level webAPIs, an array of names, each an enabled
// leaf without constraints), keys and names that are empty or hold a dot
// or a control character, duplicate keys (in a constraints object, at any
// depth) and a name twice in a webAPIs array, nesting deeper than MaxDepth
// and more than MaxPermissions leaves. A nil or JSON null object has no
// leaves. raw must be strict JSON (see package strictjson): a part of a
// document that was checked whole.
func Parse(raw jsontext.Value, where string) ([]Entry, error) {
	if len(raw) == 0 || raw.Kind() == 'n' {
		return nil, nil
	}
	top, err := objectMembers(raw, where)
	if err != nil {
		return nil, err
	}
	var out []Entry
	if err := flatten(top, where, "", 0, &out); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// flatten appends to out the leaves of the object at prefix (where itself
// when prefix is ""), split into its members ms.
func flatten(ms []strictjson.Member, where, prefix string, depth int, out *[]Entry) error {
	at := where
	if prefix != "" {
		at = where + "." + prefix
	}
	if depth > MaxDepth {
		return fmt.Errorf("permissions: %s: nested deeper than %d levels", at, MaxDepth)
	}
	for _, m := range ms {
		if err := checkLabel("key", m.Name, at); err != nil {
			return err
		}
		name := m.Name
		if prefix != "" {
			name = prefix + "." + m.Name
		}
		v := m.Value
		switch v.Kind() {
		case 't', 'f':
			if err := add(out, Entry{Name: name, Enabled: v.Kind() == 't'}, where); err != nil {
				return err
			}
		case '{':
			inner, err := objectMembers(v, where+"."+name)
			if err != nil {
				return err
			}
			enabled, isLeaf, err := enabledField(inner, where+"."+name)
			if err != nil {
				return err
			}
			if isLeaf {
				// The constraints travel to the runtime as they stand:
				// two readers must not see two different objects.
				if err := strictjson.Check(v); err != nil {
					return fmt.Errorf("permissions: %s.%s: %w", where, name, err)
				}
				if err := add(out, Entry{Name: name, Enabled: enabled, Constraints: v}, where); err != nil {
					return err
				}
				continue
			}
			if err := flatten(inner, where, name, depth+1, out); err != nil {
				return err
			}
		case '[':
			if name != webAPIs {
				return fmt.Errorf("permissions: %s.%s: want true, false or an object", where, name)
			}
			if err := nameList(v, where, name, out); err != nil {
				return err
			}
		default:
			if name == webAPIs {
				return fmt.Errorf("permissions: %s.%s: want true, false, an object or an array of names", where, name)
			}
			return fmt.Errorf("permissions: %s.%s: want true, false or an object", where, name)
		}
	}
	return nil
}

func add(out *[]Entry, e Entry, where string) error {
	if len(*out) >= MaxPermissions {
		return fmt.Errorf("permissions: %s: more than %d permissions", where, MaxPermissions)
	}
	*out = append(*out, e)
	return nil
}

// nameList appends to out the names of the array v, the group's value in
// the permissions object where, as enabled leaves group.NAME.
func nameList(v jsontext.Value, where, group string, out *[]Entry) error {
	elems, err := strictjson.Elements(v)
	if err != nil {
		return fmt.Errorf("permissions: %s.%s: %w", where, group, err)
	}
	seen := make(map[string]bool, len(elems))
	for i, e := range elems {
		at := fmt.Sprintf("%s.%s[%d]", where, group, i)
		var name string
		if e.Kind() != '"' {
			return fmt.Errorf("permissions: %s: want a string, got %s", at, strictjson.Kind(e))
		}
		if json.Unmarshal(e, &name) != nil {
			// e is valid UTF-8 (strictjson checked it), but an escape in
			// it may stand for a lone surrogate.
			return fmt.Errorf("permissions: %s: name holds an escape that is not valid UTF-8", at)
		}
		if err := checkLabel("name", name, at); err != nil {
			return err
		}
		if seen[name] {
			return fmt.Errorf("permissions: %s: duplicate name %q", at, name)
		}
		seen[name] = true
		if err := add(out, Entry{Name: group + "." + name, Enabled: true}, where); err != nil {
			return err
		}
	}
	return nil
}

// checkLabel checks one label of a permission name, s, a key or a name
// (what) of the object or array at.
func checkLabel(what, s, at string) error {
	if s == "" {
		return fmt.Errorf("permissions: %s: empty %s", at, what)
	}
	if strings.Contains(s, ".") {
		return fmt.Errorf("permissions: %s: %s %q holds a dot", at, what, s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return fmt.Errorf("permissions: %s: %s %q holds a control or invalid character", at, what, s)
		}
	}
	return nil
}

// enabledField reports whether the object split into ms is a leaf (it has
// an "enabled" member) and if so the value of that member, which must be a
// boolean.
func enabledField(ms []strictjson.Member, at string) (enabled, isLeaf bool, err error) {
	for _, m := range ms {
		if m.Name != "enabled" {
			continue
		}
		switch m.Value.Kind() {
		case 't':
			return true, true, nil
		case 'f':
			return false, true, nil
		}
		return false, false, fmt.Errorf("permissions: %s.enabled: want true or false", at)
	}
	return false, false, nil
}

// objectMembers splits raw, strict JSON, into the members of the object it
// holds, in order, refusing anything that is not an object.
func objectMembers(raw jsontext.Value, at string) ([]strictjson.Member, error) {
	ms, err := strictjson.Members(raw)
	if err != nil {
		return nil, fmt.Errorf("permissions: %s: %w", at, err)
	}
	return ms, nil
}

// Requested merges the leaves of several permissions objects (a manifest's
// places, in order) into the set an app requests: every name that is
// enabled in at least one of them, once, sorted by name. Where several
// enable a name, the first object's constraints are kept.
func Requested(lists ...[]Entry) []Entry {
	var r Requests
	for _, l := range lists {
		r.Add(l, -1)
	}
	return r.Entries()
}

// Requests gathers what an app requests from its permissions objects one
// by one, as Requested does, where a caller bounds the names in all. The
// zero value holds none.
type Requests struct {
	seen map[string]bool
	out  []Entry
}

// Add adds the enabled leaves of l whose names r does not hold yet. Where
// max is not negative and that would bring the names r holds past max
// (counting each such leaf of l, as Parse returns each name once), it adds
// none of them and reports false.
func (r *Requests) Add(l []Entry, max int) bool {
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if max >= 0 {
		added := 0
		for _, e := range l {
			if e.Enabled && !r.seen[e.Name] {
				added++
			}
		}
		if len(r.seen)+added > max {
			return false
		}
	}
	for _, e := range l {
		if !e.Enabled || r.seen[e.Name] {
			continue
		}
		r.seen[e.Name] = true
		r.out = append(r.out, e)
	}
	return true
}

// Entries returns the leaves r holds, sorted by name.
func (r *Requests) Entries() []Entry {
	out := slices.Clone(r.out)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
