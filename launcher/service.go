package launcher

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/rvm-launcher/rvm/platform"
)

// Service is rvm's background service: one Launcher (and with it every
// cache) for the service's life, answering the local API on a socket in
// its data directory, with the machine settings watched so that a change
// applies within a second. It decides; it never starts a process.
type Service struct {
	// Env is the service's machine; Env.DataDir holds the socket.
	Env Env
	// PerUser keeps the socket 0600 and refuses peers of another user.
	PerUser bool

	l        *Launcher
	srv      *Server
	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
	stopErr  error
}

// Start opens the socket, starts serving and watching, and returns.
func (s *Service) Start() error {
	s.l = New(s.Env)
	ln, err := Listen(s.Env.DataDir, s.PerUser)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if err := s.l.Watch(ctx); err != nil {
		s.Env.Log.Warn().Err(err).Msg("settings are not watched: they are read again at every request")
	}
	s.srv = &Server{L: s.l, PerUser: s.PerUser, Log: s.Env.Log}
	s.done = make(chan error, 1)
	go func() { s.done <- s.srv.Serve(ln) }()
	s.Env.Log.Info().Str("socket", ln.Addr().String()).Bool("perUser", s.PerUser).Msg("service started")
	return nil
}

// Stop stops accepting requests, lets those in flight finish until ctx
// ends (then cancels them), stops watching and returns. Calling it again
// returns the first call's result.
func (s *Service) Stop(ctx context.Context) error {
	if s.srv == nil {
		return errors.New("launcher: service not started")
	}
	s.stopOnce.Do(func() {
		err := s.srv.Shutdown(ctx)
		s.cancel()
		if serr := <-s.done; serr != nil && err == nil {
			err = serr
		}
		s.Env.Log.Info().Err(err).Msg("service stopped")
		if err != nil {
			s.stopErr = fmt.Errorf("launcher: stop service: %w", err)
		}
	})
	return s.stopErr
}

// Watch keeps the machine settings of this Launcher cached until they
// change: from now on a request reads them again only after a change has
// been seen (within about a second), and an invalid change keeps the last
// good settings. The verified blocks are dropped at every change. It
// returns once the watches are in place; they end with ctx.
func (l *Launcher) Watch(ctx context.Context) error {
	err := platform.WatchSettings(ctx, "", l.env.Getenv, nil, func() {
		l.mu.Lock()
		l.settingsStale = true
		l.mu.Unlock()
		l.trustCache.Purge()
		l.env.Log.Info().Msg("machine settings changed")
	})
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.watched = true
	l.settingsStale = true
	l.mu.Unlock()
	return nil
}
