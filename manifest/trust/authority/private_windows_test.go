package authority

import (
	"os"
	"testing"
)

// checkPrivate checks that path exists; Windows has no mode bits to check.
func checkPrivate(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
