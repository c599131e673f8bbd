package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version and commit are rvm's version and the commit it was built from.
// `make build` and `make packages` set them from deploy/version.sh, the one
// place the version comes from, with
// -ldflags "-X main.version=... -X main.commit=...". Left empty (a plain
// go build or go install), they come from the build information: the
// module's version (v1.2.3 for `go install ...@v1.2.3`, else "devel") and
// the VCS revision where the go command recorded one.
var version, commit string

// versionLine is what `rvm version` and `rvm --version` print: the
// version, the commit and the Go version, on one line.
func versionLine() string {
	v, c := version, commit
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if c == "" && s.Key == "vcs.revision" {
				c = s.Value
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("rvm %s (commit %s, %s)", v, c, runtime.Version())
}
