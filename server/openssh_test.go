package server_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"
)

// openSSH runs the real OpenSSH client against the server inside a pseudo-terminal
// of the given size, and interprets what it prints with a terminal emulator. The
// client checks the server's host key against a known_hosts file holding it.
type openSSH struct {
	t   *testing.T
	cmd *exec.Cmd
	tty *os.File

	mu  sync.Mutex
	emu *vt.Emulator

	exited chan error
}

func startOpenSSH(t *testing.T, ts *testServer, width, height int, env []string, args ...string) *openSSH {
	t.Helper()
	bin, err := exec.LookPath("ssh")
	if err != nil {
		t.Fatal("the OpenSSH client (ssh) is not installed: apt-get install openssh-client")
	}
	host, port, err := net.SplitHostPort(ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	knownHosts := filepath.Join(t.TempDir(), "known_hosts")
	line := fmt.Sprintf("[%s]:%s %s", host, port, gossh.MarshalAuthorizedKey(ts.PublicKey()))
	if err := os.WriteFile(knownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	cmdArgs := append([]string{
		"-F", "/dev/null", // no user or system configuration
		"-p", port,
		"-o", "UserKnownHostsFile=" + knownHosts,
		"-o", "StrictHostKeyChecking=yes",
		"-o", "BatchMode=yes",
		"-o", "LogLevel=ERROR",
		"-tt",
		"visitor@" + host,
	}, args...)
	cmd := exec.Command(bin, cmdArgs...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(width), Rows: uint16(height)})
	if err != nil {
		t.Fatal(err)
	}
	o := &openSSH{t: t, cmd: cmd, tty: tty, emu: vt.NewEmulator(width, height), exited: make(chan error, 1)}
	go func() { _, _ = io.Copy(tty, o.emu) }() // the terminal's answers to queries
	go func() {
		buf := make([]byte, 32*1024)
		for {
			n, err := tty.Read(buf)
			if n > 0 {
				o.mu.Lock()
				_, _ = o.emu.Write(buf[:n])
				o.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { o.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = tty.Close()
		closeEmulator(o.emu)
	})
	return o
}

func (o *openSSH) screen() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.emu.String()
}

func (o *openSSH) waitFor(want ...string) string {
	o.t.Helper()
	var s string
	if !poll(func() bool {
		s = o.screen()
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}) {
		o.t.Fatalf("screen never showed %q; it shows:\n%s", want, s)
	}
	return s
}

func (o *openSSH) send(keys string) {
	o.t.Helper()
	if _, err := o.tty.WriteString(keys); err != nil {
		o.t.Fatal(err)
	}
}

func (o *openSSH) wait() error {
	o.t.Helper()
	select {
	case err := <-o.exited:
		return err
	case <-time.After(waitTimeout):
		o.t.Fatalf("ssh did not exit; screen:\n%s", o.screen())
		return nil
	}
}

func TestOpenSSHClientReadsResume(t *testing.T) {
	ts := startServer(t, testConfig(t))
	o := startOpenSSH(t, ts, 100, 30, []string{"TERM=xterm-256color"})

	screen := o.waitFor("Tianhao Wu", "thw@berkeley.edu", "Current Interest", "At present, my research")
	for _, line := range strings.Split(screen, "\n") {
		if w := len([]rune(line)); w > 100 {
			t.Errorf("line wider than the 100-column terminal: %q", line)
		}
	}
	o.send("l")
	o.waitFor("TikTok Inc", "Data-US team")
	o.send("\t")
	o.waitFor("Starling-7B", "Under Review")
	o.send("G") // the end of the research section
	o.waitFor("Random tickets can win the jackpot", "Accepted by NeurIPS 2021")
	o.send("q")
	if err := o.wait(); err != nil {
		t.Errorf("ssh exited with %v after q, want status 0", err)
	}
}

// Visitors with keys are not asked for them: OpenSSH tries "none" first, which
// the server accepts, so it never offers a key nor prints "Permission denied".
func TestOpenSSHClientWithKeysGetsIn(t *testing.T) {
	ts := startServer(t, testConfig(t))
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(ts.addr)
	cmd := exec.Command("ssh", "-F", "/dev/null", "-p", port, "-i", key, "-o", "IdentitiesOnly=yes",
		"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "LogLevel=ERROR", "-T", "visitor@"+host, "text")
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), visitorName) || strings.Contains(string(out), "Permission denied") {
		t.Errorf("ssh with a key: %v\n%s", err, out)
	}
}
