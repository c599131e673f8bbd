package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Stream is a response body read as it arrives, for files too large to
// hold in memory (runtime archives): from OpenStrict. Close it when done.
type Stream struct {
	// FinalURL is the URL after redirects.
	FinalURL string
	// Redirects is how many redirects were followed.
	Redirects int
	// Length is the Content-Length the server announced; -1 when it gave
	// none. It is only a claim: the reads are bounded by the limit alone.
	Length int64
	// ContentType is the Content-Type the server announced, "" when none.
	ContentType string

	body   io.ReadCloser
	limit  int64
	read   int64
	stall  time.Duration
	timer  *time.Timer
	cancel context.CancelFunc
	mu     sync.Mutex
	why    error // why the stream was cut off by its watchdog, nil while it was not
}

// OpenStrict is GetStrict for a body read as it arrives: it fetches url
// strictly, with no conditional request and no decompression on the way
// (the bytes read are the bytes served), and returns once the response
// headers are in. The body may hold at most limit bytes: a read past it
// fails with a KindTooLarge *FetchError. Timeouts.Total does not bound a
// stream: ctx bounds it as a whole, and stall bounds each wait for more
// bytes (zero: Timeouts.Headers), so that a server that stops sending
// fails the read with a KindNetwork *FetchError.
func (f *Fetcher) OpenStrict(ctx context.Context, url string, limit int64, stall time.Duration) (*Stream, error) {
	t := f.Timeouts.withDefaults()
	if stall <= 0 {
		stall = t.Headers
	}
	ctx, cancel := context.WithCancel(ctx)
	resp, redirects, err := f.do(ctx, url, Lifted{}, Validators{}, "identity")
	if err != nil {
		cancel()
		return nil, err
	}
	final := resp.Request.URL.String()
	if resp.ContentLength > limit {
		resp.Body.Close()
		cancel()
		return nil, &FetchError{URL: final, Kind: KindTooLarge, Err: fmt.Errorf("body of %d bytes is more than the %d allowed", resp.ContentLength, limit)}
	}
	s := &Stream{
		FinalURL:    final,
		Redirects:   redirects,
		Length:      resp.ContentLength,
		ContentType: resp.Header.Get("Content-Type"),
		body:        resp.Body,
		limit:       limit,
		stall:       stall,
		cancel:      cancel,
	}
	s.timer = time.AfterFunc(stall, func() { s.cut(fmt.Errorf("no data for %v: the server stalled", stall)) })
	return s, nil
}

// cut ends the stream from its watchdog, saying why.
func (s *Stream) cut(why error) {
	s.mu.Lock()
	if s.why == nil {
		s.why = why
	}
	s.mu.Unlock()
	s.cancel()
}

// Read reads the body, at most the limit in all; each call that waits
// longer than the stall bound for the server fails (time spent between
// calls does not count).
func (s *Stream) Read(p []byte) (int, error) {
	if s.read > s.limit {
		return 0, s.tooLarge()
	}
	if max := s.limit + 1 - s.read; int64(len(p)) > max {
		p = p[:max]
	}
	s.timer.Reset(s.stall)
	n, err := s.body.Read(p)
	s.timer.Stop()
	s.read += int64(n)
	if s.read > s.limit {
		return n - int(s.read-s.limit), s.tooLarge()
	}
	if err != nil {
		// A body cut off by the watchdog may read as its end: the
		// watchdog's reason wins.
		s.mu.Lock()
		why := s.why
		s.mu.Unlock()
		if why != nil {
			return n, &FetchError{URL: s.FinalURL, Kind: KindNetwork, Err: why}
		}
	}
	if err != nil && err != io.EOF {
		if errors.Is(err, context.DeadlineExceeded) {
			return n, &FetchError{URL: s.FinalURL, Kind: KindNetwork, Err: errors.New("timed out: the whole download took longer than its bound")}
		}
		return n, classify(s.FinalURL, err)
	}
	return n, err
}

func (s *Stream) tooLarge() error {
	return &FetchError{URL: s.FinalURL, Kind: KindTooLarge, Err: fmt.Errorf("body is more than the %d bytes allowed", s.limit)}
}

// Close ends the stream and releases its connection.
func (s *Stream) Close() error {
	s.timer.Stop()
	err := s.body.Close()
	s.cancel()
	return err
}
