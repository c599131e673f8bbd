package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "decision.json")
	if err := os.WriteFile(good, []byte(`{"launch":{"allowed":true}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"launch":`), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(`"`+strings.Repeat("x", maxDecision-1)+`"`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string // lines of output
		err  string
	}{
		{
			name: "decision",
			args: []string{"--config=https://apps.example/app.json", "--decision=" + good, "a b"},
			want: []string{
				"with 3 arguments:",
				`  1: "--config=https://apps.example/app.json"`,
				`  3: "a b"`,
				"example-runtime: decision document " + good + ":",
				`      "allowed": true`,
			},
		},
		{name: "no-decision", args: []string{"--config=https://apps.example/app.json"}, err: "no --decision"},
		{name: "missing-decision", args: []string{"--decision=" + filepath.Join(dir, "none")}, err: "none"},
		{name: "not-json", args: []string{"--decision=" + bad}, err: bad},
		{name: "one-byte-too-big", args: []string{"--decision=" + big}, err: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			err := run(tt.args, &out)
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
}
