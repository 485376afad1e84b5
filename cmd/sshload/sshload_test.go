package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/server"
)

func TestLoopbackAddr(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"127.0.0.1:2222", "127.0.0.1:2222", true},
		{"127.1.2.3:22", "127.1.2.3:22", true},
		{"localhost:22", "127.0.0.1:22", true},
		{"[::1]:22", "[::1]:22", true},
		{"10.0.0.1:22", "", false},
		{"192.168.1.1:22", "", false},
		{"example.com:22", "", false},
		{"[::]:22", "", false},
		{"0.0.0.0:22", "", false},
		{"127.0.0.1", "", false},
		{"127.0.0.1:0", "", false},
	} {
		got, err := loopbackAddr(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("loopbackAddr(%q) = %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	for _, u := range []string{"http://10.0.0.1:6060/debug/pprof", "https://127.0.0.1:6060/", "http://example.com:80/"} {
		if loopbackURL(u) == nil {
			t.Errorf("loopbackURL(%q) accepted a URL off the loopback interface", u)
		}
	}
	if err := loopbackURL("http://127.0.0.1:6060/debug/pprof"); err != nil {
		t.Errorf("loopbackURL refused a loopback URL: %v", err)
	}
}

func TestDist(t *testing.T) {
	var v []float64
	for i := 100; i >= 1; i-- {
		v = append(v, float64(i))
	}
	got := newDist(v)
	want := Dist{N: 100, Min: 1, Mean: 50.5, P50: 50, P90: 90, P99: 99, Max: 100}
	if got != want {
		t.Errorf("newDist(1..100) = %+v, want %+v", got, want)
	}
	if one := newDist([]float64{7}); one.P50 != 7 || one.P99 != 7 || one.N != 1 {
		t.Errorf("newDist([7]) = %+v", one)
	}
	if empty := newDist(nil); empty != (Dist{}) {
		t.Errorf("newDist(nil) = %+v, want the zero Dist", empty)
	}
	if v[0] != 100 {
		t.Error("newDist sorted its argument in place")
	}
}

func TestParseRefuses(t *testing.T) {
	for name, args := range map[string][]string{
		"no mode":          {"-expect", "x"},
		"unknown mode":     {"-mode", "flood", "-expect", "x"},
		"remote target":    {"-mode", "churn", "-addr", "10.1.2.3:22", "-expect", "x"},
		"no expectation":   {"-mode", "churn"},
		"bad detector":     {"-mode", "churn", "-expect", "x", "-detect", "pixels"},
		"too many":         {"-mode", "hold", "-expect", "x", "-n", "1000000"},
		"zero rate":        {"-mode", "hold", "-expect", "x", "-rate", "0"},
		"one key":          {"-mode", "hold", "-expect", "x", "-key-pair", "j"},
		"remote pprof":     {"-mode", "exec", "-pprof", "http://10.0.0.1:6060/debug/pprof"},
		"bad checkpoints":  {"-mode", "hold", "-expect", "x", "-checkpoints", "10,zero"},
		"trailing junk":    {"-mode", "hold", "-expect", "x", "-checkpoints", "10x"},
		"not an integer":   {"-mode", "hold", "-expect", "x", "-checkpoints", "1e3"},
		"stray argument":   {"-mode", "exec", "extra"},
		"negative timeout": {"-mode", "exec", "-timeout", "-1s"},
	} {
		if _, _, err := parse(args, io.Discard); err == nil {
			t.Errorf("%s: parse(%q) accepted it", name, args)
		}
	}
	o, params, err := parse([]string{"-mode", "hold", "-expect", "a", "-expect", "b", "-checkpoints", "2,5"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.session.pty.expect) != 2 || len(o.session.checkpoints) != 2 || params["mode"] != "hold" {
		t.Errorf("parse: expect %q, checkpoints %v, params %v", o.session.pty.expect, o.session.checkpoints, params)
	}
}

// TestProberOwnTree samples this test process with a child: the tree has both,
// with memory, threads, open files and CPU time.
func TestProberOwnTree(t *testing.T) {
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Skipf("no sleep command: %v", err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	// Burn a little CPU so that the counter has moved.
	deadline := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(deadline) {
	}
	s, err := newProber(os.Getpid(), "", time.Now()).sample(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if s.Processes < 2 || s.RSS <= 0 || s.Threads < 2 || s.FDs < 3 || s.CPU <= 0 {
		t.Errorf("sample of the test process and its child = %+v", s)
	}
	if _, err := newProber(1<<30, "", time.Now()).sample(context.Background(), true); err == nil {
		t.Error("sampling a process that does not exist succeeded")
	}
}

func TestReadStatNameWithParentheses(t *testing.T) {
	// The command name may hold ") " itself: fields are counted from the last ')'.
	dir := t.TempDir()
	name := filepath.Join(dir, "a) b")
	if err := os.Symlink("/bin/sleep", name); err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(name, "30")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	st, err := readStat(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if st.ppid != os.Getpid() || st.threads != 1 {
		t.Errorf("readStat of %q = %+v, want parent %d and one thread", name, st, os.Getpid())
	}
}

// startServer runs the real sshresume server on 127.0.0.1:0 for the test and
// returns its address and the resume owner's name.
func startServer(t *testing.T) (addr, name string) {
	t.Helper()
	resume, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.HostKeyFile = filepath.Join(t.TempDir(), "host_key")
	// Load comes from one address, faster than a visitor would connect.
	cfg.MaxConns, cfg.MaxConnsPerIP, cfg.ConnRatePerIP = 0, 0, 0
	cfg.MaxSessionless, cfg.MaxSessionlessPerIP = 0, 0
	srv, err := server.New(cfg, resume, log.New(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return l.Addr().String(), resume.Document().Name
}

func loadArgs(t *testing.T, args ...string) *Report {
	t.Helper()
	o, params, err := parse(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := load(context.Background(), o, params)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestChurnAgainstServer(t *testing.T) {
	addr, name := startServer(t)
	rep := loadArgs(t, "-mode", "churn", "-addr", addr, "-n", "6", "-c", "2", "-expect", name, "-expect", "quit",
		"-pid", strconv.Itoa(os.Getpid()), "-settle", "10ms", "-sample", "50ms")
	s := rep.Sessions
	if s == nil || s.Attempted != 6 || s.Framed != 6 || s.Failed != 0 || len(rep.Errors) != 0 {
		t.Fatalf("churn: sessions %+v, errors %v", s, rep.Errors)
	}
	if s.FirstFrame.N != 6 || s.FirstFrame.Min <= 0 || s.Handshake.Max > s.FirstFrame.Max || s.Opened.Min < s.Handshake.Min {
		t.Errorf("churn: handshake %+v, opened %+v, first frame %+v", s.Handshake, s.Opened, s.FirstFrame)
	}
	if s.SessionsPerSecond <= 0 || s.CPUPerSession <= 0 || s.ClientCPUPerSession <= 0 {
		t.Errorf("churn: %g sessions/s, %g ms CPU per session, %g ms of its own", s.SessionsPerSecond, s.CPUPerSession, s.ClientCPUPerSession)
	}
}

func TestFrameTimeout(t *testing.T) {
	addr, name := startServer(t)
	rep := loadArgs(t, "-mode", "churn", "-addr", addr, "-n", "2", "-c", "2", "-expect", name,
		"-expect", "a string no frame shows", "-frame-timeout", "300ms", "-settle", "10ms")
	if rep.Sessions.Framed != 0 || rep.Sessions.Failed != 2 || rep.Errors["frame: no complete frame within the timeout"] != 2 {
		t.Errorf("sessions %+v, errors %v", rep.Sessions, rep.Errors)
	}
}

func TestHoldAgainstServer(t *testing.T) {
	addr, name := startServer(t)
	// The research section is longer than one 80x24 screen, so j and k scroll.
	rep := loadArgs(t, "-mode", "hold", "-addr", addr, "-n", "4", "-rate", "100", "-checkpoints", "2",
		"-hold", "200ms", "-keys", "8", "-key-rate", "200", "-pty-cmd", "research",
		"-expect", name, "-expect", "quit", "-pid", strconv.Itoa(os.Getpid()), "-settle", "10ms")
	s := rep.Sessions
	if s == nil || s.Framed != 4 || len(rep.Errors) != 0 {
		t.Fatalf("hold: sessions %+v, errors %v", s, rep.Errors)
	}
	if len(s.Checkpoints) != 2 || s.Checkpoints[0].Open != 2 || s.Checkpoints[1].Open != 4 || s.Checkpoints[1].Server.RSS <= 0 {
		t.Errorf("hold: checkpoints %+v", s.Checkpoints)
	}
	if s.Idle == nil || s.Idle.Open != 4 || s.Idle.Seconds < 0.2 {
		t.Errorf("hold: idle %+v", s.Idle)
	}
	if k := s.Keys; k == nil || k.Sent != 8 || k.Answered != 8 || k.RTT.N != 8 || k.Bytes.Min <= 0 {
		t.Errorf("hold: keys %+v", k)
	}
	if s.AfterClose == nil {
		t.Error("hold: no sample after close")
	}
}

func TestExecAgainstServer(t *testing.T) {
	addr, name := startServer(t)
	rep := loadArgs(t, "-mode", "exec", "-addr", addr, "-cmd", "text", "-c", "3", "-requests", "9",
		"-expect", name, "-pid", strconv.Itoa(os.Getpid()), "-settle", "10ms")
	e := rep.Exec
	if e == nil || e.Requests != 9 || e.OK != 9 || e.Failed != 0 || len(rep.Errors) != 0 {
		t.Fatalf("exec: %+v, errors %v", e, rep.Errors)
	}
	if e.PerSecond <= 0 || e.Bytes.Min < 1000 || e.Latency.Min < e.Handshake.Min || e.ClientCPUPerRequest <= 0 {
		t.Errorf("exec: %+v", e)
	}
	// An answer without the expected text is a failure, not a success.
	rep = loadArgs(t, "-mode", "exec", "-addr", addr, "-cmd", "help", "-c", "1", "-requests", "2", "-expect", name)
	if rep.Exec.OK != 0 || rep.Errors["output: missing "+name] != 2 {
		t.Errorf("exec help expecting the resume: %+v, errors %v", rep.Exec, rep.Errors)
	}
}

func TestRunWritesJSONAndTable(t *testing.T) {
	addr, name := startServer(t)
	dir := t.TempDir()
	report := filepath.Join(dir, "r.json")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-mode", "exec", "-label", "sshresume", "-addr", addr,
		"-requests", "2", "-c", "1", "-expect", name, "-json", report}, &out, &errOut)
	if code != 0 {
		t.Fatalf("run = %d, stderr %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "sshresume: exec") || !strings.Contains(out.String(), "2 ok") {
		t.Errorf("summary:\n%s", out.String())
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil || r.Exec == nil || r.Exec.OK != 2 || r.Params["cmd"] != "text" {
		t.Fatalf("report %s: %v", data, err)
	}

	out.Reset()
	if code := run(context.Background(), []string{"table", report, report}, &out, &errOut); code != 0 {
		t.Fatalf("table = %d, stderr %s", code, errOut.String())
	}
	for _, want := range []string{"| metric | sshresume |", "`text` requests/s at concurrency 1", "| exec failures | 0 |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table has no %q:\n%s", want, out.String())
		}
	}
	if code := run(context.Background(), []string{"-mode", "exec", "-addr", "8.8.8.8:22"}, &out, &errOut); code != 2 {
		t.Errorf("run against a remote address = %d, want 2", code)
	}
}
