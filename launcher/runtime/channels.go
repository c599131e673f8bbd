package runtime

import (
	"errors"
	"os"
	"path/filepath"
)

// Channels reads the channel files of the RuntimeDirectory dir (see the
// package doc): for each file of <dir>/channels whose name is a channel
// name, its content trimmed, at most max of them (the first in name
// order). A missing folder holds none; a file that cannot be read as a
// channel file (not a regular file, larger than 64 bytes) is left out, so
// that its channel reads as not set.
func Channels(dir string, max int) (map[string]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "channels"))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range entries {
		if len(out) == max {
			break
		}
		if !IsChannelName(e.Name()) {
			continue
		}
		if v, err := readChannel(dir, e.Name()); err == nil {
			out[e.Name()] = v
		}
	}
	return out, nil
}
