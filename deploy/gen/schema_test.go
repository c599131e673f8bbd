package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions/owner"
	"github.com/rvm-launcher/rvm/permissions/pattern"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// testdata is the repository's test vectors.
const testdata = "../../testdata"

// compiled are the committed schemas, compiled once: the compiler checks
// each against the 2020-12 meta-schema.
var compiled = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{machineSchemaFile, ownerSchemaFile, configSchemaFile, appsSchemaFile} {
		sch, err := jsonschema.NewCompiler().Compile(filepath.Join("..", "schemas", name))
		if err != nil {
			return nil, err
		}
		out[name] = sch
	}
	return out, nil
})

// schema is the committed schema name, compiled.
func schema(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	all, err := compiled()
	if err != nil {
		t.Fatal(err)
	}
	return all[name]
}

// decode reads a JSON document as the validator wants it.
func decode(data []byte) (any, error) {
	return jsonschema.UnmarshalJSON(bytes.NewReader(data))
}

// Why a bad_* vector passes its schema: each is a fault that a JSON
// Schema cannot see.
const (
	notJSON       = "not JSON: the schema describes JSON documents, and rvm refuses this one before any schema could apply"
	duplicateKey  = "a duplicate key: a JSON Schema validator sees the decoded document, which holds only one of the two"
	zeroFraction  = "a number with a zero fraction (1.0): JSON Schema counts it as the integer 1, rvm wants the digits of a whole number"
	publicSuffix  = "a pattern that covers a public suffix: only the public suffix list tells"
	notDER        = "a certificate in valid base64 that is not DER: only parsing it tells"
	outsideConfig = "a fault of the block around the config (its base64, its signatures, its shape), which the config's schema does not describe"
	verification  = "a fault only verification finds: the chain's keys, dates, usages and name constraints, the signature, a revocation, or the manifest URL"
)

// noDocument are the reasons for which there may be no document to
// validate at all.
var noDocument = map[string]bool{notJSON: true, outsideConfig: true}

// vectorSet is a folder of test vectors and the schema they are checked
// against.
type vectorSet struct {
	schema string
	glob   string
	// extract is the document the schema describes, from a vector file.
	extract func(data []byte) (any, error)
	// uncaught are the bad_* vectors that pass the schema, and why.
	uncaught map[string]string
}

// wholeFile is the vector file as the document.
func wholeFile(data []byte) (any, error) { return decode(data) }

// blockConfig is the config inside the trustedAppConfigs block of a trust
// vector: its value, base64-decoded.
func blockConfig(data []byte) (any, error) {
	var v struct {
		TrustedAppConfigs struct {
			Value *string `json:"value"`
		} `json:"trustedAppConfigs"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	if v.TrustedAppConfigs.Value == nil {
		return nil, errors.New("no value")
	}
	config, err := base64.StdEncoding.DecodeString(*v.TrustedAppConfigs.Value)
	if err != nil {
		return nil, err
	}
	return decode(config)
}

// demoPort stands in for the port that testdata/demo/demo.sh puts in its
// apps file.
const demoPort = "44147"

func demoApps(data []byte) (any, error) {
	return decode(bytes.ReplaceAll(data, []byte("@PORT@"), []byte(demoPort)))
}

var vectorSets = []vectorSet{
	{machineSchemaFile, "settings/*.json", wholeFile, map[string]string{
		"bad_duplicate_key.json":  duplicateKey,
		"bad_flag_real.json":      zeroFraction,
		"bad_syntax.json":         notJSON,
		"bad_trailing_comma.json": notJSON,
		"bad_trailing_data.json":  notJSON,
	}},
	{ownerSchemaFile, "owner/*.json", wholeFile, map[string]string{
		"bad_allowed_urls_public_suffix.json": publicSuffix,
		"bad_duplicate_desktop_key.json":      duplicateKey,
		"bad_duplicate_permission.json":       duplicateKey,
		"bad_duplicate_policy.json":           duplicateKey,
		"bad_duplicate_top_key.json":          duplicateKey,
		"bad_empty_file.json":                 notJSON,
		"bad_syntax.json":                     notJSON,
		"bad_trailing_data.json":              notJSON,
	}},
	{ownerSchemaFile, "demo/owner.json", wholeFile, nil},
	{configSchemaFile, "trust/*.json", blockConfig, map[string]string{
		"bad_base64_crlf.json":                 outsideConfig,
		"bad_base64_newline.json":              outsideConfig,
		"bad_base64_space.json":                outsideConfig,
		"bad_base64_unpadded.json":             outsideConfig,
		"bad_base64_urlsafe.json":              outsideConfig,
		"bad_block_duplicate_key.json":         outsideConfig,
		"bad_block_no_value.json":              outsideConfig,
		"bad_block_not_object.json":            outsideConfig,
		"bad_block_unknown_key.json":           outsideConfig,
		"bad_block_unknown_platform.json":      outsideConfig,
		"bad_missing_platform.json":            outsideConfig,
		"bad_no_signatures.json":               outsideConfig,
		"bad_signature_base64_space.json":      outsideConfig,
		"bad_signature_garbage.json":           outsideConfig,
		"bad_signature_moved.json":             outsideConfig,
		"bad_value_not_string.json":            outsideConfig,
		"bad_config_certificate_garbage.json":  notDER,
		"bad_config_duplicate_key.json":        duplicateKey,
		"bad_config_duplicate_key_deep.json":   duplicateKey,
		"bad_config_duplicate_permission.json": duplicateKey,
		"bad_config_invalid_pattern.json":      publicSuffix,
		"bad_config_not_json.json":             notJSON,
		"bad_ecdsa_p521.json":                  verification,
		"bad_expired.json":                     verification,
		"bad_expired_intermediate.json":        verification,
		"bad_foreign_root.json":                verification,
		"bad_intermediate_as_signer.json":      verification,
		"bad_key_usage_no_signature.json":      verification,
		"bad_missing_intermediate.json":        verification,
		"bad_name_constraints.json":            verification,
		"bad_no_eku.json":                      verification,
		"bad_not_yet_valid.json":               verification,
		"bad_owner_revoked.json":               verification,
		"bad_owner_revoked_inter.json":         verification,
		"bad_owner_revoked_reencoded.json":     verification,
		"bad_owner_revoked_root.json":          verification,
		"bad_owner_revoked_spki.json":          verification,
		"bad_owner_revoked_tbs.json":           verification,
		"bad_rsa_1024.json":                    verification,
		"bad_rsa_1024_intermediate.json":       verification,
		"bad_sha1_intermediate.json":           verification,
		"bad_tampered_value.json":              verification,
		"bad_url_not_matched.json":             verification,
		"bad_url_other_port.json":              verification,
		"bad_wrong_eku.json":                   verification,
	}},
	{appsSchemaFile, "demo/apps.json.in", demoApps, nil},
}

// TestVectorsAgainstSchemas validates every good_* vector against its
// schema, which must accept it, and every bad_* one, which it must refuse
// unless the set lists it as beyond a schema (and then it must accept
// it, so that the list stays exact).
func TestVectorsAgainstSchemas(t *testing.T) {
	for _, set := range vectorSets {
		sch := schema(t, set.schema)
		paths, err := filepath.Glob(filepath.Join(testdata, set.glob))
		if err != nil || len(paths) == 0 {
			t.Fatalf("%s: no vectors (%v)", set.glob, err)
		}
		seen := map[string]bool{}
		for _, path := range paths {
			name := filepath.Base(path)
			if strings.HasSuffix(name, ".want.json") {
				continue
			}
			seen[name] = true
			rel := filepath.ToSlash(strings.TrimPrefix(path, testdata+string(filepath.Separator)))
			t.Run(rel, func(t *testing.T) {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				doc, docErr := set.extract(data)
				why, isUncaught := set.uncaught[name]
				switch bad := strings.HasPrefix(name, "bad_"); {
				case docErr != nil && !(bad && noDocument[why]):
					t.Fatalf("got no document to validate: %v", docErr)
				case docErr != nil:
					// Nothing for a schema to see, as the reason says.
				case !bad || isUncaught:
					if err := sch.Validate(doc); err != nil {
						t.Errorf("got %v against %s, want it valid", err, set.schema)
					}
					if why == notJSON {
						t.Errorf("got a JSON document, want none (it is listed as %q)", why)
					}
				default:
					if err := sch.Validate(doc); err == nil {
						t.Errorf("got it valid against %s, want it refused (or listed with the reason the schema cannot catch it)", set.schema)
					}
				}
			})
		}
		for name := range set.uncaught {
			if !seen[name] {
				t.Errorf("%s: the vector %s listed as beyond the schema is not there: take it off the list", set.glob, name)
			}
		}
	}
}

// acceptsLike checks, for one input, that the schema name accepts the
// document doc where rvm's own parser accepted it (accepted): a schema
// must never flag a file that rvm reads.
func acceptsLike(t *testing.T, name string, accepted bool, doc []byte) {
	t.Helper()
	if !accepted {
		return
	}
	v, err := decode(doc)
	if err != nil {
		t.Fatalf("rvm accepts %q, which is not JSON to the validator: %v", doc, err)
	}
	if err := schema(t, name).Validate(v); err != nil {
		t.Fatalf("rvm accepts %q, but %s refuses it: %v", doc, name, err)
	}
}

// addVectorSeeds adds the files of testdata matching glob to f's corpus.
func addVectorSeeds(f *testing.F, glob string, extract func([]byte) []byte) {
	paths, err := filepath.Glob(filepath.Join(testdata, glob))
	if err != nil || len(paths) == 0 {
		f.Fatalf("%s: no vectors (%v)", glob, err)
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if extract != nil {
			data = extract(data)
		}
		f.Add(data)
	}
}

// allowedScheme matches the schemes of a DesktopOwnerSettings URL that SPEC 4
// allows.
var allowedScheme = regexp.MustCompile(`^(?i)(https?|file):`)

// FuzzMachineSettingsSchema checks that the machine settings schema
// accepts every file that rvm reads without an error.
func FuzzMachineSettingsSchema(f *testing.F) {
	addVectorSeeds(f, "settings/*.json", nil)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "settings.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		m := settings.Sources{Owner: []settings.Source{settings.JSONFile(path)}}.Load("")
		if loc, _ := m.Values[settings.DesktopOwnerSettings].Value.(string); strings.Contains(loc, "://") && !allowedScheme.MatchString(loc) {
			t.Skip("a DesktopOwnerSettings URL of a scheme SPEC 4 does not allow: the settings take it, the desktop owner settings loader refuses it, and so does the schema")
		}
		acceptsLike(t, machineSchemaFile, len(m.Errors) == 0, data)
	})
}

// FuzzOwnerSchema checks that the desktop owner settings schema accepts
// every file that rvm's parser accepts.
func FuzzOwnerSchema(f *testing.F) {
	addVectorSeeds(f, "owner/*.json", nil)
	addVectorSeeds(f, "demo/owner.json", nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := owner.Parse(data, "fuzz")
		acceptsLike(t, ownerSchemaFile, err == nil, data)
	})
}

// FuzzConfigSchema checks that the trustedAppConfigs config schema
// accepts every config that rvm's parser accepts.
func FuzzConfigSchema(f *testing.F) {
	addVectorSeeds(f, "trust/*.json", func(data []byte) []byte {
		var v struct {
			TrustedAppConfigs struct{ Value string } `json:"trustedAppConfigs"`
		}
		json.Unmarshal(data, &v) // a seed that is not a block is a seed all the same
		config, _ := base64.StdEncoding.DecodeString(v.TrustedAppConfigs.Value)
		return config
	})
	f.Fuzz(func(t *testing.T, config []byte) {
		_, err := trust.ParseConfig(base64.StdEncoding.EncodeToString(config))
		acceptsLike(t, configSchemaFile, err == nil, config)
	})
}

// FuzzSchemaStrings checks the schemas' patterns for URL patterns and
// runtime versions against rvm's parsers: every pattern that rvm parses
// in owner mode passes as an entry of allowedManifestUrls and a policy's
// urls, every one it parses in strict mode as an app's match, and every
// version and wildcard that rvm reads as one passes where the desktop
// owner settings take one.
func FuzzSchemaStrings(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join(testdata, "pattern/*.txt"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no pattern vectors (%v)", err)
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if _, p, ok := strings.Cut(line, " "); ok && (strings.HasPrefix(line, "owner ") || strings.HasPrefix(line, "strict ")) {
				f.Add(p)
			}
		}
	}
	for _, v := range []string{"38.126.82.64", "38.126.*", "38.*", "*", "0", "1.2.3.4.5", "01.2", "stable", "38.126.82.64.*"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, s string) {
		str, _ := json.Marshal(s)
		_, err := pattern.Parse(s, pattern.Owner)
		acceptsLike(t, ownerSchemaFile, err == nil, []byte(`{"desktopSettings": {"allowedManifestUrls": [`+string(str)+`]}, "applicationSettings": {"p": {"urls": [`+string(str)+`]}}}`))
		_, err = pattern.Parse(s, pattern.Strict)
		acceptsLike(t, appsSchemaFile, err == nil, []byte(`[{"name": "a", "match": [`+string(str)+`]}]`))
		acceptsLike(t, ownerSchemaFile, runtime.IsVersion(s), []byte(`{"desktopSettings": {"minimumRuntimeVersion": `+string(str)+`}}`))
		spec, err := runtime.ParseSpec(s)
		acceptsLike(t, ownerSchemaFile, err == nil && spec.Channel == "", []byte(`{"desktopSettings": {"allowedRuntimeVersions": [`+string(str)+`], "blockedRuntimeVersions": [`+string(str)+`]}}`))
	})
}

// TestMachineSchemaFollowsTable checks the machine settings schema against
// the settings table row by row: every setting, with its type, values and
// bounds, and no other name.
func TestMachineSchemaFollowsTable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "schemas", machineSchemaFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema               string `json:"$schema"`
		AdditionalProperties *bool  `json:"additionalProperties"`
		Properties           map[string]struct {
			Type    string
			Enum    []any
			Minimum *int
			Maximum *int
			Pattern string
			Default any
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != draft {
		t.Errorf("got $schema %q, want %q", doc.Schema, draft)
	}
	if doc.AdditionalProperties == nil || *doc.AdditionalProperties {
		t.Errorf("got additionalProperties %v, want false: a name rvm does not know is an error", doc.AdditionalProperties)
	}
	var names []string
	for _, s := range settings.Table {
		names = append(names, s.Name)
		t.Run(s.Name, func(t *testing.T) {
			p, ok := doc.Properties[s.Name]
			if !ok {
				t.Fatal("got no property")
			}
			switch {
			case s.Kind == settings.KindFlag:
				if p.Type != "integer" || !slices.Equal(p.Enum, []any{0.0, 1.0}) {
					t.Errorf("got type %q, enum %v, want integer 0 or 1", p.Type, p.Enum)
				}
			case s.Kind == settings.KindNumber:
				if p.Type != "integer" || p.Minimum == nil || *p.Minimum != 0 || p.Maximum == nil || *p.Maximum != s.Max {
					t.Errorf("got type %q, from %v to %v, want integer from 0 to %d", p.Type, p.Minimum, p.Maximum, s.Max)
				}
			case s.Values != nil:
				var want []any
				for _, v := range s.Values {
					want = append(want, v)
				}
				if p.Type != "string" || !slices.Equal(p.Enum, want) {
					t.Errorf("got type %q, enum %v, want string %v", p.Type, p.Enum, s.Values)
				}
			default:
				if p.Type != "string" || p.Pattern == "" {
					t.Errorf("got type %q, pattern %q, want a string with a pattern", p.Type, p.Pattern)
				}
			}
			if s.Default != nil {
				if want, _ := json.Marshal(s.Default); !bytes.Equal(mustMarshal(t, p.Default), want) {
					t.Errorf("got default %v, want %v", p.Default, s.Default)
				}
			}
		})
	}
	for name := range doc.Properties {
		if !slices.Contains(names, name) {
			t.Errorf("got a property %s, which the settings table does not have", name)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
