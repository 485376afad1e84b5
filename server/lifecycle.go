package server

import (
	"context"
	"fmt"
	"net"
	"time"

	"charm.land/log/v2"
	"charm.land/ssh"
	"github.com/pires/go-proxyproto"
)

// What TUI visitors see when the server shuts down: a notice in the footer for
// restartNoticeTime (at most half the grace period), then, once their terminal
// is restored, a line saying why the session ended.
const (
	restartNotice     = "Server restarting: please reconnect in a moment."
	restartFarewell   = msgRestarted + "\r\n"
	restartNoticeTime = 2 * time.Second
)

// harden configures what charm.land/ssh does before and around sessions: the
// algorithms, admission of connections before the handshake, the handshake
// deadline, and which channels and requests exist at all (session channels,
// filtered; no forwarding of any kind, no subsystems, no global requests).
func (s *Server) harden(srv *ssh.Server) {
	srv.ServerConfigCallback = serverConfig
	srv.ConnCallback = s.admit
	srv.HandshakeTimeout = s.cfg.HandshakeTimeout
	if s.cfg.MaxSession > 0 {
		// A backstop under the connection guard's own, gentler limit.
		srv.MaxTimeout = s.cfg.MaxSession + time.Minute
	}
	srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel}
	srv.RequestHandlers = map[string]ssh.RequestHandler{}
	srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
	srv.LocalPortForwardingCallback = nil
	srv.ReversePortForwardingCallback = nil
	srv.ConnectionFailedCallback = func(c net.Conn, err error) {
		s.log.Debug("handshake failed", "remote", c.RemoteAddr().String(), "err", clean(err.Error(), 200))
	}
}

// chain is the middleware around every session handler, outermost first:
// recovery, so that a panic anywhere below is logged with its session and ends
// only that session; tracking, so that timeouts and shutdown can reach the
// session; logging; then the handler.
func (s *Server) chain(h ssh.Handler) ssh.Handler {
	return recovery(s.log)(s.track(logging(s.log)(h)))
}

// admit runs for every accepted connection before the SSH handshake. It applies
// the per-address cap and rate (on the address from the PROXY header, if that
// is on) and wraps the connection in its guard.
func (s *Server) admit(ctx ssh.Context, c net.Conn) net.Conn {
	if s.closing.Load() {
		tellAndClose(c, msgRestarted)
		return nil
	}
	if pc, ok := c.(*proxyproto.Conn); ok && pc.ProxyHeader() == nil {
		// No valid header within proxyHeaderTimeout: not our load balancer.
		s.adm.refused[refusedProxy].Add(1)
		s.log.Debug("connection without PROXY header", "remote", pc.Raw().RemoteAddr().String())
		return nil
	}
	release, reason, msg := s.adm.acquireIP(ipKey(c.RemoteAddr()), time.Now())
	if release == nil {
		s.adm.refused[reason].Add(1)
		if msg == "" {
			return nil // told a moment ago; charm.land/ssh closes it
		}
		s.log.Debug("connection refused", "remote", c.RemoteAddr().String(), "reason", refusalNames[reason])
		tellAndClose(c, msg)
		return nil
	}
	g := newConnGuard(s, c, release)
	ctx.SetValue(connGuardKey{}, g)
	s.mu.Lock()
	closing := s.closing.Load()
	if !closing {
		s.conns[g] = struct{}{}
	}
	s.mu.Unlock()
	if closing {
		_ = g.Close()
		return nil
	}
	s.metrics.ConnAccepted()
	return g
}

func (s *Server) forgetConn(g *connGuard) {
	s.mu.Lock()
	delete(s.conns, g)
	s.mu.Unlock()
}

// track registers each running session with its connection's guard and the
// server. Sessions that would start during a shutdown are told to come back.
func (s *Server) track(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		cg, chg := connGuardFrom(sess.Context()), chanGuardFrom(sess.Context())
		if s.closing.Load() {
			_, _ = fmt.Fprint(sess.Stderr(), restartFarewell)
			_ = sess.Exit(1)
			return
		}
		l := newLiveSession(cg)
		chg.live.Store(l)
		s.mu.Lock()
		s.sessions[l] = struct{}{}
		s.mu.Unlock()
		cg.startSession(l)
		defer func() {
			cg.endSession(l)
			s.mu.Lock()
			delete(s.sessions, l)
			s.mu.Unlock()
		}()
		if s.closing.Load() {
			l.end(restartFarewell) // Shutdown may have missed it
		}
		next(sess)
	}
}

// endTUIs shows every TUI the restart notice, waits a moment so that it can be
// read, then ends the TUIs.
func (s *Server) endTUIs(ctx context.Context) {
	s.mu.Lock()
	tuis := tuisOf(s.sessions)
	s.mu.Unlock()
	if len(tuis) == 0 {
		return
	}
	for _, l := range tuis {
		l.notify(restartNotice)
	}
	wait := restartNoticeTime
	if deadline, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(deadline)/2)
	}
	select {
	case <-time.After(wait):
	case <-ctx.Done():
	}
	for _, l := range tuis {
		l.end(restartFarewell)
	}
}

// closeIdleConns closes the connections that have no session channel.
func (s *Server) closeIdleConns() {
	for _, g := range s.openConns() {
		if g.idleWithoutChannel() {
			_ = g.Close()
		}
	}
}

func (s *Server) closeAllConns() {
	for _, g := range s.openConns() {
		_ = g.Close()
	}
}

func (s *Server) openConns() []*connGuard {
	s.mu.Lock()
	defer s.mu.Unlock()
	conns := make([]*connGuard, 0, len(s.conns))
	for g := range s.conns {
		conns = append(conns, g)
	}
	return conns
}

// Stats is a snapshot of the server's load.
type Stats struct {
	// Accepted counts the TCP connections accepted and not yet closed,
	// including those still being admitted.
	Accepted int `json:"accepted"`
	// Conns counts the admitted connections, in their handshake or after it.
	Conns int `json:"conns"`
	// Sessions counts running sessions; TUIs those of them with a TUI.
	Sessions int `json:"sessions"`
	TUIs     int `json:"tuis"`
	// Refused counts the connections refused since the start, by reason:
	// "busy", "per_ip", "rate", "no_proxy_header".
	Refused map[string]int64 `json:"refused"`
	// TrackedIPs is the size of the per-address table.
	TrackedIPs int `json:"tracked_ips"`
}

// Stats returns a snapshot of the server's load.
func (s *Server) Stats() Stats {
	st := Stats{
		Accepted:   int(s.adm.open.Load()),
		Refused:    make(map[string]int64, refusedReasons),
		TrackedIPs: s.adm.trackedIPs(),
	}
	for i, name := range refusalNames {
		st.Refused[name] = s.adm.refused[i].Load()
	}
	s.mu.Lock()
	st.Conns = len(s.conns)
	st.Sessions = len(s.sessions)
	st.TUIs = len(tuisOf(s.sessions))
	s.mu.Unlock()
	return st
}

// reportRefusals logs, at most once per period, how many connections were
// refused and why, instead of a line per refusal that a flood would turn into
// a flood of log lines. Connections without a PROXY header alone are logged at
// debug level: the load balancer's TCP health checks are such connections, and
// a warning a minute for them would teach operators to ignore the warning that
// reports a flood.
func (s *Server) reportRefusals(stop <-chan struct{}, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	var last [refusedReasons]int64
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		var kv []any
		level := log.DebugLevel
		for i, name := range refusalNames {
			n := s.adm.refused[i].Load()
			if n != last[i] {
				kv = append(kv, name, n-last[i])
				last[i] = n
				if i != refusedProxy {
					level = log.WarnLevel
				}
			}
		}
		if kv != nil {
			st := s.Stats()
			s.log.Log(level, "connections refused", append(kv, "period", period, "open", st.Accepted, "sessions", st.Sessions)...)
		}
	}
}
