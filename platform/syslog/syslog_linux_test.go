package syslog

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// listen makes a datagram socket at path, standing in for the journal's
// or syslog's, and returns it.
func listen(t *testing.T, path string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// receive reads one datagram: the send has queued it by the time Event
// returns.
func receive(t *testing.T, c *net.UnixConn) []byte {
	t.Helper()
	buf := make([]byte, 1<<20)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}

// parseJournal reads a native journal protocol datagram into its fields,
// in order, as journald does; rvm writes every field as NAME=value.
func parseJournal(t *testing.T, b []byte) []Field {
	t.Helper()
	var out []Field
	for len(b) > 0 {
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			t.Fatalf("journal datagram: a field without its newline: %q", b)
		}
		name, value, ok := strings.Cut(string(b[:nl]), "=")
		if !ok {
			t.Fatalf("journal datagram: got field %q in the binary form, want NAME=value", b[:nl])
		}
		out = append(out, Field{name, value})
		b = b[nl+1:]
	}
	return out
}

// machine is a Linux machine whose logs lie in a temporary folder; none of
// them exists until a test makes it.
func machine(t *testing.T) linuxLog {
	dir := t.TempDir()
	return linuxLog{
		journal: filepath.Join(dir, "journal.socket"),
		devLog:  filepath.Join(dir, "dev-log"),
		stderr:  os.Stderr,
		now:     func() time.Time { return time.Date(2026, time.March, 5, 9, 7, 2, 0, time.Local) },
		pid:     4242,
	}
}

func openOn(t *testing.T, m linuxLog) *Logger {
	t.Helper()
	s, err := m.open(Name)
	if err != nil {
		t.Fatal(err)
	}
	l := &Logger{sink: s}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestJournal(t *testing.T) {
	m := machine(t)
	j := listen(t, m.journal)
	listen(t, m.devLog) // there, but the journal comes first
	l := openOn(t, m)
	for _, tc := range []struct {
		name    string
		level   Level
		message string
		fields  map[string]string
		want    []Field
	}{
		{"launch-refused", Warning, "launch refused", map[string]string{"manifest": "https://apps.acme.test/app.json", "exitCode": "3"},
			[]Field{{"MESSAGE", "launch refused"}, {"PRIORITY", "4"}, {"SYSLOG_IDENTIFIER", "rvm"}, {"SYSLOG_FACILITY", "4"},
				{"RVM_EXITCODE", "3"}, {"RVM_MANIFEST", "https://apps.acme.test/app.json"}}},
		{"user-answer", Info, "the user answered", map[string]string{"answer": "granted"},
			[]Field{{"MESSAGE", "the user answered"}, {"PRIORITY", "6"}, {"SYSLOG_IDENTIFIER", "rvm"}, {"SYSLOG_FACILITY", "4"},
				{"RVM_ANSWER", "granted"}}},
		{"newlines-and-bidi-escaped", Error, "owner settings\nunavailable", map[string]string{"trust.reason": "a\nRVM_FORGED=1", "signer": "Evil\u202eLIVE", "Über-name": "x"},
			[]Field{{"MESSAGE", `owner settings\nunavailable`}, {"PRIORITY", "3"}, {"SYSLOG_IDENTIFIER", "rvm"}, {"SYSLOG_FACILITY", "4"},
				{"RVM_SIGNER", `Evil\u202eLIVE`}, {"RVM_TRUST_REASON", `a\nRVM_FORGED=1`}, {"RVM__BER_NAME", "x"}}},
		{"name-one-over-the-journal-bound", Info, "m", map[string]string{strings.Repeat("n", 61): "x"},
			[]Field{{"MESSAGE", "m"}, {"PRIORITY", "6"}, {"SYSLOG_IDENTIFIER", "rvm"}, {"SYSLOG_FACILITY", "4"},
				{"RVM_" + strings.Repeat("N", 60), "x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := l.Event(tc.level, tc.message, tc.fields); err != nil {
				t.Fatal(err)
			}
			if got := parseJournal(t, receive(t, j)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestSyslogSocket(t *testing.T) {
	m := machine(t)
	s := listen(t, m.devLog)
	l := openOn(t, m)
	for _, tc := range []struct {
		level Level
		want  string
	}{
		{Info, `<38>Mar  5 09:07:02 rvm[4242]: launch refused app="Acme Blotter" manifest=https://apps.acme.test/app.json`},
		{Warning, `<36>Mar  5 09:07:02 rvm[4242]: launch refused app="Acme Blotter" manifest=https://apps.acme.test/app.json`},
		{Error, `<35>Mar  5 09:07:02 rvm[4242]: launch refused app="Acme Blotter" manifest=https://apps.acme.test/app.json`},
	} {
		t.Run(tc.level.String(), func(t *testing.T) {
			fields := map[string]string{"manifest": "https://apps.acme.test/app.json", "app": "Acme Blotter"}
			if err := l.Event(tc.level, "launch refused", fields); err != nil {
				t.Fatal(err)
			}
			if got := string(receive(t, s)); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestSyslogRestarted: a syslog daemon that restarts makes its socket anew;
// the next event reaches the new one.
func TestSyslogRestarted(t *testing.T) {
	m := machine(t)
	old := listen(t, m.devLog)
	l := openOn(t, m)
	if err := l.Event(Info, "first", nil); err != nil {
		t.Fatal(err)
	}
	receive(t, old)
	old.Close()
	os.Remove(m.devLog)
	renewed := listen(t, m.devLog)
	if err := l.Event(Info, "second", nil); err != nil {
		t.Fatal(err)
	}
	if got, want := string(receive(t, renewed)), "<38>Mar  5 09:07:02 rvm[4242]: second"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestJournalStream(t *testing.T) {
	m := machine(t)
	listen(t, m.devLog) // there, but systemd's stream comes first
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	m.stderr = f
	m.journalStream = journalStream(fi)
	l := openOn(t, m)
	l.Event(Warning, "launch refused\nforged line", map[string]string{"manifest": "https://apps.acme.test/app.json"})
	l.Event(Error, "owner settings unavailable", nil)
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	want := "<4>launch refused\\nforged line manifest=https://apps.acme.test/app.json\n<3>owner settings unavailable\n"
	if string(got) != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestJournalStreamOfAnother: JOURNAL_STREAM inherited from a parent whose
// standard error was the journal's, while this one's is not: syslog.
func TestJournalStreamOfAnother(t *testing.T) {
	m := machine(t)
	s := listen(t, m.devLog)
	other, err := os.Stat(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m.journalStream = journalStream(other)
	l := openOn(t, m)
	l.Event(Info, "m", nil)
	if got, want := string(receive(t, s)), "<38>Mar  5 09:07:02 rvm[4242]: m"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestNoSystemLog(t *testing.T) {
	m := machine(t)
	m.journalStream = "not:a-stream"
	_, err := m.open(Name)
	if err == nil {
		t.Fatal("opened a log where there is none")
	}
	for _, want := range []string{"syslog: no system log to write to", m.journal, m.devLog} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to name %s", err, want)
		}
	}
}

// journalStream is the JOURNAL_STREAM that names fi's file.
func journalStream(fi os.FileInfo) string {
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}
