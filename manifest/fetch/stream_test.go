package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestOpenStrict(t *testing.T) {
	site, f := newSite(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	site.Mux.HandleFunc("/file", func(w http.ResponseWriter, req *http.Request) {
		if got := req.Header.Get("Accept-Encoding"); got != "identity" {
			http.Error(w, "Accept-Encoding "+got, http.StatusBadRequest)
			return
		}
		io.WriteString(w, "0123456789")
	})
	site.Mux.HandleFunc("/chunked", func(w http.ResponseWriter, req *http.Request) {
		io.WriteString(w, "01234")
		w.(http.Flusher).Flush()
		io.WriteString(w, "56789")
	})
	site.Mux.HandleFunc("/gzip", func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		io.WriteString(w, "0123456789")
	})
	site.Mux.HandleFunc("/stall", func(w http.ResponseWriter, req *http.Request) {
		io.WriteString(w, "0")
		w.(http.Flusher).Flush()
		select {
		case <-req.Context().Done():
		case <-release:
		}
	})
	site.Mux.HandleFunc("/missing", http.NotFound)
	tests := []struct {
		name, path string
		limit      int64
		want       string
		kind       Kind
		status     int
	}{
		{name: "whole", path: "/file", limit: 10, want: "0123456789"},
		{name: "length-over-limit", path: "/file", limit: 9, kind: KindTooLarge},
		{name: "chunked-at-limit", path: "/chunked", limit: 10, want: "0123456789"},
		{name: "chunked-over-limit", path: "/chunked", limit: 9, kind: KindTooLarge},
		{name: "content-encoding", path: "/gzip", limit: 100, kind: KindEncoding},
		{name: "stall", path: "/stall", limit: 100, kind: KindNetwork},
		{name: "not-found", path: "/missing", limit: 100, kind: KindStatus, status: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []byte
			s, err := f.OpenStrict(context.Background(), site.HTTPSURL(tt.path), tt.limit, 100*time.Millisecond)
			if err == nil {
				got, err = io.ReadAll(s)
				s.Close()
			}
			if tt.kind == "" {
				if err != nil || string(got) != tt.want {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var fe *FetchError
			if !errors.As(err, &fe) || fe.Kind != tt.kind || fe.Status != tt.status || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("got %q, %v; want a %s FetchError (status %d) naming %s", got, err, tt.kind, tt.status, tt.path)
			}
		})
	}
}

func TestOpenStrictRefusesHTTP(t *testing.T) {
	site, f := newSite(t)
	_, err := f.OpenStrict(context.Background(), site.HTTPURL("/file"), 10, 0)
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Kind != KindInsecureURL {
		t.Fatalf("got %v, want a %s FetchError", err, KindInsecureURL)
	}
}
