package runtime

import "github.com/rvm-launcher/rvm/platform"

// FilterArgumentsUnder is FilterArguments as a platform whose programs read
// switches by syntax would filter: so that the Windows forms are tested on
// every platform.
func FilterArgumentsUnder(syntax platform.SwitchSyntax, args []string, p ArgumentPolicy) Arguments {
	return filterArguments(args, p, syntax)
}
