package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server"
)

func TestPTYSessionShowsResumeAndNavigates(t *testing.T) {
	ts := startServer(t, testConfig(t))
	tm := ts.openTerminal(t, "xterm-256color", 80, 24, "")

	// The first screen's at-a-glance card names the current employer, but
	// the work entry's text comes only with its section.
	first := tm.WaitFor("Tianhao Wu", "Current Interest", "At present, my research focuses", "TikTok Inc")
	if strings.Contains(first, "Data-US team") {
		t.Fatalf("work experience shown before switching to it:\n%s", first)
	}
	tm.send("l") // next section
	tm.WaitFor("Data-US team", "Sep 2023 – Present")
	tm.send("3") // jump to the third section
	tm.WaitFor("Starling-7B", "Blog post: https://starling.cs.berkeley.edu/")
	tm.send("q")
	if status := tm.waitExit(); status != 0 {
		t.Errorf("exit status after q = %d, want 0", status)
	}
	if !strings.Contains(tm.Raw(), "\x1b[?1049h") {
		t.Error("the TUI did not switch to the alternate screen")
	}
}

func TestPTYSessionFollowsWindowChanges(t *testing.T) {
	ts := startServer(t, testConfig(t))
	tm := ts.openTerminal(t, "xterm-256color", 80, 24, "")
	tm.WaitFor("Current Interest")
	tm.resize(30, 10)
	tm.WaitFor("Window too small", "30×10")
	tm.resize(120, 40)
	// The wide layout lists every section beside the text.
	tm.WaitFor("1 Current Interest", "5 Awards and Honors", "At present")
}

func TestDeepLinkOpensSection(t *testing.T) {
	ts := startServer(t, testConfig(t))
	tm := ts.openTerminal(t, "xterm-256color", 100, 30, "research")
	tm.WaitFor("Starling-7B")
}

func TestLogsConnectAndDisconnect(t *testing.T) {
	ts := startServer(t, testConfig(t))
	ts.exec(t, "text")
	tm := ts.openTerminal(t, "xterm", 80, 24, "")
	tm.WaitFor(visitorName)
	tm.send("q")
	tm.waitExit()

	// lines returns the log lines of one event, once there are n of them.
	lines := func(event string, n int) []string {
		t.Helper()
		var found []string
		if !testkit.Poll(func() bool {
			found = nil
			for _, line := range strings.Split(ts.logs.String(), "\n") {
				if f := strings.Fields(line); len(f) > 1 && f[0] == "INFO" && f[1] == event {
					found = append(found, line)
				}
			}
			return len(found) >= n
		}) {
			t.Fatalf("%d %q lines in the log, want %d:\n%s", len(found), event, n, ts.logs.String())
		}
		return found
	}
	connects := lines("connect", 2)
	for i, want := range [][]string{
		{"remote=127.0.0.1:", "user=visitor", `term=""`, "width=0", "height=0", "pty=false", "command=text", "client=SSH-2.0-Go"},
		{"remote=127.0.0.1:", "user=visitor", "term=xterm", "width=80", "height=24", "pty=true", `command=""`, "client=SSH-2.0-Go"},
	} {
		for _, w := range want {
			if !strings.Contains(connects[i], " "+w) {
				t.Errorf("connect line %q lacks %q", connects[i], w)
			}
		}
	}
	for _, line := range lines("disconnect", 2) {
		for _, w := range []string{"remote=127.0.0.1:", "user=visitor", "duration="} {
			if !strings.Contains(line, " "+w) {
				t.Errorf("disconnect line %q lacks %q", line, w)
			}
		}
	}
}

// hostKeySeen dials the server and returns the host key it presented.
func hostKeySeen(t *testing.T, addr string) gossh.PublicKey {
	t.Helper()
	var seen gossh.PublicKey
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "visitor",
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			seen = key
			return nil
		},
		Timeout: testkit.WaitTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	return seen
}

func TestHostKeyFileCreatedOnceAndReused(t *testing.T) {
	cfg := testConfig(t)
	first := startServer(t, cfg)
	fp := gossh.FingerprintSHA256(hostKeySeen(t, first.addr))
	if fp != first.Fingerprint() {
		t.Errorf("client saw %s, server reports %s", fp, first.Fingerprint())
	}
	if !strings.Contains(first.logs.String(), fp) {
		t.Errorf("fingerprint %s not logged at start:\n%s", fp, first.logs.String())
	}
	info, err := os.Stat(cfg.HostKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m != 0o600 {
		t.Errorf("key file mode = %v, want 0600", m)
	}
	dir, err := os.Stat(filepath.Dir(cfg.HostKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if m := dir.Mode().Perm(); m != 0o700 {
		t.Errorf("key directory mode = %v, want 0700", m)
	}

	second := startServer(t, cfg) // a restart on the same file
	if got := gossh.FingerprintSHA256(hostKeySeen(t, second.addr)); got != fp {
		t.Errorf("after restart the client saw %s, want %s", got, fp)
	}
}

func TestCorruptHostKeyStopsStartAndIsKept(t *testing.T) {
	cfg := testConfig(t)
	if err := os.MkdirAll(filepath.Dir(cfg.HostKeyFile), 0o700); err != nil {
		t.Fatal(err)
	}
	corrupt := []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n")
	if err := os.WriteFile(cfg.HostKeyFile, corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := server.New(cfg, defaultResume(t), log.New(&bytes.Buffer{}))
	if err == nil {
		t.Fatal("server started with a corrupt host key")
	}
	if !strings.Contains(err.Error(), cfg.HostKeyFile) {
		t.Errorf("error %q does not name the key file", err)
	}
	after, err := os.ReadFile(cfg.HostKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, corrupt) {
		t.Error("the corrupt key file was changed")
	}
}

func TestUnreadableHostKeyStopsStart(t *testing.T) {
	cfg := testConfig(t)
	// A directory where the key should be cannot be read as a file, even by root.
	if err := os.MkdirAll(cfg.HostKeyFile, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := server.New(cfg, defaultResume(t), log.New(&bytes.Buffer{})); err == nil {
		t.Fatal("server started with an unreadable host key")
	}
	if info, err := os.Stat(cfg.HostKeyFile); err != nil || !info.IsDir() {
		t.Errorf("the unreadable key path was replaced: %v", err)
	}
}

func TestHostKeyPEMWinsOverFile(t *testing.T) {
	keyPEM := testkit.KeyPEM(t)
	want, err := gossh.ParsePrivateKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.HostKeyPEM = keyPEM
	ts := startServer(t, cfg)
	if got := hostKeySeen(t, ts.addr); !bytes.Equal(got.Marshal(), want.PublicKey().Marshal()) {
		t.Errorf("client saw %s, want the key from the PEM %s", gossh.FingerprintSHA256(got), gossh.FingerprintSHA256(want.PublicKey()))
	}
	if _, err := os.Stat(cfg.HostKeyFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key file was written although the PEM was given: %v", err)
	}

	if !strings.Contains(ts.logs.String(), "source=PEM") {
		t.Errorf("the log does not say the key came from the PEM:\n%s", ts.logs.String())
	}

	cfg.HostKeyPEM = []byte("garbage")
	if _, err := server.New(cfg, defaultResume(t), log.New(&bytes.Buffer{})); !errors.Is(err, server.ErrHostKeyPEM) {
		t.Errorf("New with an unparseable host key PEM: %v, want ErrHostKeyPEM", err)
	}
}

func TestShutdownShowsRestartNoticeThenEndsTUI(t *testing.T) {
	ts := startServer(t, testConfig(t))
	tm := ts.openTerminal(t, "xterm", 80, 24, "")
	tm.WaitFor("Tianhao Wu")

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- ts.Shutdown(ctx) }()
	tm.WaitFor("Server restarting")
	if status := tm.waitExit(); status != 0 {
		t.Errorf("exit status %d, want 0", status)
	}
	if out := tm.Raw(); !strings.Contains(out, "\x1b[?1049l") || !strings.Contains(out, "the server is restarting") {
		t.Errorf("the terminal was not restored and told why; output ends %q", out[max(0, len(out)-300):])
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown = %v, want nil: the only session ended within the grace period", err)
		}
	case <-time.After(testkit.WaitTimeout):
		t.Fatal("Shutdown did not return")
	}
	select {
	case err := <-ts.done:
		if !errors.Is(err, ssh.ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	case <-time.After(testkit.WaitTimeout):
		t.Fatal("Serve did not return after Shutdown")
	}
	if _, err := gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{User: "x", HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: time.Second}); err == nil {
		t.Error("the server still accepts connections after Shutdown")
	}
}

// TestShutdownClosesConnectionsWithoutARunningSession: clients that keep a
// connection open with no session running on it (one whose session ended,
// as OpenSSH's ControlPersist does; one with a channel but no shell yet) do
// not hold a shutdown to the end of its grace period: during a shutdown such a
// connection is closed shortly after it has no session left.
func TestShutdownClosesConnectionsWithoutARunningSession(t *testing.T) {
	ts := startServer(t, testConfig(t))
	// A session that ran and ended; its connection stays open.
	ended := testkit.Dial(t, ts.addr, nil)
	if _, err := testkit.NewSession(t, ended).Output("text"); err != nil {
		t.Fatal(err)
	}
	// A channel with a PTY and no shell.
	waiting := testkit.NewSession(t, testkit.Dial(t, ts.addr, nil))
	if err := waiting.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	// A TUI, ended by the shutdown after the restart notice; its client
	// does not close the connection.
	tui := testkit.NewSession(t, testkit.Dial(t, ts.addr, nil))
	if err := tui.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	out, err := tui.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var screen testkit.Buffer
	go func() { _, _ = io.Copy(&screen, out) }()
	if err := tui.Shell(); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the first frame", func() bool { return strings.Contains(screen.String(), "Tianhao Wu") })

	// The TUI's restart notice takes 2 s of it; the grace is far longer.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown = %v, want nil: a connection held it to the end of the grace period", err)
	}
	if err := tui.Wait(); err != nil {
		t.Errorf("the TUI ended with %v, want exit status 0", err)
	}
}

func TestShutdownReturnsNilWithoutSessions(t *testing.T) {
	ts := startServer(t, testConfig(t))
	ts.exec(t, "text")
	ctx, cancel := context.WithTimeout(context.Background(), testkit.WaitTimeout)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for name, mutate := range map[string]func(*server.Config){
		"bad address":    func(c *server.Config) { c.Addr = "nope" },
		"no host key":    func(c *server.Config) { c.HostKeyFile = "" },
		"negative grace": func(c *server.Config) { c.ShutdownGrace = -time.Second },
	} {
		cfg := server.DefaultConfig()
		mutate(&cfg)
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, cfg)
		}
	}
	if err := server.DefaultConfig().Validate(); err != nil {
		t.Errorf("DefaultConfig is invalid: %v", err)
	}
}

func TestDefaultAddrUsesDefaultPort(t *testing.T) {
	host, port, err := net.SplitHostPort(server.DefaultAddr)
	if err != nil || host != "localhost" || port != strconv.Itoa(server.DefaultPort) {
		t.Errorf("DefaultAddr %q: want localhost:%d", server.DefaultAddr, server.DefaultPort)
	}
	if got := server.DefaultConfig().Addr; got != server.DefaultAddr {
		t.Errorf("DefaultConfig().Addr = %q, want DefaultAddr", got)
	}
}
