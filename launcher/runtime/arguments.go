package runtime

import (
	"fmt"
	"strings"

	"github.com/rvm-launcher/rvm/platform"
)

// ownFlags are the flags that rvm passes a runtime, after the manifest's
// arguments (SPEC 8).
var ownFlags = []string{"config", "manifest", "decision"}

// dangerousSwitches are the switches of SPEC 8 that a manifest's
// runtime.arguments may pass only where the desktop owner's
// allowedRuntimeArguments names them: each lets whoever writes the
// manifest run code, read or debug the app from outside, or turn off a
// protection of the runtime.
var dangerousSwitches = []string{
	"inspect", "inspect-brk",
	"remote-debugging-port", "remote-debugging-address", "remote-debugging-pipe", "remote-allow-origins",
	"renderer-cmd-prefix", "gpu-launcher", "utility-cmd-prefix", "ppapi-plugin-launcher", "browser-subprocess-path",
	"no-sandbox", "disable-gpu-sandbox", "no-zygote", "single-process",
	"disable-web-security", "allow-file-access-from-files", "unsafely-treat-insecure-origin-as-secure",
	"disable-site-isolation-trials", "ignore-certificate-errors",
	"user-data-dir", "proxy-server", "host-resolver-rules", "js-flags", "load-extension",
	"enable-logging", "log-file",
}

// ArgumentPolicy says which of a manifest's runtime.arguments rvm passes
// to the runtime. The zero value passes none.
type ArgumentPolicy struct {
	// StrictlyFetched is true where the manifest came through a strict
	// fetch, or is a cached copy of one: only such a manifest passes
	// arguments at all (SPEC 3 and 8).
	StrictlyFetched bool
	// Allowed is the desktop owner's allowedRuntimeArguments: the
	// switches of SPEC 8's list that a manifest may pass. An entry is a
	// switch ("--remote-debugging-port", or its bare name), which allows
	// it with any value, or a switch with a value
	// ("--remote-debugging-port=9222"), which allows that value alone. It
	// never allows "--" or what could stand for rvm's own flags.
	Allowed []string
}

// Arguments are a manifest's runtime.arguments as FilterArguments leaves
// them, for StartOptions. The zero value passes none.
type Arguments struct {
	list []string
	// Notices name each argument dropped, and why.
	Notices []string
}

// List returns the arguments that are passed, in the manifest's order.
func (a Arguments) List() []string { return append([]string(nil), a.list...) }

// FilterArguments returns the arguments of a manifest (its
// runtime.arguments, args) that rvm passes to the runtime under p, with a
// notice for each one dropped (SPEC 8). Everything is dropped from a
// manifest that was not strictly fetched. Otherwise rvm drops "--" (after
// which the runtime would read rvm's own flags as something else), every
// switch that could stand for one of rvm's own flags (config, manifest,
// decision: a name that is a prefix of one, as parsers that take
// abbreviations read it, in any case), and the switches of SPEC 8's list
// that p.Allowed does not name. A switch is read as this platform's
// programs read it (platform.Switches: "/name", and names in any case, on
// Windows).
func FilterArguments(args []string, p ArgumentPolicy) Arguments {
	return filterArguments(args, p, platform.Switches())
}

// filterArguments is FilterArguments under the switch syntax of a
// platform.
func filterArguments(args []string, p ArgumentPolicy, syntax platform.SwitchSyntax) Arguments {
	var a Arguments
	if len(args) == 0 {
		return a
	}
	if !p.StrictlyFetched {
		quoted := make([]string, len(args))
		for i, arg := range args {
			quoted[i] = fmt.Sprintf("%q", arg)
		}
		a.Notices = []string{fmt.Sprintf("runtime.arguments %s dropped: the manifest was not strictly fetched, so it passes no arguments", strings.Join(quoted, ", "))}
		return a
	}
	for _, arg := range args {
		if why := dropped(arg, p.Allowed, syntax); why != "" {
			a.Notices = append(a.Notices, fmt.Sprintf("runtime.arguments: %q dropped: %s", arg, why))
			continue
		}
		a.list = append(a.list, arg)
	}
	return a
}

// dropped says why arg may not reach the runtime; "" where it may.
func dropped(arg string, allowed []string, syntax platform.SwitchSyntax) string {
	if arg == "--" {
		return "it would end the runtime's switches, and rvm's own after it would not be read as switches"
	}
	name, ok := syntax.Name(arg)
	if !ok {
		return ""
	}
	// A parser may compare names without case where the platform does
	// not: such a name is dropped too, as it could stand for rvm's flag.
	anyCase := platform.SwitchSyntax{FoldCase: true}
	for _, own := range ownFlags {
		if strings.HasPrefix(anyCase.Fold(own), anyCase.Fold(name)) {
			return fmt.Sprintf("it could stand for rvm's own --%s", own)
		}
	}
	for _, d := range dangerousSwitches {
		if syntax.Fold(name) == syntax.Fold(d) && !allowedBy(arg, name, allowed, syntax) {
			return fmt.Sprintf("--%s passes only where the desktop owner's allowedRuntimeArguments names it", d)
		}
	}
	return ""
}

// allowedBy reports whether an entry of allowed names the switch arg,
// whose name is name: a switch of that name without a value, or with
// arg's value.
func allowedBy(arg, name string, allowed []string, syntax platform.SwitchSyntax) bool {
	_, value, hasValue := strings.Cut(arg, "=")
	for _, e := range allowed {
		ename, ok := syntax.Name(e)
		if !ok {
			ename, _, _ = strings.Cut(e, "=")
		}
		_, evalue, ehasValue := strings.Cut(e, "=")
		if ename != "" && syntax.Fold(ename) == syntax.Fold(name) && (!ehasValue || hasValue && evalue == value) {
			return true
		}
	}
	return false
}
