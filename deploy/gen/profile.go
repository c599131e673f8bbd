package main

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"strings"
	"text/template"

	"github.com/rvm-launcher/rvm/platform/settings"
)

// The configuration profile's identifiers, from which their UUIDs come:
// the same profile on every run, so that installing a new one replaces
// the old.
const (
	profileID = "com.github.rvm-launcher.rvm.settings"
	payloadID = profileID + "." + preferenceDomain
	// preferenceDomain is the payload's type: macOS writes its keys to
	// /Library/Managed Preferences/RVM.plist (SPEC 4).
	preferenceDomain = "RVM"
)

// dnsNamespace is the name space of RFC 4122 (appendix C) for domain
// names, which the identifiers above are written as.
var dnsNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// nameUUID is the name-based UUID (version 5, SHA-1: RFC 4122 section
// 4.3) of name in the DNS name space, in upper case as profiles write
// UUIDs.
func nameUUID(name string) string {
	h := sha1.New()
	h.Write(dnsNamespace[:])
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// profileKey is one machine setting in the profile: set (an active key
// and value) or shown as an example in a comment.
type profileKey struct {
	Name    string
	Comment string // without "--", which a comment cannot hold
	Value   string // the plist element: <integer>0</integer>, <string>...</string>
	Set     bool
}

// profileKeys are the machine settings as the profile holds them. A flag
// is set to 0, its strict value (1, its default, loosens a check); a
// setting with a default is set to it; a string without one is an
// example in a comment, to be filled in where wanted: a path that does
// not exist would fail closed.
func profileKeys() ([]profileKey, error) {
	var out []profileKey
	for _, s := range settings.Table {
		k := profileKey{Name: s.Name, Set: true}
		note := defaultText(s)
		switch {
		case s.Kind == settings.KindFlag:
			k.Value = "<integer>0</integer>"
			note += " This profile sets 0, the strict value: set 1 only to allow it."
		case s.Kind == settings.KindNumber:
			k.Value = fmt.Sprintf("<integer>%d</integer>", s.Default)
		case s.Values != nil:
			k.Value = "<string>" + escape(s.Default.(string)) + "</string>"
			note += " One of " + strings.Join(s.Values, ", ") + "."
		default:
			e, err := exampleOf(s)
			if err != nil {
				return nil, err
			}
			k.Value, k.Set = "<string>"+escape(e.mac)+"</string>", false
			note += " Not set by this profile: remove the comment around it to set it."
		}
		k.Comment = commentText(s.Name + ": " + strings.Join(nonEmpty(s.Description, strings.TrimSpace(note)), " "))
		out = append(out, k)
	}
	return out, nil
}

// commentText is s fit for an XML comment, which cannot hold "--" (the
// descriptions name flags such as --trust-roots).
func commentText(s string) string {
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "- -")
	}
	return s
}

// profile returns rvm.mobileconfig.
func profile() ([]byte, error) {
	keys, err := profileKeys()
	if err != nil {
		return nil, err
	}
	data := struct {
		Note, ProfileID, ProfileUUID, PayloadID, PayloadUUID, Domain string
		Keys                                                         []profileKey
	}{commentText(generatedNote), profileID, nameUUID(profileID), payloadID, nameUUID(payloadID), preferenceDomain, keys}
	var b bytes.Buffer
	if err := profileTemplate.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("gen: rvm.mobileconfig: %w", err)
	}
	return b.Bytes(), nil
}

var profileTemplate = template.Must(template.New("rvm.mobileconfig").Funcs(xmlFuncs).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- {{.Note}} -->
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>PayloadDisplayName</key>
			<string>rvm machine settings</string>
			<key>PayloadIdentifier</key>
			<string>{{x .PayloadID}}</string>
			<key>PayloadType</key>
			<string>{{x .Domain}}</string>
			<key>PayloadUUID</key>
			<string>{{.PayloadUUID}}</string>
			<key>PayloadVersion</key>
			<integer>1</integer>
{{- range .Keys}}
			<!-- {{.Comment}}{{if .Set}} -->
			<key>{{x .Name}}</key>
			{{.Value}}
{{- else}}
			<key>{{x .Name}}</key>
			{{.Value}}
			-->
{{- end}}
{{- end}}
		</dict>
	</array>
	<key>PayloadDescription</key>
	<string>Machine settings of rvm, the desktop runtime launcher (SPEC 4), for every user of this Mac: macOS writes them to /Library/Managed Preferences/{{x .Domain}}.plist, where they take precedence over everything a user, a vendor or a network can set.</string>
	<key>PayloadDisplayName</key>
	<string>rvm</string>
	<key>PayloadIdentifier</key>
	<string>{{x .ProfileID}}</string>
	<key>PayloadScope</key>
	<string>System</string>
	<key>PayloadType</key>
	<string>Configuration</string>
	<key>PayloadUUID</key>
	<string>{{.ProfileUUID}}</string>
	<key>PayloadVersion</key>
	<integer>1</integer>
</dict>
</plist>
`))
