package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/settings"
)

// The Group Policy files as the Group Policy editor reads them: only what
// the tests check. The structs are the tests' own, so that a mistake of
// the generator is not mirrored here.
const policyNamespace = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"

type admxFile struct {
	XMLName xml.Name `xml:"policyDefinitions"`
	Using   []struct {
		Prefix string `xml:"prefix,attr"`
	} `xml:"policyNamespaces>using"`
	Supported []struct {
		Name string `xml:"name,attr"`
	} `xml:"supportedOn>definitions>definition"`
	Categories []struct {
		Name        string `xml:"name,attr"`
		DisplayName string `xml:"displayName,attr"`
	} `xml:"categories>category"`
	Policies []admxPolicy `xml:"policies>policy"`
}

type admxPolicy struct {
	Name           string `xml:"name,attr"`
	Class          string `xml:"class,attr"`
	DisplayName    string `xml:"displayName,attr"`
	ExplainText    string `xml:"explainText,attr"`
	Presentation   string `xml:"presentation,attr"`
	Key            string `xml:"key,attr"`
	ValueName      string `xml:"valueName,attr"`
	ParentCategory struct {
		Ref string `xml:"ref,attr"`
	} `xml:"parentCategory"`
	SupportedOn struct {
		Ref string `xml:"ref,attr"`
	} `xml:"supportedOn"`
	Enabled  *admxValue `xml:"enabledValue"`
	Disabled *admxValue `xml:"disabledValue"`
	Elements *struct {
		Decimal []struct {
			admxElement
			MinValue  string `xml:"minValue,attr"`
			MaxValue  string `xml:"maxValue,attr"`
			StoreText string `xml:"storeAsText,attr"`
		} `xml:"decimal"`
		Text []struct {
			admxElement
			Expandable string `xml:"expandable,attr"`
		} `xml:"text"`
		Enum []struct {
			admxElement
			Items []struct {
				DisplayName string    `xml:"displayName,attr"`
				Value       admxValue `xml:"value"`
			} `xml:"item"`
		} `xml:"enum"`
	} `xml:"elements"`
}

// admxElement is what every element of a policy has: an id, and the
// registry value it writes (in the policy's key, unless it has one).
type admxElement struct {
	ID        string `xml:"id,attr"`
	ValueName string `xml:"valueName,attr"`
	Key       string `xml:"key,attr"`
}

// elements are the policy's elements, whatever their kind.
func (p admxPolicy) elements() []admxElement {
	var out []admxElement
	if p.Elements == nil {
		return nil
	}
	for _, e := range p.Elements.Decimal {
		out = append(out, e.admxElement)
	}
	for _, e := range p.Elements.Text {
		out = append(out, e.admxElement)
	}
	for _, e := range p.Elements.Enum {
		out = append(out, e.admxElement)
	}
	return out
}

// admxValue is a value element: a decimal (REG_DWORD) or a string (REG_SZ).
type admxValue struct {
	Decimal *struct {
		Value string `xml:"value,attr"`
	} `xml:"decimal"`
	String *string `xml:"string"`
}

type admlFile struct {
	XMLName     xml.Name `xml:"policyDefinitionResources"`
	DisplayName string   `xml:"displayName"`
	Strings     []struct {
		ID   string `xml:"id,attr"`
		Text string `xml:",chardata"`
	} `xml:"resources>stringTable>string"`
	Presentations []struct {
		ID       string `xml:"id,attr"`
		Controls []struct {
			XMLName xml.Name
			RefID   string `xml:"refId,attr"`
		} `xml:",any"`
	} `xml:"resources>presentationTable>presentation"`
}

func readXML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// registryType is the registry type the policy writes for its setting:
// the value of a 0/1 policy or of its one element.
func registryType(t *testing.T, p admxPolicy) string {
	t.Helper()
	if p.Elements == nil {
		if p.Enabled == nil || p.Disabled == nil || p.Enabled.Decimal == nil || p.Disabled.Decimal == nil {
			t.Fatalf("got a policy without elements whose enabled and disabled values are not decimals")
		}
		return "REG_DWORD " + p.Disabled.Decimal.Value + "/" + p.Enabled.Decimal.Value
	}
	e := p.Elements
	if n := len(p.elements()); n != 1 || p.Enabled != nil || p.Disabled != nil || p.ValueName != "" {
		t.Fatalf("got %d elements and a value of its own (%q, %v, %v), want one element and no value of its own", n, p.ValueName, p.Enabled, p.Disabled)
	}
	switch {
	case len(e.Decimal) == 1 && e.Decimal[0].StoreText != "true":
		return "REG_DWORD"
	case len(e.Text) == 1 && e.Text[0].Expandable == "true":
		return "REG_EXPAND_SZ"
	case len(e.Text) == 1, len(e.Enum) == 1:
		return "REG_SZ"
	}
	return "REG_SZ (decimal stored as text)"
}

// TestGroupPolicy reads rvm.admx and rvm.adml as the Group Policy editor
// would and checks every machine setting against SPEC 4: one policy each,
// under Software\Policies\RVM (HKLM for Computer Configuration, HKCU for
// User Configuration) with the setting's name as the value name, class
// Machine for a setting that only owner sources may set and Both for the
// others, and the registry type that rvm reads for its kind; its strings
// and presentation in the ADML, with the table's description as its
// explanation.
func TestGroupPolicy(t *testing.T) {
	var admx admxFile
	var adml admlFile
	readXML(t, filepath.Join("..", "windows", "rvm.admx"), &admx)
	readXML(t, filepath.Join("..", "windows", "en-US", "rvm.adml"), &adml)
	if admx.XMLName.Space != policyNamespace || adml.XMLName.Space != policyNamespace {
		t.Errorf("got namespaces %q and %q, want %q", admx.XMLName.Space, adml.XMLName.Space, policyNamespace)
	}
	if len(admx.Using) != 0 {
		t.Errorf("got namespaces in use %v, want none: each would have to be in every central store", admx.Using)
	}
	strs := map[string]string{}
	for _, s := range adml.Strings {
		if _, dup := strs[s.ID]; dup {
			t.Errorf("got the string %s twice in the ADML", s.ID)
		}
		strs[s.ID] = s.Text
	}
	// str is the ADML text a $(string.ID) reference names.
	str := func(ref string) (string, bool) {
		id, ok := strings.CutPrefix(ref, "$(string.")
		if !ok || !strings.HasSuffix(id, ")") {
			return "", false
		}
		text, ok := strs[strings.TrimSuffix(id, ")")]
		return text, ok
	}
	presentations := map[string][]string{}
	for _, p := range adml.Presentations {
		for _, c := range p.Controls {
			presentations[p.ID] = append(presentations[p.ID], c.XMLName.Local+" "+c.RefID)
		}
	}
	var categories, supported []string
	for _, c := range admx.Categories {
		categories = append(categories, c.Name)
		if _, ok := str(c.DisplayName); !ok {
			t.Errorf("category %s: got display name %q, which the ADML does not hold", c.Name, c.DisplayName)
		}
	}
	for _, s := range admx.Supported {
		supported = append(supported, s.Name)
	}

	byName := map[string]admxPolicy{}
	for _, p := range admx.Policies {
		if _, dup := byName[p.Name]; dup {
			t.Errorf("got the policy %s twice", p.Name)
		}
		byName[p.Name] = p
	}
	for _, s := range settings.Table {
		t.Run(s.Name, func(t *testing.T) {
			p, ok := byName[s.Name]
			if !ok {
				t.Fatal("got no policy")
			}
			delete(byName, s.Name)
			if p.Key != `Software\Policies\RVM` {
				t.Errorf(`got key %q, want Software\Policies\RVM (SPEC 4)`, p.Key)
			}
			wantClass := "Both"
			if s.Scope == settings.ScopeOwner {
				wantClass = "Machine"
			}
			if p.Class != wantClass {
				t.Errorf("got class %q, want %q", p.Class, wantClass)
			}
			wantType := "REG_SZ"
			switch {
			case s.Kind == settings.KindFlag:
				wantType = "REG_DWORD 0/1"
			case s.Kind == settings.KindNumber:
				wantType = "REG_DWORD"
				if e := p.Elements; e != nil && len(e.Decimal) == 1 {
					if e.Decimal[0].MinValue != "0" || e.Decimal[0].MaxValue != strconv.Itoa(s.Max) {
						t.Errorf("got numbers from %q to %q, want from 0 to %d", e.Decimal[0].MinValue, e.Decimal[0].MaxValue, s.Max)
					}
				}
			case s.Values != nil:
				if e := p.Elements; e != nil && len(e.Enum) == 1 {
					var got []string
					for _, item := range e.Enum[0].Items {
						if item.Value.String == nil {
							t.Errorf("got an item %q that is not a string", item.DisplayName)
							continue
						}
						got = append(got, *item.Value.String)
						if _, ok := str(item.DisplayName); !ok {
							t.Errorf("got item display name %q, which the ADML does not hold", item.DisplayName)
						}
					}
					if !slices.Equal(got, s.Values) {
						t.Errorf("got values %q, want %q", got, s.Values)
					}
				}
			case s.Form == settings.FormPath:
				wantType = "REG_EXPAND_SZ"
			}
			if got := registryType(t, p); got != wantType {
				t.Errorf("got registry type %s, want %s", got, wantType)
			}
			valueName := p.ValueName
			if es := p.elements(); len(es) == 1 {
				if es[0].Key != "" {
					t.Errorf("got an element with key %q of its own, want the policy's", es[0].Key)
				}
				valueName = es[0].ValueName
			}
			if valueName != s.Name {
				t.Errorf("got value name %q, want %q", valueName, s.Name)
			}
			if p.Elements != nil {
				id := strings.TrimSuffix(strings.TrimPrefix(p.Presentation, "$(presentation."), ")")
				if controls := presentations[id]; len(controls) != 1 || !strings.HasSuffix(controls[0], " "+s.Name) {
					t.Errorf("got presentation %q with controls %q, want one control for %s", p.Presentation, controls, s.Name)
				}
			}
			if got, ok := str(p.DisplayName); !ok || got != s.Name {
				t.Errorf("got display name %q (%q in the ADML), want %q", p.DisplayName, got, s.Name)
			}
			if got, ok := str(p.ExplainText); !ok || !strings.HasPrefix(got, s.Description) {
				t.Errorf("got explain text %q (%q in the ADML), want it to begin with the table's description %q", p.ExplainText, got, s.Description)
			}
			if !slices.Contains(categories, p.ParentCategory.Ref) {
				t.Errorf("got category %q, want one of %q", p.ParentCategory.Ref, categories)
			}
			if !slices.Contains(supported, p.SupportedOn.Ref) {
				t.Errorf("got supported on %q, want one of %q", p.SupportedOn.Ref, supported)
			}
		})
	}
	for name := range byName {
		t.Errorf("got a policy %s, which the settings table does not have", name)
	}
}

// TestGroupPolicyReferences checks that every $(string.ID) and
// $(presentation.ID) of rvm.admx is in rvm.adml, as the Group Policy
// editor requires to load the pair.
func TestGroupPolicyReferences(t *testing.T) {
	admx, err := os.ReadFile(filepath.Join("..", "windows", "rvm.admx"))
	if err != nil {
		t.Fatal(err)
	}
	var adml admlFile
	readXML(t, filepath.Join("..", "windows", "en-US", "rvm.adml"), &adml)
	ids := map[string]bool{}
	for _, s := range adml.Strings {
		ids["string."+s.ID] = true
	}
	for _, p := range adml.Presentations {
		ids["presentation."+p.ID] = true
	}
	refs := regexp.MustCompile(`\$\(((?:string|presentation)\.[^)]*)\)`).FindAllStringSubmatch(string(admx), -1)
	if len(refs) == 0 {
		t.Fatal("got no references in rvm.admx")
	}
	for _, m := range refs {
		if !ids[m[1]] {
			t.Errorf("rvm.admx refers to %s, which rvm.adml does not define", m[1])
		}
	}
}
