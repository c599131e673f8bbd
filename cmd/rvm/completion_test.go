package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// completionScript writes `rvm completion shell` into a file and returns
// its path.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, stdout, stderr := rvm(t, nil, "completion", shell)
	if code != 0 || stdout == "" {
		t.Fatalf("rvm completion %s: exit %d, stderr %q", shell, code, stderr)
	}
	path := filepath.Join(t.TempDir(), "rvm."+shell)
	if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// needShell skips the test where shell is not installed.
func needShell(t *testing.T, shell string) string {
	t.Helper()
	path, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("%s is not installed", shell)
	}
	return path
}

// completionCases are the lines typed so far and the completions each
// must offer (among others) and must not.
var completionCases = []struct {
	name, line string
	want, not  []string
}{
	{"commands", "rvm ", []string{"verify", "launch", "settings", "permissions", "service", "completion", "version", "help"}, []string{"--json"}},
	{"command-prefix", "rvm ver", []string{"verify", "version"}, []string{"launch"}},
	{"flags", "rvm verify --", []string{"--json", "--platform", "--trust-roots", "--machine-settings", "--resolve", "--help", "--version"}, []string{"--user"}},
	{"choices", "rvm verify --platform ", []string{"win", "mac", "linux"}, []string{"verify"}},
	{"subcommands-after-a-global-flag", "rvm -v service ", []string{"install", "uninstall", "start", "stop", "restart", "status", "run"}, nil},
	{"subcommand-flags", "rvm service install -", []string{"--user", "-v"}, []string{"--json"}},
	{"shells", "rvm completion ", []string{"bash", "zsh", "fish", "powershell"}, nil},
	{"past-a-value", "rvm verify --resolve a.test:443:127.0.0.1 --j", []string{"--json"}, nil},
	{"nothing-after-dashes", "rvm verify -- ", nil, []string{"verify", "--json"}},
}

// checkCompletions fails the test unless got (the completions offered,
// one a line) holds every want and no not.
func checkCompletions(t *testing.T, line, got string, want, not []string) {
	t.Helper()
	offered := strings.Fields(got)
	has := func(w string) bool {
		for _, o := range offered {
			if o == w {
				return true
			}
		}
		return false
	}
	for _, w := range want {
		if !has(w) {
			t.Errorf("%q: got %q, want %q among them", line, offered, w)
		}
	}
	for _, n := range not {
		if has(n) {
			t.Errorf("%q: got %q, want no %q", line, offered, n)
		}
	}
}

// The bash script parses (bash -n) and completes as a user sees it.
func TestCompletionBash(t *testing.T) {
	bash := needShell(t, "bash")
	script := completionScript(t, "bash")
	if out, err := exec.Command(bash, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	for _, tt := range completionCases {
		t.Run(tt.name, func(t *testing.T) {
			// As bash calls the function: the line, the cursor, the words.
			drive := `source "$1"; COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<<"$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _rvm; printf '%s\n' "${COMPREPLY[@]}"`
			out, err := exec.Command(bash, "-c", drive, "bash", script, tt.line).CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			checkCompletions(t, tt.line, string(out), tt.want, tt.not)
		})
	}
	t.Run("files", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "roots.pem"), nil, 0o644)
		drive := `source "$1"; cd "$2"; COMP_LINE="rvm verify --trust-roots ro"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(rvm verify --trust-roots ro); COMP_CWORD=3; _rvm; printf '%s\n' "${COMPREPLY[@]}"`
		out, _ := exec.Command(bash, "-c", drive, "bash", script, dir).CombinedOutput()
		checkCompletions(t, "rvm verify --trust-roots ro", string(out), []string{"roots.pem"}, nil)
	})
}

// The zsh script parses (zsh -n) and completes: compadd and _files are
// stood in for, so that what the script offers can be read.
func TestCompletionZsh(t *testing.T) {
	zsh := needShell(t, "zsh")
	script := completionScript(t, "zsh")
	if out, err := exec.Command(zsh, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	for _, tt := range completionCases {
		t.Run(tt.name, func(t *testing.T) {
			drive := `compdef() { :; }; source "$1"
compadd() { while [[ $1 == -* && $1 != -- ]]; do [[ $1 == -P ]] && shift; shift; done; [[ $1 == -- ]] && shift; print -rl -- "$@"; }
_files() { print -r -- FILES; }
words=(${=2}); [[ $2 == *" " ]] && words+=(""); CURRENT=${#words}
_rvm | grep -- "^${words[CURRENT]}"`
			out, _ := exec.Command(zsh, "-c", drive, "zsh", script, tt.line).CombinedOutput()
			checkCompletions(t, tt.line, string(out), tt.want, tt.not)
		})
	}
}

// The fish script parses (fish -n) and completes (complete -C).
func TestCompletionFish(t *testing.T) {
	fish := needShell(t, "fish")
	script := completionScript(t, "fish")
	if out, err := exec.Command(fish, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("fish -n: %v\n%s", err, out)
	}
	for _, tt := range completionCases {
		t.Run(tt.name, func(t *testing.T) {
			drive := `source $argv[1]; complete -C $argv[2] | cut -f1`
			out, err := exec.Command(fish, "--no-config", "-c", drive, script, tt.line).CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			checkCompletions(t, tt.line, string(out), tt.want, tt.not)
		})
	}
}

// The PowerShell script is run where PowerShell is installed; elsewhere
// (as on the machines this was written on) only its shape is checked.
func TestCompletionPowerShell(t *testing.T) {
	script := completionScript(t, "powershell")
	data, _ := os.ReadFile(script)
	for _, want := range []string{"Register-ArgumentCompleter -Native -CommandName 'rvm', 'rvm.exe'", "'service' = @('install', 'uninstall', 'start', 'stop', 'restart', 'status', 'run')", "'verify|platform' = @('win', 'mac', 'linux')"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the script does not hold %q", want)
		}
	}
	pwsh := needShell(t, "pwsh")
	for _, tt := range completionCases {
		t.Run(tt.name, func(t *testing.T) {
			drive := `. $args[0]; $line = $args[1]; (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { $_.CompletionText }`
			out, err := exec.Command(pwsh, "-NoProfile", "-Command", drive, script, tt.line).CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			checkCompletions(t, tt.line, string(out), tt.want, tt.not)
		})
	}
}
