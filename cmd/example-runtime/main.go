// Command example-runtime stands in for an app runtime when trying rvm
// out (make demo). Install it as <RuntimeDirectory>/<version>/runtime and
// launch an app: it prints the arguments rvm started it with and the
// decision document that --decision points at, then exits.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxDecision bounds the decision document it reads.
const maxDecision = 1 << 20

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "example-runtime:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fmt.Fprintf(out, "example-runtime: started (pid %d) with %d arguments:\n", os.Getpid(), len(args))
	path := ""
	for i, a := range args {
		fmt.Fprintf(out, "  %d: %q\n", i+1, a)
		if p, ok := strings.CutPrefix(a, "--decision="); ok {
			path = p
		}
	}
	if path == "" {
		return errors.New("no --decision=<path> argument")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDecision+1))
	if err != nil {
		return err
	}
	if len(data) > maxDecision {
		return fmt.Errorf("decision document %s is larger than %d bytes", path, maxDecision)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, data, "  ", "  "); err != nil {
		return fmt.Errorf("decision document %s: %w", path, err)
	}
	fmt.Fprintf(out, "example-runtime: decision document %s:\n  %s\n", path, pretty.Bytes())
	return nil
}
