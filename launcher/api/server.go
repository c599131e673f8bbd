// Package api is rvm's local API (SPEC 7): HTTP over a Unix domain socket
// named SocketName in the service's data directory. Server answers it for
// a launcher.Launcher; Client asks it, and is the launcher's Remote.
package api

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-json-experiment/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// The local API (SPEC 7): HTTP over a Unix domain socket named SocketName
// in the data directory.
//
//	POST /v1/verify    {"url": "...", "options": {...}, "runtimes": {...}}  -> the decision document
//	POST /v1/launch    the same; the caller prompts and starts the runtime
//	GET  /v1/status    {"version": 1, "pid": ..., "uptimeSeconds": ..., "requests": ..., "dataDir": "..."}
//	GET  /v1/settings  the settings report of `rvm settings --json`
//
// "runtimes" is what the caller's own runtime directory holds
// (launcher.LocalRuntimes: the versions installed there and its channel
// files); the service chooses the runtime among those, its own and the
// runtime repository's, and never reads the caller's folder.
//
// /v1/launch answers with lines of JSON (application/x-ndjson): where the
// runtime chosen is to be downloaded, the service downloads it into its
// own runtime directory first, with a line {"progress": {"version": "...",
// "done": N, "total": N}} at most every tenth of a second while it does;
// the last line is {"decision": {...}, "runtime": {...}}, whose decision
// says whether the runtime is now installed or why not. The service never
// starts a process.
//
// An error is {"error": "<one sentence>"} with status 400 (bad request:
// anything but one JSON object of the form above), 403 (files or TLS
// roots chosen by a peer of another user, see launcher.Request.CallerChosen:
// the caller decides in-process instead), 408 (the
// body did not arrive within readTimeout), 413 (request too large), 422
// (no decision could be made) or 500.
const SocketName = "rvm.sock"

// maxRequestBody bounds a request to the local API.
const maxRequestBody = 64 << 10

// readTimeout bounds the time a client of the local API may take to send
// a whole request.
const readTimeout = 10 * time.Second

// Request is the body of /v1/verify and /v1/launch.
type Request struct {
	URL      string                  `json:"url"`
	Options  launcher.Options        `json:"options"`
	Runtimes *launcher.LocalRuntimes `json:"runtimes,omitempty"`
}

// Error is the body of every answer that is not 200.
type Error struct {
	Error string `json:"error"`
}

// LaunchAnswer is a line of what /v1/launch returns: the progress of a
// runtime download, or, last, the decision and the runtime that the
// manifest asks for.
type LaunchAnswer struct {
	Progress *Progress               `json:"progress,omitempty"`
	Decision *launcher.Document      `json:"decision,omitempty"`
	Runtime  launcher.RuntimeRequest `json:"runtime,omitzero"`
}

// Progress is how a runtime download goes: bytes received of the total.
type Progress struct {
	Version string `json:"version"`
	Done    int64  `json:"done"`
	Total   int64  `json:"total"`
}

// progressEvery is how often, at most, /v1/launch reports progress.
const progressEvery = 100 * time.Millisecond

// Status is the answer of GET /v1/status: the API's version (1), the
// service's process id, how long it has served, how many requests it
// has answered and its data directory.
type Status struct {
	Version       int    `json:"version"`
	PID           int    `json:"pid"`
	UptimeSeconds int64  `json:"uptimeSeconds"`
	Requests      int64  `json:"requests"`
	DataDir       string `json:"dataDir"`
}

// Server serves the local API for one Launcher.
type Server struct {
	L *launcher.Launcher
	// PerUser refuses peers of another user, where the platform tells.
	PerUser bool
	// Log receives each peer's user id and every refusal.
	Log zerolog.Logger

	started  time.Time
	requests atomic.Int64
	once     sync.Once
	http     *http.Server // see httpServer
}

// Listen opens the socket in dir, the service's data directory, which it
// first makes safe to serve from (platform.PrepareServiceDir: refused
// where it is a link, another's, or writable by others): only this user
// may reach a per-user service's folder and socket; every local user may
// reach a system service's, whose caches, decisions and logs stay
// private in it.
func Listen(dir string, perUser bool) (net.Listener, error) {
	if err := platform.PrepareServiceDir(dir, !perUser); err != nil {
		return nil, err
	}
	return platform.ListenSocket(filepath.Join(dir, SocketName), perUser)
}

// Serve answers the local API on ln until Shutdown; after a Shutdown it
// closes ln and returns at once.
func (s *Server) Serve(ln net.Listener) error {
	s.started = time.Now()
	err := s.httpServer().Serve(&peerListener{Listener: ln, s: s})
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// httpServer is the HTTP server of s, made by whichever of Serve and
// Shutdown comes first: a Shutdown that comes before Serve (a service
// stopped as soon as it started) still stops it.
func (s *Server) httpServer() *http.Server {
	s.once.Do(func() {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /v1/verify", s.decide)
		mux.HandleFunc("POST /v1/launch", s.decide)
		mux.HandleFunc("GET /v1/status", s.status)
		mux.HandleFunc("GET /v1/settings", s.settings)
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusNotFound, Error{fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path)})
		})
		s.http = &http.Server{
			Handler: mux,
			ConnContext: func(ctx context.Context, c net.Conn) context.Context {
				if pc, ok := c.(*peerConn); ok {
					return context.WithValue(ctx, peerKey{}, pc.peer)
				}
				return ctx
			},
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       readTimeout,
			WriteTimeout:      2 * time.Minute,
			IdleTimeout:       time.Minute,
			MaxHeaderBytes:    16 << 10,
			ErrorLog:          nil,
		}
	})
	return s.http
}

// Shutdown stops accepting requests and waits for those in flight until ctx
// ends, then cancels them.
func (s *Server) Shutdown(ctx context.Context) error {
	hs := s.httpServer()
	err := hs.Shutdown(ctx)
	if err != nil {
		hs.Close()
	}
	return err
}

// peer is who is at the other end of a connection, where the platform
// tells.
type peer struct {
	uid   int
	known bool
}

type peerKey struct{}

// peerConn carries its peer into the request context.
type peerConn struct {
	net.Conn
	peer peer
}

// peerListener checks each peer as it connects: a per-user service closes
// connections from other users at once.
type peerListener struct {
	net.Listener
	s *Server
}

func (pl *peerListener) Accept() (net.Conn, error) {
	for {
		c, err := pl.Listener.Accept()
		if err != nil {
			return nil, err
		}
		uc, ok := c.(*net.UnixConn)
		if !ok {
			return &peerConn{Conn: c}, nil
		}
		uid, known, err := platform.PeerUID(uc)
		switch {
		case err != nil:
			pl.s.Log.Warn().Err(err).Msg("local API: cannot tell the peer's user; refused")
			c.Close()
			continue
		case !known:
			return &peerConn{Conn: c}, nil
		case pl.s.PerUser && uid != platform.CurrentUID():
			pl.s.Log.Warn().Int("peerUid", uid).Msg("local API: peer of another user refused")
			c.Close()
			continue
		}
		pl.s.Log.Info().Int("peerUid", uid).Msg("local API: peer connected")
		return &peerConn{Conn: c, peer: peer{uid: uid, known: true}}, nil
	}
}

func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	var req Request
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err == nil {
		// One object, no unknown or duplicate keys, nothing after it.
		err = strictjson.Unmarshal(body, &req, true)
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, Error{fmt.Sprintf("request larger than %d bytes", maxRequestBody)})
			return
		}
		var nerr net.Error
		if errors.As(err, &nerr) && nerr.Timeout() {
			writeJSON(w, http.StatusRequestTimeout, Error{fmt.Sprintf("request body did not arrive within %v", readTimeout)})
			return
		}
		writeJSON(w, http.StatusBadRequest, Error{"request is not the JSON of {url, options}: " + err.Error()})
		return
	}
	lr, err := launcher.NewRequest(req.URL, req.Options, platform.Name())
	var bad *launcher.OptionError
	if errors.As(err, &bad) {
		writeJSON(w, http.StatusBadRequest, Error{err.Error()})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, Error{err.Error()})
		return
	}
	if req.Runtimes != nil {
		if err := req.Runtimes.Check(); err != nil {
			writeJSON(w, http.StatusBadRequest, Error{err.Error()})
			return
		}
		lr.Runtimes = req.Runtimes
	}
	// Files named by a request are read with the service's rights, and
	// TLS roots decide what counts as strictly fetched: only the
	// service's own user may choose them. Others read their files and
	// choose their roots themselves (the command line then decides
	// in-process).
	p, _ := r.Context().Value(peerKey{}).(peer)
	if chosen := lr.CallerChosen(); len(chosen) > 0 && (!p.known || p.uid != platform.CurrentUID()) {
		s.Log.Info().Int("peerUid", p.uid).Strs("inputs", chosen).Msg("local API: left to the caller, whose inputs the service does not act on for another user")
		writeJSON(w, http.StatusForbidden, Error{strings.Join(chosen, ", ") + ": read or trusted only for the service's own user"})
		return
	}
	doc, err := s.L.Decide(r.Context(), lr)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, Error{err.Error()})
		return
	}
	peerUID := "unknown"
	if p.known {
		peerUID = strconv.Itoa(p.uid)
	}
	s.L.LogDecision(doc, peerUID)
	if r.URL.Path == "/v1/launch" {
		s.launch(w, r, doc)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

// launch answers /v1/launch for doc: the runtime prepared (downloaded
// where it is to be, with progress lines), then the decision.
func (s *Server) launch(w http.ResponseWriter, r *http.Request, doc *launcher.Document) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	// A download takes as long as it takes, within its own bounds.
	rc.SetWriteDeadline(time.Time{})
	line := func(a LaunchAnswer) {
		data, err := json.Marshal(a)
		if err != nil {
			// Plain strings, numbers and documents already decided:
			// this cannot fail.
			s.Log.Error().Err(err).Msg("local API: launch answer")
			return
		}
		w.Write(append(data, '\n'))
		rc.Flush()
	}
	var (
		mu   sync.Mutex
		last time.Time
	)
	version := doc.RuntimeState.Version
	s.L.PrepareRuntime(r.Context(), doc, func(done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); done == total || now.Sub(last) >= progressEvery {
			last = now
			line(LaunchAnswer{Progress: &Progress{Version: version, Done: done, Total: total}})
		}
	})
	line(LaunchAnswer{Decision: doc, Runtime: doc.Runtime})
}

func (s *Server) status(w http.ResponseWriter, _ *http.Request) {
	s.requests.Add(1)
	writeJSON(w, http.StatusOK, Status{
		Version:       1,
		PID:           os.Getpid(),
		UptimeSeconds: int64(time.Since(s.started).Seconds()),
		Requests:      s.requests.Load(),
		DataDir:       s.L.DataDir(),
	})
}

func (s *Server) settings(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	req, _ := launcher.ParseOptions(launcher.Options{}, "") // no option: no error
	writeJSON(w, http.StatusOK, s.L.Settings(r.Context(), req))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.MarshalWrite(w, v)
}
