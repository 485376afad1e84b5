package main

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// sessionRun is the configuration of the churn and hold modes.
type sessionRun struct {
	pty ptyOptions

	// churn
	n           int
	concurrency int
	duration    time.Duration

	// hold
	rate        float64       // new sessions per second during the ramp
	checkpoints []int         // numbers of open sessions at which to measure
	settle      time.Duration // pause before each measurement
	hold        time.Duration // how long every session stays idle
	keys        int           // keystrokes in all
	keyRate     float64       // keystrokes per second, over all sessions
	keyPair     [2]string     // the keys sent, alternating
	keyTimeout  time.Duration // how long a keystroke may wait for output
	keyDelay    time.Duration // a wait after the hold, sessions open, before the keystrokes
	linger      time.Duration // how long the sessions stay open after the keystrokes
}

// runWorkers runs `workers` workers, each made by newWorker and called over and
// over, until n calls in all have begun, the duration has passed or ctx is done.
// It returns the wall time and sshload's own CPU time the run took.
func runWorkers(ctx context.Context, workers, n int, d time.Duration, newWorker func() func()) (elapsed time.Duration, clientCPU float64) {
	start, cpu := time.Now(), selfCPU()
	deadline := start.Add(d)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		work := newWorker()
		wg.Go(func() {
			for next.Add(1) <= int64(n) && time.Now().Before(deadline) && ctx.Err() == nil {
				work()
			}
		})
	}
	wg.Wait()
	return time.Since(start), selfCPU() - cpu
}

// runChurn opens sessions from `concurrency` workers, each waiting for the first
// frame and closing it before opening the next, until n sessions or the duration.
// It measures what a new visitor costs: latency and server CPU per session.
func runChurn(ctx context.Context, r sessionRun, d *dialer, rec *recorder, pr *prober, rep *Report) {
	before, _ := pr.record(ctx, true)
	rep.Baseline = &before
	elapsed, client := runWorkers(ctx, r.concurrency, r.n, r.duration, func() func() {
		return func() {
			if s := openAndFrame(ctx, d, r.pty, rec); s != nil {
				s.close()
				waitEnded(s, 5*time.Second)
			}
		}
	})
	framed := rec.count("first_frame_ms")
	rep.Sessions = sessionReport(rec)
	if framed > 0 {
		rep.Sessions.SessionsPerSecond = round3(float64(framed) / elapsed.Seconds())
		rep.Sessions.ClientCPUPerSession = round3(client / float64(framed) * 1000)
	}
	// Let a forking server reap the children of the last sessions, so that
	// their CPU time is counted.
	sleep(ctx, r.settle)
	after, err := pr.record(ctx, true)
	if err == nil && pr.enabled() && framed > 0 {
		rep.Sessions.CPUPerSession = round3((after.CPU - before.CPU) / float64(framed) * 1000)
		rep.Sessions.AfterClose = &after
	}
}

// runHold ramps up to n open sessions at the given rate, measuring the server at
// each checkpoint; keeps them open and idle for the hold duration; sends
// keystrokes; closes them all and measures what the server keeps.
func runHold(ctx context.Context, r sessionRun, d *dialer, rec *recorder, pr *prober, rep *Report) {
	base, _ := pr.record(ctx, true)
	rep.Baseline = &base
	rep.Sessions = &SessionReport{}

	var (
		mu       sync.Mutex
		sessions []*ptySession
		wg       sync.WaitGroup
	)
	open := func() []*ptySession {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(sessions)
	}
	checkpoint := func() {
		wg.Wait() // every session started so far has its frame or has failed
		sleep(ctx, r.settle)
		s, err := pr.record(ctx, true)
		if err != nil || !pr.enabled() {
			return
		}
		n := len(open())
		cp := Checkpoint{Open: n, Server: s}
		if n > 0 {
			cp.RSSPerSession = round3(float64(s.RSS-base.RSS) / float64(n))
			if s.HeapInuse > 0 {
				cp.HeapPerSession = round3(float64(s.HeapInuse-base.HeapInuse) / float64(n))
				cp.GoroutinesPerSession = round3(float64(s.Goroutines-base.Goroutines) / float64(n))
			}
		}
		rep.Sessions.Checkpoints = append(rep.Sessions.Checkpoints, cp)
	}

	// The ramp: session i starts at i/rate seconds, not counting the pauses
	// at checkpoints.
	interval := time.Duration(float64(time.Second) / r.rate)
	next := time.Now()
	for i := range r.n {
		if !sleepUntil(ctx, next) {
			break
		}
		next = next.Add(interval)
		wg.Go(func() {
			if s := openAndFrame(ctx, d, r.pty, rec); s != nil {
				mu.Lock()
				sessions = append(sessions, s)
				mu.Unlock()
			}
		})
		if slices.Contains(r.checkpoints, i+1) && i+1 < r.n {
			paused := time.Now()
			checkpoint()
			next = next.Add(time.Since(paused))
		}
	}
	checkpoint()
	all := open()
	checkpoints := rep.Sessions.Checkpoints
	rep.Sessions = sessionReport(rec)
	rep.Sessions.Checkpoints = checkpoints

	if r.hold > 0 && ctx.Err() == nil {
		rep.Sessions.Idle = holdIdle(ctx, all, r.hold, pr)
	}
	if r.keys > 0 && len(all) > 0 && ctx.Err() == nil {
		sleep(ctx, r.keyDelay)
		rep.Sessions.Keys = typeKeys(ctx, r, all, rec, pr)
	}
	sleep(ctx, r.linger)

	for _, s := range all {
		s.close()
	}
	for _, s := range all {
		waitEnded(s, 5*time.Second)
	}
	sleep(ctx, r.settle)
	if after, err := pr.record(ctx, true); err == nil && pr.enabled() {
		rep.Sessions.AfterClose = &after
	}
}

// holdIdle keeps every session open without input and measures the server.
func holdIdle(ctx context.Context, all []*ptySession, hold time.Duration, pr *prober) *IdleReport {
	bytes0 := totalBytes(all)
	s0, _ := pr.record(ctx, false)
	start := time.Now()
	sleep(ctx, hold)
	s1, _ := pr.record(ctx, false)
	secs := time.Since(start).Seconds()
	idle := &IdleReport{
		Open:          len(all),
		Seconds:       round3(secs),
		BytesReceived: totalBytes(all) - bytes0,
	}
	if pr.enabled() {
		idle.CPU = round3(s1.CPU - s0.CPU)
		idle.CPUPercent = round3(idle.CPU / secs * 100)
	}
	return idle
}

// typeKeys sends r.keys keystrokes at r.keyRate, to the open sessions in turn, and
// measures how fast and with how many bytes each is answered.
func typeKeys(ctx context.Context, r sessionRun, all []*ptySession, rec *recorder, pr *prober) *KeyReport {
	k0, _ := pr.record(ctx, false)
	// Keystrokes arrive as a Poisson process, at random moments like a crowd's.
	// At a fixed interval they would keep one phase against each session's
	// renderer ticker, and the round trips would measure that phase.
	mean := float64(time.Second) / r.keyRate
	next := time.Now()
	sent, cursor := 0, 0
	for range r.keys {
		if !sleepUntil(ctx, next) {
			break
		}
		next = next.Add(time.Duration(rand.ExpFloat64() * mean))
		s := nextReady(ctx, all, &cursor, r.keyTimeout)
		if s == nil {
			rec.fail("key: every session still waits for its last answer")
			continue
		}
		if err := s.press(r.keyPair); err != nil {
			rec.fail(errKind("key", err))
			continue
		}
		sent++
	}
	// Wait for the last answers, then settle every session's last keystroke.
	deadline := time.Now().Add(r.keyTimeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if !slices.ContainsFunc(all, (*ptySession).awaiting) {
			break
		}
		sleep(ctx, 10*time.Millisecond)
	}
	// Output that follows the first byte of an answer belongs to it too.
	sleep(ctx, 100*time.Millisecond)
	for _, s := range all {
		s.settle()
	}
	k1, _ := pr.record(ctx, false)
	kr := &KeyReport{
		Open:     len(all),
		Sent:     sent,
		Answered: rec.count("key_rtt_ms"),
		Keys:     r.keyPair[0] + r.keyPair[1],
		RTT:      rec.dist("key_rtt_ms"),
		Bytes:    rec.dist("key_bytes"),
	}
	if pr.enabled() && sent > 0 {
		kr.CPUPerKey = round3((k1.CPU - k0.CPU) / float64(sent) * 1000)
	}
	return kr
}

// nextReady returns the next session, in turn from *cursor, that is not waiting
// for the answer to a keystroke: like a person, a session types its next key
// only after it saw the last one answered. If all are waiting it waits for one,
// at most timeout, and returns nil if none becomes ready.
func nextReady(ctx context.Context, all []*ptySession, cursor *int, timeout time.Duration) *ptySession {
	deadline := time.Now().Add(timeout)
	for {
		for range all {
			s := all[*cursor%len(all)]
			*cursor++
			if !s.awaiting() {
				return s
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil
		}
		sleep(ctx, time.Millisecond)
	}
}

// openAndFrame opens a session and waits for its first frame, recording the
// times. It returns nil, with the failure recorded, if either fails.
func openAndFrame(ctx context.Context, d *dialer, o ptyOptions, rec *recorder) *ptySession {
	rec.add("attempted", 1)
	s, err := openSession(ctx, d, o, rec)
	if err != nil {
		if ctx.Err() == nil {
			rec.fail(errKind("open", err))
		}
		return nil
	}
	rec.add("handshake_ms", ms(s.handshake))
	rec.add("session_open_ms", ms(s.opened))
	if err := s.waitFrame(ctx, o.frameTimeout); err != nil {
		if ctx.Err() == nil {
			rec.fail(errKind("frame", err))
		}
		s.close()
		return nil
	}
	rec.add("first_frame_ms", ms(s.frame))
	return s
}

func sessionReport(rec *recorder) *SessionReport {
	framed := rec.count("first_frame_ms")
	return &SessionReport{
		Attempted:  rec.count("attempted"),
		Framed:     framed,
		Failed:     rec.count("attempted") - framed,
		Handshake:  rec.dist("handshake_ms"),
		Opened:     rec.dist("session_open_ms"),
		FirstFrame: rec.dist("first_frame_ms"),
	}
}

func totalBytes(all []*ptySession) int64 {
	var n int64
	for _, s := range all {
		n += s.bytesRead()
	}
	return n
}

func waitEnded(s *ptySession, timeout time.Duration) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-s.ended:
	case <-t.C:
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// sleepUntil waits until t and reports whether ctx is still live.
func sleepUntil(ctx context.Context, t time.Time) bool {
	if d := time.Until(t); d > 0 {
		sleep(ctx, d)
	}
	return ctx.Err() == nil
}
