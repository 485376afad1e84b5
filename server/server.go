// Package server is the SSH side of sshresume: configuration, host keys, the
// middleware chain, routing of each session to the TUI or a plain-text export,
// the TUI runner, and graceful shutdown. It reads one immutable content.Resume
// shared by all sessions. The defence against hostile clients (admission,
// per-connection state, request and input filters, deadlines, the table of
// refusals and the lock order) is the room of its own in internal/defence.
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
	"github.com/sshresume/sshresume/server/internal/defence"
)

// Server serves one resume over SSH.
type Server struct {
	cfg    Config
	log    *log.Logger
	ssh    *ssh.Server
	signer gossh.Signer
	pub    atomic.Pointer[publication] // the resume new sessions get
	gate   *defence.Gate
	// sshCmd is how visitors reach the server ("ssh resume.example.com"),
	// for the commands the server shows them; set by Serve, which knows the
	// port it listens on, before the first connection.
	sshCmd string

	mu       sync.Mutex
	listener net.Listener
	debug    net.Listener // the debug endpoint's, if any
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
		gate: defence.New(defence.Limits{
			Handshake: cfg.HandshakeTimeout, Idle: cfg.IdleTimeout, MaxSession: cfg.MaxSession,
			MaxConns: cfg.MaxConns, MaxConnsPerIP: cfg.MaxConnsPerIP, ConnsPerMinute: cfg.ConnRatePerIP,
			ProxyProtocol:  cfg.ProxyProtocol,
			MaxSessionless: cfg.MaxSessionless, MaxSessionlessPerIP: cfg.MaxSessionlessPerIP,
		}, logger),
	}
	s.pub.Store(publish(resume))

	source := "file " + cfg.HostKeyFile
	switch {
	case len(cfg.HostKeyPEM) > 0:
		source = "PEM"
	case created:
		source = "new file " + cfg.HostKeyFile
	}
	logger.Info("host key", "fingerprint", s.Fingerprint(), "type", signer.PublicKey().Type(), "source", source)

	s.ssh, err = wish.NewServer(
		wish.WithVersion(defence.SSHVersion),
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
func (s *Server) SetResume(r *content.Resume) { s.pub.Store(publish(r)) }

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
	s.mu.Lock()
	s.listener = l
	s.debug = dl
	s.mu.Unlock()
	s.sshCmd = sshCommand(s.cfg.PublicHost, l.Addr().String())
	if dl != nil {
		defer func() { _ = dl.Close() }()
		go s.serveDebug(dl)
	}
	s.log.Info("listening", "addr", l.Addr().String(), "version", s.cfg.Version, "proxy_protocol", s.cfg.ProxyProtocol)
	stop := make(chan struct{})
	defer close(stop)
	return s.ssh.Serve(s.gate.Listener(l, stop, time.Minute))
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
	s.gate.Close()
	done := make(chan error, 1)
	go func() { done <- s.ssh.Shutdown(ctx) }()
	s.gate.CloseIdle()
	s.gate.EndTUIs(ctx)

	err := <-done
	if err != nil && ctx.Err() != nil {
		_ = s.Close()
		return fmt.Errorf("shutdown: sessions cut off at the grace period: %w", err)
	}
	s.gate.CloseAll() // connections still in their handshake
	return err
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	s.gate.Close()
	err := s.ssh.Close()
	s.gate.CloseAll()
	return err
}

// Stats is a snapshot of the server's load.
type Stats = defence.Stats

// Stats returns a snapshot of the server's load.
func (s *Server) Stats() Stats { return s.gate.Stats() }

// harden configures what charm.land/ssh does before and around sessions: the
// algorithms, admission of connections before the handshake, the handshake
// deadline, and which channels and requests exist at all (session channels,
// filtered; no forwarding of any kind, no subsystems, no global requests).
func (s *Server) harden(srv *ssh.Server) {
	srv.ServerConfigCallback = serverConfig
	srv.ConnCallback = s.gate.Admit
	// A backstop under the gate's own deadline for connections without a
	// session, which fires first and so can tell a timeout (which it
	// penalises) from a client that gives up.
	srv.HandshakeTimeout = s.cfg.HandshakeTimeout + 5*time.Second
	if s.cfg.MaxSession > 0 {
		// A backstop under the gate's own, gentler limit.
		srv.MaxTimeout = s.cfg.MaxSession + time.Minute
	}
	srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.gate.SessionChannel}
	srv.RequestHandlers = map[string]ssh.RequestHandler{}
	srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
	srv.LocalPortForwardingCallback = nil
	srv.ReversePortForwardingCallback = nil
	srv.ConnectionFailedCallback = func(c net.Conn, err error) {
		s.log.Debug("handshake failed", "remote", c.RemoteAddr().String(), "err", defence.Clean(err.Error(), 200))
	}
}

// chain is the middleware around every session handler, outermost first:
// recovery, so that a panic anywhere below is logged with its session and ends
// only that session; the gate's tracking, so that deadlines and shutdown can
// reach the session; logging; then the handler.
func (s *Server) chain(h ssh.Handler) ssh.Handler {
	return recovery(s.log)(s.gate.Track(logging(s.log, s.gate)(h)))
}
