package web

import (
	"net/http"
	"time"
)

// ServeHTTP answers one request and logs it in one line.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.logRequests {
		s.serve(w, r, s.clientAddr(r))
		return
	}
	start := time.Now()
	addr := s.clientAddr(r)
	status, n, a := s.serve(w, r, addr)
	// The values are what the logger formats with the least work: keys it
	// takes as they are, and, for what the server itself sends, values made
	// once (the asset's path and size, the common statuses and methods).
	s.logger.Info("http",
		keyRemote, addr.String(),
		keyMethod, methodValue(r.Method),
		keyPath, pathValue(r.RequestURI, a),
		keyStatus, statusValue(status),
		keyBytes, bytesValue(n, a),
		keyDuration, time.Since(start),
		keyAgent, escape(r.UserAgent(), 200),
	)
}

// logKey is a field name of the request log line. charm log takes a
// fmt.Stringer key as it is, where it formats other keys with fmt.Sprint.
type logKey string

func (k logKey) String() string { return string(k) }

const (
	keyRemote   logKey = "remote"
	keyMethod   logKey = "method"
	keyPath     logKey = "path"
	keyStatus   logKey = "status"
	keyBytes    logKey = "bytes"
	keyDuration logKey = "duration"
	keyAgent    logKey = "agent"
)

// Log values in interfaces made once: a Go value converted to an interface
// is otherwise a heap allocation per request.
var (
	valueGET, valueHEAD                              any = http.MethodGet, http.MethodHead
	value200, value304, value404, value405, value429 any = 200, 304, 404, 405, 429
)

func methodValue(m string) any {
	switch m {
	case http.MethodGet:
		return valueGET
	case http.MethodHead:
		return valueHEAD
	}
	return escape(m, 16)
}

func statusValue(status int) any {
	switch status {
	case http.StatusOK:
		return value200
	case http.StatusNotModified:
		return value304
	case http.StatusNotFound:
		return value404
	case http.StatusMethodNotAllowed:
		return value405
	case http.StatusTooManyRequests:
		return value429
	}
	return status
}

// pathValue is the request's target as logged: the asset's path when it is
// exactly that, else the target escaped.
func pathValue(uri string, a *asset) any {
	if a != nil && a.path != "" && uri == a.path {
		return a.logPath
	}
	return escape(uri, 200)
}

// bytesValue is the body's size as logged: one of the asset's when it is.
func bytesValue(n int, a *asset) any {
	switch {
	case n == 0:
		return 0 // small integers need no allocation
	case a != nil && n == len(a.body):
		return a.logLen
	case a != nil && n == len(a.gz):
		return a.logGzLen
	}
	return n
}
