package server_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
)

// openSSHCommand is the OpenSSH client as a visitor types it, "ssh USER@HOST
// ARGS...", checking the server's host key, without a terminal unless one is
// given.
func openSSHCommand(t *testing.T, ts *testServer, user string, args ...string) *exec.Cmd {
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
	cmd := exec.Command(bin, append([]string{
		"-F", "/dev/null", "-p", port,
		"-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes",
		"-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
		user + "@" + host,
	}, args...)...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color"}
	return cmd
}

// TestOpenSSHPDFAndSections: what the visitors type, through OpenSSH.
func TestOpenSSHPDFAndSections(t *testing.T) {
	ts := startServer(t, testConfig(t))
	seed := defaultResume(t)
	d := seed.Document()
	pdf, _ := content.LookupExport("pdf")

	// ssh HOST pdf > resume.pdf: the bytes the export rendered, unchanged.
	var out, errOut bytes.Buffer
	cmd := openSSHCommand(t, ts, "visitor", "pdf")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil || errOut.Len() > 0 {
		t.Fatalf("ssh HOST pdf: %v, stderr %q", err, errOut.String())
	}
	if !bytes.Equal(out.Bytes(), pdf.Render(seed)) {
		t.Errorf("ssh HOST pdf gave %d bytes, not the PDF export's %d", out.Len(), len(pdf.Render(seed)))
	}

	// ssh HOST research: the section as plain text, status 0.
	out.Reset()
	cmd = openSSHCommand(t, ts, "visitor", "research")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil || out.String() != content.SectionText(d.Sections[d.SectionIndex("research")], content.TextWidth) {
		t.Errorf("ssh HOST research: %v, output %.80q", err, out.String())
	}

	// In a terminal: ssh -t HOST pdf is refused with the hint; ssh
	// research@HOST (no -t: a login session gets a PTY) opens Research.
	run := func(user string, args ...string) (*testkit.Screen, chan error) {
		cmd := openSSHCommand(t, ts, user, args...)
		tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 100, Rows: 30})
		if err != nil {
			t.Fatal(err)
		}
		screen := testkit.NewScreen(t, 100, 30, false)
		screen.Attach(tty, tty)
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = tty.Close() })
		return screen, exited
	}
	screen, exited := run("visitor", "-t", "pdf")
	screen.WaitFor("pdf is a file, not for a terminal: ssh HOST pdf > resume.pdf")
	var exit *exec.ExitError
	if err := <-exited; !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("ssh -t HOST pdf: %v, want exit status 1", err)
	}
	if bytes.Contains([]byte(screen.Raw()), []byte("%PDF")) {
		t.Error("PDF bytes reached the terminal")
	}

	screen, _ = run("research")
	screen.WaitFor("► 3 Research", "Starling-7B")
}
