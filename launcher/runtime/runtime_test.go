package runtime_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/platform"
)

func TestMain(m *testing.M) { launchertest.Main(m) }

// installFake installs a runtime whose executable is a small file, never run.
func installFake(t testing.TB, dir, version string) {
	t.Helper()
	exe := filepath.Join(dir, version, platform.RuntimeExecutable())
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// runtimeDir makes a RuntimeDirectory with five good runtimes, folders that
// must be ignored, and channel files for stable, beta, alpha, stable-v4,
// v40 and names of 32 and 33 letters.
func runtimeDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, v := range []string{"37.1.2.3", "38.126.82.64", "38.126.83.1", "38.99.0.0", "39.0.0.1"} {
		installFake(t, dir, v)
	}
	installFake(t, dir, "not-a-version")
	installFake(t, dir, "040.0.0.0")
	installFake(t, dir, "41.0.0.0.1")
	must(t, os.MkdirAll(filepath.Join(dir, "42.0.0.0"), 0o755)) // no executable
	must(t, os.MkdirAll(filepath.Join(dir, "43.0.0.0", platform.RuntimeExecutable()), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "44.0.0.0"), nil, 0o755)) // a file, not a folder
	writeChannel(t, dir, "stable", "38.126.*\n")
	writeChannel(t, dir, "beta", " 39.0.0.1 \r\n")
	writeChannel(t, dir, "alpha", "39.*")
	writeChannel(t, dir, "stable-v4", "37.1.2.3")
	writeChannel(t, dir, "v40", "38.99.0.0")
	writeChannel(t, dir, strings.Repeat("c", 32), "37.*")
	writeChannel(t, dir, strings.Repeat("c", 33), "37.*")
	return dir
}

func writeChannel(t testing.TB, dir, name, content string) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Join(dir, "channels"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "channels", name), []byte(content), 0o644))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var installed = []string{"39.0.0.1", "38.126.83.1", "38.126.82.64", "38.99.0.0", "37.1.2.3"}

func TestResolveRuntime(t *testing.T) {
	dir := runtimeDir(t)
	tests := []struct {
		name    string
		version string
		want    string // the version chosen; "" when an error is expected
		noFit   bool   // the error is a *runtime.NoRuntimeError
	}{
		{name: "exact", version: "38.126.82.64", want: "38.126.82.64"},
		{name: "exact-other", version: "37.1.2.3", want: "37.1.2.3"},
		{name: "wildcard-two-numbers", version: "38.126.*", want: "38.126.83.1"},
		{name: "wildcard-compares-numerically", version: "38.*", want: "38.126.83.1"},
		{name: "wildcard-three-numbers", version: "38.126.82.*", want: "38.126.82.64"},
		{name: "wildcard-any", version: "*", want: "39.0.0.1"},
		{name: "channel-wildcard", version: "stable", want: "38.126.83.1"},
		{name: "channel-exact-padded", version: "beta", want: "39.0.0.1"},
		{name: "channel-any-name", version: "alpha", want: "39.0.0.1"},
		{name: "channel-with-dash-and-digit", version: "stable-v4", want: "37.1.2.3"},
		{name: "channel-letter-then-digits", version: "v40", want: "38.99.0.0"},
		{name: "channel-32-characters", version: strings.Repeat("c", 32), want: "37.1.2.3"},
		{name: "channel-33-characters", version: strings.Repeat("c", 33)},
		{name: "channel-starting-with-digit", version: "4stable"},
		{name: "channel-starting-with-dash", version: "-stable"},
		{name: "channel-with-dot", version: "stable.v4"},
		{name: "channel-with-underscore", version: "stable_v4"},
		{name: "channel-backslash", version: `stable\..\..\x`},
		{name: "missing-exact", version: "38.126.82.65", noFit: true},
		{name: "missing-wildcard", version: "40.*", noFit: true},
		{name: "folder-without-executable", version: "42.0.0.0", noFit: true},
		{name: "executable-is-a-folder", version: "43.0.0.0", noFit: true},
		{name: "folder-is-a-file", version: "44.0.0.0", noFit: true},
		{name: "nine-digits", version: "999999999.0", noFit: true},
		{name: "ten-digits", version: "1234567890.0"},
		{name: "four-numbers", version: "1.2.3.4", noFit: true},
		{name: "five-numbers", version: "1.2.3.4.5"},
		{name: "wildcard-after-four-numbers", version: "38.126.82.64.*"},
		{name: "leading-zero", version: "040.0.0.0"},
		{name: "wildcard-in-middle", version: "38.*.82.64"},
		{name: "bare-dot-wildcard", version: ".*"},
		{name: "empty", version: ""},
		{name: "unknown-channel", version: "latest"},
		{name: "channel-without-file", version: "canary"},
		{name: "channel-wrong-case", version: "Stable"},
		{name: "signed", version: "+38.126.82.64"},
		{name: "spaces", version: " 38.126.82.64"},
		{name: "traversal-parent", version: ".."},
		{name: "traversal-relative", version: "../../bin/sh"},
		{name: "traversal-after-version", version: "38.126.82.64/../../x"},
		{name: "traversal-channel", version: "stable/../../etc/passwd"},
		{name: "channels-folder", version: "channels/stable"},
		{name: "absolute", version: "/bin/sh"},
		{name: "nul", version: "38.126.82.64\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := runtime.Resolve(dir, tt.version)
			if tt.want != "" {
				if err != nil {
					t.Fatalf("got error %v, want %s", err, tt.want)
				}
				wantPath := filepath.Join(dir, tt.want, platform.RuntimeExecutable())
				if r.Version != tt.want || r.Path != wantPath {
					t.Fatalf("got %+v, want version %s at %s", r, tt.want, wantPath)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %+v, want an error", r)
			}
			if !strings.HasPrefix(err.Error(), "runtime: ") {
				t.Errorf("got error %q, want it to begin with the package name", err)
			}
			var nf *runtime.NoRuntimeError
			if got := errors.As(err, &nf); got != tt.noFit {
				t.Fatalf("got error %q (no-fit %v), want no-fit %v", err, got, tt.noFit)
			}
			if tt.noFit {
				if !slices.Equal(nf.Installed, installed) {
					t.Errorf("got installed %q, want %q", nf.Installed, installed)
				}
				if !strings.Contains(err.Error(), strings.Join(installed, ", ")) {
					t.Errorf("got error %q, want it to list the installed versions", err)
				}
			}
		})
	}
}

func TestResolveRuntimeEmptyDirectory(t *testing.T) {
	for _, tt := range []struct{ name, dir string }{
		{name: "empty", dir: t.TempDir()},
		{name: "missing", dir: filepath.Join(t.TempDir(), "missing")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runtime.Resolve(tt.dir, "38.*")
			var nf *runtime.NoRuntimeError
			if !errors.As(err, &nf) || len(nf.Installed) != 0 || !strings.Contains(err.Error(), "none installed") {
				t.Fatalf("got error %v, want a no-fit error saying none are installed", err)
			}
		})
	}
}

func TestResolveRuntimeRelativeDirectory(t *testing.T) {
	if _, err := runtime.Resolve("runtime", "38.*"); err == nil || !strings.Contains(err.Error(), `"runtime"`) {
		t.Fatalf("got error %v, want one naming the relative directory", err)
	}
}

// TestChannelFiles runs every channel file in testdata/runtime/channels as
// the stable channel: good_* ones resolve to an installed runtime, bad_*
// ones are refused before anything is looked up.
func TestChannelFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "runtime", "channels", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("got %d channel files (%v), want some", len(files), err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			content, err := os.ReadFile(file)
			must(t, err)
			dir := runtimeDir(t)
			writeChannel(t, dir, "stable", string(content))
			r, err := runtime.Resolve(dir, "stable")
			switch {
			case strings.HasPrefix(name, "good_"):
				if err != nil {
					t.Fatalf("got error %v, want a runtime", err)
				}
			case strings.HasPrefix(name, "bad_"):
				var nf *runtime.NoRuntimeError
				if err == nil || errors.As(err, &nf) {
					t.Fatalf("got %+v, %v, want the channel file refused", r, err)
				}
				if !strings.Contains(err.Error(), `channel "stable"`) {
					t.Errorf("got error %q, want it to name the channel", err)
				}
			default:
				t.Fatalf("got file %s, want a name beginning with good_ or bad_", name)
			}
		})
	}
}

func TestChannelFileNotRegular(t *testing.T) {
	dir := runtimeDir(t)
	must(t, os.MkdirAll(filepath.Join(dir, "channels", "canary"), 0o755))
	if r, err := runtime.Resolve(dir, "canary"); err == nil {
		t.Fatalf("got %+v, want an error for a channel that is a folder", r)
	}
}

// FuzzResolveRuntime checks that no runtime.version, and no channel file,
// makes ResolveRuntime choose anything but an installed runtime's
// executable.
func FuzzResolveRuntime(f *testing.F) {
	for _, s := range []string{"38.126.82.64", "38.*", "*", "stable", "../x", "1.2.3.4.5", "canary"} {
		f.Add(s, "38.126.*")
	}
	f.Add("canary", "../../bin/sh")
	dir := runtimeDir(f)
	f.Fuzz(func(t *testing.T, version, channel string) {
		if err := os.WriteFile(filepath.Join(dir, "channels", "canary"), []byte(channel), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := runtime.Resolve(dir, version)
		if err != nil {
			return
		}
		if !slices.Contains(installed, r.Version) || r.Path != filepath.Join(dir, r.Version, platform.RuntimeExecutable()) {
			t.Fatalf("version %q, channel %q: got %+v, want an installed runtime", version, channel, r)
		}
	})
}
