package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// runInTerminal is runCmd with a terminal for standard output, as preview
// needs one; what is written there is not returned.
func runInTerminal(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ptmx.Close(); _ = tty.Close() }()
	var errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return run(ctx, args, tty, &errOut), "", errOut.String()
}

// rawControls are the characters that would reach a terminal as, or in, a
// control sequence: ESC, BEL, the one-byte CSI and OSC in UTF-8 and alone.
var rawControls = []string{"\x1b", "\a", "\u009b", "\u009d", "\x9b"}

func assertNoControls(t *testing.T, what, out string) {
	t.Helper()
	for _, c := range rawControls {
		if strings.Contains(out, c) {
			t.Errorf("%s holds a raw %q: %q", what, c, out)
		}
	}
}

// TestHealthcheckEscapesTheAnswer: the identification of whatever answers at
// the address is printed escaped.
func TestHealthcheckEscapesTheAnswer(t *testing.T) {
	addr := fakeServer(t, "SSH-2.0-x\x1b]0;owned\a\x1b[2J\r\n")
	status, stdout, stderr := runCmd(t, "healthcheck", "-addr", addr)
	if status != 0 || !strings.Contains(stdout, `SSH-2.0-x\x1b]0;owned\a\x1b[2J`) {
		t.Errorf("status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	assertNoControls(t, "healthcheck's output", stdout+stderr)
}

// TestResumeSizeLimit: a file over the limit is refused by check, with the
// position where the limit is reached, and by serve, render and preview; the
// flag and its environment variable raise the limit; standard input has it too.
func TestResumeSizeLimit(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	file := filepath.Join(t.TempDir(), "resume.yaml")
	// 1 MiB and a bit: a comment line of 99 characters and its newline, repeated.
	line := "# " + strings.Repeat("x", 97) + "\n"
	body := "basics:\n  name: Ada\n" + strings.Repeat(line, (1<<20)/len(line)+1)
	writeFile(t, file, body)
	wantLine, wantCol := 1+(1<<20-len("basics:\n  name: Ada\n"))/len(line)+2, (1<<20-len("basics:\n  name: Ada\n"))%len(line)+1
	status, stdout, _ := runCmd(t, "check", file)
	want := fmt.Sprintf("%s:%d:%d: the file is larger than 1 MiB, the limit for a resume file, which is reached here\n%s: a larger limit can be given with -max-content-size (SSHRESUME_MAX_CONTENT_SIZE)\n", file, wantLine, wantCol, file)
	if status != 1 || stdout != want {
		t.Errorf("check: status %d, output %q; want 1 and %q", status, stdout, want)
	}
	if status, stdout, _ := runCmd(t, "check", "-max-content-size", "2MiB", file); status != 0 || !strings.HasSuffix(stdout, file+": ok\n") {
		t.Errorf("check -max-content-size 2MiB: status %d, output %q", status, stdout)
	}
	t.Run("env", func(t *testing.T) {
		t.Setenv("SSHRESUME_MAX_CONTENT_SIZE", "2MiB")
		if status, stdout, stderr := runCmd(t, "render", "-content", file); status != 0 || !strings.HasPrefix(stdout, "Ada\n") {
			t.Errorf("render with SSHRESUME_MAX_CONTENT_SIZE=2MiB: status %d, stderr %q", status, stderr)
		}
	})
	for _, args := range [][]string{
		{"serve", "-addr", "127.0.0.1:0", "-content", file},
		{"render", "-content", file},
		{"preview", "-content", file},
	} {
		status, _, stderr := runInTerminal(t, args...)
		if status != 1 || !strings.Contains(stderr, "larger than 1 MiB") || !strings.Contains(stderr, "-max-content-size") {
			t.Errorf("%s: status %d, stderr %q; want 1, the limit and how to raise it", args[0], status, stderr)
		}
	}
	if status, _, stderr := runCmd(t, "check", "-max-content-size", "lots", file); status != 2 || !strings.Contains(stderr, `"lots" is not a size`) {
		t.Errorf("a bad size: status %d, stderr %q", status, stderr)
	}

	stdin, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close() }()
	var out strings.Builder
	if err := check([]string{"-max-content-size", "1KiB", "-"}, stdin, &out, &out); err == nil || !strings.Contains(out.String(), "<stdin>:") || !strings.Contains(out.String(), "larger than 1 KiB") {
		t.Errorf("check - with 1KiB: %v, output %q", err, out.String())
	}
}
