// Package progress draws a download's progress on a terminal
// (percentage, bytes, rate) with github.com/schollz/progressbar, and
// nothing anywhere else: SPEC section 9 shows progress on a terminal
// only. Its functions have the shape of repo.Progress, func(done, total
// int64), so that the service can forward the same figures to its client,
// which draws them.
package progress

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Bar returns a progress function that draws a bar labelled label on w,
// which must be a terminal (see Terminal); it finishes the bar (and ends
// its line) once done reaches total.
func Bar(w io.Writer, label string) func(done, total int64) {
	var (
		mu  sync.Mutex
		bar *progressbar.ProgressBar
	)
	return func(done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if bar == nil {
			bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(label),
				progressbar.OptionShowBytes(true),
				progressbar.OptionShowTotalBytes(true),
				progressbar.OptionShowCount(),
				progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionOnCompletion(func() { io.WriteString(w, "\n") }),
			)
		}
		bar.Set64(done)
	}
}

// Terminal returns Bar(f, label) where f is a terminal, and nil (no
// progress shown) where it is not: a file, a pipe, a service's log.
func Terminal(f *os.File, label string) func(done, total int64) {
	if f == nil || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return Bar(f, label)
}
