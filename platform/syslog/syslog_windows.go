package syslog

import (
	"fmt"
	"strings"

	"golang.org/x/sys/windows/svc/eventlog"
)

// eventLog writes events to the Windows Event Log.
type eventLog struct{ log *eventlog.Log }

func open(name string) (sink, error) {
	l, err := eventlog.Open(name)
	if err != nil {
		return nil, fmt.Errorf("syslog: the Windows Event Log, source %s: %w", name, err)
	}
	return eventLog{l}, nil
}

// Event IDs: EventCreate.exe, the source's message file, shows IDs 1 to
// 1000 with the event's text as it is.
const (
	infoID    = 1
	warningID = 2
	errorID   = 3
)

func (e eventLog) write(level Level, message string, fields []Field) error {
	// Escaped (see escape), so that no value starts a line of its own.
	var b strings.Builder
	b.WriteString(escape(message))
	for _, f := range fields {
		b.WriteString("\r\n" + f.Name + ": " + escape(f.Value))
	}
	switch level {
	case Warning:
		return e.log.Warning(warningID, b.String())
	case Error:
		return e.log.Error(errorID, b.String())
	}
	return e.log.Info(infoID, b.String())
}

func (e eventLog) close() error { return e.log.Close() }
