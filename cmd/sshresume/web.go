package main

import (
	"context"
	"flag"
	"fmt"
	"net"

	"charm.land/log/v2"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/web"
)

// webOptions are serve's flags for the web door.
type webOptions struct {
	addr string
	cfg  web.Config
}

func addWebFlags(fs *flag.FlagSet) *webOptions {
	o := &webOptions{cfg: web.DefaultConfig()}
	fs.StringVar(&o.addr, "http-addr", "", "also serve the resume as a web page, with its downloads, over HTTP on this address, e.g. :8080 (empty: off)")
	fs.StringVar(&o.cfg.PublicHost, "public-host", "", "the host name visitors reach the server by, with :PORT when SSH is not on 22; the web page's ssh command and the commands the SSH side shows visitors (how to save the PDF) name it (empty: the web page takes the request's Host header, once checked to be a host name; the SSH side says HOST, or localhost on a loopback address)")
	fs.BoolVar(&o.cfg.TrustProxy, "http-trust-proxy", false, "take HTTP clients' addresses from the Fly-Client-IP header (only behind fly.io's proxy, which sets it)")
	fs.IntVar(&o.cfg.MaxConns, "http-max-conns", o.cfg.MaxConns, "HTTP connections open at once (0: no limit)")
	fs.IntVar(&o.cfg.MaxConnsPerIP, "http-max-conns-per-ip", o.cfg.MaxConnsPerIP, "HTTP connections open at once from one address; an IPv6 /64 counts as one; none behind -http-trust-proxy (0: no limit)")
	fs.Float64Var(&o.cfg.RatePerIP, "http-rate-per-ip", o.cfg.RatePerIP, fmt.Sprintf("HTTP requests a second from one address, after a burst of %d; more are answered 429 (0: no limit)", o.cfg.Burst))
	return o
}

// webDoor is the web door of a running serve: nil when -http-addr is empty.
type webDoor struct {
	srv    *web.Server
	served chan error
}

// startWeb listens on the web door's address and serves the resume there.
func startWeb(o *webOptions, r *content.Resume, logger *log.Logger) (*webDoor, error) {
	if o.addr == "" {
		return nil, nil
	}
	srv, err := web.New(o.cfg, r, logger)
	if err != nil {
		return nil, usageError{fmt.Errorf("web door: %w", err)}
	}
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, fmt.Errorf("listen http: %w", err)
	}
	d := &webDoor{srv: srv, served: make(chan error, 1)}
	go func() { d.served <- srv.Serve(l) }()
	return d, nil
}

// done delivers the error that ended the web door early; never when it is off.
func (d *webDoor) done() <-chan error {
	if d == nil {
		return nil
	}
	return d.served
}

func (d *webDoor) setResume(r *content.Resume) {
	if d != nil {
		d.srv.SetResume(r)
	}
}

func (d *webDoor) shutdown(ctx context.Context, logger *log.Logger) {
	if d == nil {
		return
	}
	if err := d.srv.Shutdown(ctx); err != nil {
		logger.Warn("shutdown", "err", err)
	}
}
