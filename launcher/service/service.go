// Package service is rvm's background service: one launcher.Launcher (and
// with it every cache) for the service's life, answering the local API on
// a socket in its data directory, with the machine settings and a local
// desktop owner settings file watched so that a change applies within a
// second. It decides; it never starts a process.
package service

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// Service is the service of one data directory.
type Service struct {
	// Env is the service's machine; Env.DataDir holds the socket.
	Env launcher.Env
	// PerUser keeps the socket 0600 and refuses peers of another user.
	PerUser bool

	l        *launcher.Launcher
	srv      *api.Server
	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
	stopErr  error
}

// Launcher is the service's launcher, once started.
func (s *Service) Launcher() *launcher.Launcher { return s.l }

// Start opens the socket, starts serving and watching, and returns.
func (s *Service) Start() error {
	if s.Env.Getenv == nil {
		// As for launcher.New: nil reads nothing (the watch reads it too).
		s.Env.Getenv = func(string) string { return "" }
	}
	s.l = launcher.New(s.Env)
	ln, err := api.Listen(s.Env.DataDir, s.PerUser)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if err := s.watch(ctx); err != nil {
		s.Env.Log.Warn().Err(err).Msg("settings are not watched: they are read again at every request")
	}
	s.srv = &api.Server{L: s.l, PerUser: s.PerUser, Log: s.Env.Log}
	s.done = make(chan error, 1)
	go func() { s.done <- s.srv.Serve(ln) }()
	s.Env.Log.Info().Str("socket", ln.Addr().String()).Bool("perUser", s.PerUser).Msg("service started")
	return nil
}

// watch keeps the machine settings of the launcher cached until they
// change: from then on a request reads them again only after a change has
// been seen (within about a second), and an invalid change keeps the last
// good settings. The local desktop owner settings file is watched too,
// the one the settings name at each change. It returns once the watches
// are in place; they end with ctx.
func (s *Service) watch(ctx context.Context) error {
	ownerFile := func() []string {
		if path := s.l.OwnerFile(); path != "" {
			return []string{path}
		}
		return nil
	}
	err := settings.Watch(ctx, s.Env.MachineSettings, s.Env.Getenv, ownerFile, func() {
		s.l.SettingsChanged()
		s.Env.Log.Info().Msg("machine settings or desktop owner settings changed")
	})
	if err != nil {
		return err
	}
	s.l.KeepSettings()
	return nil
}

// Stop stops accepting requests, lets those in flight finish until ctx
// ends (then cancels them), stops watching and returns. Calling it again
// returns the first call's result.
func (s *Service) Stop(ctx context.Context) error {
	if s.srv == nil {
		return errors.New("service: not started")
	}
	s.stopOnce.Do(func() {
		err := s.srv.Shutdown(ctx)
		s.cancel()
		if serr := <-s.done; serr != nil && err == nil {
			err = serr
		}
		s.Env.Log.Info().Err(err).Msg("service stopped")
		if err != nil {
			s.stopErr = fmt.Errorf("service: stop: %w", err)
		}
	})
	return s.stopErr
}
