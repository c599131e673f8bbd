package fetch

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestServerHints: Cache-Control max-age and Retry-After as a real server
// sends them, each read within its bound, and one past its bound read as
// the bound.
func TestServerHints(t *testing.T) {
	date := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name      string
		status    int
		header    http.Header
		maxAge    time.Duration
		retryWait time.Duration
	}{
		{name: "max-age", status: 200, header: http.Header{"Cache-Control": {"public, max-age=300"}}, maxAge: 5 * time.Minute},
		{name: "max-age-quoted", status: 200, header: http.Header{"Cache-Control": {`max-age="60"`}}, maxAge: time.Minute},
		{name: "max-age-at-bound", status: 200, header: http.Header{"Cache-Control": {"max-age=86400"}}, maxAge: MaxFreshness},
		{name: "max-age-one-past-bound", status: 200, header: http.Header{"Cache-Control": {"max-age=86401"}}, maxAge: MaxFreshness},
		{name: "max-age-overflowing", status: 200, header: http.Header{"Cache-Control": {"max-age=99999999999999999999999"}}, maxAge: MaxFreshness},
		{name: "max-age-negative", status: 200, header: http.Header{"Cache-Control": {"max-age=-5"}}},
		{name: "max-age-not-a-number", status: 200, header: http.Header{"Cache-Control": {"max-age=1e3"}}},
		{name: "max-age-twice", status: 200, header: http.Header{"Cache-Control": {"max-age=60", "max-age=600"}}},
		{name: "max-age-with-no-cache", status: 200, header: http.Header{"Cache-Control": {"max-age=600, no-cache"}}},
		{name: "max-age-with-no-store", status: 200, header: http.Header{"Cache-Control": {"no-store", "max-age=600"}}},
		{name: "no-cache-control", status: 200},
		{name: "retry-after-seconds-503", status: 503, header: http.Header{"Retry-After": {"120"}}, retryWait: 2 * time.Minute},
		{name: "retry-after-seconds-429", status: 429, header: http.Header{"Retry-After": {"30"}}, retryWait: 30 * time.Second},
		{name: "retry-after-at-bound", status: 503, header: http.Header{"Retry-After": {"600"}}, retryWait: MaxRetryAfter},
		{name: "retry-after-one-past-bound", status: 503, header: http.Header{"Retry-After": {"601"}}, retryWait: MaxRetryAfter},
		{name: "retry-after-date", status: 503, header: http.Header{"Date": {date.Format(http.TimeFormat)}, "Retry-After": {date.Add(90 * time.Second).Format(http.TimeFormat)}}, retryWait: 90 * time.Second},
		{name: "retry-after-date-past-bound", status: 429, header: http.Header{"Date": {date.Format(http.TimeFormat)}, "Retry-After": {date.Add(48 * time.Hour).Format(http.TimeFormat)}}, retryWait: MaxRetryAfter},
		{name: "retry-after-date-in-the-past", status: 503, header: http.Header{"Date": {date.Format(http.TimeFormat)}, "Retry-After": {date.Add(-time.Minute).Format(http.TimeFormat)}}},
		{name: "retry-after-garbage", status: 503, header: http.Header{"Retry-After": {"soon"}}},
		{name: "retry-after-on-500", status: 500, header: http.Header{"Retry-After": {"120"}}},
		{name: "retry-after-on-404", status: 404, header: http.Header{"Retry-After": {"120"}}},
	}
	site, f := newSite(t)
	for _, tt := range tests {
		site.Mux.HandleFunc("/"+tt.name, func(w http.ResponseWriter, _ *http.Request) {
			for k, v := range tt.header {
				w.Header()[k] = v
			}
			w.WriteHeader(tt.status)
			w.Write([]byte("{}"))
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := f.GetStrict(context.Background(), site.HTTPSURL("/"+tt.name), 1024, Validators{})
			if tt.status == 200 {
				if err != nil || resp.MaxAge != tt.maxAge {
					t.Fatalf("got %+v, %v; want max-age %v", resp, err, tt.maxAge)
				}
				return
			}
			var fe *FetchError
			if !errors.As(err, &fe) || fe.Status != tt.status || fe.RetryAfter != tt.retryWait {
				t.Fatalf("got %v (%+v), want status %d and Retry-After %v", err, fe, tt.status, tt.retryWait)
			}
		})
	}
}

// TestLastModifiedKept: a Last-Modified is kept to be sent back only
// where the answer's Date is at least a second after it; otherwise the
// file may change again within that second and keep it.
func TestLastModifiedKept(t *testing.T) {
	date := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name, modified, date string
		kept                 bool
	}{
		{name: "an-hour-before", modified: date.Add(-time.Hour).Format(http.TimeFormat), date: date.Format(http.TimeFormat), kept: true},
		{name: "a-second-before", modified: date.Add(-time.Second).Format(http.TimeFormat), date: date.Format(http.TimeFormat), kept: true},
		{name: "the-same-second", modified: date.Format(http.TimeFormat), date: date.Format(http.TimeFormat)},
		{name: "after-the-date", modified: date.Add(time.Minute).Format(http.TimeFormat), date: date.Format(http.TimeFormat)},
		{name: "not-a-date", modified: "yesterday", date: date.Format(http.TimeFormat)},
	}
	site, f := newSite(t)
	for _, tt := range tests {
		site.Mux.HandleFunc("/"+tt.name, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Last-Modified", tt.modified)
			w.Header().Set("Date", tt.date)
			w.Write([]byte("{}"))
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := f.GetStrict(context.Background(), site.HTTPSURL("/"+tt.name), 1024, Validators{})
			if err != nil {
				t.Fatal(err)
			}
			if kept := resp.Validators.LastModified != ""; kept != tt.kept {
				t.Fatalf("got Last-Modified %q kept, want kept %v", resp.Validators.LastModified, tt.kept)
			}
		})
	}
}
