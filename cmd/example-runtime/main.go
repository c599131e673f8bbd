// Command example-runtime stands in for an app runtime when trying rvm
// out (make demo). Install it as <RuntimeDirectory>/<version>/runtime and
// launch an app. It follows the contract of SPEC section 8: it reads the
// manifest copy that --manifest names and the decision document that
// --decision names, once, at its start (the last of each flag, since rvm
// puts its own flags after the manifest's arguments), and never fetches
// the manifest: --config is only its URL. It prints the time it was
// started (for benchmarks of a launch), its arguments and what it read,
// then exits.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Bounds of the files it reads: a manifest is at most 1 MiB (SPEC 2), and
// so is a decision document here.
const (
	maxManifest = 1 << 20
	maxDecision = 1 << 20
)

func main() {
	started := time.Now()
	if err := run(os.Args[1:], os.Stdout, started); err != nil {
		fmt.Fprintln(os.Stderr, "example-runtime:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer, started time.Time) error {
	fmt.Fprintf(out, "example-runtime: exec at %s (unix nanoseconds %d), pid %d\n", started.UTC().Format(time.RFC3339Nano), started.UnixNano(), os.Getpid())
	fmt.Fprintf(out, "example-runtime: started with %d arguments:\n", len(args))
	var config, manifestPath, decisionPath string
	for i, a := range args {
		fmt.Fprintf(out, "  %d: %q\n", i+1, a)
		for prefix, v := range map[string]*string{"--config=": &config, "--manifest=": &manifestPath, "--decision=": &decisionPath} {
			if value, ok := strings.CutPrefix(a, prefix); ok {
				*v = value
			}
		}
	}
	if manifestPath == "" {
		return errors.New("no --manifest=<path> argument")
	}
	if decisionPath == "" {
		return errors.New("no --decision=<path> argument")
	}
	manifest, err := readFile(manifestPath, "manifest", maxManifest)
	if err != nil {
		return err
	}
	decision, err := readFile(decisionPath, "decision document", maxDecision)
	if err != nil {
		return err
	}
	var doc struct {
		ManifestURL    string `json:"manifestUrl"`
		ManifestSHA256 string `json:"manifestSha256"`
	}
	if err := json.Unmarshal(decision, &doc); err != nil {
		return fmt.Errorf("decision document %s: %w", decisionPath, err)
	}
	sum := sha256.Sum256(manifest)
	if doc.ManifestSHA256 != "" && doc.ManifestSHA256 != hex.EncodeToString(sum[:]) {
		return fmt.Errorf("manifest %s is not the one decided on: its SHA-256 is %x, the decision's manifestSha256 %q", manifestPath, sum, doc.ManifestSHA256)
	}
	if doc.ManifestURL != config {
		return fmt.Errorf("--config=%q is not the decision's manifestUrl %q", config, doc.ManifestURL)
	}
	fmt.Fprintf(out, "example-runtime: the app at %q, not fetched again\n", config)
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, manifest, "  ", "  "); err != nil {
		return fmt.Errorf("manifest %s: %w", manifestPath, err)
	}
	fmt.Fprintf(out, "example-runtime: manifest %s (%d bytes, SHA-256 %x):\n  %s\n", manifestPath, len(manifest), sum, pretty.Bytes())
	pretty.Reset()
	json.Indent(&pretty, decision, "  ", "  ") // it parsed above
	fmt.Fprintf(out, "example-runtime: decision document %s:\n  %s\n", decisionPath, pretty.Bytes())
	return nil
}

// readFile reads the file at path, of at most limit bytes; what names it
// in errors.
func readFile(path, what string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s %s is larger than %d bytes", what, path, limit)
	}
	return data, nil
}
