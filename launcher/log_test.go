package launcher

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// The log rotates by size: after more than LogMaxMegabytes of lines,
// rvm.log is below the bound, the older lines are in a backup beside it,
// every file is private (0600) and holds JSON lines.
func TestLogRotatesBySize(t *testing.T) {
	dir := t.TempDir()
	log, closer, err := OpenLog(dir, nil, zerolog.InfoLevel)
	if err != nil {
		t.Fatal(err)
	}
	reason := strings.Repeat("r", 1000)
	for range (LogMaxMegabytes + 2) << 10 {
		log.Info().Str("reason", reason).Msg("decision")
	}
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "rvm*.log"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("got log files %q after %d MiB of lines, want rvm.log and a backup", files, LogMaxMegabytes+2)
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > LogMaxMegabytes<<20 {
			t.Errorf("%s: got %d bytes, want at most %d MiB", f, fi.Size(), LogMaxMegabytes)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: got mode %v, want 0600", f, fi.Mode().Perm())
		}
		data, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(data)
		sc.Buffer(nil, 1<<20)
		if sc.Scan() && !json.Valid(sc.Bytes()) {
			t.Errorf("%s: got first line %.80q, want JSON", f, sc.Text())
		}
		data.Close()
	}
	if _, err := os.Stat(filepath.Join(dir, LogFileName)); err != nil {
		t.Errorf("got %v, want %s still there", err, LogFileName)
	}
}
