package main

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	// The app's server: the runtime never asks it for anything.
	var fetched atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { fetched.Add(1) }))
	defer srv.Close()
	url := srv.URL + "/app.json"

	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	manifest := `{"runtime": {"version": "38.*"}}`
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(manifest)))
	goodManifest := write("manifest.json", manifest)
	good := write("decision.json", fmt.Sprintf(`{"manifestUrl": %q, "manifestSha256": %q, "launch": {"allowed": true}}`, url, sum))
	noSum := write("no-sum.json", fmt.Sprintf(`{"manifestUrl": %q}`, url))
	otherSum := write("other-sum.json", fmt.Sprintf(`{"manifestUrl": %q, "manifestSha256": %q}`, url, strings.Repeat("0", 64)))
	otherURL := write("other-url.json", `{"manifestUrl": "https://other.test/app.json"}`)
	bad := write("bad.json", `{"launch":`)
	big := write("big.json", `"`+strings.Repeat("x", maxDecision-1)+`"`)
	bigManifest := write("big-manifest.json", `"`+strings.Repeat("x", maxManifest-1)+`"`)
	started := time.Date(2031, 2, 3, 4, 5, 6, 7, time.UTC)
	flags := func(manifest, decision string) []string {
		return []string{"--config=" + url, "--manifest=" + manifest, "--decision=" + decision}
	}
	tests := []struct {
		name string
		args []string
		want []string // lines of output
		err  string
	}{
		{
			name: "decision",
			args: append([]string{"a b"}, flags(goodManifest, good)...),
			want: []string{
				"example-runtime: exec at 2031-02-03T04:05:06.000000007Z (unix nanoseconds 1927857906000000007)",
				"with 4 arguments:",
				`  1: "a b"`,
				`  2: "--config=` + url + `"`,
				"example-runtime: the app at \"" + url + "\", not fetched again",
				"example-runtime: manifest " + goodManifest + " (32 bytes, SHA-256 " + sum + "):",
				"example-runtime: decision document " + good + ":",
				`      "allowed": true`,
			},
		},
		{name: "decision-without-sum", args: flags(goodManifest, noSum), want: []string{"example-runtime: decision document " + noSum}},
		{name: "last-flag-wins", args: append([]string{"--decision=" + bad, "--manifest=" + bigManifest}, flags(goodManifest, good)...),
			want: []string{"example-runtime: decision document " + good}},
		{name: "no-manifest", args: []string{"--config=" + url, "--decision=" + good}, err: "no --manifest"},
		{name: "no-decision", args: []string{"--config=" + url, "--manifest=" + goodManifest}, err: "no --decision"},
		{name: "missing-manifest", args: flags(filepath.Join(dir, "none"), good), err: "none"},
		{name: "missing-decision", args: flags(goodManifest, filepath.Join(dir, "none")), err: "none"},
		{name: "not-json", args: flags(goodManifest, bad), err: bad},
		{name: "manifest-not-decided-on", args: flags(goodManifest, otherSum), err: "not the one decided on"},
		{name: "config-not-decided-on", args: flags(goodManifest, otherURL), err: "is not the decision's manifestUrl"},
		{name: "decision-one-byte-too-big", args: flags(goodManifest, big), err: "larger than"},
		{name: "manifest-one-byte-too-big", args: flags(bigManifest, good), err: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			err := run(tt.args, &out, started)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got error %v, want one holding %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("got output %q, want it to hold %q", out.String(), w)
				}
			}
		})
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("got %d requests to the app's server, want none: a runtime never fetches the manifest again", n)
	}
}
