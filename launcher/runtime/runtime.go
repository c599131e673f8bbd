// Package runtime finds and starts the runtimes that manifests name (SPEC
// section 8).
//
// A manifest's runtime.version is one of:
//
//	38.126.82.64   an exact version: one to four dot-separated decimal
//	               numbers of at most nine digits each, no leading zeros
//	38.126.*       a wildcard: a version prefix followed by ".*", matching
//	               every version with at least one more number ("*" alone
//	               matches any version)
//	stable         a channel name: lower-case letters, digits and "-",
//	               starting with a letter, at most 32 characters (stable,
//	               beta, alpha, stable-v4, v40)
//
// Installed runtimes live in the RuntimeDirectory, one folder per version,
// named by the exact version and holding the executable "runtime"
// ("runtime.exe" on Windows). Folders whose names are not exact versions,
// symbolic links and folders without a regular executable file of that name
// are ignored. Versions compare number by number (38.126.82.64 is above
// 38.99.0.0; 38.126 is below 38.126.0); the highest installed version that
// fits is chosen.
//
// A channel resolves through the channel file
// <RuntimeDirectory>/channels/<name>: at most 64 bytes holding an exact
// version or a wildcard, with surrounding white space ignored. For example,
// with the folders 38.126.82.64, 38.126.83.1 and 39.0.0.1 installed and
// channels/stable holding "38.126.*", "stable" resolves to 38.126.83.1.
//
// Neither a version nor a channel can name anything outside the
// RuntimeDirectory: versions are matched against the folder names found
// there, never joined to a path as given, and a channel name holds no
// separator and no dot (see IsChannelName), so channels/<name> is a file
// in the channels folder.
//
// A runtime is started (Start) detached from rvm, with the manifest's
// runtime.arguments first and rvm's own flags last:
//
//	runtime [arguments...] --config=<manifestUrl> --manifest=<path> --decision=<path>
//
// --manifest names a copy of the manifest bytes that rvm verified and
// --decision the decision document; the runtime reads both once, at its
// start, and never fetches the manifest again. FilterArguments decides
// which of the manifest's arguments come through: none from a manifest
// that was not strictly fetched, and never "--", a switch that could
// stand for one of rvm's flags, or one of the switches of SPEC 8's list
// that the desktop owner does not allow. The files of each launch live in
// <data>/decisions, under names no one can guess, until the runtime has
// exited (see Start).
package runtime

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rvm-launcher/rvm/platform"
)

// Bounds of runtime versions and channel files.
const (
	maxVersionParts  = 4
	maxVersionDigits = 9
	maxChannelFile   = 64
)

// Runtime is one installed runtime.
type Runtime struct {
	Version string // the exact version, as its folder is named
	Path    string // the absolute path of its executable
}

// NoRuntimeError reports that no installed runtime fits a runtime.version.
type NoRuntimeError struct {
	Version   string   // runtime.version as the manifest gave it
	Resolved  string   // what a channel resolved to; "" for a version or wildcard
	Dir       string   // the RuntimeDirectory searched
	Installed []string // the versions installed there, highest first
}

func (e *NoRuntimeError) Error() string {
	want := strconv.Quote(e.Version)
	if e.Resolved != "" {
		want += fmt.Sprintf(" (channel file says %q)", e.Resolved)
	}
	installed := "none installed"
	if len(e.Installed) > 0 {
		installed = "installed: " + strings.Join(e.Installed, ", ")
	}
	return fmt.Sprintf("runtime: no runtime fits version %s in %s; %s", want, e.Dir, installed)
}

// versionSpec is a parsed exact version or wildcard.
type versionSpec struct {
	parts    []uint32
	wildcard bool // parts is a prefix followed by ".*"
}

// parseVersionSpec parses an exact version or, when wildcards is true, also
// a wildcard.
func parseVersionSpec(s string, wildcards bool) (versionSpec, bool) {
	var spec versionSpec
	if wildcards && s == "*" {
		return versionSpec{wildcard: true}, true
	}
	if wildcards {
		s, spec.wildcard = strings.CutSuffix(s, ".*")
	}
	fields := strings.Split(s, ".")
	if len(fields) > maxVersionParts || spec.wildcard && len(fields) == maxVersionParts {
		return spec, false
	}
	for _, f := range fields {
		if f == "" || len(f) > maxVersionDigits || len(f) > 1 && f[0] == '0' || strings.Trim(f, "0123456789") != "" {
			return spec, false
		}
		n, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return spec, false
		}
		spec.parts = append(spec.parts, uint32(n))
	}
	return spec, true
}

// fits reports whether the exact version v fits the spec.
func (spec versionSpec) fits(v []uint32) bool {
	if spec.wildcard {
		return len(v) > len(spec.parts) && slices.Equal(v[:len(spec.parts)], spec.parts)
	}
	return slices.Equal(v, spec.parts)
}

// Resolve finds, in the RuntimeDirectory dir, the highest installed
// runtime that fits version (an exact version, a wildcard or a channel: see
// the comment at the top of this file). A version of none of these forms is
// an error; so is a channel without a valid channel file. When nothing
// installed fits, the error is a *NoRuntimeError listing what is installed.
func Resolve(dir, version string) (Runtime, error) {
	if !filepath.IsAbs(dir) {
		return Runtime{}, fmt.Errorf("runtime: runtime directory %q is not an absolute path", dir)
	}
	spec, ok := parseVersionSpec(version, true)
	resolved := ""
	if !ok {
		if !IsChannelName(version) {
			return Runtime{}, fmt.Errorf("runtime: runtime.version %q is neither a version (38.126.82.64), a wildcard (38.126.*) nor a channel name (stable, stable-v4)", version)
		}
		var err error
		if resolved, err = readChannel(dir, version); err != nil {
			return Runtime{}, err
		}
		if spec, ok = parseVersionSpec(resolved, true); !ok {
			return Runtime{}, fmt.Errorf("runtime: runtime channel %q: %s holds %q, which is neither a version nor a wildcard",
				version, channelPath(dir, version), resolved)
		}
	}
	installed, err := Installed(dir)
	if err != nil {
		return Runtime{}, err
	}
	for _, r := range installed {
		if v, _ := parseVersionSpec(r.Version, false); spec.fits(v.parts) {
			return r, nil
		}
	}
	e := &NoRuntimeError{Version: version, Resolved: resolved, Dir: dir}
	for _, r := range installed {
		e.Installed = append(e.Installed, r.Version)
	}
	return Runtime{}, e
}

func channelPath(dir, name string) string { return filepath.Join(dir, "channels", name) }

// readChannel returns the trimmed content of a channel file.
func readChannel(dir, name string) (string, error) {
	path := channelPath(dir, name)
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("runtime: runtime channel %q: %w", name, err)
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return "", fmt.Errorf("runtime: runtime channel %q: %s is not a regular file", name, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxChannelFile+1))
	if err != nil {
		return "", fmt.Errorf("runtime: runtime channel %q: %w", name, err)
	}
	if len(data) > maxChannelFile {
		return "", fmt.Errorf("runtime: runtime channel %q: %s is larger than %d bytes", name, path, maxChannelFile)
	}
	return strings.TrimSpace(string(data)), nil
}

// Installed lists the runtimes installed in the RuntimeDirectory
// dir, highest version first. A missing directory holds none.
func Installed(dir string) ([]Runtime, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("runtime: runtime directory: %w", err)
	}
	type found struct {
		Runtime
		parts []uint32
	}
	var all []found
	for _, e := range entries {
		v, ok := parseVersionSpec(e.Name(), false)
		if !ok || !e.IsDir() {
			continue
		}
		exe := filepath.Join(dir, e.Name(), platform.RuntimeExecutable())
		if info, err := os.Lstat(exe); err != nil || !platform.IsExecutableFile(info) {
			continue
		}
		all = append(all, found{Runtime{Version: e.Name(), Path: exe}, v.parts})
	}
	slices.SortFunc(all, func(a, b found) int { return slices.Compare(b.parts, a.parts) })
	runtimes := make([]Runtime, len(all))
	for i, f := range all {
		runtimes[i] = f.Runtime
	}
	return runtimes, nil
}
