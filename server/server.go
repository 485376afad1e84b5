// Package server is the SSH side of sshresume: configuration, host keys, the
// middleware chain, routing of each session to the TUI or a plain-text export, and
// graceful shutdown. It reads one immutable content.Resume shared by all sessions.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/metrics"
)

// Server serves one resume over SSH.
type Server struct {
	cfg    Config
	log    *log.Logger
	ssh    *ssh.Server
	signer gossh.Signer
	served atomic.Pointer[served] // the resume new sessions get
	adm    *admission
	// metrics count what happens (metrics.go); they are served on
	// cfg.MetricsAddr if it is set.
	metrics *metrics.Metrics

	closing atomic.Bool // Shutdown or Close has begun

	silentTimeout time.Duration // the silentTimeout constant; a test hook, for tests to shorten it

	mu       sync.Mutex
	listener net.Listener
	debug    net.Listener // the debug endpoint's, if any
	metricsL net.Listener // the metrics endpoint's, if any
	conns    map[*connGuard]struct{}
	sessions map[*liveSession]struct{}
}

// New builds a server for the resume. It loads or creates the host key, so a bad
// key stops the program here, before anything listens.
func New(cfg Config, resume *content.Resume, logger *log.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if resume == nil {
		return nil, errors.New("no resume")
	}
	signer, created, err := hostKey(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:    cfg,
		log:    logger,
		signer: signer,
		adm:    newAdmission(cfg),

		silentTimeout: silentTimeout,
		conns:         make(map[*connGuard]struct{}),
		sessions:      make(map[*liveSession]struct{}),
	}
	s.metrics = s.newMetrics()
	s.SetResume(resume)

	source := "file " + cfg.HostKeyFile
	switch {
	case len(cfg.HostKeyPEM) > 0:
		source = "PEM"
	case created:
		source = "new file " + cfg.HostKeyFile
	}
	logger.Info("host key", "fingerprint", s.Fingerprint(), "type", signer.PublicKey().Type(), "source", source)

	s.ssh, err = wish.NewServer(
		wish.WithVersion(sshVersion),
		func(srv *ssh.Server) error {
			srv.AddHostKey(signer)
			return nil
		},
		// No auth handlers: charm.land/ssh then sets NoClientAuth, so the
		// "none" method every client tries first succeeds, with or without
		// keys. Anonymous visitors are the point of a public resume.
		func(srv *ssh.Server) error {
			srv.Handler = s.chain(s.route)
			s.harden(srv)
			return nil
		},
	)
	if err != nil {
		return nil, fmt.Errorf("create ssh server: %w", err)
	}
	return s, nil
}

// Fingerprint is the SHA256 fingerprint of the host key, as ssh-keygen -l prints it.
func (s *Server) Fingerprint() string {
	return gossh.FingerprintSHA256(s.signer.PublicKey())
}

// PublicKey is the server's public host key.
func (s *Server) PublicKey() gossh.PublicKey { return s.signer.PublicKey() }

// SetResume replaces the resume for sessions that start from now on; running
// sessions keep the one they started with. Its exports are rendered here, once.
func (s *Server) SetResume(r *content.Resume) {
	s.served.Store(newServed(r))
	s.metrics.ResumeLoaded(time.Now())
}

// Serve serves connections accepted from l until Shutdown or Close. The total
// connection cap applies as connections are accepted; with ProxyProtocol every
// connection must then start with a PROXY header. With DebugAddr set, the debug
// endpoint is served as long as Serve runs.
func (s *Server) Serve(l net.Listener) error {
	dl, err := s.listenDebug()
	if err != nil {
		_ = l.Close()
		return err
	}
	ml, err := s.listenMetrics()
	if err != nil {
		_ = l.Close()
		if dl != nil {
			_ = dl.Close()
		}
		return err
	}
	s.mu.Lock()
	s.listener = l
	s.debug = dl
	s.metricsL = ml
	s.mu.Unlock()
	if dl != nil {
		defer func() { _ = dl.Close() }()
		go s.serveDebug(dl)
	}
	if ml != nil {
		defer func() { _ = ml.Close() }()
		go s.serveMetrics(ml)
	}
	s.log.Info("listening", "addr", l.Addr().String(), "version", s.cfg.Version, "proxy_protocol", s.cfg.ProxyProtocol)
	var wrapped net.Listener = &limitListener{Listener: l, a: s.adm}
	if s.cfg.ProxyProtocol {
		wrapped = proxyListener(wrapped)
	}
	stop := make(chan struct{})
	defer close(stop)
	go s.reportRefusals(stop, time.Minute)
	return s.ssh.Serve(wrapped)
}

// Addr is the address the server listens on, once Serve has been called.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return nil
	}
	return s.listener.Addr()
}

// DebugAddr is the address of the debug endpoint once Serve has been called,
// or nil if there is none.
func (s *Server) DebugAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.debug == nil {
		return nil
	}
	return s.debug.Addr()
}

// Shutdown stops accepting connections, shows every TUI visitor a short
// "restarting" notice and then ends their sessions (a TUI would never end by
// itself), and lets other sessions finish until ctx is done; then it closes
// whatever is still open. It returns ctx's error when sessions had to be cut
// off.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	done := make(chan error, 1)
	go func() { done <- s.ssh.Shutdown(ctx) }()
	s.closeIdleConns()
	s.endTUIs(ctx)

	err := <-done
	if err != nil && ctx.Err() != nil {
		_ = s.Close()
		return fmt.Errorf("shutdown: sessions cut off at the grace period: %w", err)
	}
	s.closeAllConns() // connections still in their handshake
	return err
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	s.closing.Store(true)
	err := s.ssh.Close()
	s.closeAllConns()
	return err
}
