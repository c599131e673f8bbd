package syslog

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// recorded is one event as a sink got it.
type recorded struct {
	level   Level
	message string
	fields  []Field
}

// recorder is a sink that keeps what it is given.
type recorder struct {
	events []recorded
	closed bool
}

func (r *recorder) write(level Level, message string, fields []Field) error {
	r.events = append(r.events, recorded{level, message, fields})
	return nil
}

func (r *recorder) close() error { r.closed = true; return nil }

func TestEventBounds(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	manyFields := map[string]string{}
	for i := range MaxFields + 1 {
		manyFields[fmt.Sprintf("f%02d", i)] = "v"
	}
	for _, tc := range []struct {
		name        string
		message     string
		fields      map[string]string
		wantMessage string
		wantFields  []Field
	}{
		{"message-at-its-bound", long(MaxMessage), nil, long(MaxMessage), []Field{}},
		{"message-one-over", long(MaxMessage + 1), nil, long(MaxMessage-len("…")) + "…", []Field{}},
		{"cut-before-a-character", long(MaxMessage-4) + "é" + "aaa", nil, long(MaxMessage-4) + "…", []Field{}},
		{"value-at-its-bound", "m", map[string]string{"v": long(MaxValue)}, "m", []Field{{"v", long(MaxValue)}}},
		{"value-one-over", "m", map[string]string{"v": long(MaxValue + 1)}, "m", []Field{{"v", long(MaxValue-len("…")) + "…"}}},
		{"fields-in-name-order", "m", map[string]string{"b": "2", "a": "1"}, "m", []Field{{"a", "1"}, {"b", "2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			l := &Logger{sink: r}
			if err := l.Event(Warning, tc.message, tc.fields); err != nil {
				t.Fatal(err)
			}
			got := r.events[0]
			if got.level != Warning || got.message != tc.wantMessage || !reflect.DeepEqual(got.fields, tc.wantFields) {
				t.Errorf("got %v %q %q, want warning %q %q", got.level, got.message, got.fields, tc.wantMessage, tc.wantFields)
			}
			if len(got.message) > MaxMessage {
				t.Errorf("got a message of %d bytes, want at most %d", len(got.message), MaxMessage)
			}
		})
	}
	t.Run("fields-one-over", func(t *testing.T) {
		r := &recorder{}
		if err := (&Logger{sink: r}).Event(Info, "m", manyFields); err != nil {
			t.Fatal(err)
		}
		got := r.events[0].fields
		if len(got) != MaxFields || got[0].Name != "f00" || got[MaxFields-1].Name != fmt.Sprintf("f%02d", MaxFields-1) {
			t.Errorf("got %d fields %q, want the first %d by name", len(got), got, MaxFields)
		}
	})
}

func TestEventLevels(t *testing.T) {
	r := &recorder{}
	l := &Logger{sink: r}
	for _, level := range []Level{Info, Warning, Error} {
		if err := l.Event(level, level.String(), nil); err != nil {
			t.Errorf("%v: %v", level, err)
		}
	}
	for _, level := range []Level{Info - 1, Error + 1} {
		if err := l.Event(level, "m", nil); err == nil || !strings.Contains(err.Error(), "unknown level") {
			t.Errorf("%v: got error %v, want an unknown level", level, err)
		}
	}
	if len(r.events) != 3 {
		t.Errorf("got %d events, want the 3 of known levels", len(r.events))
	}
	if err := l.Close(); err != nil || !r.closed {
		t.Errorf("Close: got %v, closed %v; want the sink closed", err, r.closed)
	}
}

// TestText checks that text from a manifest or a user cannot forge a line
// of syslog or of the journal's stream, nor hide what it is.
func TestText(t *testing.T) {
	for _, tc := range []struct {
		name, message string
		fields        []Field
		want          string
	}{
		{"plain", "launch refused", []Field{{"manifest", "https://apps.acme.test/app.json"}},
			"launch refused manifest=https://apps.acme.test/app.json"},
		{"newline-in-message", "refused\nrvm[1]: launch allowed", nil, `refused\nrvm[1]: launch allowed`},
		{"bidi-in-message", "app \u202egnp.exe", nil, `app \u202egnp.exe`},
		{"quotes-and-backslashes-in-message-kept", `say "hi" \o/`, nil, `say "hi" \o/`},
		{"value-with-space-quoted", "m", []Field{{"app", "Acme Blotter"}}, `m app="Acme Blotter"`},
		{"value-with-newline-quoted", "m", []Field{{"reason", "a\nb"}}, `m reason="a\nb"`},
		{"value-with-equals-quoted", "m", []Field{{"q", "a=b"}}, `m q="a=b"`},
		{"empty-value-quoted", "m", []Field{{"q", ""}}, `m q=""`},
		{"odd-name", "m", []Field{{"a b=c\n", "v"}, {"", "w"}}, "m a_b_c_=v _=w"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := text(tc.message, tc.fields); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestSecurityWriter(t *testing.T) {
	r := &recorder{}
	opened := 0
	w := &securityWriter{open: func() (*Logger, error) { opened++; return &Logger{sink: r}, nil }}
	log := zerolog.New(w).With().Timestamp().Logger()

	log.Warn().Str("manifest", "https://apps.acme.test/app.json").Msg("not a security event")
	if opened != 0 || len(r.events) != 0 {
		t.Fatalf("an unmarked event opened the log %d times and wrote %d events, want none", opened, len(r.events))
	}
	log.Warn().Bool(SecurityField, true).Str("manifest", "https://apps.acme.test/app.json").
		Int("exit", 3).Dict("trust", zerolog.Dict().Str("code", "revoked")).Msg("launch refused")
	log.Info().Bool(SecurityField, true).Str("answer", "granted").Msg("the user answered")
	log.Error().Bool(SecurityField, true).Err(errors.New("unreachable")).Msg("owner settings unavailable")
	log.Debug().Bool(SecurityField, false).Msg("marked false")

	want := []recorded{
		{Warning, "launch refused", []Field{{"exit", "3"}, {"manifest", "https://apps.acme.test/app.json"}, {"trust", `{"code":"revoked"}`}}},
		{Info, "the user answered", []Field{{"answer", "granted"}}},
		{Error, "owner settings unavailable", []Field{{"error", "unreachable"}}},
	}
	if !reflect.DeepEqual(r.events, want) {
		t.Errorf("got  %+v\nwant %+v", r.events, want)
	}
	if opened != 1 {
		t.Errorf("the log was opened %d times, want once", opened)
	}
}

func TestSecurityWriterWithoutLog(t *testing.T) {
	opened := 0
	w := &securityWriter{open: func() (*Logger, error) { opened++; return nil, errors.New("no log here") }}
	var file bytes.Buffer
	log := zerolog.New(zerolog.MultiLevelWriter(&file, w))
	log.Warn().Bool(SecurityField, true).Msg("launch refused")
	log.Warn().Bool(SecurityField, true).Msg("launch refused again")
	if opened != 1 {
		t.Errorf("the log was opened %d times, want once", opened)
	}
	if got := strings.Count(file.String(), "\n"); got != 2 {
		t.Errorf("rvm's own log got %d lines, want both events: %q", got, file.String())
	}
}

// eventLogEvents are the events that TestEventLog writes to the Windows
// Event Log, each with the line that Wine's eventlog debug channel shows
// for it (TestEventLogUnderWine reads them there).
var eventLogEvents = []struct {
	level   Level
	message string
	fields  map[string]string
	wine    string
}{
	{Info, "rvm test: the user answered", map[string]string{"answer": "granted", "permission": "System.launchExternalProcess"},
		`:trace:eventlog:ReportEventW L"rvm test: the user answered\r\nanswer: granted\r\npermission: System.launchExternalProcess"`},
	{Warning, "rvm test: launch refused", map[string]string{"manifest": "https://apps.acme.test/app.json"},
		`:warn:eventlog:ReportEventW L"rvm test: launch refused\r\nmanifest: https://apps.acme.test/app.json"`},
	// Text from outside cannot start a line (a field) of its own, nor
	// reorder what Event Viewer shows.
	{Warning, "rvm test: trust failure", map[string]string{"manifest": "https://apps.acme.test/app.json\r\nsecurity: forged", "signer": "Evil\u202eLIVE"},
		`:warn:eventlog:ReportEventW L"rvm test: trust failure\r\nmanifest: https://apps.acme.test/app.json\\r\\nsecurity: forged\r\nsigner: Evil\\u202eLIVE"`},
	{Error, "rvm test: owner settings unavailable", nil,
		`:err:eventlog:ReportEventW L"rvm test: owner settings unavailable"`},
}
