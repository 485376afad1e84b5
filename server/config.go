package server

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// DefaultPort is the port the server listens on unless told otherwise. Port 22 is
// left to the host's own sshd; deployments map public port 22 to this one.
const DefaultPort = 23234

// Config is everything the server needs to run. The zero value is not usable: start
// from DefaultConfig.
type Config struct {
	// Addr is the TCP address to listen on, "host:port".
	Addr string
	// HostKeyPEM is a private host key in PEM form (OpenSSH or PKCS#8). When set it
	// wins over HostKeyFile: a fleet of servers given the same key presents one
	// identity, so visitors never see "REMOTE HOST IDENTIFICATION HAS CHANGED".
	HostKeyPEM []byte
	// HostKeyFile is the private host key on disk. It is created (ed25519, mode
	// 0600, in a directory created with mode 0700) only when it does not exist; a
	// file that exists but cannot be read or parsed is an error and is never
	// replaced.
	HostKeyFile string
	// ShutdownGrace is how long Shutdown lets open sessions finish before it
	// closes them.
	ShutdownGrace time.Duration
	// Version is reported in the SSH identification string and the logs.
	Version string
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		Addr:          fmt.Sprintf("localhost:%d", DefaultPort),
		HostKeyFile:   DefaultHostKeyFile(),
		ShutdownGrace: 10 * time.Second,
		Version:       "dev",
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

// Validate reports the first thing wrong with c.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("address %q: %w", c.Addr, err)
	}
	if len(c.HostKeyPEM) == 0 && c.HostKeyFile == "" {
		return errors.New("no host key: set a host key file or SSHRESUME_HOST_KEY")
	}
	if c.ShutdownGrace < 0 {
		return fmt.Errorf("shutdown grace %v is negative", c.ShutdownGrace)
	}
	return nil
}
