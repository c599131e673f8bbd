package privfile

import "os"

// notPrivate reports nothing: Windows has no mode bits to check.
func notPrivate(os.FileInfo) string { return "" }
