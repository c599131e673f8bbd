//go:build !linux && !darwin && !windows

package platform

import "os"

func nativeDialog(PromptEnv, string) (dialog, bool) { return dialog{}, false }

func interactiveDesktop() bool { return false }

func isTerminal(*os.File) bool { return false }
