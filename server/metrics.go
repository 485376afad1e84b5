package server

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"charm.land/ssh"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/metrics"
)

// This file connects the server to its metrics (package metrics): what it
// tells them, and the endpoint that serves them. The hooks elsewhere are one
// line each: harden admits through admit, route meters each session, export
// counts the format, SetResume the load time. Refusals are counted where the
// defence's table of refusals is applied (Gate.Refusals).

// sectionFormat is the format label of a section served as plain text ("ssh
// HOST research", without a terminal).
const sectionFormat = "section"

// newMetrics makes the server's metrics. The label values are the server's own
// fixed lists: the export names and help, every section ID, the IDs of the
// table of refusals.
func (s *Server) newMetrics() *metrics.Metrics {
	formats := []string{helpCommand, qrCommand, sectionFormat}
	for _, e := range content.Exports() {
		formats = append(formats, e.Name)
	}
	m := metrics.New(metrics.Options{
		Version:            s.cfg.Version,
		HostKeyFingerprint: s.Fingerprint(),
		Formats:            formats,
		Sections:           content.SectionIDs(),
	})
	m.ObserveConnections(func() int { return s.gate.Stats().Accepted }, s.gate.Refusals)
	return m
}

// admit is the defence's admission, counting the connections it lets in.
func (s *Server) admit(ctx ssh.Context, c net.Conn) net.Conn {
	if c = s.gate.Admit(ctx, c); c != nil {
		s.metrics.ConnAccepted()
	}
	return c
}

// Metrics are the server's metrics, for the parts of the program beside it
// that count into them too (resume reloads, the web door).
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// meteredSession is a session whose output is counted, and whose first frame
// is timed if it is a TUI's.
type meteredSession struct {
	ssh.Session
	m   *metrics.Session
	tui bool
}

// meter counts a session of kind k that started at start; call end when it
// is over.
func (s *Server) meter(sess ssh.Session, k metrics.Kind, start time.Time) (ms meteredSession, end func()) {
	m := s.metrics.Start(k, start)
	return meteredSession{Session: sess, m: m, tui: k == metrics.TUI}, m.End
}

// Write writes to the session's standard output and counts what was written.
// A TUI's first frame is its first write with text on the screen: Bubble Tea
// writes its terminal queries (synchronized output, background colour) before
// it, and they are escape sequences alone.
func (ms meteredSession) Write(p []byte) (int, error) {
	n, err := ms.Session.Write(p)
	if n > 0 {
		ms.m.Sent(n)
		if ms.tui && !ms.m.Drawn() && hasText(p[:n]) {
			ms.m.FirstFrame()
		}
	}
	return n, err
}

// hasText reports whether p puts text on the screen: whether anything in it
// is outside escape sequences. It stops at the first character, near the
// start of a frame.
func hasText(p []byte) bool {
	var state byte
	for len(p) > 0 {
		_, width, n, next := ansi.DecodeSequence(p, state, nil)
		if width > 0 {
			return true
		}
		state, p = next, p[n:]
	}
	return false
}

// listenMetrics opens the metrics endpoint's listener, if one is configured.
// Unlike the debug endpoint it may listen on any address: a scraper on another
// host (fly.io's, over the private network) must reach it, and it tells nothing
// about visitors (package metrics).
func (s *Server) listenMetrics() (net.Listener, error) {
	if s.cfg.MetricsAddr == "" {
		return nil, nil
	}
	l, err := net.Listen("tcp", s.cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("metrics listen: %w", err)
	}
	return l, nil
}

// serveMetrics serves /metrics on l until l is closed.
func (s *Server) serveMetrics(l net.Listener) {
	s.log.Info("metrics endpoint", "addr", l.Addr().String(), "path", "/metrics")
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	_ = srv.Serve(l)
}

// MetricsAddr is the address of the metrics endpoint once Serve has been
// called, or nil if there is none.
func (s *Server) MetricsAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.metricsL == nil {
		return nil
	}
	return s.metricsL.Addr()
}
