package platform

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestUserID(t *testing.T) {
	got := UserID()
	if runtime.GOOS == "windows" {
		if !strings.HasPrefix(got, "S-1-") {
			t.Errorf("got user id %q, want a SID", got)
		}
		return
	}
	if want := strconv.Itoa(os.Getuid()); got != want {
		t.Errorf("got user id %q, want %q", got, want)
	}
}
