//go:build !windows

package platform

import (
	"os"
	"strconv"
)

func userID() string { return strconv.Itoa(os.Getuid()) }
