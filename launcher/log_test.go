package launcher

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

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

// Text from outside in a log entry (a key name, a value, the message)
// reaches the console as one line that a terminal shows as it is, and the
// file as JSON with every hidden character escaped, nothing lost (issue
// 12, flaw 7): no escape sequence, no forged line, no reordered text.
func TestLogShowsNoHiddenCharacters(t *testing.T) {
	const (
		osc    = "title\x1b]0;pwned\x07"
		forged = "ok\r\nrvm: forged line"
		bidi   = "Evil\u202eLIVE"
		c1     = "csi\u009b31m"
	)
	dir := t.TempDir()
	var console strings.Builder
	log, closer, err := OpenLog(dir, &console, zerolog.DebugLevel)
	if err != nil {
		t.Fatal(err)
	}
	log.Info().Str(bidi, forged).Dict("permissions", zerolog.Dict().Str(osc, c1+"\x7f")).Msg("decision " + forged)
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(console.String(), "\n"); n != 1 || !strings.HasSuffix(console.String(), "\n") {
		t.Errorf("got %d lines on the console, want 1: %q", n, console.String())
	}
	if r, ok := hiddenRune(strings.TrimSuffix(console.String(), "\n")); ok {
		t.Errorf("the console got the raw character %U: %q", r, console.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, LogFileName))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := hiddenRune(strings.TrimSuffix(string(data), "\n")); ok {
		t.Errorf("rvm.log got the raw character %U: %q", r, data)
	}
	var entry struct {
		Message     string            `json:"message"`
		Permissions map[string]string `json:"permissions"`
	}
	if err := json.Unmarshal(data, &entry); err != nil {
		t.Fatalf("rvm.log is not one JSON line: %v\n%s", err, data)
	}
	var all map[string]any
	json.Unmarshal(data, &all)
	if entry.Message != "decision "+forged || entry.Permissions[osc] != c1+"\x7f" || all[bidi] != forged {
		t.Errorf("rvm.log lost text: got %+v", all)
	}
}

// hiddenRune is the first character of s that a terminal would act on or
// not show as itself: a control character (a newline included), a
// bidirectional or other formatting character.
func hiddenRune(s string) (rune, bool) {
	for _, r := range s {
		if !unicode.IsGraphic(r) {
			return r, true
		}
	}
	return 0, false
}
