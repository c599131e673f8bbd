package api

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/platform"
)

// maxAnswer bounds an answer of the local API.
const maxAnswer = 4 << 20

// Client asks a service over the local API: the command line uses the
// service when one it may trust answers (see platform.DialSocket: the
// socket and its folder are root's or this user's, and so is the process
// answering, where the platform tells), and does the same work in-process
// otherwise (one implementation, two ways in). It is a launcher.Remote.
type Client struct {
	// Sockets are where a service may listen, in the order tried.
	Sockets []string
	// Log receives why a socket was passed over.
	Log zerolog.Logger
}

// NewClient returns a client for the socket of the data directory dir,
// then, with system (where RVM_HOME is not set), of the system data
// directory.
func NewClient(dir string, system bool, log zerolog.Logger) *Client {
	own := filepath.Join(dir, SocketName)
	c := &Client{Sockets: []string{own}, Log: log}
	if sys := filepath.Join(platform.SystemDataDir(), SocketName); system && own != sys {
		c.Sockets = append(c.Sockets, sys)
	}
	return c
}

// Decide posts a verify (or, with call.Launch, a launch) request to the
// first service that answers, and returns its decision; a launch's
// progress lines go to call.Progress. It returns launcher.ErrNoService
// when none answers or the service leaves the request to the caller.
func (c *Client) Decide(ctx context.Context, call launcher.RemoteCall) (*launcher.Document, error) {
	path := "/v1/verify"
	if call.Launch {
		path = "/v1/launch"
	}
	body, err := json.Marshal(Request{URL: call.URL, Options: call.Options, Runtimes: call.Runtimes})
	if err != nil {
		return nil, err
	}
	for _, sock := range c.Sockets {
		answer, err := c.call(ctx, sock, http.MethodPost, path, body)
		if errors.Is(err, launcher.ErrNoService) {
			continue
		}
		if err != nil {
			return nil, err
		}
		defer answer.Close()
		c.Log.Debug().Str("socket", sock).Msg("decided by the service")
		if !call.Launch {
			var doc launcher.Document
			if err := json.UnmarshalRead(io.LimitReader(answer, maxAnswer), &doc); err != nil {
				return nil, fmt.Errorf("api: service on %s: %w", sock, err)
			}
			return &doc, nil
		}
		return readLaunch(answer, sock, call.Progress)
	}
	return nil, launcher.ErrNoService
}

// readLaunch reads the lines of a /v1/launch answer from the service on
// sock, each at most maxAnswer bytes: progress lines to progress (where
// set), then the decision.
func readLaunch(answer io.Reader, sock string, progress func(version string, done, total int64)) (*launcher.Document, error) {
	br := bufio.NewReaderSize(answer, 64<<10)
	for {
		line, err := readLine(br, maxAnswer)
		if err != nil {
			return nil, fmt.Errorf("api: service on %s: %w", sock, err)
		}
		var ans LaunchAnswer
		if err := json.Unmarshal(line, &ans); err != nil {
			return nil, fmt.Errorf("api: service on %s: %w", sock, err)
		}
		switch {
		case ans.Decision != nil:
			ans.Decision.Runtime = ans.Runtime
			return ans.Decision, nil
		case ans.Progress != nil && progress != nil:
			progress(ans.Progress.Version, ans.Progress.Done, ans.Progress.Total)
		}
	}
}

// readLine reads one line of at most limit bytes, without its newline.
func readLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > limit {
			return nil, fmt.Errorf("an answer line larger than %d bytes", limit)
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(line, []byte("\n")), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return nil, errors.New("the answer ended without a decision")
		default:
			return nil, err
		}
	}
}

// Status asks the first service that answers for its status (GET
// /v1/status). Where none answers, the error wraps
// launcher.ErrNoService and says why for the last socket tried: nothing
// there, nothing answering, or a socket it may not trust (see
// platform.DialSocket).
func (c *Client) Status(ctx context.Context) (*Status, error) {
	err := launcher.ErrNoService
	for _, sock := range c.Sockets {
		var answer io.ReadCloser
		answer, err = c.call(ctx, sock, http.MethodGet, "/v1/status", nil)
		if errors.Is(err, launcher.ErrNoService) {
			continue
		}
		if err != nil {
			return nil, err
		}
		defer answer.Close()
		var st Status
		if err := json.UnmarshalRead(io.LimitReader(answer, maxAnswer), &st); err != nil {
			return nil, fmt.Errorf("api: service on %s: status: %w", sock, err)
		}
		return &st, nil
	}
	return nil, err
}

// call sends a request (body, where not nil) to path on the service at
// sock and returns the body of a 200 answer, which the caller closes; an
// error wrapping launcher.ErrNoService, and saying why, where nothing
// answers or the service leaves the request to the caller (403).
func (c *Client) call(ctx context.Context, sock, method, path string, body []byte) (io.ReadCloser, error) {
	noService := func(why error) error { return fmt.Errorf("%w on %s: %w", launcher.ErrNoService, sock, why) }
	conn, err := platform.DialSocket(sock, time.Second)
	var unsafe *platform.UnsafePathError
	switch {
	case errors.As(err, &unsafe):
		c.Log.Debug().Str("socket", sock).Str("why", unsafe.Error()).Msg("not using this service, which may not be the one it claims to be; deciding in-process")
		return nil, noService(err)
	case err != nil:
		c.Log.Debug().Err(err).Str("socket", sock).Msg("no service here")
		return nil, noService(err)
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) { return conn, nil },
	}}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, "http://rvm"+path, r)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(hreq)
	if err != nil {
		conn.Close()
		c.Log.Debug().Err(err).Str("socket", sock).Msg("service did not answer")
		return nil, noService(err)
	}
	if resp.StatusCode == http.StatusOK {
		return closeBoth{resp.Body, conn}, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	resp.Body.Close()
	conn.Close()
	if err != nil {
		return nil, fmt.Errorf("api: service on %s: %w", sock, err)
	}
	var e Error
	json.Unmarshal(data, &e)
	if resp.StatusCode == http.StatusForbidden {
		c.Log.Debug().Str("socket", sock).Str("why", e.Error).Msg("the service leaves this request to us; deciding in-process")
		return nil, noService(fmt.Errorf("the service leaves this request to the caller: %s", e.Error))
	}
	if e.Error != "" {
		return nil, errors.New(e.Error)
	}
	return nil, fmt.Errorf("api: service on %s answered %s", sock, resp.Status)
}

// closeBoth closes an answer's body and its connection.
type closeBoth struct {
	io.ReadCloser
	conn net.Conn
}

func (c closeBoth) Close() error { return errors.Join(c.ReadCloser.Close(), c.conn.Close()) }
