package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"time"
)

// execRun is the configuration of the exec mode.
type execRun struct {
	command     string
	concurrency int
	requests    int
	duration    time.Duration
	expect      []string
	settle      time.Duration
	timeout     time.Duration // of one request
}

// runExec runs the command without a PTY from `concurrency` workers, one new
// connection per request as the ssh client does, until the number of requests or
// the duration, and checks that every answer holds the expected strings.
func runExec(ctx context.Context, r execRun, d *dialer, rec *recorder, pr *prober, rep *Report) {
	before, _ := pr.record(ctx, true)
	rep.Baseline = &before
	elapsed, client := runWorkers(ctx, r.concurrency, r.requests, r.duration, func() func() {
		var out bytes.Buffer
		return func() {
			out.Reset()
			execOnce(ctx, d, r, &out, rec)
		}
	})
	// Let a forking server reap its children, so that their CPU time counts.
	sleep(ctx, r.settle)
	after, err := pr.record(ctx, true)

	ok := rec.count("latency_ms")
	e := &ExecReport{
		Command:     r.command,
		Concurrency: r.concurrency,
		Requests:    rec.count("requests"),
		OK:          ok,
		Failed:      rec.count("requests") - ok,
		Seconds:     round3(elapsed.Seconds()),
		PerSecond:   round3(float64(ok) / elapsed.Seconds()),
		Latency:     rec.dist("latency_ms"),
		Handshake:   rec.dist("handshake_ms"),
		Bytes:       rec.dist("bytes"),
	}
	if ok > 0 {
		e.ClientCPUPerRequest = round3(client / float64(ok) * 1000)
	}
	if err == nil && pr.enabled() {
		e.CPU = round3(after.CPU - before.CPU)
		if ok > 0 {
			e.CPUPerRequest = round3(e.CPU / float64(ok) * 1000)
		}
	}
	rep.Exec = e
}

// execOnce is one request: connect, run the command, read all output, close.
func execOnce(ctx context.Context, d *dialer, r execRun, out *bytes.Buffer, rec *recorder) {
	rec.add("requests", 1)
	start := time.Now()
	client, err := d.dial(ctx)
	if err != nil {
		if ctx.Err() == nil {
			rec.fail(errKind("connect", err))
		}
		return
	}
	defer func() { _ = client.Close() }()
	handshake := time.Since(start)
	sess, err := client.NewSession()
	if err != nil {
		rec.fail(errKind("session", err))
		return
	}
	sess.Stdout = out
	sess.Stderr = io.Discard
	// Run returns when the command has exited and its output is read; a stuck
	// server is cut off by closing the connection at the request's deadline.
	rctx, cancel := context.WithDeadline(ctx, start.Add(r.timeout))
	defer cancel()
	stop := context.AfterFunc(rctx, func() { _ = client.Close() })
	err = sess.Run(r.command)
	stop()
	_ = client.Close()
	latency := time.Since(start)
	if err != nil {
		if ctx.Err() == nil {
			if rctx.Err() != nil {
				err = rctx.Err()
			}
			rec.fail(errKind("run", err))
		}
		return
	}
	text := out.String()
	for _, e := range r.expect {
		if !strings.Contains(text, e) {
			rec.fail("output: missing " + e)
			return
		}
	}
	rec.add("latency_ms", ms(latency))
	rec.add("handshake_ms", ms(handshake))
	rec.add("bytes", float64(out.Len()))
}
