// Command gen writes the templates that desktop owners manage rvm with
// (SPEC section 10) from the tables in rvm's code, so that they cannot
// drift from what rvm reads:
//
//   - windows/rvm.admx and windows/en-US/rvm.adml: Group Policy, one
//     policy for each machine setting of platform/settings.Table under
//     Software\Policies\RVM (class Machine for a setting that only owner
//     sources may set, Both for the others);
//   - macos/rvm.mobileconfig: a configuration profile whose payload sets
//     the preference domain RVM, which macOS writes to
//     /Library/Managed Preferences/RVM.plist;
//   - schemas/*.schema.json: JSON Schemas (draft 2020-12) of the machine
//     settings file, the desktop owner settings file, the config inside a
//     trustedAppConfigs block and rvm-trust's apps file, with the
//     permission names of permissions.Names() for editors to complete.
//
// It runs as `make generate` (go generate ./deploy/...), which writes
// into the deploy folder; its tests fail when a committed file differs
// from what it writes, and check each file against SPEC 4 and the test
// vectors.
//
// Usage:
//
//	go run ./deploy/gen -out deploy
package main

//go:generate go run . -out ..

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

func main() {
	out := flag.String("out", "", "the deploy folder to write into (required)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -out DIR")
		os.Exit(2)
	}
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// write writes every generated file under dir.
func write(dir string) error {
	fs, err := files()
	if err != nil {
		return err
	}
	for _, name := range sortedNames(fs) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		if err := os.WriteFile(path, fs[name], 0o644); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
	}
	return nil
}

// files returns every file the generator writes, by its slash-separated
// path below the deploy folder.
func files() (map[string][]byte, error) {
	out := map[string][]byte{}
	admx, adml, err := groupPolicy()
	if err != nil {
		return nil, err
	}
	out["windows/rvm.admx"], out["windows/en-US/rvm.adml"] = admx, adml
	if out["macos/rvm.mobileconfig"], err = profile(); err != nil {
		return nil, err
	}
	all, err := schemas()
	if err != nil {
		return nil, err
	}
	for name, schema := range all {
		if out["schemas/"+name], err = marshalIndent(schema); err != nil {
			return nil, fmt.Errorf("gen: %s: %w", name, err)
		}
	}
	return out, nil
}

// sortedNames returns the keys of fs in order.
func sortedNames(fs map[string][]byte) []string {
	names := make([]string, 0, len(fs))
	for name := range fs {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
