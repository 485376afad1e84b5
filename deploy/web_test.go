package deploy

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/web"
)

// httpPort is the port of the web door's address in an environment: the
// image's ENV or fly.toml's [env].
func httpPort(t *testing.T, environ map[string]string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(environ["SSHRESUME_HTTP_ADDR"])
	if n, perr := strconv.Atoi(port); err != nil || host != "" || perr != nil || n <= 0 {
		t.Fatalf("SSHRESUME_HTTP_ADDR=%q, want :PORT (all interfaces): the container serves the web door", environ["SSHRESUME_HTTP_ADDR"])
	}
	return port
}

// TestFlyWebService: HTTPS on 443 and a redirect on 80, both to the port the
// image serves HTTP on, with the visitor's address from the proxy's header
// and a health check of a page the server has.
func TestFlyWebService(t *testing.T) {
	c := loadFly(t)
	s := c.serviceWithPort(t, 443)
	port := httpPort(t, c.Env)
	if imagePort := httpPort(t, env(loadDockerfile(t).final())); imagePort != port {
		t.Errorf("fly.toml's SSHRESUME_HTTP_ADDR port %s, the image's %s", port, imagePort)
	}
	if strconv.Itoa(s.InternalPort) != port || s.Protocol != "tcp" {
		t.Errorf("web service: %s internal_port %d, want tcp to the web door's port %s", s.Protocol, s.InternalPort, port)
	}
	handlers := map[int][]string{}
	for _, p := range s.Ports {
		handlers[p.Port] = p.Handlers
		switch p.Port {
		case 80:
			if !p.ForceHTTPS {
				t.Error("port 80 without force_https: the page would be served over plain HTTP")
			}
		case 443:
			if p.ForceHTTPS {
				t.Error("force_https on 443")
			}
		default:
			t.Errorf("web service on port %d", p.Port)
		}
	}
	if len(handlers[80]) != 1 || handlers[80][0] != "http" || len(handlers[443]) != 2 || handlers[443][0] != "tls" || handlers[443][1] != "http" {
		t.Errorf("handlers %v, want 80: [http], 443: [tls http]", handlers)
	}
	// Behind the http handler every connection comes from the proxy: only
	// Fly-Client-IP tells visitors apart for the per-address rate.
	if trust, err := strconv.ParseBool(c.Env["SSHRESUME_HTTP_TRUST_PROXY"]); err != nil || !trust {
		t.Errorf("SSHRESUME_HTTP_TRUST_PROXY=%q behind fly.io's http handler, want 1", c.Env["SSHRESUME_HTTP_TRUST_PROXY"])
	}
	if cc := s.Concurrency; cc.Type != "requests" || cc.SoftLimit <= 0 || cc.SoftLimit > cc.HardLimit {
		t.Errorf("concurrency %+v, want requests with 0 < soft ≤ hard", cc)
	}
	if stop, ok := s.AutoStopMachines.(string); !ok || stop != "off" || s.MinMachinesRunning < 1 {
		t.Errorf("auto_stop_machines %v, min_machines_running %d: the SSH service keeps machines running, and this one must agree", s.AutoStopMachines, s.MinMachinesRunning)
	}
	if len(s.HTTPChecks) == 0 {
		t.Fatal("no http_checks on the web service")
	}
	for _, check := range s.HTTPChecks {
		interval, ierr := time.ParseDuration(check.Interval)
		timeout, terr := time.ParseDuration(check.Timeout)
		if ierr != nil || terr != nil || timeout >= interval || check.Protocol != "http" || check.Method != "GET" {
			t.Errorf("http_check %+v: want GET over http, with a timeout shorter than the interval", check)
		}
		if status := webStatus(t, check.Path); status != http.StatusOK {
			t.Errorf("http_check path %q: the web door answers %d", check.Path, status)
		}
	}
}

// webStatus asks the real web door for path, as fly.io's checker would.
func webStatus(t *testing.T, path string) int {
	t.Helper()
	r, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.DefaultConfig(), r, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + l.Addr().String() + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
