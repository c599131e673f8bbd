package platform

import (
	"fmt"
	"io"
	"os"
)

// TooLargeError is what ReadFileLimit reports for a file larger than its
// limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("platform: %s is larger than %d bytes", e.Path, e.Limit)
}

// ReadFileLimit reads the file at path, which may hold at most limit bytes:
// it reads one byte more than that and refuses the file if it got it, so
// that a huge or endless file costs no more than limit. A missing file is
// an error that wraps os.ErrNotExist; a larger one is a *TooLargeError.
func ReadFileLimit(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("platform: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("platform: read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}
