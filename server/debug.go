package server

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"runtime/metrics"
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
	s.log.Info("debug endpoint", "addr", l.Addr().String(), "pprof", "/debug/pprof/", "vars", "/debug/vars")
	srv := &http.Server{Handler: s.debugHandler(), ReadHeaderTimeout: 5 * time.Second}
	_ = srv.Serve(l)
}

// debugHandler serves Go's profiles (net/http/pprof) under /debug/pprof/ and
// the server's counters as JSON under /debug/vars. The handlers are on a mux of
// their own: the ones net/http/pprof registers on http.DefaultServeMux are
// never served.
func (s *Server) debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/vars", s.debugVars)
	return mux
}

// DebugVars is what /debug/vars reports: the server's load and the Go
// runtime's figures that matter for it.
type DebugVars struct {
	Stats
	Goroutines int `json:"goroutines"`
	// The heap from runtime.MemStats: allocated (live and not yet collected),
	// in use, and obtained from the system.
	HeapAlloc uint64 `json:"heap_alloc_bytes"`
	HeapInuse uint64 `json:"heap_inuse_bytes"`
	HeapSys   uint64 `json:"heap_sys_bytes"`
	// Sys is all the memory the runtime obtained from the system.
	Sys          uint64 `json:"sys_bytes"`
	NumGC        uint32 `json:"num_gc"`
	GCPauseTotal uint64 `json:"gc_pause_total_ns"`
	// GOGC and GOMEMLIMIT as the runtime applies them (GOGC=off reads as 0;
	// no limit as the largest int64).
	GOGC       int   `json:"gogc"`
	MemLimit   int64 `json:"gomemlimit_bytes"`
	GOMAXPROCS int   `json:"gomaxprocs"`
}

func (s *Server) debugVars(w http.ResponseWriter, _ *http.Request) {
	v := DebugVars{Stats: s.Stats(), Goroutines: runtime.NumGoroutine(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	v.HeapAlloc, v.HeapInuse, v.HeapSys, v.Sys = ms.HeapAlloc, ms.HeapInuse, ms.HeapSys, ms.Sys
	v.NumGC, v.GCPauseTotal = ms.NumGC, ms.PauseTotalNs
	m := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() == metrics.KindUint64 {
		v.GOGC = int(m[0].Value.Uint64())
	}
	if m[1].Value.Kind() == metrics.KindUint64 {
		v.MemLimit = int64(min(m[1].Value.Uint64(), math.MaxInt64))
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
