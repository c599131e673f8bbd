package main

import (
	"fmt"
	"strings"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/permissions/owner"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// draft is the JSON Schema dialect of every schema (SPEC 10).
const draft = "https://json-schema.org/draft/2020-12/schema"

// Regular expressions of the schemas, in the syntax that ECMAScript
// (editors), RE2 (Go) and Python share. Each accepts everything rvm
// accepts (the tests feed them rvm's vectors, and fuzz them against
// rvm's parsers); some refuse less than rvm does, since some of rvm's
// checks (a public suffix, a host name's IDNA form) are beyond them.
const (
	// absPathPattern is an absolute path on any platform: /..., C:\...,
	// C:/... or \\server\share\... (a file names the platform's own).
	absPathPattern = `^(/|[A-Za-z]:[\\/]|\\\\)`
	// locationPattern is where the desktop owner settings are: empty (none),
	// an https://, http:// or file: URL, or an absolute path.
	locationPattern = `^($|[Hh][Tt][Tt][Pp][Ss]?://|[Ff][Ii][Ll][Ee]:|/|[A-Za-z]:[\\/]|\\\\)`
	// httpsURLPattern is an https:// URL with a host and no user info,
	// query or fragment (an empty one, a bare #, is none).
	httpsURLPattern = `^[Hh][Tt][Tt][Pp][Ss]://[^/?#@]+[^?#]*#?$`
	// hostAndPath are a URL pattern's HOST[:PORT]/PATH (SPEC 5.3): the
	// wildcard only as the whole first label, a name or a bracketed IPv6
	// address, a port of digits, and a path without query, fragment,
	// backslash or white space.
	hostAndPath = `(\*\.)?([^/?#@*:\[\]\\%\x00-\x20\x7f]+|\[[0-9A-Fa-f:.]+\])(:[0-9]+)?/[^?#\\\x00-\x20\x7f]*$`
	// strictPatternPattern is a pattern of a signed block: https only.
	strictPatternPattern = `^[Hh][Tt][Tt][Pp][Ss]://` + hostAndPath
	// ownerPatternPattern is an owner-mode pattern: http, https or *.
	ownerPatternPattern = `^([Hh][Tt][Tt][Pp][Ss]?|\*)://` + hostAndPath
	// urlNamePattern is a policy name that is an http:// or https:// URL,
	// and urlNameWithQueryPattern one with a query or fragment, which
	// cannot stand as its pattern.
	urlNamePattern          = `^[Hh][Tt][Tt][Pp][Ss]?://`
	urlNameWithQueryPattern = `^[Hh][Tt][Tt][Pp][Ss]?://[^?#]*[?#]`
	// permissionKeyPattern is a key of a permissions object: not empty,
	// without a dot or a control character.
	permissionKeyPattern = `^[^.\x00-\x1f\x7f-\x9f]+$`
	// noControlPattern is a name without control characters.
	noControlPattern = `^[^\x00-\x1f\x7f-\x9f]+$`
	// revocationPattern is an entry of revokedCertificates (SPEC 5.4).
	revocationPattern = `^(([Tt][Bb][Ss]|[Ss][Pp][Kk][Ii]):)?[0-9A-Fa-f]{64}$`
	// spkiPattern is the hex SHA-256 of a SubjectPublicKeyInfo.
	spkiPattern = `^[0-9A-Fa-f]{64}$`
	// base64Pattern is standard base64 with padding (SPEC 5.1).
	base64Pattern = `^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$`
	// versionPattern is an exact runtime version, versionSpecPattern a
	// version or a wildcard (SPEC 2).
	versionNumber      = `(0|[1-9][0-9]*)`
	versionPattern     = `^` + versionNumber + `(\.` + versionNumber + `){0,3}$`
	versionSpecPattern = `^(\*|` + versionNumber + `(\.` + versionNumber + `){0,3}|` + versionNumber + `(\.` + versionNumber + `){0,2}\.\*)$`
	// switchPattern is an entry of allowedRuntimeArguments: a switch, with
	// more to it than dashes and slashes.
	switchPattern = `[^-/]`
)

// The schema files, by name below deploy/schemas.
const (
	machineSchemaFile = "machine-settings.schema.json"
	ownerSchemaFile   = "desktop-owner-settings.schema.json"
	configSchemaFile  = "trusted-app-configs.schema.json"
	appsSchemaFile    = "apps.schema.json"
)

// schemas returns every schema by file name.
func schemas() (map[string]object, error) {
	tree, err := permissionTree()
	if err != nil {
		return nil, err
	}
	return map[string]object{
		machineSchemaFile: machineSettingsSchema(),
		ownerSchemaFile:   desktopOwnerSchema(tree),
		configSchemaFile:  trustedAppConfigsSchema(tree),
		appsSchemaFile:    appsSchema(tree),
	}, nil
}

// head is the start of every schema.
func head(title, description string) object {
	return obj("$schema", draft, "$comment", generatedNote, "title", title, "description", description)
}

// refused is a member that must not be there, saying why.
func refused(why string) object { return obj("not", obj(), "description", why) }

// stringList is an array of strings that each match pattern, at most max
// of them (0: no bound).
func stringList(description, pattern string, max int) object {
	o := obj("description", description, "type", "array", "items", obj("type", "string", "pattern", pattern))
	if max > 0 {
		o = o.with("maxItems", max)
	}
	return o
}

// machineSettingsSchema is the schema of a machine settings file (SPEC
// 4): /etc/rvm/settings.json, the per-user settings.json, and the file of
// --machine-settings and RVM_MACHINE_SETTINGS.
func machineSettingsSchema() object {
	props := object{}
	for _, s := range settings.Table {
		props = append(props, member{s.Name, settingSchema(s)})
	}
	return head("rvm machine settings",
		"A machine settings file of rvm (SPEC 4): /etc/rvm/settings.json (the owner's, on Linux), $XDG_CONFIG_HOME/rvm/settings.json (a user's), or the file of --machine-settings or RVM_MACHINE_SETTINGS, which stands in for a user's. Every name is optional; a name rvm does not know is an error.").with(
		"type", "object",
		"properties", props,
		"additionalProperties", false,
		"dependentRequired", obj(
			settings.RuntimeRepository, []string{settings.RuntimeRepositoryRoot},
			settings.RuntimeRepositoryRoot, []string{settings.RuntimeRepository}),
	)
}

// settingSchema is the schema of one machine setting's JSON value.
func settingSchema(s settings.Setting) object {
	desc := strings.Join(nonEmpty(s.Description, defaultText(s), userScopeText(s, "a user's file, --machine-settings or RVM_MACHINE_SETTINGS")), " ")
	o := obj("description", desc)
	switch {
	case s.Kind == settings.KindFlag:
		return o.with("type", "integer", "enum", []int{0, 1}, "default", s.Default)
	case s.Kind == settings.KindNumber:
		return o.with("type", "integer", "minimum", 0, "maximum", s.Max, "default", s.Default)
	case s.Values != nil:
		return o.with("type", "string", "enum", s.Values, "default", s.Default)
	}
	var ex []string
	if e, ok := examples[s.Name]; ok {
		ex = []string{e.linux}
	}
	o = o.with("type", "string")
	switch s.Form {
	case settings.FormPath:
		o = o.with("pattern", absPathPattern)
	case settings.FormLocation:
		o = o.with("pattern", locationPattern)
	case settings.FormHTTPSURL:
		o = o.with("pattern", httpsURLPattern)
	default:
		o = o.with("minLength", 1)
	}
	return o.with("examples", ex)
}

// nonEmpty returns the strings of ss that are not empty.
func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Why the desktop owner settings refuse OpenFin's restrictive keys: rvm
// cannot honour them, and a restriction must not be dropped quietly.
const (
	whitelistRefused       = "OpenFin's list of allowed apps: rvm cannot honour it, so a file with it is invalid (fail closed). List the manifest URLs that may launch in desktopSettings.allowedManifestUrls instead."
	runtimeControlsRefused = "OpenFin's runtime and RVM controls: rvm cannot honour them, so a file with them is invalid (fail closed). Restrict runtimes with desktopSettings.allowedRuntimeVersions, blockedRuntimeVersions and minimumRuntimeVersion instead."
)

// deployment is OpenFin's deployment object: rvm ignores it, except for
// the restrictions it cannot honour, which it refuses.
func deployment() object {
	return obj("description", "OpenFin's deployment options: ignored, with a notice, except runtimeControls and rvmControls, which make the file invalid.",
		"properties", obj("runtimeControls", refused(runtimeControlsRefused), "rvmControls", refused(runtimeControlsRefused)))
}

// desktopOwnerSchema is the schema of a desktop owner settings file:
// OpenFin's format as SPEC 4 reads it, with the keys of SPEC 5.7, 7 and
// 9. A key rvm does not act on is allowed (rvm ignores it, with a
// notice); whitelist and deployment's runtime and RVM controls are not.
func desktopOwnerSchema(tree *node) object {
	ownerPatterns := func(description string, min int) object {
		o := stringList(description+" Owner-mode patterns (SPEC 5.3): http, https or * as the scheme, *. as the whole first label of the host, an optional port, and a path in which * stands for any run of characters.", ownerPatternPattern, owner.MaxPatterns)
		if min > 0 {
			o = o.with("minItems", min)
		}
		return o
	}
	desktop := obj(
		"securedAPIDefaultPermission", obj("description", "How a permission that no policy, signed block or stored answer decides is decided: allow (only for a strictly fetched manifest), deny, or prompt (ask the user; also where absent).", "enum", []string{"allow", "deny", "prompt"}),
		"trustedAppConfigs", obj("description", "enabled (also where absent), or disabled: signed trustedAppConfigs blocks are not used on this desktop.", "enum", []string{"enabled", "disabled"}),
		"allowedManifestUrls", ownerPatterns("Where present, only manifests whose URL (as requested and after redirects) matches one of these patterns may launch at all (rvm launch exits 3 for any other); an empty list lets none launch. A pattern of scheme https admits only strictly fetched manifests.", 0),
		"revokedCertificates", stringList("Certificates the owner no longer trusts, anywhere in a chain (SPEC 5.4): 64 hex digits, the SHA-256 of a certificate's DER; tbs: and the SHA-256 of its TBSCertificate (every encoding of it); or spki: and the SHA-256 of a SubjectPublicKeyInfo (every certificate of that key).", revocationPattern, owner.MaxRevokedCertificates),
		"allowedRuntimeArguments", stringList("Switches a manifest may pass to its runtime although rvm drops them (SPEC 8): --name allows the switch with any value, --name=value that value alone.", switchPattern, 0),
		"allowedRuntimeVersions", stringList("Where present, only runtime versions that fit one of these may run: exact versions (38.126.82.64) or wildcards (38.126.*).", versionSpecPattern, 0),
		"blockedRuntimeVersions", stringList("Runtime versions that may not run: exact versions or wildcards.", versionSpecPattern, 0),
		"minimumRuntimeVersion", obj("description", "The oldest runtime version that may run: an exact version.", "type", "string", "pattern", versionPattern),
		"cleanUnusedRuntimes", obj("description", "true removes runtimes not launched for unusedRuntimeExpirationInMinutes (at launch, and by rvm runtime prune); a runtime in use is never removed.", "type", "boolean"),
		"unusedRuntimeExpirationInMinutes", obj("description", "How long a runtime may go unlaunched before cleanUnusedRuntimes removes it, in minutes.", "type", "integer", "minimum", 0),
		"linkHandler", obj("description", "fins:// and fin:// links (SPEC 7).", "type", "object", "properties", obj(
			"enabled", obj("description", "false turns links off: rvm service install registers no URL schemes, and a link launch is refused (exit 3).", "type", "boolean"),
			"allowedManifestUrls", ownerPatterns("Where present, a link may launch only manifests whose URL matches one of these.", 0),
		)),
		"trustedSigners", obj("description", "Signers every user under these settings trusts (SPEC 5.7): a prompt for a strictly fetched manifest whose trusted block has one of these signing keys is answered yes.", "type", "array", "items", obj(
			"type", "object",
			"required", []string{"spki"},
			"properties", obj(
				"spki", obj("description", "The hex SHA-256 of the signing certificate's SubjectPublicKeyInfo, as rvm permissions list and rvm-trust inspect show it.", "type", "string", "pattern", spkiPattern),
				"name", obj("description", "The signer's name, as shown to users.", "type", "string"),
			))),
		"userSignerTrust", obj("description", "disabled stops users from trusting signers: no a/all answer to a prompt, and the signer trusts they stored are ignored.", "enum", []string{"enabled", "disabled"}),
		"promptsRequireTrustedBlock", obj("description", "true answers every prompt denied, without asking, where the manifest has no trusted block.", "type", "boolean"),
		"whitelist", refused(whitelistRefused),
		"deployment", deployment(),
	)
	policy := obj(
		"type", "object",
		"properties", obj(
			"urls", ownerPatterns("The manifest URLs this policy applies to.", 1),
			"permissions", obj("$ref", "#/$defs/permissions"),
			"whitelist", refused(whitelistRefused),
		),
	)
	return head("rvm desktop owner settings",
		"A desktop owner settings file (SPEC 4): OpenFin's format, as rvm reads it. rvm acts on the keys described here; it ignores any other key, with a notice that rvm settings, rvm doctor and the decision show, and refuses OpenFin's restrictive keys that it cannot honour (whitelist, deployment.runtimeControls, deployment.rvmControls). A file rvm refuses is kept out: rvm goes on with its last good copy, or with none ever fails closed.").with(
		"type", "object",
		"properties", obj(
			"desktopSettings", obj("description", "Settings for the whole desktop.", "type", "object", "properties", desktop),
			"applicationSettings", obj(
				"description", "Named policies. A policy applies to the manifest URLs that its urls match; one whose name is itself an http:// or https:// URL and that has no urls applies to that URL. default applies to a permission that no matching named policy sets. Where matching policies disagree on a permission, false wins.",
				"type", "object",
				"maxProperties", owner.MaxPolicies,
				"propertyNames", obj("minLength", 1),
				"properties", obj(owner.DefaultPolicy, obj(
					"description", "The policy for a permission that no matching named policy sets. It has no urls.",
					"$ref", "#/$defs/policy",
					"properties", obj("urls", refused("The default policy has no urls: it applies where no named policy matches.")),
				)),
				"patternProperties", obj(
					urlNamePattern, obj("description", "A policy named by a manifest URL: without urls, it applies to that URL (an owner-mode pattern).", "$ref", "#/$defs/policy"),
					urlNameWithQueryPattern, obj("description", "A URL with a query or fragment cannot stand as a policy's pattern: give the policy urls.", "required", []string{"urls"}),
				),
				"additionalProperties", obj("description", "A named policy: it needs urls.", "$ref", "#/$defs/policy", "required", []string{"urls"}),
			),
			"whitelist", refused(whitelistRefused),
			"deployment", deployment(),
		),
		"$defs", permissionDefs(tree, false).with("policy", policy),
	)
}

// app is the schema of an app entry of a trustedAppConfigs config and of
// rvm-trust's apps file (SPEC 5.1).
func app() object {
	return obj(
		"type", "object",
		"required", []string{"name", "match"},
		"additionalProperties", false,
		"properties", obj(
			"name", obj("description", fmt.Sprintf("The app's name, shown to users: unique within the config, at most %d bytes, without control characters.", trust.MaxNameLen), "type", "string", "maxLength", trust.MaxNameLen, "pattern", noControlPattern),
			"match", obj("description", "The manifest URLs the entry covers: patterns (SPEC 5.3) https://HOST[:PORT]/PATH, *. as the whole first label of HOST (never a public suffix, localhost or an IP address), * in PATH for any run of characters.",
				"type", "array", "minItems", 1, "maxItems", trust.MaxPatterns, "items", obj("type", "string", "pattern", strictPatternPattern)),
			"permissions", obj("description", "The permissions granted, without asking the user, to a manifest that matches and requests them (unless the desktop owner's settings decide otherwise).", "$ref", "#/$defs/permissions"),
		),
	)
}

// trustedAppConfigsSchema is the schema of the config JSON inside a
// trustedAppConfigs block: the base64-decoded value (SPEC 5.1).
func trustedAppConfigsSchema(tree *node) object {
	der := func(description string) object {
		return obj("description", description, "type", "string", "pattern", base64Pattern, "contentEncoding", "base64", "contentMediaType", "application/pkix-cert")
	}
	return head("rvm trustedAppConfigs config",
		"The config inside a trustedAppConfigs block (SPEC 5.1): the JSON that the block's value holds in base64, at most 64 KiB, with no duplicate and no unknown keys. A permission name rvm does not know is kept, and never granted.").with(
		"type", "object",
		"required", []string{"version", "certificate", "apps"},
		"additionalProperties", false,
		"properties", obj(
			"version", obj("description", "1.", "const", 1),
			"certificate", der("The signing certificate: base64 (standard, padded) of its DER."),
			"intermediates", obj("description", "The certificates between the signing certificate and a trust root, nearest first.", "type", "array", "maxItems", trust.MaxIntermediates, "items", der("An intermediate certificate: base64 of its DER.")),
			"apps", obj("description", "The app entries.", "type", "array", "minItems", 1, "maxItems", trust.MaxApps, "items", obj("$ref", "#/$defs/app")),
		),
		"$defs", permissionDefs(tree, false).with("app", app()),
	)
}

// appsSchema is the schema of rvm-trust sign's apps file: the apps array
// of a config. rvm-trust refuses a permission name rvm does not know, and
// so does the schema.
func appsSchema(tree *node) object {
	return head("rvm-trust apps file",
		"The apps file of rvm-trust sign --apps (SPEC 1): the app entries of the trustedAppConfigs config to sign (SPEC 5.1). rvm-trust refuses invalid patterns, permission names rvm does not know, and patterns outside the signing chain's name constraints.").with(
		"type", "array",
		"minItems", 1,
		"maxItems", trust.MaxApps,
		"items", obj("$ref", "#/$defs/app"),
		"$defs", permissionDefs(tree, true).with("app", app()),
	)
}

// node is a permission name, or a group of them, in the tree of the
// names rvm knows.
type node struct {
	path     string // the dotted path
	leaf     bool   // a permission of that name
	children []*node
}

// permissionTree is the tree of permissions.Names(), in their order. A
// name that is also a group (A.b and A.b.c) is an error: the schema of
// rvm-trust's apps file, which refuses unknown names, has no form for it.
func permissionTree() (*node, error) {
	root := &node{}
	for _, name := range permissions.Names() {
		n := root
		for _, part := range strings.Split(name, ".") {
			if n.leaf {
				return nil, fmt.Errorf("gen: the permission %s is also a group (of %s)", n.path, name)
			}
			n = n.child(part)
		}
		if len(n.children) > 0 {
			return nil, fmt.Errorf("gen: the permission %s is also a group", name)
		}
		n.leaf = true
	}
	return root, nil
}

// child returns the child of n named part, made where there is none.
func (n *node) child(part string) *node {
	for _, c := range n.children {
		if c.name() == part {
			return c
		}
	}
	path := part
	if n.path != "" {
		path = n.path + "." + part
	}
	c := &node{path: path}
	n.children = append(n.children, c)
	return c
}

// name is the last part of n's path.
func (n *node) name() string { return n.path[strings.LastIndex(n.path, ".")+1:] }

// webAPIs is the group that may also be written as an array of names
// (SPEC 2).
const webAPIs = "webAPIs"

// permissionDefs are the $defs of the permissions object of SPEC 2, with
// the names rvm knows as properties for editors to complete. Where strict
// (rvm-trust's apps file), a name rvm does not know is refused; otherwise
// (desktop owner settings, signed blocks) it is allowed, since rvm keeps
// it and notes it, and never grants it.
func permissionDefs(tree *node, strict bool) object {
	key := obj("$ref", "#/$defs/permissionKey")
	var walk func(n *node, top bool) object
	walk = func(n *node, top bool) object {
		props := object{}
		for _, c := range n.children {
			props = append(props, member{c.name(), walk(c, false)})
		}
		desc := "Permission " + n.path + "."
		if len(n.children) > 0 {
			desc = "Permissions under " + n.path + "."
		}
		var o object
		switch {
		case top:
			o = obj("description", "A permissions object (SPEC 2): nested objects whose leaves are true, false, or {\"enabled\": true, ...constraints}; a permission is named by its dotted path, System.launchExternalProcess.", "type", "object", "properties", props)
		case strict && len(n.children) == 0:
			return obj("description", desc, "type", []string{"boolean", "object"}, "$ref", "#/$defs/permissionObject")
		case strict:
			o = obj("description", desc, "type", "object", "properties", props)
		case len(n.children) == 0:
			return obj("description", desc, "$ref", "#/$defs/permission")
		default:
			o = obj("description", desc, "type", []string{"boolean", "object"},
				"if", obj("type", "object", "required", []string{"enabled"}), "then", obj("$ref", "#/$defs/permissionObject"),
				"else", obj("properties", props, "propertyNames", key, "additionalProperties", obj("$ref", "#/$defs/permission")))
		}
		if strict {
			o = o.with("additionalProperties", false)
		} else if top {
			o = o.with("propertyNames", key, "additionalProperties", obj("$ref", "#/$defs/permission"))
		}
		if n.path == webAPIs {
			o = webAPIsArray(n, o, strict)
		}
		return o
	}
	defs := obj(
		"permissions", walk(tree, true),
		"permissionKey", obj("description", "A key of a permissions object: not empty, without a dot or a control character.", "type", "string", "pattern", permissionKeyPattern),
		"permissionObject", obj("description", "The object form of a permission: enabled, and further constraints that travel with a grant to the runtime.",
			"required", []string{"enabled"}, "properties", obj("enabled", obj("description", "Whether the permission is requested or granted.", "type", "boolean"))),
	)
	if !strict {
		defs = defs.with("permission", obj(
			"description", "A permission rvm may not know (kept, noted, and never granted), or a group of them: true, false, {\"enabled\": true, ...constraints}, or an object of further names.",
			"type", []string{"boolean", "object"},
			"if", obj("type", "object", "required", []string{"enabled"}),
			"then", obj("$ref", "#/$defs/permissionObject"),
			"else", obj("propertyNames", key, "additionalProperties", obj("$ref", "#/$defs/permission")),
		))
	}
	return defs
}

// webAPIsArray lets the group webAPIs (n, whose schema is o) also be an
// array of names, as OpenFin writes it: ["audio", "clipboard-read"]
// requests webAPIs.audio and webAPIs.clipboard-read.
func webAPIsArray(n *node, o object, strict bool) object {
	var names []string
	for _, c := range n.children {
		names = append(names, c.name())
	}
	items := obj("type", "string", "pattern", permissionKeyPattern, "examples", names)
	if strict {
		items = obj("enum", names)
	}
	for i, m := range o {
		if m.name == "type" {
			o[i].value = append(typesOf(m.value), "array")
		}
	}
	return o.with("items", items, "uniqueItems", true)
}

// typesOf is a schema's type as a list.
func typesOf(t any) []string {
	if s, ok := t.(string); ok {
		return []string{s}
	}
	return append([]string{}, t.([]string)...)
}
