package api

import (
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

// Decide posts a verify (or, with launch, a launch) request to the first
// service that answers, and returns its decision. It returns
// launcher.ErrNoService when none answers or the service leaves the
// request to the caller.
func (c *Client) Decide(ctx context.Context, launch bool, rawURL string, o launcher.Options) (*launcher.Document, error) {
	path := "/v1/verify"
	if launch {
		path = "/v1/launch"
	}
	body, err := json.Marshal(Request{URL: rawURL, Options: o})
	if err != nil {
		return nil, err
	}
	for _, sock := range c.Sockets {
		data, err := c.post(ctx, sock, path, body)
		if errors.Is(err, launcher.ErrNoService) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !launch {
			var doc launcher.Document
			if err := json.Unmarshal(data, &doc); err != nil {
				return nil, fmt.Errorf("api: service on %s: %w", sock, err)
			}
			return &doc, nil
		}
		var ans LaunchAnswer
		if err := json.Unmarshal(data, &ans); err != nil {
			return nil, fmt.Errorf("api: service on %s: %w", sock, err)
		}
		if ans.Decision == nil {
			return nil, errors.New("api: the service answered without a decision")
		}
		ans.Decision.Runtime = ans.Runtime
		return ans.Decision, nil
	}
	return nil, launcher.ErrNoService
}

// post sends body to path on the service at sock and returns the answer of
// a 200; launcher.ErrNoService where nothing answers or the service leaves
// the request to the caller (403).
func (c *Client) post(ctx context.Context, sock, path string, body []byte) ([]byte, error) {
	conn, err := platform.DialSocket(sock, time.Second)
	var unsafe *platform.UnsafePathError
	switch {
	case errors.As(err, &unsafe):
		c.Log.Debug().Str("socket", sock).Str("why", unsafe.Error()).Msg("not using this service, which may not be the one it claims to be; deciding in-process")
		return nil, launcher.ErrNoService
	case err != nil:
		c.Log.Debug().Err(err).Str("socket", sock).Msg("no service here")
		return nil, launcher.ErrNoService
	}
	defer conn.Close()
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) { return conn, nil },
	}}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://rvm"+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(hreq)
	if err != nil {
		c.Log.Debug().Err(err).Str("socket", sock).Msg("service did not answer")
		return nil, launcher.ErrNoService
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("api: service on %s: %w", sock, err)
	}
	switch {
	case resp.StatusCode == http.StatusForbidden:
		var e Error
		json.Unmarshal(data, &e)
		c.Log.Debug().Str("socket", sock).Str("why", e.Error).Msg("the service leaves this request to us; deciding in-process")
		return nil, launcher.ErrNoService
	case resp.StatusCode != http.StatusOK:
		var e Error
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return nil, errors.New(e.Error)
		}
		return nil, fmt.Errorf("api: service on %s answered %s", sock, resp.Status)
	}
	c.Log.Debug().Str("socket", sock).Msg("decided by the service")
	return data, nil
}
