package settings

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// SettingsDebounce is how long Watch waits for a burst of changes
// to settle before it reports them: editors write a file in several steps.
const SettingsDebounce = 150 * time.Millisecond

// Watch calls onChange, once per burst of changes, whenever a
// machine settings source or one of the files in extra may have changed,
// until ctx ends. With a non-empty override (the --machine-settings file)
// only that file and extra are watched. Files are watched through their
// parent directory, so that a file replaced by rename (as editors save) is
// seen, as is one created where none was; a directory that does not exist
// is skipped. On Windows the registry keys are watched through change
// notification. It returns once the watches are in place.
func Watch(ctx context.Context, override string, getenv func(string) string, extra []string, onChange func()) error {
	files := extra
	if override != "" {
		files = append([]string{override}, files...)
	} else {
		files = append(settingsFiles(getenv), files...)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("platform: watch settings: %w", err)
	}
	names := map[string]bool{}
	dirs := map[string]bool{}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			continue
		}
		names[abs] = true
		dir := filepath.Dir(abs)
		if dirs[dir] {
			continue
		}
		if err := w.Add(dir); err == nil {
			dirs[dir] = true
		}
	}
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
				if names[filepath.Clean(ev.Name)] {
					poke()
				}
			case <-w.Errors:
				// An overflow may have hidden a change: report one.
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
				onChange()
			}
		}
	}()
	return nil
}
