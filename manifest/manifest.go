package manifest

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
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

// Bounds of the places rvm reads permissions from.
const (
	// MaxSnapshotDepth is how deep the walk of a snapshot goes: the objects
	// reached through at most this many of windows, layout, content and
	// componentState (snapshot.windows[0] is one level down,
	// snapshot.windows[0].layout two).
	MaxSnapshotDepth = 16
	// MaxRequested is the most permissions a manifest requests in all:
	// startup_app and platform may hold permissions.MaxPermissions each; a
	// window, view or snapshot place that would bring the names past it is
	// left out with a notice.
	MaxRequested = 2 * permissions.MaxPermissions
	// MaxNotices is the most notices a manifest gets; one more says how
	// many were left out.
	MaxNotices = 16
)

// Manifest is the part of an app manifest that rvm reads.
type Manifest struct {
	// Runtime is the runtime the app asks for.
	Runtime Runtime
	// Permissions are the permissions the app requests: the enabled leaves
	// of every place Parse reads, once each, with the constraints of the
	// first place that enables them, sorted by name.
	Permissions []permissions.Entry
	// TrustedAppConfigs is the raw trustedAppConfigs value; nil when the
	// manifest has none.
	TrustedAppConfigs jsontext.Value
	// Name is the app's name as the manifest gives it (startup_app.name,
	// else platform.name), unverified: prompts show it where no trusted
	// block names the app. "" where neither is a string.
	Name string
	// Notices say which window, view and snapshot places were left out,
	// and why: a wrong type, a walk past MaxSnapshotDepth, permissions that
	// could not be read, MaxRequested. Their permissions are not requested.
	// At most MaxNotices+1.
	Notices []string
}

// Runtime is the manifest's runtime object.
type Runtime struct {
	// Version is an exact version, a wildcard or a channel name (SPEC 2),
	// as the manifest gives it: the runtime packages resolve it.
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
// constraints, to any depth), and a wrong type for runtime, startup_app,
// platform, their permissions, and trustedAppConfigs.
//
// It reads permissions from these places, in this order (SPEC 2):
// startup_app.permissions, platform.permissions,
// platform.defaultWindowOptions.permissions,
// platform.defaultViewOptions.permissions, and the permissions of the
// objects under snapshot and platform.snapshot reached through windows,
// layout, content and componentState (see placeReader.walk), to
// MaxSnapshotDepth levels. A permission is requested when any place enables it, with the
// constraints of the first place that does. In the window, view and
// snapshot places a wrong type, a key rvm reads given twice, permissions
// that cannot be read and a walk past the bound are notices, not errors:
// the permissions there are not requested.
//
// Keys rvm does not read are kept as they are, duplicates inside them
// included; trustedAppConfigs is checked strictly by its verifier.
func Parse(data []byte) (*Manifest, error) { return parse(data, true) }

// parse is Parse; where inPass is set, the top-level snapshot is walked
// within the pass that checks the document (strictjson.OuterFollowing),
// so that a Workspace manifest's largest part is read once. The walk's
// places and notices are the same either way (FuzzManifest compares).
func parse(data []byte, inPass bool) (*Manifest, error) {
	if len(data) > MaxManifestSize {
		return nil, fmt.Errorf("manifest: %d bytes is more than the %d allowed", len(data), MaxManifestSize)
	}
	snap := &placeReader{} // the top-level snapshot's walk
	var snapPlaces []place
	walked := false
	follow := func(name string, dec *jsontext.Decoder) (bool, error) {
		if name != "snapshot" || dec.PeekKind() != '{' || walked {
			// A second snapshot is the slow path's to refuse.
			return false, nil
		}
		walked = true
		var err error
		snapPlaces, err = snap.walkDecoder(dec, "snapshot")
		return true, err
	}
	if !inPass {
		follow = nil
	}
	top, followed, err := strictjson.OuterFollowing(data, follow)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	walked = walked && followed
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
	var req permissions.Requests
	var platform map[string]jsontext.Value
	for _, key := range []string{"startup_app", "platform"} {
		raw, ok := present(keys, key)
		if !ok {
			continue
		}
		obj, err := object(raw, key)
		if err != nil {
			return nil, err
		}
		if key == "platform" {
			platform = obj
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
		req.Add(entries, -1)
	}
	r := &placeReader{}
	var places []place
	for _, key := range []string{"defaultWindowOptions", "defaultViewOptions"} {
		root := "platform." + key
		raw, ok := present(platform, key)
		if !ok {
			continue
		}
		if raw.Kind() != '{' {
			r.n.add("%s: want an object, got %s (its permissions are not requested)", root, strictjson.Kind(raw))
			continue
		}
		opts, err := strictjson.Members(raw)
		if err != nil {
			r.n.add("%s: %v (its permissions are not requested)", root, err)
			continue
		}
		for _, o := range opts {
			if o.Name != "permissions" || o.Value.Kind() == 'n' {
				continue
			}
			if entries, ok := r.parse(o.Value, root, nil); ok {
				places = append(places, place{root: root, entries: entries})
			}
		}
	}
	if walked {
		places = append(places, snapPlaces...)
		r.n.merge(snap.n)
	} else {
		places = append(places, r.walk(keys["snapshot"], "snapshot")...)
	}
	places = append(places, r.walk(platform["snapshot"], "platform.snapshot")...)
	for _, p := range places {
		if !req.Add(p.entries, MaxRequested) {
			r.n.add("%s: more than %d permissions in all (these permissions are not requested)", pathName(p.root, p.path, keyPermissions), MaxRequested)
		}
	}
	m.Notices = r.n.list()
	m.Permissions = req.Entries()
	if raw, ok := present(keys, "trustedAppConfigs"); ok {
		if raw.Kind() != '{' {
			return nil, fmt.Errorf("manifest: trustedAppConfigs: want an object, got %s", strictjson.Kind(raw))
		}
		m.TrustedAppConfigs = raw
	}
	return m, nil
}

// place is the permissions object of a window, view or snapshot place:
// its leaves, and where it is (see pathName).
type place struct {
	entries []permissions.Entry
	root    string
	path    []step
}

// placeReader reads the window, view and snapshot places of a manifest,
// gathering notices about those it leaves out.
type placeReader struct {
	n notices
	// parsed holds the leaves of each permissions object read so far, by
	// its text: the views of a snapshot often repeat one object.
	parsed map[string][]permissions.Entry
}

// parse returns the leaves of raw, the permissions object at root and
// path, or with a notice false.
func (r *placeReader) parse(raw jsontext.Value, root string, path []step) ([]permissions.Entry, bool) {
	if entries, ok := r.parsed[string(raw)]; ok {
		return entries, true
	}
	entries, err := permissions.Parse(raw, pathName(root, path, keyPermissions))
	if err != nil {
		r.n.add("%v (these permissions are not requested)", err)
		return nil, false
	}
	if r.parsed == nil {
		r.parsed = map[string][]permissions.Entry{}
	}
	r.parsed[string(raw)] = entries
	return entries, true
}

// notices gathers a manifest's notices, at most MaxNotices of them.
type notices struct {
	out  []string
	left int
}

// add adds a notice, "manifest: " and format.
func (n *notices) add(format string, args ...any) {
	if len(n.out) == MaxNotices {
		n.left++
		return
	}
	n.out = append(n.out, "manifest: "+fmt.Sprintf(format, args...))
}

// merge adds o's notices after n's, as if they had been added to n in
// turn.
func (n *notices) merge(o notices) {
	for _, s := range o.out {
		if len(n.out) == MaxNotices {
			n.left++
			continue
		}
		n.out = append(n.out, s)
	}
	n.left += o.left
}

// list is the notices, and one that says how many were left out.
func (n *notices) list() []string {
	if n.left > 0 {
		return append(n.out, fmt.Sprintf("manifest: %d more notices left out", n.left))
	}
	return n.out
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

// The keys of a snapshot's objects that a walk reads: the four it
// follows, in the order their places count (see placeReader.walk), and
// permissions.
const (
	keyWindows = iota
	keyLayout
	keyContent
	keyComponentState
	keyPermissions
	nKeys
)

var walkKeys = [nKeys]string{"windows", "layout", "content", "componentState", "permissions"}

// keyOf returns which of walkKeys the object name raw (a JSON string as it
// stands in the document) is, or -1.
func keyOf(raw jsontext.Value) int {
	name := raw[1 : len(raw)-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return -1 // an escape of a lone surrogate: no name rvm reads
		}
		name = []byte(s)
	}
	switch string(name) {
	case "windows":
		return keyWindows
	case "layout":
		return keyLayout
	case "content":
		return keyContent
	case "componentState":
		return keyComponentState
	case "permissions":
		return keyPermissions
	}
	return -1
}

// walk returns the permissions places of a snapshot, raw (root names it;
// nil or null is none), with a notice for each part it leaves out.
// It reads the objects reached from the snapshot through windows and
// content (arrays of objects) and layout and componentState (objects),
// MaxSnapshotDepth levels down at most, and nothing else: customData and
// every other key are not entered. An object's own permissions come
// before those under it, and those under it in the order windows, layout,
// content, componentState, then of the arrays: the order of the keys
// within an object does not change what is requested. An object that
// gives a key the walk reads twice is left out whole, and so is a part of
// a wrong type. raw is part of a document that strictjson checked; the
// walk reads it in one pass.
func (r *placeReader) walk(raw jsontext.Value, root string) []place {
	if len(raw) == 0 || raw.Kind() == 'n' {
		return nil
	}
	if raw.Kind() != '{' {
		r.n.add("%s: want an object, got %s (the permissions under it are not requested)", root, strictjson.Kind(raw))
		return nil
	}
	out, err := r.walkDecoder(jsontext.NewDecoder(bytes.NewBuffer(raw), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)), root)
	if err != nil {
		// raw was checked whole: only a broken invariant gets here.
		r.n.add("%s: %v (the permissions under it are not requested)", root, err)
		return nil
	}
	return out
}

// walkDecoder walks the snapshot object that starts at dec (root names
// it), as walk does, reading exactly that value from dec; an error is the
// decoder's (a fault of the document).
func (r *placeReader) walkDecoder(dec *jsontext.Decoder, root string) ([]place, error) {
	w := &walker{dec: dec, r: r, root: root}
	if err := w.object(0); err != nil {
		return nil, err
	}
	return w.out, nil
}

// walker reads one snapshot in one pass of its decoder. The permissions
// values it reads are slices of the snapshot, which the decoder reads in
// place (as strictjson.Members does).
type walker struct {
	dec   *jsontext.Decoder
	r     *placeReader
	root  string
	path  []step // from the root to the value being read
	steps []step // the paths of the places in out
	out   []place
}

// step is one step of a walk: a key followed, and the index in its array
// (-1 for an object).
type step struct {
	key   int
	index int
}

// pathName names the value at path from root, and then its member key
// (one of walkKeys) where key is not -1:
// snapshot.windows[0].layout.content[1].componentState.permissions.
func pathName(root string, path []step, key int) string {
	var b strings.Builder
	b.WriteString(root)
	for _, s := range path {
		b.WriteByte('.')
		b.WriteString(walkKeys[s.key])
		if s.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		}
	}
	if key >= 0 {
		b.WriteByte('.')
		b.WriteString(walkKeys[key])
	}
	return b.String()
}

// at names the value being read, and then its member key where key is
// not -1.
func (w *walker) at(key int) string { return pathName(w.root, w.path, key) }

// object reads the object that starts at the decoder, depth levels below
// the snapshot, appending its places to w.out.
func (w *walker) object(depth int) error {
	if _, err := w.dec.ReadToken(); err != nil { // {
		return err
	}
	start := len(w.out)
	var own place // the object's permissions, where they come after places under it
	hasOwn := false
	var seen [nKeys]bool
	var spans [nKeys][2]int // where the places under each followed key are in w.out
	ordered, last, dup := true, -1, -1
	for w.dec.PeekKind() != '}' {
		name, err := w.dec.ReadValue()
		if err != nil {
			return err
		}
		key := keyOf(name)
		if key < 0 {
			if err := w.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		if seen[key] && dup < 0 {
			dup = key
		}
		seen[key] = true
		if key == keyPermissions {
			v, err := w.dec.ReadValue()
			if err != nil {
				return err
			}
			if v.Kind() == 'n' {
				continue
			}
			entries, ok := w.r.parse(v, w.root, w.path)
			if !ok {
				continue
			}
			p := place{entries: entries, root: w.root, path: w.keep()}
			if len(w.out) == start {
				w.out = append(w.out, p)
			} else {
				own, hasOwn = p, true
			}
			continue
		}
		from := len(w.out)
		w.path = append(w.path, step{key, -1})
		err = w.follow(key, depth)
		w.path = w.path[:len(w.path)-1]
		if err != nil {
			return err
		}
		spans[key] = [2]int{from, len(w.out)}
		if from < len(w.out) {
			ordered = ordered && key > last
			last = key
		}
	}
	if _, err := w.dec.ReadToken(); err != nil { // }
		return err
	}
	if dup >= 0 {
		w.r.n.add("%s: key %q given twice (the permissions in and under it are not requested)", w.at(-1), walkKeys[dup])
		w.out = w.out[:start]
		return nil
	}
	if !ordered {
		// The places under the object, which follow its own where that
		// came first.
		from := len(w.out)
		for _, sp := range spans[:keyPermissions] {
			if sp[1] > sp[0] {
				from = min(from, sp[0])
			}
		}
		under := slices.Clone(w.out[from:])
		w.out = w.out[:from]
		for _, sp := range spans[:keyPermissions] {
			w.out = append(w.out, under[sp[0]-from:sp[1]-from]...)
		}
	}
	if hasOwn {
		w.out = slices.Insert(w.out, start, own)
	}
	return nil
}

// keep returns a copy of w.path that stays as it is while the walk goes
// on: a slice of w.steps, which only grows.
func (w *walker) keep() []step {
	from := len(w.steps)
	w.steps = append(w.steps, w.path...)
	return w.steps[from:len(w.steps):len(w.steps)]
}

// follow reads the value of key, one of the keys a walk follows, of an
// object depth levels below the snapshot; the top of w.path names it.
func (w *walker) follow(key, depth int) error {
	kind := w.dec.PeekKind()
	want := jsontext.Kind('{')
	if key == keyWindows || key == keyContent {
		want = '['
	}
	switch {
	case kind == 'n':
		return w.dec.SkipValue()
	case kind != want:
		v, err := w.dec.ReadValue()
		if err != nil {
			return err
		}
		w.r.n.add("%s: want %s, got %s (the permissions under it are not requested)", w.at(-1), kindName(want), strictjson.Kind(v))
		return nil
	case depth == MaxSnapshotDepth:
		v, err := w.dec.ReadValue()
		if err != nil {
			return err
		}
		if enters(v) {
			w.r.n.add("%s: deeper than %d levels below the snapshot (the permissions under it are not requested)", w.at(-1), MaxSnapshotDepth)
		}
		return nil
	case want == '{':
		return w.object(depth + 1)
	}
	if _, err := w.dec.ReadToken(); err != nil { // [
		return err
	}
	top := len(w.path) - 1
	for i := 0; w.dec.PeekKind() != ']'; i++ {
		w.path[top].index = i
		switch w.dec.PeekKind() {
		case 'n':
			if err := w.dec.SkipValue(); err != nil {
				return err
			}
		case '{':
			if err := w.object(depth + 1); err != nil {
				return err
			}
		default:
			v, err := w.dec.ReadValue()
			if err != nil {
				return err
			}
			w.r.n.add("%s: want an object, got %s (the permissions under it are not requested)", w.at(-1), strictjson.Kind(v))
		}
	}
	_, err := w.dec.ReadToken() // ]
	return err
}

// kindName names what a walk wants: an object or an array.
func kindName(k jsontext.Kind) string {
	if k == '[' {
		return "an array"
	}
	return "an object"
}

// enters reports whether a walk would enter v, the value of a key it
// follows: an object, or an array that holds something but null.
func enters(v jsontext.Value) bool {
	if v.Kind() == '{' {
		return true
	}
	elems, _ := strictjson.Elements(v)
	for _, e := range elems {
		if e.Kind() != 'n' {
			return true
		}
	}
	return false
}
