package main

import (
	"fmt"
	"runtime/debug"

	"github.com/rvm-launcher/rvm/platform"
)

// version and commit are rvm's version as packages name it and the commit
// it was built from. `make build` and `make packages` set them from
// deploy/version.sh, the one place the version comes from:
//
//	go build -ldflags "-X main.version=1.2.3 -X main.commit=<sha>" ./cmd/rvm
//
// Left empty, the version is the main module's as the build recorded it
// (a tag or pseudo-version), or "devel" where it recorded none, and the
// commit is the VCS revision the go command recorded.
var version, commit string

// printVersion writes rvm's version, the commit it was built from (with
// "modified" where the working tree had changes) and the Go version and
// platform it was built with, each on a line of its own.
func (c *cli) printVersion() int {
	fmt.Fprint(c.stdout, versionText(version, commit, readBuildInfo()))
	return exitOK
}

// readBuildInfo is this binary's build information, nil where it has none.
func readBuildInfo() *debug.BuildInfo {
	info, _ := debug.ReadBuildInfo()
	return info
}

// versionText is what printVersion writes, for the version v and commit
// linked (from the linker; "" for none) and the build information info
// (nil for none).
func versionText(v, linked string, info *debug.BuildInfo) string {
	commit, modified, when := "", false, ""
	goVersion := "unknown"
	goos, goarch := platform.Target()
	if info != nil {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			case "vcs.time":
				when = s.Value
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	switch {
	case linked != "":
		commit = linked
	case commit == "":
		commit = "unknown (built without version control information)"
	case modified && when != "":
		commit += " (modified; committed " + when + ")"
	case modified:
		commit += " (modified)"
	case when != "":
		commit += " (" + when + ")"
	}
	return fmt.Sprintf("rvm %s\ncommit %s\nbuilt with %s for %s/%s\n", v, commit, goVersion, goos, goarch)
}
