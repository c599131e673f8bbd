package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"unicode"

	"github.com/rvm-launcher/rvm/launcher"
)

// Global flags come before or after the command; help and the version go
// to stdout with exit 0; bad usage is one line on stderr that says what
// was wrong, exit 2 (SPEC 1).
func TestCommandLine(t *testing.T) {
	s := newServer(t, map[string]string{"/app.json": appManifest})
	url := s.url("/app.json")
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stdout string // stdout holds it
		stderr string // stderr holds it (a usage error: its one line)
	}{
		{"help", []string{"--help"}, 0, "Usage: rvm COMMAND", ""},
		{"help-command", []string{"help"}, 0, "Commands:", ""},
		{"help-of-a-command", []string{"help", "service", "install"}, 0, "Usage: rvm service install [flags]", ""},
		{"short-help-after", []string{"permissions", "list", "-h"}, 0, "Usage: rvm permissions list [flags]", ""},
		{"help-wins-over-a-wrong-flag", []string{"verify", "--evil", "--help"}, 0, "Usage: rvm verify [flags] [--] URL", ""},
		{"help-before-the-subcommand", []string{"service", "--help"}, 0, "Usage: rvm service COMMAND", ""},
		{"version-flag", []string{"--version"}, 0, "\ncommit ", ""},
		{"version-command", []string{"version"}, 0, "\nbuilt with go1.", ""},
		{"version-after-a-command", []string{"verify", "--version"}, 0, "\ncommit ", ""},
		{"verbose-before", []string{"-v", "verify", s.resolve(), url}, 0, "Window.getSnapshot", "DBG no service here"},
		{"verbose-after", []string{"verify", s.resolve(), url, "-v"}, 0, "Window.getSnapshot", "DBG no service here"},
		{"flags-after-the-url", []string{"verify", url, "--json", s.resolve()}, 0, `"manifestUrl"`, ""},
		{"dashes-end-the-flags", []string{"verify", s.resolve(), "--", "--json"}, 1, "", `rvm: URL "--json" has no scheme`},
		{"one-url-after-dashes", []string{"verify", s.resolve(), "--", url, url}, 2, "", `rvm: verify: want exactly one URL; unexpected argument "` + url + `"`},
		{"url-before-and-after-dashes", []string{"verify", url, "--", url}, 2, "", "want exactly one URL"},
		{"no-url", []string{"launch"}, 2, "", "rvm: launch: want exactly one URL"},
		{"unknown-flag", []string{"verify", "--evil=1", url}, 2, "", `rvm: verify: unknown flag --evil (see "rvm verify --help")`},
		{"unknown-global-flag", []string{"--evil", "verify"}, 2, "", "rvm: unknown flag --evil"},
		{"flag-without-value", []string{"verify", url, "--platform"}, 2, "", "rvm: verify: --platform needs a value"},
		{"bad-bool", []string{"verify", "--json=maybe", url}, 2, "", `rvm: verify: --json="maybe": want true or false`},
		{"bad-platform", []string{"verify", "--platform", "beos", url}, 2, "", `rvm: verify: --platform "beos": want win, mac or linux`},
		{"launch-another-platform", []string{"launch", "--platform=win", url}, 2, "", `rvm: launch: --platform "win": a launch starts this machine's runtime`},
		{"unknown-command", []string{"frobnicate"}, 2, "", `rvm: unknown command "frobnicate"`},
		{"unknown-subcommand", []string{"service", "frob"}, 2, "", `rvm: service: unknown command "frob"`},
		{"no-subcommand", []string{"permissions"}, 2, "", "rvm: permissions: want one of its commands: list, revoke"},
		{"extra-argument", []string{"settings", "extra"}, 2, "", `rvm: settings: want no arguments; unexpected argument "extra"`},
		{"revoke-too-many", []string{"permissions", "revoke", url, "Window.getSnapshot", "more"}, 2, "", `unexpected argument "more"`},
		{"completion-unknown-shell", []string{"completion", "tcsh"}, 2, "", `rvm: completion: unknown command "tcsh"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := rvm(t, s.env, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
			if code != 0 && strings.Count(stderr, "\n") != 1 {
				t.Errorf("the error is not one line: %q", stderr)
			}
		})
	}
}

// Every command and subcommand has --help, and rvm help shows the same.
func TestEveryCommandHasHelp(t *testing.T) {
	s := newServer(t, nil)
	var walk func(cmd *command)
	walk = func(cmd *command) {
		words := strings.Fields(cmd.path())[1:]
		t.Run(strings.Join(append([]string{"rvm"}, words...), "-"), func(t *testing.T) {
			code, stdout, stderr := rvm(t, s.env, append(words, "--help")...)
			if code != 0 || !strings.HasPrefix(stdout, "Usage: "+cmd.path()) || stderr != "" {
				t.Fatalf("%s --help: exit %d, stdout %q, stderr %q; want 0 and its usage", cmd.path(), code, stdout, stderr)
			}
			if !strings.Contains(stdout, "Global flags") {
				t.Errorf("%s --help does not show the global flags", cmd.path())
			}
			if _, viaHelp, _ := rvm(t, s.env, append([]string{"help"}, words...)...); viaHelp != stdout {
				t.Errorf("rvm help %s differs from its --help:\n%s", strings.Join(words, " "), viaHelp)
			}
		})
		for _, sub := range cmd.subs {
			walk(sub)
		}
	}
	walk(root)
}

// Errors are one line that begins "rvm: ", names the input at fault and
// holds no package prefix of a chain ("launcher: ", "fetch: ", ...).
func TestErrorsInWords(t *testing.T) {
	s := newServer(t, map[string]string{"/list.json": "[]", "/app.json": appManifest})
	dir := t.TempDir()
	strict := filepath.Join(dir, "strict.json")
	os.WriteFile(strict, []byte(`{"allowInvalidNetworkCertificates": 0}`), 0o644)
	noCA := withoutTLSRoots(s.env)
	for _, tt := range []struct {
		name string
		env  []string
		args []string
		want string // the line names it
	}{
		{"not-found", s.env, []string{"verify", s.resolve(), s.url("/none.json")}, s.url("/none.json")},
		{"not-an-object", s.env, []string{"verify", s.resolve(), s.url("/list.json")}, "an array"},
		{"refused-connection", s.env, []string{"verify", "--resolve", "apps.acme.test:1:127.0.0.1", "https://apps.acme.test:1/app.json"}, "connection refused"},
		{"certificate-not-retried", noCA, []string{"verify", "--machine-settings", strict, s.resolve(), s.url("/list.json")}, "allowInvalidNetworkCertificates is 0 in " + strict},
		{"user-info", s.env, []string{"verify", "https://user@apps.acme.test/x"}, "user info"},
		{"launch-without-a-decision", s.env, []string{"launch", s.resolve(), s.url("/list.json")}, "an array"},
		{"launch-without-a-runtime", s.env, []string{"launch", s.resolve(), s.url("/app.json")}, `no runtime fits version "38.*"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := rvm(t, tt.env, tt.args...)
			line := strings.TrimSuffix(stderr, "\n")
			if code == 0 || strings.Contains(line, "\n") || !strings.HasPrefix(line, "rvm: ") || !strings.Contains(line, tt.want) {
				t.Fatalf("exit %d, stderr %q; want one line beginning \"rvm: \" that names %q", code, stderr, tt.want)
			}
			if words := launcher.Words(strings.TrimPrefix(line, "rvm: ")); words != strings.TrimPrefix(line, "rvm: ") {
				t.Errorf("the error holds package prefixes: %q, in words %q", line, words)
			}
		})
	}
}

// withoutTLSRoots is env without the variables that make rvm trust the
// test server's CA.
func withoutTLSRoots(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "SSL_CERT_FILE=") && !strings.HasPrefix(kv, "SSL_CERT_DIR=") {
			out = append(out, kv)
		}
	}
	return out
}

// rvm --version and rvm version print the version that packaging sets
// (-ldflags -X main.version), the commit the build recorded and the Go
// version (SPEC 1). The build is made from a copy of the module in a git
// repository of its own (Go records no commit from a git worktree).
func TestVersionOfABuild(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git to record a commit")
	}
	src := filepath.Join(t.TempDir(), "rvm")
	copyModule(t, filepath.Join("..", ".."), src)
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=rvm test", "-c", "user.email=test@rvm.invalid", "commit", "-q", "-m", "version test"}} {
		cmd := exec.Command(git, args...)
		cmd.Dir = src
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	rev := exec.Command(git, "rev-parse", "HEAD")
	rev.Dir = src
	head, err := rev.Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "rvm")
	build := exec.Command("go", "build", "-buildvcs=true", "-ldflags", "-X main.version=9.8.7-test", "-o", bin, "./cmd/rvm")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"--version"}, {"version"}, {"settings", "--version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("rvm %s: %v", strings.Join(args, " "), err)
		}
		for _, want := range []string{"rvm 9.8.7-test\n", "commit " + strings.TrimSpace(string(head)) + " (", "built with go1."} {
			if !strings.Contains(string(out), want) {
				t.Errorf("rvm %s: got %q, want it to hold %q", strings.Join(args, " "), out, want)
			}
		}
	}
}

// copyModule copies the module at from (its Go files, go.mod and go.sum;
// no tests, test data or hidden folders) to the new folder to.
func copyModule(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			if rel != "." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if !(strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go")) && rel != "go.mod" && rel != "go.sum" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestVersionText(t *testing.T) {
	vcs := func(kv ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}
		for i := 0; i < len(kv); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return info
	}
	tagged := vcs("vcs.revision", "abc123")
	tagged.Main.Version = "v1.2.3"
	for _, tt := range []struct {
		name    string
		version string
		linked  string
		info    *debug.BuildInfo
		want    []string
	}{
		{"set-by-packaging", "2.0.0", "", vcs("vcs.revision", "abc123", "vcs.time", "2026-01-02T03:04:05Z"), []string{"rvm 2.0.0\n", "commit abc123 (2026-01-02T03:04:05Z)\n", "built with go1.26.0 for "}},
		{"commit-set-by-packaging", "2.0.0", "def456", vcs("vcs.revision", "abc123", "vcs.modified", "true"), []string{"rvm 2.0.0\n", "commit def456\n"}},
		{"module-version", "", "", tagged, []string{"rvm v1.2.3\n", "commit abc123\n"}},
		{"modified", "", "", vcs("vcs.revision", "abc123", "vcs.modified", "true"), []string{"rvm devel\n", "commit abc123 (modified)\n"}},
		{"no-vcs", "", "", vcs(), []string{"rvm devel\n", "commit unknown (built without version control information)\n"}},
		{"no-build-info", "", "", nil, []string{"rvm devel\n", "built with unknown for "}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := versionText(tt.version, tt.linked, tt.info)
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("got %q, want it to hold %q", got, want)
				}
			}
		})
	}
}

// hiddenRune is the first character of s that a terminal would act on or
// not show as itself, other than the newlines that end lines.
func hiddenRune(s string) (rune, bool) {
	for _, r := range s {
		if r != '\n' && !unicode.IsGraphic(r) {
			return r, true
		}
	}
	return 0, false
}
