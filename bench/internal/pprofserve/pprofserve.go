// Package pprofserve serves Go's profiling endpoints (net/http/pprof) on a
// loopback address, for the benchmark servers under bench/.
package pprofserve

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// Listen serves /debug/pprof/ on addr, which must be a loopback address, until
// the process exits. It returns once the listener is open.
func Listen(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("pprof address %q: a loopback address is required", addr)
	}
	// A mux of its own: importing net/http/pprof for its side effect would
	// register the handlers on http.DefaultServeMux of the whole program.
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof listen: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return nil
}
