package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

func TestRun(t *testing.T) {
	dir := platformtest.TempDir(t)
	repo := filepath.Join(dir, "repo")
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	platformtest.Must(t, tw.WriteHeader(&tar.Header{Name: "runtime", Mode: 0o755, Size: 2, Typeflag: tar.TypeReg}))
	tw.Write([]byte("#!"))
	platformtest.Must(t, tw.Close())
	platformtest.Must(t, gz.Close())
	archive := filepath.Join(dir, "rt.tar.gz")
	platformtest.Must(t, os.WriteFile(archive, buf.Bytes(), 0o644))
	tests := []struct {
		name string
		args []string
		code int
		out  string // what stdout or stderr holds
	}{
		{name: "no-command", args: nil, code: 2, out: "usage: rvm-repo"},
		{name: "unknown-command", args: []string{"sign"}, code: 2, out: "unknown command"},
		{name: "help", args: []string{"--help"}, code: 0, out: "rotate"},
		{name: "init", args: []string{"init", "--out", repo, "--expires", "timestamp=7d"}, code: 0, out: "1.root.json"},
		{name: "init-again", args: []string{"init", "--out", repo}, code: 1, out: "not empty"},
		{name: "init-bad-expires", args: []string{"init", "--out", filepath.Join(dir, "x"), "--expires", "timestamp=soon"}, code: 2, out: "duration"},
		{name: "add", args: []string{"add", "--repo", repo, "--version", "1.0.0", "--os", "linux", "--arch", "amd64", archive}, code: 0, out: "staged runtimes/1.0.0/linux-amd64.tar.gz"},
		{name: "add-missing-flag", args: []string{"add", "--repo", repo, archive}, code: 2, out: "--version is required"},
		{name: "channel", args: []string{"channel", "--repo", repo, "stable", "1.0.0"}, code: 0, out: "stable -> 1.0.0"},
		{name: "publish", args: []string{"publish", "--repo", repo}, code: 0, out: "channel stable -> 1.0.0"},
		{name: "timestamp", args: []string{"timestamp", "--repo", repo}, code: 0, out: "timestamp"},
		{name: "rotate", args: []string{"rotate", "--repo", repo, "--role", "targets"}, code: 0, out: "retired"},
		{name: "verify", args: []string{"verify", "--repo", repo}, code: 0, out: "ok"},
		{name: "verify-bad-resolve", args: []string{"verify", "--repo", "https://rt.acme.test/", "--resolve", "x"}, code: 2, out: "HOST:PORT:ADDR"},
	}
	for _, c := range commands {
		tests = append(tests, struct {
			name string
			args []string
			code int
			out  string
		}{name: c.name + "-help", args: []string{c.name, "--help"}, code: 0, out: "usage: rvm-repo " + c.name})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stdout.String()+stderr.String(), tt.out) {
				t.Fatalf("got exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout.String(), stderr.String(), tt.code, tt.out)
			}
		})
	}
}
