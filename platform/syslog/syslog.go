// Package syslog sends rvm's security-relevant events (a launch refused, a
// trust failure, the desktop owner's settings unavailable, a user's answer:
// SPEC 10) to the system's log, where a desktop owner's log collection
// finds them, besides rvm's own rvm.log:
//
//   - Linux: the systemd journal, through its native protocol (a datagram
//     to /run/systemd/journal/socket), wherever journald listens: the
//     system service and users' commands alike. Each event carries MESSAGE,
//     PRIORITY, SYSLOG_IDENTIFIER=rvm, SYSLOG_FACILITY=4 (auth) and one
//     field RVM_<NAME> for each of its fields (the name upper-cased, every
//     character but a letter or digit made "_"), so that
//     `journalctl -t rvm RVM_MANIFEST=...` finds them. Where the socket cannot be reached but
//     JOURNAL_STREAM names standard error (systemd runs rvm with its
//     output in the journal), each event is a line on standard error with
//     the priority as its "<N>" prefix. Otherwise syslog: a datagram to
//     /dev/log in the form glibc's syslog(3) writes, which rsyslog and
//     journald both read (RFC 3164 as local sockets speak it; RFC 5424 is
//     not read there): "<PRI>Mmm dd hh:mm:ss rvm[PID]: MESSAGE name=value ...",
//     facility auth.
//   - macOS: syslog, the same datagram to /var/run/syslog, which the
//     unified log records (`log show --predicate 'process == "rvm"'`).
//   - Windows: the Application event log, source rvm (RegisterSource, which
//     the msi and `rvm service install` do, registers it with
//     %SystemRoot%\System32\EventCreate.exe as its message file), event ID
//     1 for Info, 2 for Warning, 3 for Error; the fields follow the message,
//     one "name: value" line each.
//
// Text is bounded and cannot forge a line: a message longer than
// MaxMessage bytes, or a value longer than MaxValue, is cut at a character
// boundary and ends in "…"; an event keeps its first MaxFields fields by
// name; in every log, control and other unprintable characters of the
// message and the values (a newline, a carriage return, U+202E) are written
// as Go escapes (\n, \r, \u202e), so that text from outside (a manifest
// URL, a signer's name, a reason quoting a server) is one line, cannot
// start a field of its own or reorder what a reader sees; and in syslog
// and standard-error lines a value holding a space, a quote, "=" or such
// a character is a quoted Go string.
//
// Open opens the log; Logger.Event writes one event. Security returns the
// writer that rvm's zerolog logger feeds: it passes on each event marked
// with the field "security": true.
package syslog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Name is rvm's name in the system log: the syslog tag, the journal's
// SYSLOG_IDENTIFIER and the Windows Event Log source.
const Name = "rvm"

// Level is how grave an event is.
type Level int

// The levels, and what each is in the system log: syslog priorities info
// (6), warning (4) and err (3); Windows event types information, warning
// and error.
const (
	Info    Level = iota // a user's answer
	Warning              // a launch refused, a trust failure, the owner's settings unavailable
	Error                // a failure of rvm's own
)

// String names the level: "info", "warning" or "error".
func (l Level) String() string {
	switch l {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "level(" + strconv.Itoa(int(l)) + ")"
}

// priority is the level's syslog priority (RFC 5424 severity).
func (l Level) priority() int {
	switch l {
	case Warning:
		return 4
	case Error:
		return 3
	}
	return 6
}

// facility is the syslog facility of rvm's events: auth, "security and
// authorization messages" (RFC 5424), which rvm's decisions are.
const facility = 4

// Bounds of an event (see the package doc).
const (
	MaxMessage = 4096
	MaxValue   = 1024
	MaxFields  = 32
)

// Field is one named value of an event.
type Field struct{ Name, Value string }

// sink writes events to one kind of system log.
type sink interface {
	write(level Level, message string, fields []Field) error
	close() error
}

// Logger writes events to the system log. It is safe for concurrent use.
type Logger struct {
	mu   sync.Mutex
	sink sink
}

// Open opens the system log for the program name (Name for rvm), as the
// package doc says where; it reports an error naming each log it tried
// where none can be reached.
func Open(name string) (*Logger, error) {
	s, err := open(name)
	if err != nil {
		return nil, err
	}
	return &Logger{sink: s}, nil
}

// Event writes one event: its level, message and fields, within the
// bounds of the package doc. It reports an error for a level that is not
// Info, Warning or Error, and where the log does not take the event.
func (l *Logger) Event(level Level, message string, fields map[string]string) error {
	if level < Info || level > Error {
		return fmt.Errorf("syslog: unknown level %d", level)
	}
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) > MaxFields {
		names = names[:MaxFields]
	}
	fs := make([]Field, len(names))
	for i, n := range names {
		fs[i] = Field{n, truncate(fields[n], MaxValue)}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.sink.write(level, truncate(message, MaxMessage), fs); err != nil {
		return fmt.Errorf("syslog: %w", err)
	}
	return nil
}

// Close closes the log.
func (l *Logger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sink.close()
}

// truncate cuts s to at most max bytes, at a character boundary, ending it
// in "…" where it cut.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	cut := max - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// SecurityField is the field that marks an event of rvm's log as
// security-relevant: zerolog's Bool(SecurityField, true).
const SecurityField = "security"

// Security returns a writer of zerolog's JSON lines that writes each line
// whose SecurityField is true to the system log (Open(name), at the first
// such line), and ignores the others. The event's level is zerolog's
// (trace, debug and info are Info, warn is Warning, error, fatal and panic
// are Error), its message zerolog's message, and its fields the line's
// other fields but the time, a string as it is and any other value as its
// JSON text. Where the system log cannot be opened or does not take an
// event, the event stays in rvm's own log only: Write never fails, so that
// rvm's logging goes on.
func Security(name string) io.Writer {
	return &securityWriter{open: func() (*Logger, error) { return Open(name) }}
}

type securityWriter struct {
	open func() (*Logger, error)
	once sync.Once
	log  *Logger // nil when the system log could not be opened
}

// marked is how zerolog writes the security field set to true.
var marked = []byte(`"` + SecurityField + `":true`)

func (w *securityWriter) Write(p []byte) (int, error) {
	if !bytes.Contains(p, marked) {
		return len(p), nil
	}
	level, message, fields, ok := securityEvent(p)
	if !ok {
		return len(p), nil
	}
	w.once.Do(func() { w.log, _ = w.open() })
	if w.log != nil {
		w.log.Event(level, message, fields)
	}
	return len(p), nil
}

// securityEvent reads one zerolog JSON line; ok reports whether it is an
// object whose SecurityField is true.
func securityEvent(line []byte) (level Level, message string, fields map[string]string, ok bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(line, &obj) != nil || string(obj[SecurityField]) != "true" {
		return 0, "", nil, false
	}
	fields = map[string]string{}
	for name, raw := range obj {
		var s string
		isString := json.Unmarshal(raw, &s) == nil
		switch name {
		case SecurityField, "time":
		case "level":
			level = zerologLevel(s)
		case "message":
			message = s
		default:
			if !isString {
				s = string(raw)
			}
			fields[name] = s
		}
	}
	return level, message, fields, true
}

// zerologLevel is the Level of a zerolog level's name.
func zerologLevel(name string) Level {
	switch name {
	case "warn":
		return Warning
	case "error", "fatal", "panic":
		return Error
	}
	return Info
}

// text is an event as one line of syslog or standard error: the message,
// then " name=value" for each field, with unprintable characters escaped
// and values quoted where needed (see the package doc).
func text(message string, fields []Field) string {
	var b strings.Builder
	b.WriteString(escape(message))
	for _, f := range fields {
		b.WriteString(" " + keyName(f.Name) + "=")
		if needsQuote(f.Value) {
			b.WriteString(strconv.Quote(f.Value))
		} else {
			b.WriteString(f.Value)
		}
	}
	return b.String()
}

// escape is s with each character that strconv.IsPrint does not print
// written as a Go escape (\n, \x1b, \u202e), and the others as they are.
func escape(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !strconv.IsPrint(r) }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strconv.IsPrint(r) {
			b.WriteRune(r)
		} else {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}

// needsQuote reports whether a value must be quoted in a line of text.
func needsQuote(v string) bool {
	if v == "" {
		return true
	}
	for _, r := range v {
		if r == ' ' || r == '"' || r == '=' || r == '\\' || !strconv.IsPrint(r) {
			return true
		}
	}
	return false
}

// keyName is a field's name in a line of text: letters, digits, "_", "."
// and "-", any other character made "_".
func keyName(name string) string {
	if name == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (isAlnum(byte(r)) || r == '_' || r == '.' || r == '-') {
			return r
		}
		return '_'
	}, name)
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
