// Command example-runtime stands in for an app runtime: rvm starts it with
// --config=<manifest URL> --decision=<decision document> and the manifest's
// runtime.arguments, and it prints what it received and what the decision
// grants, then exits. `make demo` installs it as a runtime.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// maxDecision bounds the decision document it reads.
const maxDecision = 4 << 20

func main() {
	fs := flag.NewFlagSet("example-runtime", flag.ContinueOnError)
	config := fs.String("config", "", "the manifest URL")
	decision := fs.String("decision", "", "the decision document")
	fs.Bool("demo", false, "a runtime argument of the demo manifest")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	fmt.Printf("example runtime: started with %q\n", os.Args[1:])
	fmt.Printf("example runtime: app %s\n", *config)
	f, err := os.Open(*decision)
	if err != nil {
		fmt.Printf("example runtime: no decision document: %v\n", err)
		os.Exit(1)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDecision))
	if err != nil {
		fmt.Printf("example runtime: %v\n", err)
		os.Exit(1)
	}
	var doc struct {
		Trust struct {
			Status string `json:"status"`
			Signer string `json:"signer"`
		} `json:"trust"`
		UserAppConfigArgs map[string]string `json:"userAppConfigArgs"`
		Permissions       map[string]struct {
			Decision string `json:"decision"`
			Source   string `json:"source"`
		} `json:"permissions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		fmt.Printf("example runtime: decision document %s: %v\n", *decision, err)
		os.Exit(1)
	}
	fmt.Printf("example runtime: trust %s (signer %q), app arguments %v\n", doc.Trust.Status, doc.Trust.Signer, doc.UserAppConfigArgs)
	names := make([]string, 0, len(doc.Permissions))
	for n := range doc.Permissions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := doc.Permissions[n]
		fmt.Printf("example runtime:   %-32s %-8s %s\n", n, p.Decision, p.Source)
	}
}
