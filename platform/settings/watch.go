package settings

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// SettingsDebounce is how long Watch waits for a burst of changes
// to settle before it reports them: editors write a file in several steps.
const SettingsDebounce = 150 * time.Millisecond

// Watch calls onChange, once per burst of changes, whenever a machine
// settings source or one of the files that extra names may have changed,
// until ctx ends. With a non-empty override (the --machine-settings file)
// only that file and extra's are watched. extra (nil for none) is asked
// for its files at the start and again before each onChange, so that a
// change of the settings that moves the desktop owner settings file to
// another path moves its watch along.
//
// Each file is watched through the nearest folder above it that exists,
// so that a file replaced by rename (as editors save) is seen, as is one
// created where none was, in a folder made after the watch began; when a
// folder on the way to a file is made, removed or renamed, the watches
// are placed again (and a change reported, for a file that came with its
// folder). On Windows the registry keys are watched through change
// notification. It returns once the watches are in place.
func Watch(ctx context.Context, override string, getenv func(string) string, extra func() []string, onChange func()) error {
	var sources []string
	if override != "" {
		sources = []string{override}
	} else {
		sources = settingsFiles(getenv)
	}
	files := func() []string {
		out := slices.Clone(sources)
		if extra != nil {
			out = append(out, extra()...)
		}
		return out
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("platform: watch settings: %w", err)
	}
	fw := &fileWatch{w: w, dirs: map[string]bool{}}
	fw.arm(files())
	changed := make(chan struct{}, 1)
	poke := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	if override == "" {
		if err := watchRegistry(ctx, poke); err != nil {
			w.Close()
			return err
		}
	}
	go func() {
		defer w.Close()
		var timer *time.Timer
		var fire <-chan time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				switch fw.affects(filepath.Clean(ev.Name)) {
				case affectsFile:
					poke()
				case affectsFolder:
					fw.arm(files())
					poke()
				}
			case <-w.Errors:
				// An overflow may have hidden a change: report one, and
				// place the watches again.
				fw.arm(files())
				poke()
			case <-changed:
				if timer == nil {
					timer = time.NewTimer(SettingsDebounce)
				} else {
					timer.Reset(SettingsDebounce)
				}
				fire = timer.C
			case <-fire:
				fire = nil
				// Armed first: what changes from here on is seen, and
				// what changed before, onChange reads.
				fw.arm(files())
				onChange()
			}
		}
	}()
	return nil
}

// fileWatch watches files through the nearest existing folder above each.
// It is used by one goroutine at a time.
type fileWatch struct {
	w     *fsnotify.Watcher
	files []string        // absolute, clean
	dirs  map[string]bool // the folders watched
}

// arm watches the nearest existing folder above each of files, and no
// folder that none of them needs any more.
func (fw *fileWatch) arm(files []string) {
	fw.files = fw.files[:0]
	want := map[string]bool{}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			continue
		}
		fw.files = append(fw.files, abs)
		if dir := nearestFolder(filepath.Dir(abs)); dir != "" {
			want[dir] = true
		}
	}
	for dir := range fw.dirs {
		if !want[dir] {
			fw.w.Remove(dir) // gone already, where the folder was removed
			delete(fw.dirs, dir)
		}
	}
	for dir := range want {
		if !fw.dirs[dir] && fw.w.Add(dir) == nil {
			fw.dirs[dir] = true
		}
	}
}

// nearestFolder is dir, or the nearest folder above it, that exists; ""
// where none does.
func nearestFolder(dir string) string {
	for {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// What an event's path is to the files watched.
const (
	affectsNothing = iota
	affectsFile    // one of the files
	affectsFolder  // a folder on the way to one of them, or one watched
)

func (fw *fileWatch) affects(path string) int {
	if slices.Contains(fw.files, path) {
		return affectsFile
	}
	if fw.dirs[path] {
		return affectsFolder
	}
	for _, f := range fw.files {
		if strings.HasPrefix(f, path+string(filepath.Separator)) {
			return affectsFolder
		}
	}
	return affectsNothing
}
