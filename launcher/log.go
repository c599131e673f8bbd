package launcher

import (
	"io"
	"path/filepath"
	"strings"

	"github.com/rs/zerolog"
	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/prompt"
	"github.com/rvm-launcher/rvm/platform/syslog"
)

// LogFileName is the JSON-lines log in the data directory.
const LogFileName = "rvm.log"

// The log rotates by size: at LogMaxMegabytes, rvm.log is renamed beside
// itself with the time in its name (rvm-2026-01-02T15-04-05.000.log) and a
// new one begun; the LogBackups newest such files are kept.
const (
	LogMaxMegabytes = 10
	LogBackups      = 3
)

// OpenLog returns rvm's logger: readable lines on console (nil for none) at
// level and above, and JSON lines appended to rvm.log in dataDir at info and
// above, rotated by size (gopkg.in/natefinch/lumberjack.v2), each file
// 0600. Text from outside (manifests' key names and values, servers'
// answers) reaches neither as a terminal would act on it: on the console
// every character that a terminal would not show as itself is written as
// prompt.Printable writes it, so that each entry is one line; in the file
// such characters are \u escapes in their JSON strings (as Document.JSON
// writes them), so that reading the file at a terminal is safe too. The
// returned closer flushes and closes the file. Where the data directory
// cannot be made the console alone is used and the error is returned with
// a working logger.
func OpenLog(dataDir string, console io.Writer, level zerolog.Level) (zerolog.Logger, io.Closer, error) {
	var writers []io.Writer
	if console != nil {
		cw := zerolog.ConsoleWriter{Out: printableLines{console}, TimeFormat: "15:04:05", NoColor: true}
		writers = append(writers, &zerolog.FilteredLevelWriter{Writer: zerolog.LevelWriterAdapter{Writer: cw}, Level: level})
	}
	var closer io.Closer = nopCloser{}
	ferr := platform.EnsureDir(dataDir)
	if ferr == nil {
		f := &lumberjack.Logger{Filename: filepath.Join(dataDir, LogFileName), MaxSize: LogMaxMegabytes, MaxBackups: LogBackups}
		writers = append(writers, &zerolog.FilteredLevelWriter{Writer: zerolog.LevelWriterAdapter{Writer: escapedJSON{f}}, Level: zerolog.InfoLevel})
		closer = f
	}
	// Events marked security-relevant (syslog.SecurityField) also go to
	// the system's log: the journal, syslog or the Windows Event Log.
	writers = append(writers, syslog.Security(syslog.Name))
	log := zerolog.New(zerolog.MultiLevelWriter(writers...)).With().Timestamp().Logger()
	return log, closer, ferr
}

// printableLines writes each entry that the console writer hands it (one
// Write, ending in a newline) as one line that a terminal shows as it is.
type printableLines struct{ w io.Writer }

func (p printableLines) Write(b []byte) (int, error) {
	line, nl := strings.CutSuffix(string(b), "\n")
	out := prompt.Printable(line)
	if nl {
		out += "\n"
	}
	if _, err := io.WriteString(p.w, out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// escapedJSON writes each JSON entry with the characters that a terminal
// would not show as themselves escaped (see escapeHidden).
type escapedJSON struct{ w io.Writer }

func (e escapedJSON) Write(b []byte) (int, error) {
	if _, err := e.w.Write(escapeHidden(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
