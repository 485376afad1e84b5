package server_test

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	// The server listens on a loopback address and was given no public
	// host: the hint names localhost and the port.
	_, port, _ := net.SplitHostPort(ts.addr)
	screen.WaitFor("pdf is a file, not for a terminal: ssh -p " + port + " localhost pdf > resume.pdf")
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

// seedMECARD is the contact of the seed resume as the QR code carries it: its
// name, phone, email and website, with MECARD's escapes (a URL's colon too).
const seedMECARD = "MECARD:N:Tianhao Wu;TEL:341-766-8125;EMAIL:thw@berkeley.edu;URL:https\\://thwu1.github.io/tianhaowu/;;"

// TestOpenSSHQRCode: ssh -t HOST qr draws the contact's QR code in the
// visitor's terminal, which decodes from the screen on a dark and on a light
// background; without a terminal the contact comes as text with the command
// that shows the code.
func TestOpenSSHQRCode(t *testing.T) {
	cfg := testConfig(t)
	cfg.PublicHost = "resume.example.com"
	ts := startServer(t, cfg)

	cmd := openSSHCommand(t, ts, "visitor", "-t", "qr")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 80, Rows: 24})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = tty.Close() })
	screen := testkit.NewScreen(t, 80, 24, false)
	screen.Attach(tty, tty)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ssh -t HOST qr: %v", err)
	}
	screen.WaitFor("Scan to save the contact of Tianhao Wu")
	for _, bg := range []color.Color{color.Black, color.White} {
		if got, err := screen.QRCode(bg); err != nil || got != seedMECARD {
			t.Errorf("on %s: decoded %q, %v; want %q", testkit.ColorHex(bg), got, err, seedMECARD)
		}
	}

	var out, errOut bytes.Buffer
	cmd = openSSHCommand(t, ts, "visitor", "qr")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil || errOut.Len() > 0 {
		t.Fatalf("ssh HOST qr: %v, stderr %q", err, errOut.String())
	}
	text := out.String()
	for _, want := range []string{"Tianhao Wu\n", "341-766-8125", "thw@berkeley.edu", "https://thwu1.github.io/tianhaowu/",
		"The code needs a terminal: ssh -t resume.example.com qr\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("ssh HOST qr without a terminal: no %q in\n%s", want, text)
		}
	}
	if strings.ContainsAny(text, "\x1b\r") {
		t.Errorf("ssh HOST qr without a terminal wrote escapes or carriage returns: %q", text)
	}
}
