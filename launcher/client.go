package launcher

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
)

// The command line uses the service when one answers, and does the same
// work in-process when none does: one implementation, two ways in.

// socketPaths lists where a service may listen: this user's data directory
// first, then the system one.
func (l *Launcher) socketPaths() []string {
	own := filepath.Join(l.env.DataDir, SocketName)
	sys := filepath.Join(platform.SystemDataDir(), SocketName)
	if own == sys {
		return []string{own}
	}
	return []string{own, sys}
}

// errNoService reports that no service answered.
var errNoService = errors.New("launcher: no service answered")

// callService posts req to the first service that answers, and decodes its
// answer into out. It returns errNoService when none answers.
func (l *Launcher) callService(ctx context.Context, path string, req apiRequest, out any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	for _, sock := range l.socketPaths() {
		conn, err := net.DialTimeout("unix", sock, time.Second)
		if err != nil {
			continue
		}
		client := &http.Client{Transport: &http.Transport{
			DialContext: func(context.Context, string, string) (net.Conn, error) { return conn, nil },
		}}
		hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://rvm"+path, bytes.NewReader(body))
		if err != nil {
			conn.Close()
			return err
		}
		hreq.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(hreq)
		if err != nil {
			conn.Close()
			l.env.Log.Debug().Err(err).Str("socket", sock).Msg("service did not answer")
			continue
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		conn.Close()
		if err != nil {
			return fmt.Errorf("launcher: service on %s: %w", sock, err)
		}
		if resp.StatusCode == http.StatusForbidden {
			l.env.Log.Debug().Str("socket", sock).Msg("the service leaves this request to us")
			continue
		}
		if resp.StatusCode != http.StatusOK {
			var e apiError
			if json.Unmarshal(data, &e) == nil && e.Error != "" {
				return errors.New(e.Error)
			}
			return fmt.Errorf("launcher: service on %s answered %s", sock, resp.Status)
		}
		l.env.Log.Debug().Str("socket", sock).Msg("decided by the service")
		return json.Unmarshal(data, out)
	}
	return errNoService
}

// absOptions makes the file paths of o absolute, so that a service with
// another working directory reads the same files.
func absOptions(o Options) Options {
	if o.TrustRoots != "" {
		if a, err := filepath.Abs(o.TrustRoots); err == nil {
			o.TrustRoots = a
		}
	}
	if o.MachineSettings != "" {
		if a, err := filepath.Abs(o.MachineSettings); err == nil {
			o.MachineSettings = a
		}
	}
	return o
}

// launchAnswer is what /v1/launch returns: the decision and the runtime
// that the manifest asks for.
type launchAnswer struct {
	Decision *Document      `json:"decision"`
	Runtime  RuntimeRequest `json:"runtime"`
}

// VerifyVia is Verify, done by the service where one answers.
func (l *Launcher) VerifyVia(ctx context.Context, rawURL string, o Options) (*Document, error) {
	o = absOptions(o)
	var doc Document
	err := l.callService(ctx, "/v1/verify", apiRequest{URL: rawURL, Options: o}, &doc)
	if errors.Is(err, errNoService) {
		return l.Verify(ctx, rawURL, o)
	}
	if err != nil {
		return nil, err
	}
	l.applyUserChoices(&doc)
	return &doc, nil
}

// decideForLaunch is VerifyVia for a launch: it also brings back the runtime.
func (l *Launcher) decideForLaunch(ctx context.Context, rawURL string, o Options) (*Document, error) {
	o = absOptions(o)
	var ans launchAnswer
	err := l.callService(ctx, "/v1/launch", apiRequest{URL: rawURL, Options: o}, &ans)
	if errors.Is(err, errNoService) {
		return l.Verify(ctx, rawURL, o)
	}
	if err != nil {
		return nil, err
	}
	if ans.Decision == nil {
		return nil, errors.New("launcher: the service answered without a decision")
	}
	ans.Decision.Runtime = ans.Runtime
	l.applyUserChoices(ans.Decision)
	return ans.Decision, nil
}

// applyUserChoices applies rule 4 of SPEC 5.5 with this user's stored
// answers to a decision made by a service, which may run as another user
// with a store of its own: where no rule above 4 decided a permission
// (its source is desktop-owner-default or default), the user's answer for
// the manifest URL decides it.
func (l *Launcher) applyUserChoices(doc *Document) {
	choices, err := permissions.OpenStore(l.env.DataDir).ForURL(doc.ManifestURL)
	if err != nil {
		l.env.Log.Warn().Err(err).Msg("stored user choices unreadable; asking again")
		return
	}
	for name, granted := range choices {
		p, ok := doc.Permissions[name]
		if !ok || (p.Source != permissions.SourceOwnerDefault && p.Source != permissions.SourceDefault) {
			continue
		}
		p.Decision, p.Source = permissions.Denied, permissions.SourceUser
		if granted {
			p.Decision = permissions.Granted
		}
		doc.Permissions[name] = p
	}
}
