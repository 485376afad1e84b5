package server

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// debugAddr checks the address of the debug endpoint and returns it ready to
// listen on. The endpoint has no authentication and its profiles show what the
// server holds, so it only ever listens on the loopback interface: an IP
// address of it, or "localhost", which is taken to mean 127.0.0.1 rather than
// whatever a resolver says.
func debugAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("debug address %q: %w", addr, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("debug address %q: only a loopback address (127.0.0.1, ::1, localhost) is allowed", addr)
	}
	return net.JoinHostPort(host, port), nil
}

// listenDebug opens the debug endpoint's listener, if one is configured.
func (s *Server) listenDebug() (net.Listener, error) {
	if s.cfg.DebugAddr == "" {
		return nil, nil
	}
	addr, err := debugAddr(s.cfg.DebugAddr)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("debug listen: %w", err)
	}
	return l, nil
}

// serveDebug serves the debug endpoint on l until l is closed.
func (s *Server) serveDebug(l net.Listener) {
	s.log.Info("debug endpoint", "addr", l.Addr().String(), "pprof", "/debug/pprof/")
	srv := &http.Server{Handler: s.debugHandler(), ReadHeaderTimeout: 5 * time.Second}
	_ = srv.Serve(l)
}

// debugHandler serves Go's profiles (net/http/pprof) under /debug/pprof/. The
// handlers are on a mux of their own: the ones net/http/pprof registers on
// http.DefaultServeMux are never served. The server's counts, and the runtime's
// figures that were once served here as /debug/vars, are metrics now (-metrics-
// addr), so that each number has one source.
func (s *Server) debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
