package syslog

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// linuxLog is where the system log is on Linux.
type linuxLog struct {
	journal, devLog string // the journal's socket, syslog's socket
	journalStream   string // JOURNAL_STREAM: "device:inode" of the stream systemd gave the journal
	stderr          *os.File
	now             func() time.Time
	pid             int
}

func open(name string) (sink, error) {
	return linuxLog{
		journal:       "/run/systemd/journal/socket",
		devLog:        "/dev/log",
		journalStream: os.Getenv("JOURNAL_STREAM"),
		stderr:        os.Stderr,
		now:           time.Now,
		pid:           os.Getpid(),
	}.open(name)
}

// open takes the journal's socket, else standard error where
// JOURNAL_STREAM names it, else syslog's socket.
func (m linuxLog) open(name string) (sink, error) {
	d, jerr := dial(m.journal)
	if jerr == nil {
		return &journal{dgram: d, identifier: name}, nil
	}
	if isJournalStream(m.journalStream, m.stderr) {
		return stream{m.stderr}, nil
	}
	s, serr := dialSyslog(m.devLog, name, m.pid, m.now)
	if serr != nil {
		return nil, fmt.Errorf("syslog: no system log to write to: the journal: %v; syslog: %v", jerr, serr)
	}
	return s, nil
}

// isJournalStream reports whether f is the stream that value, a
// JOURNAL_STREAM "device:inode", names.
func isJournalStream(value string, f *os.File) bool {
	dev, ino, ok := strings.Cut(value, ":")
	if !ok {
		return false
	}
	d, err1 := strconv.ParseUint(dev, 10, 64)
	i, err2 := strconv.ParseUint(ino, 10, 64)
	var st unix.Stat_t
	if err1 != nil || err2 != nil || unix.Fstat(int(f.Fd()), &st) != nil {
		return false
	}
	return uint64(st.Dev) == d && uint64(st.Ino) == i
}

// journal writes events in the journal's native protocol, one datagram
// each (systemd's "Native Journal Protocol"), the message and values
// escaped (see escape): the protocol would frame a newline, but
// journalctl would show it, and a bidirectional control, as it is.
type journal struct {
	*dgram
	identifier string
}

func (j *journal) write(level Level, message string, fields []Field) error {
	var b bytes.Buffer
	journalField(&b, "MESSAGE", escape(message))
	journalField(&b, "PRIORITY", strconv.Itoa(level.priority()))
	journalField(&b, "SYSLOG_IDENTIFIER", j.identifier)
	journalField(&b, "SYSLOG_FACILITY", strconv.Itoa(facility))
	for _, f := range fields {
		journalField(&b, journalName(f.Name), escape(f.Value))
	}
	return j.send(b.Bytes())
}

// journalField appends one field: NAME=value and a newline. The value
// holds no newline (escape writes it as \n), which the protocol would
// have to frame.
func journalField(b *bytes.Buffer, name, value string) {
	b.WriteString(name + "=" + value + "\n")
}

// journalName is an event field's name in the journal: RVM_ and the name
// upper-cased, every character but a letter or digit made "_", at most the
// journal's 64 characters.
func journalName(name string) string {
	n := "RVM_" + strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		case 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			return r
		}
		return '_'
	}, name)
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

// stream writes events as lines on a stream that systemd sends to the
// journal, each with its priority as an sd-daemon "<N>" prefix.
type stream struct{ w io.Writer }

func (s stream) write(level Level, message string, fields []Field) error {
	_, err := fmt.Fprintf(s.w, "<%d>%s\n", level.priority(), text(message, fields))
	return err
}

// close leaves standard error open: it is the program's.
func (stream) close() error { return nil }
