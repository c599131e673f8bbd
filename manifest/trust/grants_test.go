package trust_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/manifest/trust/trusttest"
	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// TestGrantsCarrySignedConstraints checks SPEC 5.5 rule 3 from the trust
// side: what a trusted block grants (Result.Grants, which the launcher
// hands permissions.Decide as Trusted) carries the constraints as the
// block signed them, byte for byte; Verify never sees what the manifest
// asks, so that a manifest asking HKEY_LOCAL_MACHINE\SAM, or no keys at
// all, changes nothing of it. A permission that two matching entries
// grant with different constraints is not granted by the block at all.
func TestGrantsCarrySignedConstraints(t *testing.T) {
	f := newPKI(t)
	leaf := f.leaf(t, trusttest.Options{Name: "Acme Grants"})
	u, err := pattern.ParseURL("https://apps.acme.com/blotter/app.json", pattern.Strict)
	if err != nil {
		t.Fatal(err)
	}
	const (
		acmeKey  = `{"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"]}`
		acmeKey2 = `{ "enabled": true, "registryKeys": [ "HKEY_CURRENT_USER\\Software\\Acme" ] }`
		samKey   = `{"enabled":true,"registryKeys":["HKEY_LOCAL_MACHINE\\SAM"]}`
		reversed = `{"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"],"enabled":true}`
	)
	app := func(name, match, perms string) string {
		return `{"name":"` + name + `","match":["` + match + `"],"permissions":` + perms + `}`
	}
	registry := func(c string) string {
		return `{"System":{"readRegistryValue":` + c + `,"launchExternalProcess":true}}`
	}
	blotter, everything := "https://*.acme.com/blotter/*", "https://apps.acme.com/*"
	cases := []struct {
		name    string
		apps    []string
		want    string // the constraints of System.readRegistryValue as granted; "-" where it is not granted
		warning string // in a warning, where given
	}{
		{name: "one-entry-as-signed", apps: []string{app("A", blotter, registry(acmeKey))}, want: acmeKey},
		{name: "one-entry-as-signed-with-its-white-space", apps: []string{app("A", blotter, registry(acmeKey2))}, want: acmeKey2},
		{name: "one-entry-boolean", apps: []string{app("A", blotter, registry(`true`))}, want: ""},
		{name: "two-entries-different-keys", apps: []string{app("A", blotter, registry(acmeKey)), app("B", everything, registry(samKey))}, want: "-",
			warning: `"System.readRegistryValue" is not granted by the block: apps "A" and "B" grant it with different constraints`},
		{name: "two-entries-constraints-and-none", apps: []string{app("A", blotter, registry(`true`)), app("B", everything, registry(acmeKey))}, want: "-",
			warning: "different constraints"},
		{name: "two-entries-members-in-another-order", apps: []string{app("A", blotter, registry(acmeKey)), app("B", everything, registry(reversed))}, want: "-"},
		{name: "two-entries-same-keys-written-otherwise", apps: []string{app("A", blotter, registry(acmeKey)), app("B", everything, registry(acmeKey2))}, want: acmeKey},
		{name: "two-entries-boolean-and-enabled-alone", apps: []string{app("A", blotter, registry(`true`)), app("B", everything, registry(`{"enabled":true}`))}, want: ""},
		{name: "the-other-entry-does-not-grant", apps: []string{app("A", blotter, registry(acmeKey)), app("B", everything, registry(`{"enabled":false,"registryKeys":["HKEY_LOCAL_MACHINE\\SAM"]}`))}, want: acmeKey},
		{name: "third-entry-differs", apps: []string{app("A", blotter, registry(acmeKey)), app("B", everything, registry(acmeKey)), app("C", "https://*.acme.com/*", registry(samKey))}, want: "-",
			warning: `apps "A" and "C"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			block := f.block(t, leaf, "["+strings.Join(tc.apps, ",")+"]")
			v := &trust.Verifier{Roots: f.roots, Now: fixedNow(testNow)}
			res, err := v.Verify(context.Background(), block, "linux", u)
			if err != nil {
				t.Fatal(err)
			}
			got := "-"
			launch := false
			for _, g := range res.Grants {
				switch g.Name {
				case "System.readRegistryValue":
					got = string(g.Constraints)
				case "System.launchExternalProcess":
					launch = g.Enabled
				}
			}
			if got != tc.want {
				t.Errorf("got readRegistryValue granted with %q, want %q (\"-\": not granted)", got, tc.want)
			}
			if !launch {
				t.Errorf("got grants %v, want launchExternalProcess granted all the same", res.Grants)
			}
			if tc.warning != "" && !strings.Contains(strings.Join(res.Warnings, "\n"), tc.warning) {
				t.Errorf("got warnings %q, want one holding %q", res.Warnings, tc.warning)
			}
			if tc.want != "-" && len(res.Warnings) != 0 {
				t.Errorf("got warnings %q, want none", res.Warnings)
			}
		})
	}
}
