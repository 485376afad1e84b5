// Package web is sshresume's door for browsers: one HTML page of the resume,
// which also tells the visitor how to reach it over SSH, and the downloads of the
// same exports the SSH side serves, all built from one loaded content.Resume.
//
// Everything a request can receive is rendered, compressed and tagged once per
// loaded resume (New, SetResume); a request picks prepared bytes. The server
// bounds what clients can take: timeouts on every phase of a request, a cap on
// header bytes, a cap on open connections (in total and, when clients connect
// directly, per address) and a request rate per address.
package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/log/v2"

	"github.com/sshresume/sshresume/content"
)

// Config is the web door's configuration. DefaultConfig gives working values.
type Config struct {
	// PublicHost is the name visitors reach the server by, with the SSH port
	// when it is not 22 ("resume.example.com", "resume.example.com:2222"). The
	// page's ssh command names it; when empty, the request's Host header is
	// used once it is checked to be a valid host name.
	PublicHost string
	// TrustProxy takes the client's address from the Fly-Client-IP header that
	// fly.io's proxy sets. Only behind that proxy: anyone else can send the
	// header. With it, connections all come from the proxy, so there is no
	// per-address connection cap; the request rate per address remains.
	TrustProxy bool

	// ReadHeaderTimeout bounds the time to read a request's headers (slow
	// clients holding connections open), ReadTimeout the whole request,
	// WriteTimeout the response and IdleTimeout a kept-alive connection
	// between requests.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// MaxHeaderBytes bounds the size of a request's headers.
	MaxHeaderBytes int
	// MaxConns caps the connections open at once (0: no cap); MaxConnsPerIP
	// caps them per address, an IPv6 /64 counting as one (0: no cap).
	MaxConns      int
	MaxConnsPerIP int
	// RatePerIP is the requests a second one address may make after a burst of
	// Burst requests (0: no limit). Requests over it are answered 429.
	RatePerIP float64
	Burst     int

	// Served, when set, hears of every request answered with the page or an
	// export (200 or 304): export is the export's name ("json", "pdf", ...),
	// "" for the page. The metrics count web visitors through it; web
	// imports nothing of the server's.
	Served func(export string)
}

// DefaultConfig returns the configuration sshresume serve starts from.
func DefaultConfig() Config {
	return Config{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      20 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    8 << 10,
		MaxConns:          512,
		MaxConnsPerIP:     32,
		RatePerIP:         10,
		Burst:             40,
	}
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if c.PublicHost != "" {
		if err := ParsePublicHost(c.PublicHost); err != nil {
			return fmt.Errorf("public host: %w", err)
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read header timeout", c.ReadHeaderTimeout}, {"read timeout", c.ReadTimeout}, {"write timeout", c.WriteTimeout}, {"idle timeout", c.IdleTimeout}} {
		if d.v <= 0 {
			return fmt.Errorf("%s %v: must be positive", d.name, d.v)
		}
	}
	switch {
	case c.MaxHeaderBytes < 1024:
		return fmt.Errorf("max header bytes %d: at least 1024", c.MaxHeaderBytes)
	case c.MaxConns < 0 || c.MaxConnsPerIP < 0:
		return errors.New("connection caps: must not be negative")
	case c.RatePerIP < 0:
		return fmt.Errorf("rate per address %v: must not be negative", c.RatePerIP)
	case c.RatePerIP > 0 && c.Burst < 1:
		return fmt.Errorf("burst %d: at least 1 when the rate is limited", c.Burst)
	}
	return nil
}

// Server is the web door. Its methods are safe for concurrent use.
type Server struct {
	cfg    Config
	public sshHost
	logger *log.Logger
	site   atomic.Pointer[site]
	rate   *rateLimiter
	hs     *http.Server
	conns  *connLimiter
	// logRequests is whether the logger's level lets request lines through,
	// read once in New: a request the level filters out costs no formatting.
	logRequests bool
}

// New returns a server for the resume; Serve starts it. A nil logger logs
// nothing.
func New(cfg Config, r *content.Resume, logger *log.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = log.New(io.Discard)
	}
	public, _ := parsePublicHost(cfg.PublicHost) // validated; zero when empty
	s := &Server{cfg: cfg, public: public, logger: logger, logRequests: logger.GetLevel() <= log.InfoLevel}
	s.rate = newRateLimiter(cfg.RatePerIP, cfg.Burst)
	perIP := cfg.MaxConnsPerIP
	if cfg.TrustProxy {
		perIP = 0 // every connection comes from the proxy
	}
	s.conns = newConnLimiter(cfg.MaxConns, perIP, logger)
	s.hs = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		// net/http reports what it refuses itself (malformed requests are
		// answered 400 without reaching the handler) through this logger.
		ErrorLog: logger.StandardLog(log.StandardLogOptions{ForceLevel: log.DebugLevel}),
	}
	s.SetResume(r)
	return s, nil
}

// SetResume serves r from the next request on: its page and downloads are
// built here, once.
func (s *Server) SetResume(r *content.Resume) { s.site.Store(newSite(r, s.public)) }

// Serve answers HTTP requests on l until Shutdown; it then returns nil.
func (s *Server) Serve(l net.Listener) error {
	s.logger.Info("web door listening", "addr", l.Addr().String())
	err := s.hs.Serve(s.conns.wrap(l))
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, closes idle ones and waits for the
// requests in progress until ctx ends; then it closes the rest.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.hs.Shutdown(ctx)
	if err != nil {
		_ = s.hs.Close()
		return fmt.Errorf("web shutdown: %w", err)
	}
	return nil
}

// Header values set on every response, as slices so that each request only
// stores them (net/http's canonical keys).
var (
	hdrCSP            = []string{contentSecurityPolicy}
	hdrNosniff        = []string{"nosniff"}
	hdrReferrer       = []string{"no-referrer"}
	hdrNoCache        = []string{"no-cache"}
	hdrVary           = []string{"Accept-Encoding"}
	hdrGzip           = []string{"gzip"}
	hdrAllow          = []string{"GET, HEAD"}
	hdrTextPlain      = []string{"text/plain; charset=utf-8"}
	hdrConnectionNone = []string{"close"}
)

// serve answers the request; it returns the status, the body's size and the
// asset sent, if any.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, addr netip.Addr) (status, n int, a *asset) {
	h := w.Header()
	h["Content-Security-Policy"] = hdrCSP
	h["X-Content-Type-Options"] = hdrNosniff
	h["Referrer-Policy"] = hdrReferrer
	if ok, retry := s.rate.allow(addr); !ok {
		h["Retry-After"] = []string{strconv.Itoa(retry)}
		if !s.cfg.TrustProxy {
			// A client over its rate gets no more of this connection; behind
			// the proxy, the connection carries other visitors too.
			h["Connection"] = hdrConnectionNone
		}
		status, n = plain(w, r, http.StatusTooManyRequests, "Too many requests from your address; please wait a moment.\n")
		return status, n, nil
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h["Allow"] = hdrAllow
		status, n = plain(w, r, http.StatusMethodNotAllowed, "Only GET and HEAD are served here.\n")
		return status, n, nil
	}
	st := s.site.Load()
	status = http.StatusOK
	switch p := r.URL.Path; p {
	case "/":
		a = st.page(r.Host)
	default:
		if a = st.files[p]; a == nil {
			a, status = st.notFound, http.StatusNotFound
		}
	}
	status, n = send(w, r, a, status)
	if a.counted && s.cfg.Served != nil {
		s.cfg.Served(a.export)
	}
	return status, n, a
}

// send writes an asset: gzipped when the client accepts it, 304 when its tag
// matches If-None-Match, no body for HEAD.
func send(w http.ResponseWriter, r *http.Request, a *asset, status int) (int, int) {
	h := w.Header()
	body, etag, hdrETag, hdrLen := a.body, a.etag, a.hdrETag, a.hdrLen
	if a.gz != nil {
		h["Vary"] = hdrVary
		if acceptsGzip(r.Header["Accept-Encoding"]) {
			body, etag, hdrETag, hdrLen = a.gz, a.gzETag, a.hdrGzETag, a.hdrGzLen
			h["Content-Encoding"] = hdrGzip
		}
	}
	if status == http.StatusOK {
		h["Etag"] = hdrETag
		h["Cache-Control"] = hdrNoCache
		if inm := r.Header["If-None-Match"]; len(inm) > 0 && etagMatch(inm, etag) {
			w.WriteHeader(http.StatusNotModified)
			return http.StatusNotModified, 0
		}
	}
	h["Content-Type"] = a.hdrType
	if a.hdrDisposition != nil {
		h["Content-Disposition"] = a.hdrDisposition
	}
	h["Content-Length"] = hdrLen
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return status, 0
	}
	n, _ := w.Write(body)
	return status, n
}

// plain writes a short text answer for a refused request.
func plain(w http.ResponseWriter, r *http.Request, status int, msg string) (int, int) {
	h := w.Header()
	h["Content-Type"] = hdrTextPlain
	h["Content-Length"] = []string{strconv.Itoa(len(msg))}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return status, 0
	}
	n, _ := w.Write([]byte(msg))
	return status, n
}

// acceptsGzip reports whether Accept-Encoding values allow gzip: named (or *)
// without q=0.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for rest := v; rest != ""; {
			var item string
			item, rest, _ = strings.Cut(rest, ",")
			coding, params, _ := strings.Cut(item, ";")
			coding = strings.TrimSpace(coding)
			if !strings.EqualFold(coding, "gzip") && !strings.EqualFold(coding, "x-gzip") && coding != "*" {
				continue
			}
			q := 1.0
			if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
			return q > 0
		}
	}
	return false
}

// etagMatch implements If-None-Match's weak comparison (RFC 9110 §13.1.2): any
// listed tag, W/ or not, equal to etag, or "*".
func etagMatch(values []string, etag string) bool {
	for _, v := range values {
		for rest := v; rest != ""; {
			var t string
			t, rest, _ = strings.Cut(rest, ",")
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
	}
	return false
}

// clientAddr is the address requests are counted and logged by: the
// connection's, or behind a trusted proxy the one it reports.
func (s *Server) clientAddr(r *http.Request) netip.Addr {
	if s.cfg.TrustProxy {
		if v := r.Header.Get("Fly-Client-IP"); v != "" {
			if a, err := netip.ParseAddr(strings.TrimSpace(v)); err == nil {
				return a.Unmap().WithZone("")
			}
		}
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// escape makes a client's string safe for a log line: at most max bytes, in
// printable ASCII with Go escapes for the rest, so a header cannot forge lines
// or hide text.
func escape(s string, max int) string {
	plain := len(s) <= max
	for i := 0; plain && i < len(s); i++ {
		plain = s[i] >= ' ' && s[i] < 0x7f && s[i] != '"' && s[i] != '\\'
	}
	if plain {
		return s
	}
	if len(s) > max {
		cut := max
		for cut > 0 && cut < len(s) && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	q := strconv.QuoteToASCII(s)
	return q[1 : len(q)-1]
}
