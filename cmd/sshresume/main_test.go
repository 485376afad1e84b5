package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sshresume/sshresume/internal/testkit"
)

func runCmd(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	status = run(ctx, args, &out, &errOut)
	return status, out.String(), errOut.String()
}

// served is "sshresume serve" running in this process for a test.
type served struct {
	addr string          // the address it listens on
	logs *testkit.Buffer // its log, in JSON
	stop func() int      // ends it as SIGINT or SIGTERM would; returns its exit status
}

// startServe runs sshresume with args (a command line without the program's
// name: "serve" and flags, or only flags) on 127.0.0.1:0 with JSON logs, until
// the test ends or stop is called.
func startServe(t *testing.T, args ...string) served {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	sv := served{logs: &testkit.Buffer{}}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append(args, "-addr", "127.0.0.1:0", "-log-format", "json"), io.Discard, sv.logs)
	}()
	sv.stop = sync.OnceValue(func() int {
		cancel()
		select {
		case status := <-done:
			return status
		case <-time.After(testkit.WaitTimeout):
			t.Error("serve did not stop")
			return -1
		}
	})
	t.Cleanup(func() { sv.stop() })
	if !testkit.Poll(func() bool {
		for _, line := range strings.Split(sv.logs.String(), "\n") {
			var entry struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "listening" {
				sv.addr = entry.Addr
				return true
			}
		}
		return false
	}) {
		t.Fatalf("serve never listened:\n%s", sv.logs.String())
	}
	return sv
}

func TestFlagsWinOverEnvironment(t *testing.T) {
	t.Setenv("SSHRESUME_ADDR", "127.0.0.1:1111")
	t.Setenv("SSHRESUME_SHUTDOWN_GRACE", "3s")
	var addr string
	var grace time.Duration
	fs := newFlagSet("serve", &bytes.Buffer{})
	fs.StringVar(&addr, "addr", "default", "")
	fs.DurationVar(&grace, "shutdown-grace", time.Second, "")
	if err := parseFlags(fs, []string{"-addr", "127.0.0.1:2222"}); err != nil {
		t.Fatal(err)
	}
	if addr != "127.0.0.1:2222" {
		t.Errorf("addr = %q, want the flag's value", addr)
	}
	if grace != 3*time.Second {
		t.Errorf("grace = %v, want the environment's 3s", grace)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"bad env duration": {map[string]string{"SSHRESUME_SHUTDOWN_GRACE": "soon"}, nil, `SSHRESUME_SHUTDOWN_GRACE="soon"`},
		"bad log format":   {nil, []string{"-log-format", "xml"}, `log format "xml"`},
		"bad log level":    {map[string]string{"SSHRESUME_LOG_LEVEL": "loud"}, nil, `log level "loud"`},
		"unknown flag":     {nil, []string{"-nope"}, "flag provided but not defined: -nope"},
		"stray argument":   {nil, []string{"serve", "extra"}, `unexpected argument "extra"`},
		"unknown command":  {nil, []string{"frob"}, `unknown command "frob"`},
	} {
		t.Run(name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			status, _, stderr := runCmd(t, tc.args...)
			if status != 2 {
				t.Errorf("status = %d, want 2", status)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q lacks %q", stderr, tc.want)
			}
		})
	}
}

func TestBrokenResumeStopsStartWithPosition(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	file := filepath.Join(t.TempDir(), "resume.json")
	if err := os.WriteFile(file, []byte("{\n  \"basics\": {\n    \"name\": \"A\",\n    \"email\": \"nope\"\n  }\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	status, _, stderr := runCmd(t, "serve", "-addr", "127.0.0.1:0", "-content", file)
	if status != 1 {
		t.Errorf("status = %d, want 1", status)
	}
	if want := file + ":4:14: basics.email \"nope\" is not an email address"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q lacks %q", stderr, want)
	}
}

// TestServeStopsOnSignal: "sshresume" alone serves, and stops cleanly when its
// context ends, as on SIGINT or SIGTERM.
func TestServeStopsOnSignal(t *testing.T) {
	sv := startServe(t)
	if status := sv.stop(); status != 0 {
		t.Errorf("status = %d, want 0; stderr:\n%s", status, sv.logs.String())
	}
	if !strings.Contains(sv.logs.String(), `"msg":"stopped"`) {
		t.Errorf("no stop logged:\n%s", sv.logs.String())
	}
}

func TestVersion(t *testing.T) {
	status, out, _ := runCmd(t, "version")
	if status != 0 || !strings.HasPrefix(out, "sshresume ") {
		t.Errorf("version: status %d, output %q", status, out)
	}
}

func TestLimitFlagsFromEnvironment(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Run("invalid value", func(t *testing.T) {
		t.Setenv("SSHRESUME_MAX_CONNS", "-1")
		status, _, stderr := runCmd(t, "serve", "-addr", "127.0.0.1:0")
		if status != 1 || !strings.Contains(stderr, "max conns -1 is negative") {
			t.Errorf("status %d, stderr %q; want 1 and the invalid value named", status, stderr)
		}
	})
	t.Run("malformed value", func(t *testing.T) {
		t.Setenv("SSHRESUME_IDLE_TIMEOUT", "soon")
		if status, _, stderr := runCmd(t, "serve"); status != 2 || !strings.Contains(stderr, `SSHRESUME_IDLE_TIMEOUT="soon"`) {
			t.Errorf("status %d, stderr %q; want a usage error", status, stderr)
		}
	})
}

// TestEverySubcommandReadsTheEnvironment: every flag of every subcommand reads
// SSHRESUME_<FLAG>, as its help says.
func TestEverySubcommandReadsTheEnvironment(t *testing.T) {
	flagLine := regexp.MustCompile(`(?m)^  -(\S+)`)
	for _, sub := range []string{"serve", "render", "preview", "healthcheck"} {
		status, _, help := runCmd(t, sub, "-h")
		flags := flagLine.FindAllStringSubmatch(help, -1)
		if status != 0 || len(flags) == 0 {
			t.Fatalf("%s -h: status %d, help %q", sub, status, help)
		}
		for _, f := range flags {
			if want := "(env " + envName(f[1]) + ")"; !strings.Contains(help, want) {
				t.Errorf("%s -h does not say -%s reads %s", sub, f[1], want)
			}
		}
	}

	t.Run("render", func(t *testing.T) {
		t.Setenv("SSHRESUME_FORMAT", "json")
		if status, out, errOut := runCmd(t, "render"); status != 0 || !strings.HasPrefix(out, "{\n") {
			t.Errorf("SSHRESUME_FORMAT=json: status %d, stderr %q, output %.40q", status, errOut, out)
		}
	})
	t.Run("healthcheck", func(t *testing.T) {
		t.Setenv("SSHRESUME_TIMEOUT", "soon")
		if status, _, errOut := runCmd(t, "healthcheck"); status != 2 || !strings.Contains(errOut, `SSHRESUME_TIMEOUT="soon"`) {
			t.Errorf("SSHRESUME_TIMEOUT=soon: status %d, stderr %q; want a usage error naming it", status, errOut)
		}
	})
}

// TestHostKeyErrorsNameTheEnvironment: the server speaks of a key PEM and a key
// file; the operator is told which variable or flag to fix.
func TestHostKeyErrorsNameTheEnvironment(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Run("none", func(t *testing.T) {
		t.Setenv("SSHRESUME_HOST_KEY_FILE", "")
		status, _, stderr := runCmd(t, "serve", "-addr", "127.0.0.1:0")
		if want := "config: no host key: set SSHRESUME_HOST_KEY or -host-key-file (SSHRESUME_HOST_KEY_FILE)"; status != 1 || !strings.Contains(stderr, want) {
			t.Errorf("status %d, stderr %q; want 1 and %q", status, stderr, want)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		t.Setenv("SSHRESUME_HOST_KEY", "not a key")
		status, _, stderr := runCmd(t, "serve", "-addr", "127.0.0.1:0")
		if want := "SSHRESUME_HOST_KEY: parse host key PEM: "; status != 1 || !strings.Contains(stderr, want) || strings.Contains(stderr, "not a key") {
			t.Errorf("status %d, stderr %q; want 1 and %q, without the key", status, stderr, want)
		}
	})
}

// TestHelpListsCommands: "sshresume -h" is the list of commands, not only
// serve's flags, and points to each command's -h.
func TestHelpListsCommands(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		status, out, _ := runCmd(t, args...)
		if status != 0 || !strings.Contains(out, "Commands:") || !strings.Contains(out, "healthcheck") || !strings.Contains(out, `"sshresume serve -h"`) {
			t.Errorf("%q: status %d, output %q", args, status, out)
		}
	}
	if status, _, stderr := runCmd(t, "serve", "-h"); status != 0 || !strings.Contains(stderr, "-max-conns") {
		t.Errorf("serve -h: status %d, stderr %q; want serve's flags", status, stderr)
	}
}
