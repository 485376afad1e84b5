package server

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/sshresume/sshresume/server/internal/defence"
)

// DefaultPort is the port the server listens on unless told otherwise. Port 22 is
// left to the host's own sshd; deployments map public port 22 to this one.
const DefaultPort = 23234

// DefaultAddr is the address the server listens on unless told otherwise: this
// host only, on DefaultPort.
const DefaultAddr = "localhost:23234"

// defaultMaxConnsPerIP is DefaultConfig's MaxConnsPerIP, and the burst of the
// per-address rate when MaxConnsPerIP is 0 (no cap).
const defaultMaxConnsPerIP = defence.DefaultMaxConnsPerIP

// Config is everything the server needs to run. The zero value is not usable: start
// from DefaultConfig.
type Config struct {
	// Addr is the TCP address to listen on, "host:port"; the caller listens
	// and passes the listener to Serve.
	Addr string
	// HostKeyPEM is a private host key in PEM form (OpenSSH or PKCS#8). When set it
	// wins over HostKeyFile: a fleet of servers given the same key presents one
	// identity, so visitors never see "REMOTE HOST IDENTIFICATION HAS CHANGED".
	HostKeyPEM []byte
	// HostKeyFile is the private host key on disk. It is created (ed25519, mode
	// 0600, in a directory created with mode 0700) only when it does not exist; a
	// file that exists but cannot be read or parsed is an error and is never
	// replaced, and so is one another user could read or replace (by its mode,
	// its owner, or its directory's), as sshd refuses an unprotected key.
	HostKeyFile string
	// ShutdownGrace is how long open sessions may finish after a shutdown
	// begins: the timeout of the context the caller gives Shutdown.
	ShutdownGrace time.Duration
	// Version is reported in the logs. The SSH identification is always
	// "SSH-2.0-sshresume": scanners need not learn which version runs.
	Version string

	// HandshakeTimeout bounds the time from TCP connect to a finished SSH
	// handshake, and the time a connection may stay open without a running
	// session. First-time visitors confirm the host key during the handshake, so
	// it leaves time for a person to read a fingerprint and type "yes".
	HandshakeTimeout time.Duration
	// IdleTimeout closes a session after this long without input from the
	// visitor (keys, mouse, window changes) and, for exports, without output
	// making progress. The visitor is warned shortly before. Zero disables it.
	IdleTimeout time.Duration
	// MaxSession is the longest a connection may last, whatever it does. Zero
	// disables it.
	MaxSession time.Duration
	// MaxConns caps the TCP connections open at once, counted from accept, so
	// that a flood cannot exhaust file descriptors or memory. Zero disables it.
	MaxConns int
	// MaxConnsPerIP caps the connections open at once from one client address.
	// An IPv6 /64 counts as one address; a /56 may hold twice as many, a /48
	// four times (the same multiples apply to ConnRatePerIP and
	// MaxSessionlessPerIP). Each address may also send at most 8 KiB/s over
	// all its connections, which bounds the CPU it can cost. Zero disables
	// both.
	MaxConnsPerIP int
	// MaxSessionless caps the connections that have no running session (in
	// their handshake, or after it without a session), a pool smaller than
	// MaxConns so that connections holding slots without a session cannot
	// keep visitors out: when it is full, or MaxConns is reached, a newcomer
	// takes the place of the oldest of them (from the address holding the
	// most). Zero: no pool of their own, but still evicted at MaxConns.
	MaxSessionless int
	// MaxSessionlessPerIP caps the connections without a running session
	// from one address. Zero disables it.
	MaxSessionlessPerIP int
	// ConnRatePerIP is how many new connections per minute one client address
	// may open, after a burst of MaxConnsPerIP (of 10 when MaxConnsPerIP is
	// zero). Zero disables it.
	ConnRatePerIP int
	// ProxyProtocol requires every connection to start with a PROXY protocol
	// header (v1 or v2), as load balancers send it, and takes the client's
	// address from it for limits and logs. Only turn it on when every
	// connection comes through such a proxy: the header is believed.
	ProxyProtocol bool
	// DebugAddr, when set, is a loopback address ("127.0.0.1:6060") on which
	// Serve also serves Go's profiles (/debug/pprof/), for measuring the
	// running server. Any other
	// address is refused: the endpoint has no authentication. Empty: off.
	DebugAddr string
	// MetricsAddr, when set, is the address ("host:port") on which Serve also
	// serves the Prometheus metrics at /metrics (package metrics: nothing in
	// them comes from a visitor). Empty: off, nothing listens.
	MetricsAddr string
	// PublicHost is the name visitors reach the server by, with ":PORT" when
	// SSH is not on port 22 ("resume.example.com"): the commands the server
	// shows visitors (how to save the PDF) name it. Empty: those commands say
	// "localhost" with the port when the server listens on a loopback
	// address, and "HOST" otherwise.
	PublicHost string
	// Renderer draws the TUI's frames: RendererEvent (a frame as soon as the
	// view changes, nothing while it does not) or RendererBubbleTea (Bubble
	// Tea's own renderer, a frame on each tick of its 60 fps ticker). Empty
	// means RendererEvent.
	Renderer string
}

// The renderers Config.Renderer names.
const (
	RendererEvent     = "event"
	RendererBubbleTea = "bubbletea"
)

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		Addr:          DefaultAddr,
		HostKeyFile:   DefaultHostKeyFile(),
		ShutdownGrace: 10 * time.Second,
		Version:       "dev",

		HandshakeTimeout: 60 * time.Second,
		IdleTimeout:      10 * time.Minute,
		MaxSession:       time.Hour,
		MaxConns:         500,
		MaxConnsPerIP:    defaultMaxConnsPerIP,
		ConnRatePerIP:    30,

		MaxSessionless:      100,
		MaxSessionlessPerIP: 5,
		Renderer:            RendererEvent,
	}
}

// DefaultHostKeyFile is where the host key lives when no file is named: the user's
// state directory ($XDG_STATE_HOME, else ~/.local/state), so that a key generated
// on the first run survives rebuilds and is not written into a source tree.
func DefaultHostKeyFile() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return filepath.Join(".sshresume", "ssh_host_ed25519_key")
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "sshresume", "ssh_host_ed25519_key")
}

// ErrNoHostKey is the error of a Config with neither a host key PEM nor a key
// file.
var ErrNoHostKey = errors.New("no host key")

// ErrHostKeyPEM is the error of a host key PEM that does not parse.
var ErrHostKeyPEM = errors.New("parse host key PEM")

// Validate reports the first thing wrong with c.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("address %q: %w", c.Addr, err)
	}
	if len(c.HostKeyPEM) == 0 && c.HostKeyFile == "" {
		return ErrNoHostKey
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"shutdown grace", c.ShutdownGrace},
		{"idle timeout", c.IdleTimeout},
		{"max session", c.MaxSession},
	} {
		if d.v < 0 {
			return fmt.Errorf("%s %v is negative", d.name, d.v)
		}
	}
	if c.HandshakeTimeout <= 0 {
		// Without it a connection that never finishes the handshake would hold
		// its slot forever.
		return fmt.Errorf("handshake timeout %v must be positive", c.HandshakeTimeout)
	}
	switch c.Renderer {
	case "", RendererEvent, RendererBubbleTea:
	default:
		return fmt.Errorf("renderer %q: use %s or %s", c.Renderer, RendererEvent, RendererBubbleTea)
	}
	if c.DebugAddr != "" {
		if _, err := debugAddr(c.DebugAddr); err != nil {
			return err
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("metrics address %q: %w", c.MetricsAddr, err)
		}
	}
	for _, n := range []struct {
		name string
		v    int
	}{
		{"max conns", c.MaxConns},
		{"max conns per IP", c.MaxConnsPerIP},
		{"conn rate per IP", c.ConnRatePerIP},
		{"max sessionless", c.MaxSessionless},
		{"max sessionless per IP", c.MaxSessionlessPerIP},
	} {
		if n.v < 0 {
			return fmt.Errorf("%s %d is negative", n.name, n.v)
		}
	}
	return nil
}
