package launcher

import (
	"io"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/syslog"
)

// LogFileName is the JSON-lines log in the data directory.
const LogFileName = "rvm.log"

// OpenLog returns rvm's logger: readable lines on console (nil for none) at
// level and above, and JSON lines appended to rvm.log in dataDir at info and
// above. The returned closer flushes and closes the file. Where the file
// cannot be opened the console alone is used and the error is returned
// with a working logger.
func OpenLog(dataDir string, console io.Writer, level zerolog.Level) (zerolog.Logger, io.Closer, error) {
	var writers []io.Writer
	if console != nil {
		cw := zerolog.ConsoleWriter{Out: console, TimeFormat: "15:04:05", NoColor: true}
		writers = append(writers, &zerolog.FilteredLevelWriter{Writer: zerolog.LevelWriterAdapter{Writer: cw}, Level: level})
	}
	var closer io.Closer = nopCloser{}
	var ferr error
	if err := platform.EnsureDir(dataDir); err != nil {
		ferr = err
	} else if f, err := os.OpenFile(filepath.Join(dataDir, LogFileName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err != nil {
		ferr = err
	} else {
		writers = append(writers, &zerolog.FilteredLevelWriter{Writer: zerolog.LevelWriterAdapter{Writer: f}, Level: zerolog.InfoLevel})
		closer = f
	}
	// Events marked security-relevant (syslog.SecurityField) also go to
	// the system's log: the journal, syslog or the Windows Event Log.
	writers = append(writers, syslog.Security(syslog.Name))
	log := zerolog.New(zerolog.MultiLevelWriter(writers...)).With().Timestamp().Logger()
	return log, closer, ferr
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
