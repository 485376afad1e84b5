// Command sshload is a load generator for SSH servers on this machine: it opens
// many PTY sessions or runs many commands, measures what visitors wait for (time
// to the first complete frame, keystroke round trips, requests per second) and
// samples what the server pays for them (CPU, memory, threads, file descriptors
// from /proc; goroutines and heap from a pprof endpoint if it has one).
//
//	sshload -mode churn -addr 127.0.0.1:23234 -n 200 -c 4 -expect NAME -expect quit
//	sshload -mode hold  -addr 127.0.0.1:23234 -n 1000 -rate 100 -hold 20s -keys 500 -pid PID
//	sshload -mode exec  -addr 127.0.0.1:23234 -c 8 -duration 10s -cmd text -pid PID
//	sshload table -o results.md reports/*.json
//
// It only ever connects to the loopback interface, and every loop is bounded in
// count and time (-max-duration). The result is a JSON report (-json) and a short
// summary on standard output.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options is the whole command line.
type options struct {
	mode        string
	addr        string
	user        string
	identity    string
	label       string
	pid         int
	pprofURL    string
	sample      time.Duration
	maxDuration time.Duration
	timeout     time.Duration
	jsonOut     string
	cpuProfile  string

	session sessionRun
	exec    execRun
}

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// intList is a comma-separated list of positive numbers.
type intList []int

func (l *intList) String() string {
	s := make([]string, len(*l))
	for i, v := range *l {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func (l *intList) Set(v string) error {
	*l = nil
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("%q is not a positive number", f)
		}
		*l = append(*l, n)
	}
	return nil
}

func parse(args []string, stderr io.Writer) (options, map[string]any, error) {
	var o options
	var expect stringList
	var checkpoints intList
	var keyPair, ptyCommand string
	fs := flag.NewFlagSet("sshload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprint(stderr, `Usage: sshload -mode churn|hold|exec -addr 127.0.0.1:PORT [flags]

Modes:
  churn  open sessions one after another from -c workers (first frame, then close):
         latency and server CPU per new session
  hold   ramp up to -n open sessions at -rate, measure memory at -checkpoints, keep
         them idle for -hold (server CPU), send -keys keystrokes, close them all
  exec   run -cmd without a PTY from -c workers, one connection per request:
         requests/s and server CPU per request

Flags:
`)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.mode, "mode", "", "churn, hold or exec")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:23234", "server address; loopback only")
	fs.StringVar(&o.user, "user", "visitor", "SSH user name")
	fs.StringVar(&o.identity, "identity", "", "private key file for public-key authentication (e.g. for OpenSSH's sshd)")
	fs.StringVar(&o.label, "label", "", "name of the server in the report")
	fs.IntVar(&o.pid, "pid", 0, "server process to sample from /proc (with its child processes)")
	fs.StringVar(&o.pprofURL, "pprof", "", "the server's net/http/pprof base URL, e.g. http://127.0.0.1:6060/debug/pprof, for goroutines and heap")
	fs.DurationVar(&o.sample, "sample", time.Second, "interval of the server samples in the report")
	fs.DurationVar(&o.maxDuration, "max-duration", 5*time.Minute, "hard limit on the whole run")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "limit on each connect+handshake, and on each exec request")
	fs.StringVar(&o.jsonOut, "json", "", "write the JSON report to this file (- for standard output)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of sshload itself to this file")

	s := &o.session
	fs.StringVar(&s.pty.term, "term", "xterm-256color", "TERM of the PTY sessions")
	fs.IntVar(&s.pty.width, "width", 80, "PTY width")
	fs.IntVar(&s.pty.height, "height", 24, "PTY height")
	fs.StringVar(&ptyCommand, "pty-cmd", "", "command of the PTY sessions (e.g. a section to open); empty requests a shell like plain ssh")
	fs.Var(&expect, "expect", "a string the first complete frame (or the exec output) contains; repeat for several")
	fs.StringVar(&s.pty.detect, "detect", "screen", "how to find the first frame: screen (a terminal emulator's screen) or stream (all output, for programs that scroll, like cat)")
	fs.DurationVar(&s.pty.frameTimeout, "frame-timeout", 10*time.Second, "limit on the wait for a first frame")
	fs.IntVar(&s.n, "n", 100, "churn: sessions in all; hold: sessions to hold open")
	fs.IntVar(&s.concurrency, "c", 4, "churn and exec: concurrent workers")
	fs.DurationVar(&s.duration, "duration", time.Minute, "churn and exec: stop after this long even if -n/-requests are not reached")
	fs.Float64Var(&s.rate, "rate", 50, "hold: new sessions per second")
	fs.Var(&checkpoints, "checkpoints", "hold: open-session counts at which to measure the server, e.g. 200,1000 (-n is always one)")
	fs.DurationVar(&s.settle, "settle", 2*time.Second, "pause before each measurement of the server")
	fs.DurationVar(&s.hold, "hold", 10*time.Second, "hold: how long all sessions stay open and idle")
	fs.IntVar(&s.keys, "keys", 0, "hold: keystrokes to send in all, to the open sessions in turn")
	fs.Float64Var(&s.keyRate, "key-rate", 50, "hold: keystrokes per second over all sessions")
	fs.StringVar(&keyPair, "key-pair", "j,k", "hold: the two keys sent alternately to each session, comma-separated (scroll down, scroll up)")
	fs.DurationVar(&s.keyDelay, "key-delay", 0, "hold: a wait after -hold, with the sessions open, before the keystrokes (to keep out of another run's keystrokes)")
	fs.DurationVar(&s.linger, "linger", 0, "hold: how long the sessions stay open after the keystrokes, before they close")
	fs.DurationVar(&s.keyTimeout, "key-timeout", 5*time.Second, "hold: how long a keystroke may wait for output")
	fs.StringVar(&o.exec.command, "cmd", "text", "exec: the command")
	fs.IntVar(&o.exec.requests, "requests", 100000, "exec: requests in all")
	if err := fs.Parse(args); err != nil {
		return o, nil, err
	}
	if fs.NArg() > 0 {
		return o, nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}

	var err error
	if o.addr, err = loopbackAddr(o.addr); err != nil {
		return o, nil, err
	}
	if o.pprofURL != "" {
		if err := loopbackURL(o.pprofURL); err != nil {
			return o, nil, err
		}
	}
	s.pty.expect = expect
	s.pty.command = ptyCommand
	s.checkpoints = checkpoints
	a, b, ok := strings.Cut(keyPair, ",")
	if !ok || a == "" || b == "" {
		return o, nil, fmt.Errorf("-key-pair %q: want two keys separated by a comma", keyPair)
	}
	s.keyPair = [2]string{a, b}
	o.exec.concurrency = s.concurrency
	o.exec.duration = s.duration
	o.exec.expect = expect
	o.exec.settle = s.settle
	o.exec.timeout = o.timeout

	switch {
	case o.mode != "churn" && o.mode != "hold" && o.mode != "exec":
		return o, nil, fmt.Errorf("-mode %q: use churn, hold or exec", o.mode)
	case o.mode != "exec" && len(expect) == 0:
		return o, nil, errors.New("-expect: give at least one string the first frame shows")
	case s.pty.detect != "screen" && s.pty.detect != "stream":
		return o, nil, fmt.Errorf("-detect %q: use screen or stream", s.pty.detect)
	case s.pty.width < 1 || s.pty.height < 1 || s.pty.width > 1000 || s.pty.height > 1000:
		return o, nil, fmt.Errorf("-width/-height %dx%d: out of range", s.pty.width, s.pty.height)
	case s.n < 1 || s.n > 20000:
		return o, nil, fmt.Errorf("-n %d: between 1 and 20000", s.n)
	case s.concurrency < 1 || s.concurrency > 1000:
		return o, nil, fmt.Errorf("-c %d: between 1 and 1000", s.concurrency)
	case o.exec.requests < 1:
		return o, nil, fmt.Errorf("-requests %d: at least 1", o.exec.requests)
	case s.rate <= 0 || s.rate > 10000:
		return o, nil, fmt.Errorf("-rate %g: above 0 and at most 10000", s.rate)
	case s.keys < 0 || s.keyRate <= 0 || s.keyRate > 10000:
		return o, nil, fmt.Errorf("-keys %d / -key-rate %g: out of range", s.keys, s.keyRate)
	case o.sample <= 0 || o.maxDuration <= 0 || o.timeout <= 0 || s.duration <= 0 || s.pty.frameTimeout <= 0:
		return o, nil, errors.New("-sample, -max-duration, -timeout, -duration and -frame-timeout must be positive")
	}

	params := map[string]any{}
	fs.VisitAll(func(f *flag.Flag) { params[f.Name] = f.Value.String() })
	return o, params, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "table" {
		return table(args[1:], stdout, stderr)
	}
	o, params, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "sshload:", err)
		return 2
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			_, _ = fmt.Fprintln(stderr, "sshload: cpu profile:", err)
			return 1
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	rep, err := load(ctx, o, params)
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "sshload:", err)
		return 1
	}
	if o.jsonOut != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			_, _ = fmt.Fprintln(stderr, "sshload: encode report:", err)
			return 1
		}
		data = append(data, '\n')
		if o.jsonOut == "-" {
			_, err = stdout.Write(data)
			stdout = stderr // the summary must not corrupt the JSON
		} else {
			err = os.WriteFile(o.jsonOut, data, 0o644)
		}
		if err != nil {
			_, _ = fmt.Fprintln(stderr, "sshload: write report:", err)
			return 1
		}
	}
	rep.summary(stdout)
	if len(rep.Errors) > 0 {
		return 3
	}
	return 0
}

// load runs the measurement o describes and returns its report.
func load(ctx context.Context, o options, params map[string]any) (*Report, error) {
	ctx, cancel := context.WithTimeout(ctx, o.maxDuration)
	defer cancel()
	cfg, err := clientConfig(o.user, o.identity, o.timeout)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	pr := newProber(o.pid, o.pprofURL, start)
	if pr.enabled() {
		if _, err := pr.sample(ctx, true); err != nil {
			return nil, err
		}
		sctx, stop := context.WithCancel(ctx)
		defer stop()
		go pr.run(sctx, o.sample, int(o.maxDuration/o.sample)+1)
	}
	rep := &Report{
		Tool:    "sshload",
		Label:   o.label,
		Mode:    o.mode,
		Target:  o.addr,
		Started: start.UTC().Format(time.RFC3339),
		Params:  params,
	}
	d := &dialer{addr: o.addr, cfg: cfg}
	rec := newRecorder()
	switch o.mode {
	case "churn":
		runChurn(ctx, o.session, d, rec, pr, rep)
	case "hold":
		runHold(ctx, o.session, d, rec, pr, rep)
	case "exec":
		runExec(ctx, o.exec, d, rec, pr, rep)
	}
	rep.Seconds = round3(time.Since(start).Seconds())
	rep.Series = pr.series()
	rep.Errors = rec.errorCounts()
	if ctx.Err() != nil {
		if rep.Errors == nil {
			rep.Errors = map[string]int{}
		}
		rep.Errors["run: stopped early: "+context.Cause(ctx).Error()]++
	}
	return rep, nil
}
