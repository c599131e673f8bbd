package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"howett.net/plist"

	"github.com/rvm-launcher/rvm/platform/settings"
)

// plistValue is a value of an XML property list as the tests read it:
// its element (dict, array, string, integer, true, false, ...) and its
// text, members or items. A dict also keeps the comments among its
// members.
type plistValue struct {
	kind     string
	text     string
	keys     []string
	members  map[string]*plistValue
	items    []*plistValue
	comments []string
}

// readPlist reads an XML property list, strictly: a dict alternates keys
// and values, and holds no key twice.
func readPlist(data []byte) (*plistValue, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		if start, ok := tok.(xml.StartElement); ok {
			if start.Name.Local != "plist" {
				return nil, fmt.Errorf("got the root element %s, want plist", start.Name.Local)
			}
			v, err := nextValue(d)
			if err != nil {
				return nil, err
			}
			if _, err := nextValue(d); !errors.Is(err, errEnd) {
				return nil, fmt.Errorf("got more than one value in the plist (%v)", err)
			}
			return v, nil
		}
	}
}

// errEnd reports the end of the element whose values nextValue reads.
var errEnd = errors.New("end of element")

// nextValue reads the next value element in d, or the comments before
// the end of the enclosing element (then with errEnd).
func nextValue(d *xml.Decoder) (*plistValue, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			return readValue(d, tok)
		case xml.EndElement:
			return nil, errEnd
		case xml.CharData:
			if len(bytes.TrimSpace(tok)) > 0 {
				return nil, fmt.Errorf("got text %q between values", tok)
			}
		}
	}
}

func readValue(d *xml.Decoder, start xml.StartElement) (*plistValue, error) {
	v := &plistValue{kind: start.Name.Local}
	switch v.kind {
	case "dict":
		v.members = map[string]*plistValue{}
		for {
			tok, err := d.Token()
			if err != nil {
				return nil, err
			}
			switch tok := tok.(type) {
			case xml.Comment:
				v.comments = append(v.comments, string(tok))
			case xml.EndElement:
				return v, nil
			case xml.StartElement:
				if tok.Name.Local != "key" {
					return nil, fmt.Errorf("got %s where a key belongs", tok.Name.Local)
				}
				var key string
				if err := d.DecodeElement(&key, &tok); err != nil {
					return nil, err
				}
				if _, dup := v.members[key]; dup {
					return nil, fmt.Errorf("got the key %s twice", key)
				}
				member, err := nextValue(d)
				if err != nil {
					return nil, fmt.Errorf("key %s: %w", key, err)
				}
				v.keys = append(v.keys, key)
				v.members[key] = member
			}
		}
	case "array":
		for {
			item, err := nextValue(d)
			if errors.Is(err, errEnd) {
				return v, nil
			}
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, item)
		}
	}
	if err := d.DecodeElement(&v.text, &start); err != nil {
		return nil, err
	}
	return v, nil
}

// plistMember is the value of key in the dict v, failing the test where there
// is none or it is not of the kind wanted.
func plistMember(t *testing.T, v *plistValue, key, kind string) *plistValue {
	t.Helper()
	m := v.members[key]
	if m == nil || m.kind != kind {
		t.Fatalf("got %s %v, want a %s", key, m, kind)
	}
	return m
}

var uuidV5 = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)

// checkPayload checks the keys every payload has (Apple's Configuration
// Profile Reference): PayloadType, PayloadVersion 1, a PayloadIdentifier
// and a PayloadUUID, the name-based UUID of the identifier, so that a new
// profile replaces the one installed before.
func checkPayload(t *testing.T, v *plistValue, wantType string) {
	t.Helper()
	if got := plistMember(t, v, "PayloadType", "string").text; got != wantType {
		t.Errorf("got PayloadType %q, want %q", got, wantType)
	}
	if got := plistMember(t, v, "PayloadVersion", "integer").text; got != "1" {
		t.Errorf("got PayloadVersion %s, want 1", got)
	}
	id := plistMember(t, v, "PayloadIdentifier", "string").text
	uuid := plistMember(t, v, "PayloadUUID", "string").text
	if !uuidV5.MatchString(uuid) || uuid != nameUUID(id) {
		t.Errorf("got PayloadUUID %q, want the version 5 UUID of the identifier %q, %s", uuid, id, nameUUID(id))
	}
	if plistMember(t, v, "PayloadDisplayName", "string").text == "" {
		t.Error("got an empty PayloadDisplayName")
	}
}

// TestProfile reads rvm.mobileconfig as an XML property list and checks
// that it is a valid configuration profile for the whole Mac, whose one
// payload sets the preference domain RVM (SPEC 4), with every machine
// setting of the table as a key: set, or shown as an example in a
// comment. Every value, set or shown, has the type rvm reads for its
// setting and is one that rvm's settings reader takes; and no set value
// loosens anything, so that deploying the template as it stands makes
// rvm no less strict than its defaults.
func TestProfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "macos", "rvm.mobileconfig"))
	if err != nil {
		t.Fatal(err)
	}
	top, err := readPlist(data)
	if err != nil {
		t.Fatalf("rvm.mobileconfig: %v", err)
	}
	if top.kind != "dict" {
		t.Fatalf("got a %s at the top, want a dict", top.kind)
	}
	checkPayload(t, top, "Configuration")
	if got := plistMember(t, top, "PayloadScope", "string").text; got != "System" {
		t.Errorf("got PayloadScope %q, want System: owner settings are the whole Mac's", got)
	}
	content := plistMember(t, top, "PayloadContent", "array")
	if len(content.items) != 1 || content.items[0].kind != "dict" {
		t.Fatalf("got PayloadContent %v, want one payload", content.items)
	}
	payload := content.items[0]
	checkPayload(t, payload, "RVM")
	if plistMember(t, payload, "PayloadUUID", "string").text == plistMember(t, top, "PayloadUUID", "string").text {
		t.Error("got the same UUID for the profile and its payload")
	}

	// The settings: the payload's own keys, and those its comments show.
	values := map[string]*plistValue{}
	set := map[string]bool{}
	for _, key := range payload.keys {
		if !strings.HasPrefix(key, "Payload") {
			values[key], set[key] = payload.members[key], true
		}
	}
	for _, c := range payload.comments {
		at := strings.Index(c, "<key>")
		if at < 0 {
			continue
		}
		shown, err := readPlist([]byte("<plist><dict>" + c[at:] + "</dict></plist>"))
		if err != nil {
			t.Fatalf("got a comment whose keys do not parse (%v): %q", err, c)
		}
		for _, key := range shown.keys {
			if _, dup := values[key]; dup {
				t.Errorf("got %s both set and shown, or shown twice", key)
			}
			values[key] = shown.members[key]
		}
	}
	doc := map[string]any{}
	for _, s := range settings.Table {
		t.Run(s.Name, func(t *testing.T) {
			v, ok := values[s.Name]
			if !ok {
				t.Fatal("got no key, set or shown")
			}
			delete(values, s.Name)
			switch s.Kind {
			case settings.KindFlag, settings.KindNumber:
				n, err := strconv.Atoi(v.text)
				if v.kind != "integer" || err != nil {
					t.Fatalf("got a %s %q, want an integer", v.kind, v.text)
				}
				doc[s.Name] = n
				switch {
				case set[s.Name] && s.Kind == settings.KindFlag && n != 0:
					t.Errorf("got %d set, want 0: a 1 loosens a check, and rvm doctor fails it where it is set", n)
				case set[s.Name] && n > s.Default.(int):
					t.Errorf("got %d set, want at most the default %d: a template must not loosen a check", n, s.Default)
				}
			default:
				if v.kind != "string" {
					t.Fatalf("got a %s, want a string", v.kind)
				}
				doc[s.Name] = v.text
				if set[s.Name] && s.Values != nil && slices.Index(s.Values, v.text) < slices.Index(s.Values, fmt.Sprint(s.Default)) {
					t.Errorf("got %q set, want the default %v or stricter: a template must not loosen a check", v.text, s.Default)
				}
				if set[s.Name] && s.Default == nil {
					t.Errorf("got %q set, want it shown only: a setting without a default has no value that suits every desktop", v.text)
				}
			}
		})
	}
	for key := range values {
		t.Errorf("got the key %s, which the settings table does not have", key)
	}

	// rvm's settings reader takes every value, set and shown.
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, mustMarshal(t, doc), 0o600); err != nil {
		t.Fatal(err)
	}
	m := settings.Sources{Owner: []settings.Source{settings.JSONFile(path)}}.Load("")
	if len(m.Errors) != 0 {
		t.Errorf("got errors from rvm's settings reader for the profile's values: %v", m.Errors)
	}
	for name := range doc {
		if got := m.Values[name]; got.Source != path {
			t.Errorf("%s: got the value %v from %s, want the profile's", name, got.Value, got.Source)
		}
	}

	// The plist library that rvm reads property lists with takes it too.
	var decoded map[string]any
	if err := plist.NewDecoder(bytes.NewReader(data)).Decode(&decoded); err != nil {
		t.Errorf("howett.net/plist: %v", err)
	}
}

// TestNameUUID checks the name-based UUID against Python's
// uuid.uuid5(uuid.NAMESPACE_DNS, "python.org").
func TestNameUUID(t *testing.T) {
	if got, want := nameUUID("python.org"), "886313E1-3B8A-5372-9B90-0C9AEE199E5D"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestCommentText checks that no description can end an XML comment or
// break it.
func TestCommentText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"flag", "while it is set, --trust-roots is refused", "while it is set, - -trust-roots is refused"},
		{"three-dashes", "a---b", "a- - -b"},
		{"four-dashes", "a----b", "a- - - -b"},
		{"plain", "no dashes - here", "no dashes - here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := commentText(tc.in)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			d := xml.NewDecoder(strings.NewReader("<a><!-- " + got + " --></a>"))
			for {
				if _, err := d.Token(); err != nil {
					if err != io.EOF {
						t.Errorf("got %v reading the comment", err)
					}
					break
				}
			}
		})
	}
}
