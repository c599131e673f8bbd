package runtime

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/platform"
)

// DecisionsFolder is the folder of rvm's data directory that holds the
// files of each launch (see Start).
const DecisionsFolder = "decisions"

// LastLaunchFile is the file in a runtime's folder that Start writes the
// time of each launch to, as RFC 3339 in UTC, so that runtimes not
// launched for long can be pruned.
const LastLaunchFile = ".last-launch"

// The files of one launch, in the decisions folder: each is named by the
// launch's name (32 hex digits, 128 random bits) and one of these.
const (
	decisionSuffix = ".decision.json"
	manifestSuffix = ".manifest.json"
	outputSuffix   = ".log"
	recordSuffix   = ".pid"
)

// Times and bounds of a launch.
const (
	// startWait is how long Start watches a runtime it started: one that
	// exits with a non-zero status before then did not start.
	startWait = time.Second
	// keepFiles is the longest that a launch's files are kept, even while
	// its runtime runs.
	keepFiles = 30 * 24 * time.Hour
	// maxRecord bounds a launch record.
	maxRecord = 1 << 10
	// tailBytes and tailLines bound the output that an ExitError quotes.
	tailBytes = 4 << 10
	tailLines = 10
)

// StartOptions say how to start a runtime. Every field but Now and Log
// must be set.
type StartOptions struct {
	// ManifestURL is the decision's manifestUrl, passed as --config.
	ManifestURL string
	// Manifest is the manifest's bytes as rvm verified them: a copy is
	// passed as --manifest.
	Manifest []byte
	// Decision is the decision document (SPEC 6), passed as --decision.
	Decision []byte
	// Arguments are the manifest's runtime.arguments as FilterArguments
	// left them, passed before rvm's own flags.
	Arguments Arguments
	// DataDir is rvm's data directory, an absolute path: the launch's
	// files go to its DecisionsFolder.
	DataDir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives what could not be pruned or recorded.
	Log zerolog.Logger
}

// Started is a runtime that Start started.
type Started struct {
	// PID is its process id.
	PID int
	// Output is the file that holds its standard output and error.
	Output string
}

// ExitError reports a runtime that exited with a non-zero status within a
// second of its start: it did not start.
type ExitError struct {
	// Version is the runtime's version.
	Version string
	// Status is its exit status; -1 where a signal ended it.
	Status int
	// Output is the file that holds its output.
	Output string
	// Lines are the last lines of its output, as it wrote them.
	Lines []string
}

func (e *ExitError) Error() string {
	var b strings.Builder
	if e.Status < 0 {
		fmt.Fprintf(&b, "runtime: runtime %s was ended by a signal at its start", e.Version)
	} else {
		fmt.Fprintf(&b, "runtime: runtime %s exited with status %d at its start", e.Version, e.Status)
	}
	if len(e.Lines) == 0 {
		fmt.Fprintf(&b, ", with no output (%s)", e.Output)
		return b.String()
	}
	fmt.Fprintf(&b, "; the last lines of its output (%s):", e.Output)
	for i, l := range e.Lines {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %q", l)
	}
	return b.String()
}

// launchRecord is what rvm keeps beside a launch's files: the runtime's
// process, so that the files can go once it has exited.
type launchRecord struct {
	PID int `json:"pid"`
	// Start is the process's start (platform.ProcessStart): a later
	// process given the same id is not this one.
	Start    uint64    `json:"start"`
	Launched time.Time `json:"launched"`
}

// Start starts the runtime detached from rvm (SPEC 8) as
//
//	runtime [arguments...] --config=<ManifestURL> --manifest=<copy of Manifest> --decision=<Decision>
//
// and watches it for a second: a runtime that exits with a non-zero status
// by then is an *ExitError quoting the last lines of its output; one that
// exits 0 has started (it may have handed the app to an instance already
// running). Once the runtime is started it prunes the decisions folder:
// the decision document and manifest copy of an earlier launch whose
// runtime has exited go (a later launch's pass removes them, so that an
// instance handed them has had its time to read them), and so does every
// file more than 30 days old.
//
// Each launch has files of its own in <DataDir>/decisions (a folder of
// mode 0700; a link there is refused), all named by 128 random bits in
// hex, so that no one can guess them: <name>.decision.json and
// <name>.manifest.json, made new (never through a file or link already
// there) with mode 0600; <name>.log, the runtime's standard output and
// error, made likewise; and <name>.pid, the runtime's process id and
// start. The time of the launch goes to the runtime folder's
// LastLaunchFile (logged where it cannot be written, as in a system
// runtime directory).
func (r Runtime) Start(o StartOptions) (Started, error) {
	switch {
	case o.ManifestURL == "":
		return Started{}, fmt.Errorf("runtime: start runtime %s: no manifest URL", r.Version)
	case len(o.Manifest) == 0:
		return Started{}, fmt.Errorf("runtime: start runtime %s: no manifest bytes", r.Version)
	case len(o.Decision) == 0:
		return Started{}, fmt.Errorf("runtime: start runtime %s: empty decision document", r.Version)
	case !filepath.IsAbs(o.DataDir):
		return Started{}, fmt.Errorf("runtime: start runtime %s: data directory %q is not an absolute path", r.Version, o.DataDir)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	dir := filepath.Join(o.DataDir, DecisionsFolder)
	if err := prepareFolder(dir); err != nil {
		return Started{}, err
	}
	base := filepath.Join(dir, newName())
	decision, manifest, output := base+decisionSuffix, base+manifestSuffix, base+outputSuffix
	p, err := startWithFiles(r.Path, o, decision, manifest, output)
	if err != nil {
		return Started{}, fmt.Errorf("runtime: start runtime %s: %w", r.Version, err)
	}
	// Pruned once the runtime is on its way, which needs nothing of
	// other launches.
	prune(dir, filepath.Base(base), now(), o.Log)
	launched := now()
	rec, _ := json.Marshal(launchRecord{PID: p.PID, Start: p.Start, Launched: launched})
	if err := platform.WriteFileAtomic(base+recordSuffix, rec, 0o600); err != nil {
		o.Log.Warn().Err(err).Msg("the launch is not recorded: its decision document stays until it is 30 days old")
	}
	last := filepath.Join(filepath.Dir(r.Path), LastLaunchFile)
	if err := platform.WriteFileAtomic(last, []byte(launched.UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		o.Log.Warn().Err(err).Str("runtime", r.Version).Msg("the time of the launch is not recorded in the runtime's folder")
	}
	wait := time.NewTimer(startWait)
	defer wait.Stop()
	select {
	case <-p.Exited():
		if status := p.ExitCode(); status != 0 {
			// Nothing runs that could read them.
			removeFiles(o.Log, decision, manifest)
			return Started{}, &ExitError{Version: r.Version, Status: status, Output: output, Lines: lastLines(output)}
		}
	case <-wait.C:
	}
	return Started{PID: p.PID, Output: output}, nil
}

// startWithFiles writes the files of a launch and starts the runtime at
// path with them; where it fails, it leaves none of them behind.
func startWithFiles(path string, o StartOptions, decision, manifest, output string) (p *platform.Process, err error) {
	var made []string
	defer func() {
		if err != nil {
			for _, f := range made {
				os.Remove(f)
			}
		}
	}()
	for _, f := range []struct {
		path string
		data []byte
	}{{decision, o.Decision}, {manifest, o.Manifest}} {
		if err := writeNew(f.path, f.data); err != nil {
			return nil, err
		}
		made = append(made, f.path)
	}
	out, err := createNew(output)
	if err != nil {
		return nil, err
	}
	made = append(made, output)
	defer out.Close()
	args := append(o.Arguments.List(), "--config="+o.ManifestURL, "--manifest="+manifest, "--decision="+decision)
	return platform.StartDetached(path, args, out)
}

// prepareFolder makes the decisions folder dir (mode 0700) where it is
// missing, and refuses one that is a link (or a junction) or not a folder.
func prepareFolder(dir string) error {
	if err := platform.EnsureDir(filepath.Dir(dir)); err != nil {
		return fmt.Errorf("runtime: decisions folder: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("runtime: decisions folder: %w", err)
	}
	info, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("runtime: decisions folder: %w", err)
	}
	if info.Mode().Type() != fs.ModeDir {
		return fmt.Errorf("runtime: decisions folder %s is a link or not a folder (%v): rvm writes a launch's files into a folder of its own only", dir, info.Mode().Type())
	}
	if info.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("runtime: decisions folder: %w", err)
		}
	}
	return nil
}

// newName returns a launch's name: 128 random bits in hex.
func newName() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// isName reports whether s is a launch's name.
func isName(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// createNew creates path, which must not exist (not even as a link), with
// mode 0600.
func createNew(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

// writeNew writes data to path, made new as createNew makes it.
func writeNew(path string, data []byte) error {
	f, err := createNew(path)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err = errors.Join(err, f.Close()); err != nil {
		os.Remove(path)
	}
	return err
}

// prune removes from the decisions folder dir what outlived its launch:
// the decision document, manifest copy and record of each launch whose
// runtime has exited (its output stays, to be read); everything of a
// launch made keepFiles or more before now, while its runtime runs too;
// and every other file not changed for keepFiles (output, files of a
// launch never recorded). A process that cannot be looked at counts as
// running. The files of the launch named current, under way, stay.
func prune(dir, current string, now time.Time, log zerolog.Logger) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		log.Warn().Err(err).Msg("the decisions folder cannot be read: nothing in it is pruned")
		return
	}
	recorded := map[string]bool{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), recordSuffix)
		if !ok || !isName(name) || name == current || !e.Type().IsRegular() {
			continue
		}
		rec, err := readRecord(filepath.Join(dir, e.Name()))
		if err != nil {
			log.Warn().Err(err).Msg("a launch record is unreadable: its files go when 30 days old")
			continue
		}
		recorded[name] = true
		base := filepath.Join(dir, name)
		switch {
		case now.Sub(rec.Launched) >= keepFiles:
			removeFiles(log, base+decisionSuffix, base+manifestSuffix, base+outputSuffix, base+recordSuffix)
		case !running(rec, log):
			removeFiles(log, base+decisionSuffix, base+manifestSuffix, base+recordSuffix)
		}
	}
	for _, e := range entries {
		name, _, _ := strings.Cut(e.Name(), ".")
		if recorded[name] || name == current || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) >= keepFiles {
			removeFiles(log, filepath.Join(dir, e.Name()))
		}
	}
}

// readRecord reads a launch record.
func readRecord(path string) (launchRecord, error) {
	var rec launchRecord
	data, err := platform.ReadFileLimit(path, maxRecord)
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return rec, fmt.Errorf("runtime: launch record %s: %w", path, err)
	}
	return rec, nil
}

// running reports whether the process of a launch record runs: its id is
// running and started when the record says.
func running(rec launchRecord, log zerolog.Logger) bool {
	start, ok, err := platform.ProcessStart(rec.PID)
	if err != nil {
		log.Warn().Err(err).Msg("cannot tell whether a runtime still runs: its decision document stays")
		return true
	}
	return ok && start == rec.Start
}

// removeFiles removes paths, those missing aside, and logs what it cannot
// remove (on Windows, a file that a runtime holds open).
func removeFiles(log zerolog.Logger, paths ...string) {
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			log.Warn().Err(err).Msg("a launch's file cannot be removed yet")
		}
	}
}

// lastLines returns the last lines (at most tailLines, from the last
// tailBytes) of the file at path, blank ones left out.
func lastLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil
	}
	from := max(0, info.Size()-tailBytes)
	data, err := io.ReadAll(io.NewSectionReader(f, from, info.Size()-from))
	if err != nil {
		return nil
	}
	lines := strings.Split(string(data), "\n")
	if from > 0 {
		lines = lines[1:] // the first was cut
	}
	var out []string
	for _, l := range lines {
		if l = strings.TrimRight(l, "\r"); strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out[max(0, len(out)-tailLines):]
}
