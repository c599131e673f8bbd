package pattern_test

import (
	"fmt"

	"github.com/rvm-launcher/rvm/permissions/pattern"
)

func Example() {
	p, err := pattern.Parse("https://*.acme.com/blotter/*", pattern.Strict)
	if err != nil {
		panic(err)
	}
	for _, raw := range []string{
		"https://acme.com/blotter/index.json",
		"https://apps.eu.ACME.com./blotter/a/b.json",
		"https://acme.com:443/blotter/?q=1",
		"https://acme.com/Blotter/index.json",
		"https://acme.com/blotter",
		"https://acme.com/blotter/../admin/x",
		"https://acme.com:8443/blotter/x",
		"http://acme.com/blotter/x",
		"https://evil-acme.com/blotter/x",
		"https://acme.com.evil.com/blotter/x",
		"https://acme.com@evil.com/blotter/x",
		"https://acme.com/x?/blotter/y",
	} {
		u, err := pattern.ParseURL(raw, pattern.Strict)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(p.Match(u), u)
	}
	// Output:
	// true https://acme.com/blotter/index.json
	// true https://apps.eu.acme.com/blotter/a/b.json
	// true https://acme.com/blotter/?q=1
	// false https://acme.com/Blotter/index.json
	// false https://acme.com/blotter
	// false https://acme.com/admin/x
	// false https://acme.com:8443/blotter/x
	// pattern: URL "http://acme.com/blotter/x": scheme "http" is not https
	// false https://evil-acme.com/blotter/x
	// false https://acme.com.evil.com/blotter/x
	// pattern: URL "https://acme.com@evil.com/blotter/x": user info (@) is not allowed
	// false https://acme.com/x?/blotter/y
}

func ExampleParse() {
	for _, s := range []string{
		"https://*.co.uk/*",
		"https://*.github.io/*",
		"https://a*.example.com/*",
		"https://localhost/*",
		"https://example.com/app/../*",
	} {
		_, err := pattern.Parse(s, pattern.Strict)
		fmt.Println(err)
	}
	// Output:
	// pattern: "https://*.co.uk/*": *.co.uk is a public suffix (ICANN section of the list)
	// pattern: "https://*.github.io/*": *.github.io is a public suffix (private section of the list)
	// pattern: "https://a*.example.com/*": the wildcard * may only be the whole first label, as in *.example.com
	// pattern: "https://localhost/*": localhost is not allowed
	// pattern: "https://example.com/app/../*": dot segment ".." in the path: paths are matched after dot segments are removed
}

func ExampleIndex() {
	var entries []pattern.Entry
	for owner, s := range []string{
		"https://*.acme.com/*",
		"https://tools.acme.com/blotter/*",
		"https://foo.com/*",
	} {
		p, err := pattern.Parse(s, pattern.Strict)
		if err != nil {
			panic(err)
		}
		entries = append(entries, pattern.Entry{Pattern: p, Owner: owner})
	}
	ix := pattern.NewIndex(entries)
	owners := make([]int, 0, 8)
	for _, raw := range []string{
		"https://tools.acme.com/blotter/x",
		"https://barfoo.com/",
	} {
		u, err := pattern.ParseURL(raw, pattern.Strict)
		if err != nil {
			panic(err)
		}
		owners = ix.AppendMatches(owners[:0], u)
		fmt.Println(raw, owners)
	}
	// Output:
	// https://tools.acme.com/blotter/x [0 1]
	// https://barfoo.com/ []
}
