package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"text/template"

	"github.com/rvm-launcher/rvm/platform/settings"
)

// policy is one Group Policy setting: a machine setting of the table, as
// rvm.admx and rvm.adml describe it.
type policy struct {
	Name    string
	Class   string // Machine or Both
	Explain string
	// Exactly one of these is set: a 0/1 flag is the policy's own value
	// (enabled 1, disabled 0), the others are an element of the policy.
	Flag    bool
	Decimal *decimal
	Enum    *enum
	Text    *text
}

type decimal struct{ Max, Default int }

type enum struct {
	Values      []string
	DefaultItem int // the index of the default in Values
}

type text struct {
	Expandable bool // REG_EXPAND_SZ: a path, in which %ProgramData% and the like expand
	Required   bool // an empty value is not a value
	Label      string
}

// policies are the machine settings of the table as Group Policy
// settings.
func policies() ([]policy, error) {
	var out []policy
	for _, s := range settings.Table {
		p := policy{Name: s.Name, Class: "Both"}
		if s.Scope == settings.ScopeOwner {
			p.Class = "Machine"
		}
		var how string
		switch {
		case s.Kind == settings.KindFlag:
			p.Flag = true
			how = "Enabled writes 1, Disabled 0 (a REG_DWORD)."
		case s.Kind == settings.KindNumber:
			p.Decimal = &decimal{Max: s.Max, Default: s.Default.(int)}
			how = fmt.Sprintf("Enabled writes the number, from 0 to %d (a REG_DWORD); Disabled removes it.", s.Max)
		case s.Values != nil:
			p.Enum = &enum{Values: s.Values, DefaultItem: max(slices.Index(s.Values, s.Default.(string)), 0)}
			last := len(s.Values) - 1
			how = fmt.Sprintf("Enabled writes the value chosen, %s or %s (a REG_SZ); Disabled removes it.", strings.Join(s.Values[:last], ", "), s.Values[last])
		default:
			e, err := exampleOf(s)
			if err != nil {
				return nil, err
			}
			t := &text{Expandable: s.Form == settings.FormPath, Required: s.Form != settings.FormLocation, Label: formLabel(s.Form)}
			p.Text = t
			how = fmt.Sprintf("Enabled writes the text (a REG_SZ); Disabled removes it. For example: %s", e.windows)
			if t.Expandable {
				env := "the system's environment"
				if p.Class == "Both" {
					env += " in Computer Configuration, the user's in User Configuration"
				}
				how = fmt.Sprintf("Enabled writes the path (a REG_EXPAND_SZ: %%ProgramData%% and other variables expand, with %s); Disabled removes it. For example: %s", env, e.windows)
			}
		}
		where := `HKLM\` + policyKey
		scope := "Computer Configuration only: rvm reads this setting from machine-wide (owner) sources only, never from a user's."
		if p.Class == "Both" {
			where += ` (Computer Configuration) and HKCU\` + policyKey + " (User Configuration)"
			scope = userScopeText(s, `User Configuration (HKCU\`+policyKey+`)`)
		}
		p.Explain = strings.Join(nonEmpty(
			s.Description,
			strings.Join(nonEmpty(how, defaultText(s)), " "),
			scope,
			"Registry value "+s.Name+" in "+where+"."), "\n\n")
		out = append(out, p)
	}
	return out, nil
}

// formLabel labels the text box of a string setting of form f.
func formLabel(f settings.Form) string {
	switch f {
	case settings.FormPath:
		return "Absolute path:"
	case settings.FormLocation:
		return "URL or absolute path (empty for none):"
	case settings.FormHTTPSURL:
		return "https:// URL:"
	}
	return "Value:"
}

// groupPolicy returns rvm.admx and its en-US rvm.adml.
func groupPolicy() (admx, adml []byte, err error) {
	ps, err := policies()
	if err != nil {
		return nil, nil, err
	}
	data := struct {
		Note     string
		Key      string
		Policies []policy
	}{commentText(generatedNote), policyKey, ps}
	var a, l bytes.Buffer
	if err := admxTemplate.Execute(&a, data); err != nil {
		return nil, nil, fmt.Errorf("gen: rvm.admx: %w", err)
	}
	if err := admlTemplate.Execute(&l, data); err != nil {
		return nil, nil, fmt.Errorf("gen: rvm.adml: %w", err)
	}
	return a.Bytes(), l.Bytes(), nil
}

// escape is s as XML character data or a quoted attribute value. Line
// breaks stay as they are: explain texts keep their paragraphs.
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace

var xmlFuncs = template.FuncMap{"x": escape}

var admxTemplate = template.Must(template.New("rvm.admx").Funcs(xmlFuncs).Parse(`<?xml version="1.0" encoding="utf-8"?>
<!-- {{.Note}} -->
<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <policyNamespaces>
    <target prefix="rvm" namespace="RVM.Policies.RVM" />
  </policyNamespaces>
  <resources minRequiredRevision="1.0" />
  <supportedOn>
    <definitions>
      <definition name="SUPPORTED_RVM" displayName="$(string.SUPPORTED_RVM)" />
    </definitions>
  </supportedOn>
  <categories>
    <category name="RVM" displayName="$(string.RVM)" explainText="$(string.RVM_Explain)" />
  </categories>
  <policies>
{{- range .Policies}}{{$p := .}}
    <policy name="{{x .Name}}" class="{{.Class}}" displayName="$(string.{{x .Name}})" explainText="$(string.{{x .Name}}_Explain)"{{if not .Flag}} presentation="$(presentation.{{x .Name}})"{{end}} key="{{x $.Key}}"{{if .Flag}} valueName="{{x .Name}}"{{end}}>
      <parentCategory ref="RVM" />
      <supportedOn ref="SUPPORTED_RVM" />
{{- if .Flag}}
      <enabledValue>
        <decimal value="1" />
      </enabledValue>
      <disabledValue>
        <decimal value="0" />
      </disabledValue>
{{- else}}
      <elements>
{{- with .Decimal}}
        <decimal id="{{x $p.Name}}" valueName="{{x $p.Name}}" required="true" minValue="0" maxValue="{{.Max}}" />
{{- end}}
{{- with .Enum}}
        <enum id="{{x $p.Name}}" valueName="{{x $p.Name}}" required="true">
{{- range .Values}}
          <item displayName="$(string.{{x $p.Name}}_{{x .}})">
            <value>
              <string>{{x .}}</string>
            </value>
          </item>
{{- end}}
        </enum>
{{- end}}
{{- with .Text}}
        <text id="{{x $p.Name}}" valueName="{{x $p.Name}}"{{if .Required}} required="true"{{end}}{{if .Expandable}} expandable="true"{{end}} />
{{- end}}
      </elements>
{{- end}}
    </policy>
{{- end}}
  </policies>
</policyDefinitions>
`))

var admlTemplate = template.Must(template.New("rvm.adml").Funcs(xmlFuncs).Parse(`<?xml version="1.0" encoding="utf-8"?>
<!-- {{.Note}} -->
<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <displayName>rvm</displayName>
  <description>Machine settings of rvm, the desktop runtime launcher.</description>
  <resources>
    <stringTable>
      <string id="RVM">rvm</string>
      <string id="RVM_Explain">Machine settings of rvm (SPEC 4). Computer Configuration writes them to HKLM\{{x .Key}}, where they take precedence over everything a user, a vendor or a network can set; User Configuration writes those that a user's sources may set to HKCU\{{x .Key}}, where they may only make rvm stricter.</string>
      <string id="SUPPORTED_RVM">rvm, on Windows</string>
{{- range .Policies}}
      <string id="{{x .Name}}">{{x .Name}}</string>
      <string id="{{x .Name}}_Explain">{{x .Explain}}</string>
{{- $name := .Name}}
{{- with .Enum}}{{range .Values}}
      <string id="{{x $name}}_{{x .}}">{{x .}}</string>
{{- end}}{{end}}
{{- end}}
    </stringTable>
    <presentationTable>
{{- range .Policies}}{{$p := .}}{{if not .Flag}}
      <presentation id="{{x .Name}}">
{{- with .Decimal}}
        <decimalTextBox refId="{{x $p.Name}}" defaultValue="{{.Default}}" spinStep="1">{{x $p.Name}}:</decimalTextBox>
{{- end}}
{{- with .Enum}}
        <dropdownList refId="{{x $p.Name}}" noSort="true" defaultItem="{{.DefaultItem}}">{{x $p.Name}}:</dropdownList>
{{- end}}
{{- with .Text}}
        <textBox refId="{{x $p.Name}}">
          <label>{{x .Label}}</label>
        </textBox>
{{- end}}
      </presentation>
{{- end}}{{end}}
    </presentationTable>
  </resources>
</policyDefinitionResources>
`))
