package deploy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/sshresume/sshresume/server"
)

// flyConfig is the part of fly.toml's schema that this repository uses. A key
// outside it fails the tests: it is either a typo flyctl would ignore or a
// setting that needs a check here.
type flyConfig struct {
	App           string `toml:"app"`
	PrimaryRegion string `toml:"primary_region"`
	KillSignal    string `toml:"kill_signal"`
	KillTimeout   any    `toml:"kill_timeout"` // seconds, or a duration string
	Build         struct {
		Dockerfile string `toml:"dockerfile"`
	} `toml:"build"`
	Env      map[string]string `toml:"env"`
	VM       []flyVM           `toml:"vm"`
	Services []flyService      `toml:"services"`
	Mounts   any               `toml:"mounts"`
}

type flyVM struct {
	Size   string `toml:"size"`
	Memory string `toml:"memory"`
}

type flyService struct {
	Protocol           string `toml:"protocol"`
	InternalPort       int    `toml:"internal_port"`
	AutoStopMachines   any    `toml:"auto_stop_machines"` // "off", "stop", "suspend"; once a bool
	AutoStartMachines  bool   `toml:"auto_start_machines"`
	MinMachinesRunning int    `toml:"min_machines_running"`
	Ports              []struct {
		Port              int      `toml:"port"`
		Handlers          []string `toml:"handlers"`
		ForceHTTPS        bool     `toml:"force_https"`
		ProxyProtoOptions struct {
			Version string `toml:"version"`
		} `toml:"proxy_proto_options"`
	} `toml:"ports"`
	Concurrency struct {
		Type      string `toml:"type"`
		SoftLimit int    `toml:"soft_limit"`
		HardLimit int    `toml:"hard_limit"`
	} `toml:"concurrency"`
	TCPChecks []struct {
		GracePeriod string `toml:"grace_period"`
		Interval    string `toml:"interval"`
		Timeout     string `toml:"timeout"`
	} `toml:"tcp_checks"`
	HTTPChecks []struct {
		GracePeriod string `toml:"grace_period"`
		Interval    string `toml:"interval"`
		Timeout     string `toml:"timeout"`
		Method      string `toml:"method"`
		Path        string `toml:"path"`
		Protocol    string `toml:"protocol"`
	} `toml:"http_checks"`
}

func loadFly(t *testing.T) flyConfig {
	t.Helper()
	var c flyConfig
	md, err := toml.DecodeFile("../fly.toml", &c)
	if err != nil {
		t.Fatalf("fly.toml: %v", err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		t.Errorf("fly.toml has keys this test does not know: %q", keys)
	}
	return c
}

// service is fly.toml's SSH service, the one with public port 22; the other is
// the web door's (httpService).
func (c flyConfig) service(t *testing.T) flyService {
	t.Helper()
	return c.serviceWithPort(t, 22)
}

func (c flyConfig) serviceWithPort(t *testing.T, port int) flyService {
	t.Helper()
	if len(c.Services) != 2 {
		t.Fatalf("fly.toml has %d services, want 2: SSH and the web door", len(c.Services))
	}
	for _, s := range c.Services {
		for _, p := range s.Ports {
			if p.Port == port {
				return s
			}
		}
	}
	t.Fatalf("no service in fly.toml has the public port %d", port)
	return flyService{}
}

// serverConfig is the server's configuration on fly.io: the defaults, with
// the limits fly.toml's [env] sets.
func (c flyConfig) serverConfig(t *testing.T) server.Config {
	t.Helper()
	cfg := server.DefaultConfig()
	if v, ok := c.Env["SSHRESUME_SHUTDOWN_GRACE"]; ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SSHRESUME_SHUTDOWN_GRACE=%q: %v", v, err)
		}
		cfg.ShutdownGrace = d
	}
	for name, field := range map[string]*int{"SSHRESUME_MAX_CONNS": &cfg.MaxConns, "SSHRESUME_MAX_SESSIONLESS": &cfg.MaxSessionless} {
		if v, ok := c.Env[name]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("%s=%q: %v", name, v, err)
			}
			*field = n
		}
	}
	return cfg
}

func TestFlyService(t *testing.T) {
	c := loadFly(t)
	if c.App == "" || c.PrimaryRegion == "" {
		t.Error("fly.toml needs app and primary_region")
	}
	if c.Build.Dockerfile != "Dockerfile" {
		t.Errorf("[build] dockerfile = %q, want the repository's Dockerfile", c.Build.Dockerfile)
	}
	s := c.service(t)
	if s.Protocol != "tcp" {
		t.Errorf("service protocol %q, want tcp", s.Protocol)
	}
	if s.InternalPort != server.DefaultPort {
		t.Errorf("internal_port = %d, want the server's port %d (the image's SSHRESUME_ADDR)", s.InternalPort, server.DefaultPort)
	}
	if len(s.Ports) != 1 || s.Ports[0].Port != 22 {
		t.Fatalf("service ports %+v, want exactly port 22", s.Ports)
	}
	for _, h := range s.Ports[0].Handlers {
		if h != "proxy_proto" {
			t.Errorf("port 22 handler %q: only proxy_proto keeps the SSH stream intact", h)
		}
	}
	// Cold starts would make a visitor's first ssh wait.
	if stop, ok := s.AutoStopMachines.(string); ok && stop != "off" || s.AutoStopMachines == true {
		t.Errorf("auto_stop_machines = %v, want \"off\"", s.AutoStopMachines)
	}
	if s.MinMachinesRunning < 1 {
		t.Errorf("min_machines_running = %d, want at least 1", s.MinMachinesRunning)
	}
	if len(s.TCPChecks) == 0 {
		t.Error("no tcp_checks: fly.io would route visitors to a machine that does not listen")
	}
	for _, check := range s.TCPChecks {
		interval, ierr := time.ParseDuration(check.Interval)
		timeout, terr := time.ParseDuration(check.Timeout)
		_, gerr := time.ParseDuration(check.GracePeriod)
		if ierr != nil || terr != nil || gerr != nil || timeout >= interval {
			t.Errorf("tcp_check %+v: want grace_period, interval and a shorter timeout", check)
		}
	}
}

// Fly's proxy sends the header only with the proxy_proto handler, and the
// server then requires it: one without the other locks every visitor out (or
// lets the proxy's address stand for all of them).
func TestFlyProxyProtocolPairedWithServer(t *testing.T) {
	c := loadFly(t)
	port := c.service(t).Ports
	if len(port) == 0 {
		t.Fatal("no ports")
	}
	handler := slices.Contains(port[0].Handlers, "proxy_proto")
	v, set := c.Env["SSHRESUME_PROXY_PROTOCOL"]
	required := false
	if set {
		var err error
		if required, err = strconv.ParseBool(v); err != nil {
			t.Fatalf("SSHRESUME_PROXY_PROTOCOL=%q is not a boolean", v)
		}
	}
	if handler != required {
		t.Errorf("proxy_proto handler %v but SSHRESUME_PROXY_PROTOCOL=%q: switch both on or both off", handler, v)
	}
	if !handler {
		t.Error("without the PROXY protocol every visitor has the proxy's address, and one visitor's limits throttle all")
	}
	if ver := port[0].ProxyProtoOptions.Version; handler && ver != "v1" && ver != "v2" {
		t.Errorf("proxy_proto_options version %q, want v1 or v2", ver)
	}
}

// Every machine in every region presents the one key from the
// SSHRESUME_HOST_KEY secret: none from the image, a volume or a key file.
func TestFlyHostKeyOnlyFromSecret(t *testing.T) {
	c := loadFly(t)
	if _, ok := c.Env["SSHRESUME_HOST_KEY"]; ok {
		t.Error("[env] sets SSHRESUME_HOST_KEY: it is in fly.toml for everyone to read; use fly secrets set")
	}
	// A volume belongs to one machine: a key on it would differ per machine.
	if c.Mounts != nil {
		t.Errorf("fly.toml has [mounts] %v: the host key comes from the secret, and nothing else is stored", c.Mounts)
	}
	// An empty key file name means no key file: a machine without the secret
	// refuses to start instead of making up a key of its own.
	if v, ok := c.Env["SSHRESUME_HOST_KEY_FILE"]; !ok || v != "" {
		t.Errorf("[env] SSHRESUME_HOST_KEY_FILE is %q (set: %v), want it set to \"\"", v, ok)
	}
}

// Every SSHRESUME_ variable in [env] is one the server reads: a misspelt one
// would be ignored without a word.
func TestFlyEnvNamesExist(t *testing.T) {
	c := loadFly(t)
	known := envNames(t, "serve")
	known["SSHRESUME_HOST_KEY"] = true // read by serve, not a flag
	for name := range c.Env {
		if strings.HasPrefix(name, "SSHRESUME_") && !known[name] {
			t.Errorf("[env] %s: sshresume serve reads no such variable", name)
		}
	}
}

func TestFlyShutdown(t *testing.T) {
	c := loadFly(t)
	if !handledSignals[c.KillSignal] {
		t.Errorf("kill_signal = %q, want one the server handles: SIGTERM or SIGINT (fly.io's default is SIGINT)", c.KillSignal)
	}
	timeout, err := flyDuration(c.KillTimeout)
	if err != nil {
		t.Fatalf("kill_timeout: %v", err)
	}
	// The server may use its whole grace to end sessions cleanly; killed
	// before that, visitors lose their session without the restart notice.
	grace := c.serverConfig(t).ShutdownGrace
	if timeout <= grace || timeout > 300*time.Second {
		t.Errorf("kill_timeout = %v, want more than the shutdown grace %v, and at most fly.io's 300s", timeout, grace)
	}
}

// flyDuration reads a fly.toml duration: an integer of seconds or a string.
func flyDuration(v any) (time.Duration, error) {
	switch v := v.(type) {
	case int64:
		return time.Duration(v) * time.Second, nil
	case string:
		return time.ParseDuration(v)
	}
	return 0, fmt.Errorf("%v (%T): want seconds or a duration", v, v)
}

// worstConnBytes is the most memory one connection can hold, from the
// README's Security section: a session at the largest window (320×160)
// receiving keys, 12.8 MiB live, plus its two channels' full inboxes (2 × 64
// KiB) and the connection's SSH state and goroutines (about 0.5 MiB).
const worstConnBytes = 13<<20 + 512<<10

func TestFlyLimits(t *testing.T) {
	c := loadFly(t)
	s := c.service(t)
	cc := s.Concurrency
	if cc.Type != "connections" {
		t.Errorf("concurrency type %q, want connections: one SSH visitor is one connection", cc.Type)
	}
	cfg := c.serverConfig(t)
	maxConns := cfg.MaxConns
	// The proxy counts every connection, with or without a session: the
	// server's pool of connections without a session (which newcomers evict
	// from) must leave room under hard_limit for running sessions.
	if cfg.MaxSessionless <= 0 || cfg.MaxSessionless > cc.HardLimit/2 {
		t.Errorf("SSHRESUME_MAX_SESSIONLESS %d, hard_limit %d: want at most half of hard_limit", cfg.MaxSessionless, cc.HardLimit)
	}
	// The proxy stops at hard_limit, before the server would refuse visitors
	// itself, and leaves it room for health checks.
	if cc.SoftLimit <= 0 || cc.SoftLimit > cc.HardLimit || maxConns > 0 && cc.HardLimit >= maxConns {
		t.Errorf("soft_limit %d, hard_limit %d, server max conns %d: want 0 < soft ≤ hard < max conns", cc.SoftLimit, cc.HardLimit, maxConns)
	}
	if maxConns <= 0 {
		t.Fatal("no connection limit on fly.io")
	}

	if len(c.VM) != 1 {
		t.Fatalf("fly.toml has %d [[vm]] sections, want 1", len(c.VM))
	}
	memory, err := flyMemory(c.VM[0].Memory)
	if err != nil {
		t.Fatalf("[[vm]] memory: %v", err)
	}
	limit, err := goMemLimit(c.Env["GOMEMLIMIT"])
	if err != nil {
		t.Fatalf("GOMEMLIMIT: %v", err)
	}
	if limit >= memory {
		t.Errorf("GOMEMLIMIT %d MiB, want less than the machine's %d MiB", limit>>20, memory>>20)
	}
	if need := int64(maxConns) * worstConnBytes; need > limit {
		t.Errorf("%d connections may hold %d MiB, more than GOMEMLIMIT %d MiB: lower SSHRESUME_MAX_CONNS or add memory", maxConns, need>>20, limit>>20)
	}
}

// flyMemory reads [[vm]] memory: "512mb", "1gb", or a number of megabytes.
func flyMemory(s string) (int64, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	unit := int64(1 << 20)
	switch {
	case strings.HasSuffix(v, "gb"):
		v, unit = strings.TrimSuffix(v, "gb"), 1<<30
	case strings.HasSuffix(v, "mb"):
		v = strings.TrimSuffix(v, "mb")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q: want a size such as 1gb", s)
	}
	return n * unit, nil
}

// goMemLimit reads GOMEMLIMIT as the Go runtime does: bytes, or a number with
// B, KiB, MiB, GiB or TiB.
func goMemLimit(s string) (int64, error) {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				break
			}
			return n << u.shift, nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	return 0, fmt.Errorf("%q: want a size such as 768MiB", s)
}
