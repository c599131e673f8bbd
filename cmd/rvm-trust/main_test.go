package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// trustBin is the rvm-trust binary, built once for the tests that run it
// as a vendor would.
var trustBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rvm-trust-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	trustBin = filepath.Join(dir, "rvm-trust")
	if out, err := exec.Command("go", "build", "-o", trustBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build rvm-trust: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestRun walks an authority's day through the command line, in order:
// each step sees the files the steps before it made.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	apps := `[{"name":"Acme Blotter","match":["https://*.acme.com/blotter/*"],"permissions":{"System":{"launchExternalProcess":true}}}]`
	if err := os.WriteFile(at("apps.json"), []byte(apps), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(at("bad-apps.json"), []byte(`[{"name":"x","match":["https://*.com/*"],"permissions":{"System":{"warp":true}}}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string // in stdout, where given
		stderr string // in stderr, where given
	}{
		{"no-command", nil, "", 2, "", "usage:"},
		{"unknown-command", []string{"frobnicate"}, "", 2, "", `unknown command "frobnicate"`},
		{"help", []string{"--help"}, "", 0, "init-root", ""},
		{"init-root-help", []string{"init-root", "--help"}, "", 0, "--out DIR", ""},
		{"issue-help", []string{"issue", "-h"}, "", 0, "--permitted-dns NAME", ""},
		{"sign-help", []string{"sign", "--help"}, "", 0, "--platforms", ""},
		{"inspect-help", []string{"inspect", "--help"}, "", 0, "--trust-roots", ""},
		{"revoke-help", []string{"revoke", "--help"}, "", 0, "--serial", ""},
		{"init-root-without-out", []string{"init-root"}, "", 2, "", "--out is required"},
		{"init-root-unknown-flag", []string{"init-root", "--out", at("root"), "--color"}, "", 2, "", "color"},
		{"init-root", []string{"init-root", "--out", at("root"), "--name", "Acme Root"}, "", 0, "Acme Root", ""},
		{"init-root-again", []string{"init-root", "--out", at("root")}, "", 1, "", "refusing to overwrite"},
		{"issue", []string{"issue", "--ca", at("root"), "--name", "Acme Corp", "--out", at("signer"), "--alg", "ed25519"}, "", 0, "Acme Corp", ""},
		{"issue-bad-days", []string{"issue", "--ca", at("root"), "--name", "x", "--out", at("x"), "--days", "many"}, "", 2, "", "days"},
		{"sign-without-apps", []string{"sign", "--signer", at("signer")}, "", 2, "", "--apps is required"},
		{"sign-refuses", []string{"sign", "--signer", at("signer"), "--apps", at("bad-apps.json")}, "", 1, "", "https://*.com/*"},
		{"sign", []string{"sign", "--signer", at("signer"), "--apps", at("apps.json"), "--platforms", "linux"}, "", 0, `"linux"`, ""},
		{"issue-permitted-dns", []string{"issue", "--ca", at("root"), "--name", "Partner CA", "--out", at("partner"), "--days", "1000", "--permitted-dns", "partner.test", "--permitted-dns", ".partner.example"}, "", 0,
			"an intermediate CA for hosts within partner.test, .partner.example only", ""},
		{"issue-permitted-dns-not-a-host", []string{"issue", "--ca", at("root"), "--name", "x", "--out", at("x"), "--permitted-dns", "partner.test:443"}, "", 1, "", `permitted DNS name "partner.test:443"`},
		{"issue-under-constrained-ca", []string{"issue", "--ca", at("partner"), "--name", "Partner Signer", "--out", at("partner-signer")}, "", 0, "Partner Signer", ""},
		{"sign-outside-name-constraints", []string{"sign", "--signer", at("partner-signer"), "--apps", at("apps.json")}, "", 1, "",
			`app "Acme Blotter": pattern "https://*.acme.com/blotter/*" can match hosts that certificate "Partner CA" does not permit: it permits "partner.test", ".partner.example" only`},
		{"inspect-two-files", []string{"inspect", "a", "b"}, "", 2, "", "want 1"},
		{"inspect-stdin", []string{"inspect", "-"}, "", 0, "Acme Blotter", ""},
		{"inspect-missing-file", []string{"inspect", at("nope.json")}, "", 1, "", "nope.json"},
		{"revoke-bad-serial", []string{"revoke", "--ca", at("root"), "--out", at("root.crl"), "--serial", "-5"}, "", 2, "", "serial"},
		{"revoke", []string{"revoke", "--ca", at("root"), "--out", at("root.crl"), "--serial", "0x2a", "--serial", "7"}, "", 0, "2 revoked", ""},
	}
	var signed string
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			stdin := s.stdin
			if s.name == "inspect-stdin" {
				stdin = signed
			}
			var stdout, stderr bytes.Buffer
			code := run(s.args, strings.NewReader(stdin), &stdout, &stderr)
			if code != s.code {
				t.Fatalf("got exit code %d, want %d\nstdout: %s\nstderr: %s", code, s.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), s.stdout) {
				t.Errorf("got stdout %q, want it to hold %q", stdout.String(), s.stdout)
			}
			if !strings.Contains(stderr.String(), s.stderr) {
				t.Errorf("got stderr %q, want it to hold %q", stderr.String(), s.stderr)
			}
			if s.name == "sign" {
				signed = stdout.String()
			}
		})
	}
	if _, err := os.Stat(at("root.crl")); err != nil {
		t.Errorf("got %v, want a CRL written", err)
	}
}
