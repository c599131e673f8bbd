//go:build !linux && !darwin && !windows

package prompt

import "os"

func nativeDialog(Env, Question) (dialog, bool) { return dialog{}, false }

func interactiveDesktop() bool { return false }

func isTerminal(*os.File) bool { return false }
