package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The completion scripts (`rvm completion SHELL`) complete rvm's commands
// and subcommands, the flags of each, and the values of the flags that say
// what they take: a flag whose value name (the back-quoted word of its
// usage, as flag.UnquoteUsage reads it) is FILE completes file names, DIR
// folder names, and one of choices written a|b|c those choices. All four
// walk the words typed so far the same way: a word that names a
// subcommand of the command reached so far goes down to it, a flag is
// skipped (with its value where it takes one), and after "--" nothing is
// completed (a URL follows).

var completionCommand = &command{
	name:    "completion",
	summary: "print a shell completion script for rvm",
	about: `Load it in the current shell, or put it where the shell finds it:
  bash:        source <(rvm completion bash)
  zsh:         source <(rvm completion zsh)        (after compinit)
  fish:        rvm completion fish | source
  PowerShell:  rvm completion powershell | Out-String | Invoke-Expression
`,
	subs: []*command{
		completionShell("bash", "bash", writeBash),
		completionShell("zsh", "zsh", writeZsh),
		completionShell("fish", "fish", writeFish),
		completionShell("powershell", "PowerShell", writePowerShell),
	},
}

// completionShell is the subcommand of rvm completion for one shell.
func completionShell(name, shell string, write func(io.Writer, []completionNode)) *command {
	return &command{name: name, summary: "the completion script for " + shell, setup: func(*flag.FlagSet) runner {
		return func(_ context.Context, c *cli, args []string) int {
			if code, ok := c.wantArgs(args, 0, 0, "no arguments"); !ok {
				return code
			}
			top := c.cmd
			for top.parent != nil {
				top = top.parent
			}
			write(c.stdout, completionNodes(top))
			return exitOK
		}
	}}
}

// completionNode is one command as the scripts see it.
type completionNode struct {
	// path is the command's words after "rvm" ("" for rvm itself).
	path  string
	subs  []string
	flags []completionFlag
}

// completionFlag is one flag of a command.
type completionFlag struct {
	// name is the flag's name without dashes; spelled is how it is
	// offered ("-v", "--json").
	name, spelled, usage string
	// value is what the flag's value completes to: "" for a flag without
	// one (a bool), "@file", "@dir", "@any" (nothing to offer), or the
	// choices, separated by spaces.
	value string
}

// completionNodes are cmd and every command below it, in order.
func completionNodes(cmd *command) []completionNode {
	n := completionNode{path: strings.TrimSpace(strings.TrimPrefix(cmd.path(), "rvm")), subs: cmd.subNames()}
	if cmd.setup != nil {
		fs, _ := cmd.flags()
		fs.VisitAll(func(f *flag.Flag) {
			if isGlobal(f.Name) {
				return
			}
			cf := completionFlag{name: f.Name, spelled: dashes(f.Name) + f.Name}
			var valueName string
			valueName, cf.usage = flag.UnquoteUsage(f)
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
				cf.value = valueKind(valueName)
			}
			n.flags = append(n.flags, cf)
		})
	}
	for _, g := range globalFlags {
		n.flags = append(n.flags, completionFlag{name: g.name, spelled: dashes(g.name) + g.name, usage: g.usage})
	}
	nodes := []completionNode{n}
	for _, s := range cmd.subs {
		nodes = append(nodes, completionNodes(s)...)
	}
	return nodes
}

// valueKind is what a flag whose value is called name completes to (see
// completionFlag.value).
func valueKind(name string) string {
	switch {
	case name == "FILE":
		return "@file"
	case name == "DIR":
		return "@dir"
	case strings.Contains(name, "|"):
		return strings.ReplaceAll(name, "|", " ")
	}
	return "@any"
}

// spelledFlags are the flags of n as offered, separated by spaces.
func (n completionNode) spelledFlags() string {
	s := make([]string, len(n.flags))
	for i, f := range n.flags {
		s[i] = f.spelled
	}
	return strings.Join(s, " ")
}

// shellCases writes the two functions that the bash and zsh scripts share
// (their case syntax is the same): _rvm_node PATH, which sets subs and
// flags for the command at PATH, and _rvm_value PATH NAME, which prints
// what the value of flag NAME (without dashes) of that command completes
// to, nothing for a flag without a value.
func shellCases(w io.Writer, nodes []completionNode) {
	fmt.Fprintf(w, "_rvm_node() {\n\tcase \"$1\" in\n")
	for _, n := range nodes {
		fmt.Fprintf(w, "\t%q) subs=%q; flags=%q ;;\n", n.path, strings.Join(n.subs, " "), n.spelledFlags())
	}
	fmt.Fprintf(w, "\t*) subs=''; flags='' ;;\n\tesac\n}\n\n")
	fmt.Fprintf(w, "_rvm_value() {\n\tcase \"$1|$2\" in\n")
	for _, n := range nodes {
		for _, f := range n.flags {
			if f.value != "" {
				fmt.Fprintf(w, "\t%q) echo %q ;;\n", n.path+"|"+f.name, f.value)
			}
		}
	}
	fmt.Fprintf(w, "\tesac\n}\n\n")
}

func writeBash(w io.Writer, nodes []completionNode) {
	fmt.Fprintf(w, "# bash completion for rvm. Load it with: source <(rvm completion bash)\n\n")
	shellCases(w, nodes)
	io.WriteString(w, `_rvm() {
	local line="${COMP_LINE:0:COMP_POINT}" cmdpath="" subs flags kind w i name
	local -a words
	read -ra words <<<"$line"
	[[ "$line" =~ [[:space:]]$ ]] && words+=("")
	local cur="${words[${#words[@]}-1]}"
	COMPREPLY=()
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		w="${words[i]}"
		[[ "$w" == "--" ]] && return 0
		if [[ "$w" == -* ]]; then
			name="${w#-}"; name="${name#-}"
			if [[ "$w" != *=* && -n "$(_rvm_value "$cmdpath" "$name")" ]]; then
				((i++))
			fi
			continue
		fi
		_rvm_node "$cmdpath"
		[[ " $subs " == *" $w "* ]] && cmdpath="${cmdpath:+$cmdpath }$w"
	done
	local prev=""
	((${#words[@]} > 2)) && prev="${words[${#words[@]}-2]}"
	# A flag's value follows it as the next word (bash splits --flag=value
	# at the =, and what it then completes is not this script's to say).
	[[ "$cur" == *=* ]] && return 0
	if [[ "$prev" == -* && "$prev" != *=* ]]; then
		name="${prev#-}"; name="${name#-}"
		kind="$(_rvm_value "$cmdpath" "$name")"
		case "$kind" in
		"") ;;
		@file) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
		@dir) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
		@any) return 0 ;;
		*) COMPREPLY=($(compgen -W "$kind" -- "$cur")); return 0 ;;
		esac
	fi
	_rvm_node "$cmdpath"
	if [[ "$cur" == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$subs" -- "$cur"))
	fi
}

complete -F _rvm rvm
`)
}

func writeZsh(w io.Writer, nodes []completionNode) {
	fmt.Fprintf(w, "#compdef rvm\n# zsh completion for rvm. Load it with: source <(rvm completion zsh)\n# (after compinit), or save it as _rvm in a folder of $fpath.\n\n")
	shellCases(w, nodes)
	io.WriteString(w, `_rvm() {
	local cmdpath="" subs flags kind w name i
	local cur="${words[CURRENT]}"
	for ((i = 2; i < CURRENT; i++)); do
		w="${words[i]}"
		[[ "$w" == "--" ]] && return 0
		if [[ "$w" == -* ]]; then
			name="${w#-}"; name="${name#-}"
			if [[ "$w" != *=* && -n "$(_rvm_value "$cmdpath" "$name")" ]]; then
				((i++))
			fi
			continue
		fi
		_rvm_node "$cmdpath"
		[[ " $subs " == *" $w "* ]] && cmdpath="${cmdpath:+$cmdpath }$w"
	done
	local prev="" prefix=""
	((CURRENT > 2)) && prev="${words[CURRENT-1]}"
	if [[ "$cur" == -*=* ]]; then
		prev="${cur%%=*}"; prefix="$prev="; cur="${cur#*=}"
	elif [[ "$prev" != -* || "$prev" == *=* ]]; then
		prev=""
	fi
	if [[ -n "$prev" ]]; then
		name="${prev#-}"; name="${name#-}"
		kind="$(_rvm_value "$cmdpath" "$name")"
		case "$kind" in
		"") ;;
		@file) _files; return ;;
		@dir) _files -/; return ;;
		@any) return 0 ;;
		*) compadd -P "$prefix" -- ${=kind}; return ;;
		esac
	fi
	_rvm_node "$cmdpath"
	if [[ "$cur" == -* ]]; then
		compadd -- ${=flags}
	else
		compadd -- ${=subs}
	fi
}

if [[ "${funcstack[1]}" == "_rvm" ]]; then
	_rvm "$@"
else
	compdef _rvm rvm
fi
`)
}

func writeFish(w io.Writer, nodes []completionNode) {
	fmt.Fprintf(w, "# fish completion for rvm. Load it with: rvm completion fish | source\n\n")
	fmt.Fprintf(w, "function __rvm_subs\n\tswitch $argv[1]\n")
	for _, n := range nodes {
		if len(n.subs) > 0 {
			fmt.Fprintf(w, "\t\tcase %s\n\t\t\tprintf '%%s\\n' %s\n", fishQuote(n.path), strings.Join(n.subs, " "))
		}
	}
	fmt.Fprintf(w, "\tend\nend\n\n")
	fmt.Fprintf(w, "function __rvm_value\n\tswitch \"$argv[1]|$argv[2]\"\n")
	for _, n := range nodes {
		for _, f := range n.flags {
			if f.value != "" {
				fmt.Fprintf(w, "\t\tcase %s\n\t\t\techo %s\n", fishQuote(n.path+"|"+f.name), fishQuote(f.value))
			}
		}
	}
	fmt.Fprintf(w, "\tend\nend\n\n")
	io.WriteString(w, `# __rvm_path prints the command that the words typed so far reach ("" for
# rvm itself), and "--" after a "--".
function __rvm_path
	set -l words (commandline -opc)
	set -e words[1]
	set -l cmdpath ""
	set -l skip 0
	for w in $words
		if test $skip = 1
			set skip 0
			continue
		end
		if test "$w" = "--"
			printf '%s\n' "--"
			return
		end
		if string match -q -- '-*' $w
			set -l name (string replace -r -- '^--?' '' $w)
			set -l value (__rvm_value "$cmdpath" $name)
			if not string match -q -- '*=*' $w; and test -n "$value"
				set skip 1
			end
			continue
		end
		if contains -- $w (__rvm_subs "$cmdpath")
			set cmdpath (string trim -- "$cmdpath $w")
		end
	end
	printf '%s\n' "$cmdpath"
end

function __rvm_at
	set -l at (__rvm_path)
	test "$at" = "$argv[1]"
end

complete -c rvm -f
`)
	for _, n := range nodes {
		cond := fishQuote("__rvm_at " + fishQuote(n.path))
		for _, s := range n.subs {
			fmt.Fprintf(w, "complete -c rvm -n %s -a %s\n", cond, fishQuote(s))
		}
		for _, f := range n.flags {
			opt := "-l " + f.name
			if len(f.name) == 1 {
				opt = "-s " + f.name
			}
			var value string
			switch f.value {
			case "":
			case "@file":
				value = " -r -F"
			case "@dir":
				value = " -r -a '(__fish_complete_directories)'"
			case "@any":
				value = " -x"
			default:
				value = " -x -a " + fishQuote(f.value)
			}
			fmt.Fprintf(w, "complete -c rvm -n %s %s%s -d %s\n", cond, opt, value, fishQuote(f.usage))
		}
	}
}

// fishQuote is s as a fish single-quoted string.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func writePowerShell(w io.Writer, nodes []completionNode) {
	fmt.Fprintf(w, "# PowerShell completion for rvm. Load it with:\n#   rvm completion powershell | Out-String | Invoke-Expression\n\n")
	fmt.Fprintf(w, "Register-ArgumentCompleter -Native -CommandName 'rvm', 'rvm.exe' -ScriptBlock {\n")
	fmt.Fprintf(w, "\tparam($wordToComplete, $commandAst, $cursorPosition)\n")
	fmt.Fprintf(w, "\t$subs = @{\n")
	for _, n := range nodes {
		fmt.Fprintf(w, "\t\t%s = @(%s)\n", psQuote(n.path), psList(n.subs))
	}
	fmt.Fprintf(w, "\t}\n\t$flags = @{\n")
	for _, n := range nodes {
		spelled := strings.Fields(n.spelledFlags())
		fmt.Fprintf(w, "\t\t%s = @(%s)\n", psQuote(n.path), psList(spelled))
	}
	fmt.Fprintf(w, "\t}\n\t$values = @{\n")
	for _, n := range nodes {
		for _, f := range n.flags {
			if f.value != "" {
				fmt.Fprintf(w, "\t\t%s = @(%s)\n", psQuote(n.path+"|"+f.name), psList(strings.Fields(f.value)))
			}
		}
	}
	io.WriteString(w, `	}
	$before = @($commandAst.CommandElements | Select-Object -Skip 1 |
		Where-Object { $_.Extent.EndOffset -lt $cursorPosition } | ForEach-Object { $_.Extent.Text })
	$cmdpath = ''
	$skip = $false
	foreach ($w in $before) {
		if ($skip) { $skip = $false; continue }
		if ($w -eq '--') { return }
		if ($w.StartsWith('-')) {
			$name = $w -replace '^--?', ''
			if (-not $name.Contains('=') -and $values.ContainsKey("$cmdpath|$name")) { $skip = $true }
			continue
		}
		if ($subs[$cmdpath] -contains $w) { $cmdpath = "$cmdpath $w".Trim() }
	}
	$prev = ''
	if ($before.Count -gt 0) { $prev = $before[-1] }
	$candidates = @()
	$prefix = ''
	$word = $wordToComplete
	if ($word -match '^(--?[^=]+)=(.*)$') {
		$prev = $Matches[1]; $prefix = "$prev="; $word = $Matches[2]
	} elseif (-not $prev.StartsWith('-') -or $prev.Contains('=')) {
		$prev = ''
	}
	$kind = $null
	if ($prev -ne '') { $kind = $values["$cmdpath|$($prev -replace '^--?', '')"] }
	if ($null -ne $kind) {
		# Files, folders and free values: PowerShell's own completion.
		if ($kind[0].StartsWith('@')) { return }
		$candidates = $kind
	} elseif ($word.StartsWith('-')) {
		$candidates = $flags[$cmdpath]
	} else {
		$candidates = $subs[$cmdpath]
	}
	$candidates | Where-Object { $_ -like "$word*" } | ForEach-Object {
		[System.Management.Automation.CompletionResult]::new("$prefix$_", $_, 'ParameterValue', $_)
	}
}
`)
}

// psQuote is s as a PowerShell single-quoted string.
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// psList is words as the items of a PowerShell array.
func psList(words []string) string {
	q := slices.Clone(words)
	for i, s := range q {
		q[i] = psQuote(s)
	}
	return strings.Join(q, ", ")
}
