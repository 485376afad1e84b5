package server_test

// The attack figures: a load run, not a unit test. For each attack it starts the
// server with the production defaults in a child process of its own (this test
// binary again), runs the attack from this process, and prints what the server
// process spent during it (peaks sampled every 100 ms) and how long a
// legitimate visitor from another address waited for the first frame.
//
//	SSHRESUME_ATTACK=1 go test -run TestAttackFigures -v -timeout 10m ./server
//	SSHRESUME_ATTACK=idle,connect-rate go test -run TestAttackFigures -v ./server
//
// SSHRESUME_ATTACK_CPUPROFILE=FILE writes a CPU profile of the server process.
//
// Each attack lasts a few seconds; the whole run about two minutes.
//
// The file is longer than most (about 500 lines) because the table of attacks,
// the code of each attack and the two processes' measurements are read together.
//
// It asserts what it reports, with generous bounds (about three times what
// was measured, or what the per-session cost predicts): the server's peak heap
// stays under each attack's bound, and the legitimate visitor gets a first
// frame within firstFrameBound, unless the attack fills the connection cap,
// where being refused as busy is the expected answer.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/server"
)

// attacks, in the order of the table, with the bound of the server's peak heap
// during each (a TUI costs about 0.4 MB plus 215 bytes per cell, 11 MB at
// 320×160), and whether the attack fills the connection cap, so that the
// visitor may be refused as busy.
var attacks = []struct {
	name, what string
	heapMiB    float64
	fillsCap   bool
}{
	{"idle", "no attack: 100 visitors with an 80×24 TUI open", 256, false},
	{"idle-huge", "no attack: 100 visitors with a 320×160 TUI open", 2048, false},
	{"pty-65535", "10 connections, each a PTY of 65535×65535", 512, false},
	{"winch-storm", "10 TUIs sending window changes without pause", 1024, false},
	{"env-flood", "10 connections sending env requests without pause", 128, false},
	{"input-flood", "10 TUIs sending unterminated sequences and pastes", 128, false},
	{"idle-tcp-5000", "5000 TCP connections from 500 addresses, silent", 128, true},
	{"half-open-5000", "5000 connections from 500 addresses stalled in the key exchange", 256, true},
	{"connect-rate", "one address connecting and closing without pause", 128, false},
	{"forwarding", "10 connections asking for forwarding, agent, X11, sftp in a loop", 128, false},
	{"long-commands", "10 connections sending 200 KB exec commands in a loop", 128, false},
	{"idle-channels", "10 connections (2 addresses × 5) holding a channel without a shell, sending nothing, for a minute (the control of the next row)", 128, false},
	{"small-packets", "10 connections (2 addresses × 5) sending 1-byte packets on a channel without a shell, for a minute", 128, false},
	{"sessionless-500", "50 addresses × 10 connections that send their identification and nothing more", 256, true},
	{"sessionless-hammer", "the same, and 4 addresses reconnecting without pause", 256, true},
	{"no-session-500", "50 addresses × 10 connections after the handshake, a channel without a shell, a window change every 5 s", 512, true},
	{"rekey", "3 connections from one address renegotiating keys every 256 bytes", 128, false},
	{"keys-huge", "10 TUIs of 320×160 from one address sending keys without pause", 1024, false},
}

// attackTimes are the attacks that last longer than attackTime.
var attackTimes = map[string]time.Duration{"idle-channels": time.Minute, "small-packets": time.Minute, "sessionless-500": 15 * time.Second, "sessionless-hammer": 15 * time.Second, "no-session-500": 20 * time.Second}

// visitorsDuring are the attacks during which many new visitors come, each
// from an address of its own, rather than one: their goal is that at least 95%
// of them get their first frame within visitorBound.
var visitorsDuring = map[string]int{"sessionless-500": 40, "sessionless-hammer": 40, "no-session-500": 40}

const visitorBound = 2 * time.Second

// firstFrameBound is how long the legitimate visitor may wait for its first
// frame during an attack; it was measured at 6 to 10 ms.
const firstFrameBound = 5 * time.Second

const attackTime = 6 * time.Second

func TestAttackFigures(t *testing.T) {
	if os.Getenv("SSHRESUME_ATTACK") == "" {
		t.Skip("a load run: set SSHRESUME_ATTACK=1")
	}
	only := os.Getenv("SSHRESUME_ATTACK") // "1" for all, or a comma-separated list
	var rows []string
	for _, a := range attacks {
		if only == "1" || strings.Contains(","+only+",", ","+a.name+",") {
			rows = append(rows, runAttack(t, a.name, a.what, a.heapMiB, a.fillsCap))
		}
	}
	fmt.Println("| attack | server did | peak heap | peak RSS (growth) | peak fds | peak goroutines | server CPU | first frame for a new visitor |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Println(r)
	}
}

type sample struct {
	heap, rss uint64
	fds, gor  int
}

func measure() sample {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := sample{heap: ms.HeapInuse, gor: runtime.NumGoroutine()}
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		s.fds = len(ents)
	}
	if f, err := os.Open("/proc/self/status"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
				kb, _ := strconv.ParseUint(strings.Fields(v)[0], 10, 64)
				s.rss = kb << 10
			}
		}
		_ = f.Close()
	}
	return s
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestAttackServer is the server side of TestAttackFigures, run in a child
// process: it serves with the defaults, prints its address, samples until its
// standard input closes, and prints the peaks.
func TestAttackServer(t *testing.T) {
	if os.Getenv("SSHRESUME_ATTACK_SERVER") == "" {
		t.Skip("the server side of TestAttackFigures")
	}
	// As in production: logs at info level, so that per-refusal debug lines
	// cost nothing.
	cfg := testConfig(t)
	srv, err := server.New(cfg, defaultResume(t), log.NewWithOptions(io.Discard, log.Options{Level: log.InfoLevel}))
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	defer func() { _ = srv.Close() }()
	ts := &testServer{Server: srv, addr: l.Addr().String()}
	runtime.GC()
	if file := os.Getenv("SSHRESUME_ATTACK_CPUPROFILE"); file != "" {
		f, err := os.Create(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	cpu0, wall0, rss0 := cpuTime(), time.Now(), measure().rss
	fmt.Printf("ADDR %s\n", ts.addr)
	stop := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(stop) }()
	var peak sample
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for done := false; !done; {
		m := measure()
		peak.heap, peak.rss = max(peak.heap, m.heap), max(peak.rss, m.rss)
		peak.fds, peak.gor = max(peak.fds, m.fds), max(peak.gor, m.gor)
		select {
		case <-stop:
			done = true
		case <-tick.C:
		}
	}
	cpu := 100 * (cpuTime() - cpu0).Seconds() / time.Since(wall0).Seconds()
	refused := int64(0)
	for _, n := range ts.Stats().Refused {
		refused += n
	}
	fmt.Printf("PEAK %.1f MiB | %.1f MiB (+%.1f) | %d | %d | %.0f%% of a core | %d (%s)\n",
		float64(peak.heap)/(1<<20), float64(peak.rss)/(1<<20), (float64(peak.rss)-float64(rss0))/(1<<20), peak.fds, peak.gor, cpu, refused, refusalSummary(ts.Stats().Refused))
}

func runAttack(t *testing.T, name, what string, heapMiB float64, fillsCap bool) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestAttackServer$", "-test.v")
	cmd.Env = append(os.Environ(), "SSHRESUME_ATTACK_SERVER=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "ADDR ") || strings.HasPrefix(sc.Text(), "PEAK ") {
				lines <- sc.Text()
			}
		}
		close(lines)
	}()
	addr := strings.TrimPrefix(<-lines, "ADDR ")

	length := attackTime
	if d, ok := attackTimes[name]; ok {
		length = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), length)
	defer cancel()
	did := make(chan string, 1)
	go func() { did <- attack(ctx, name, addr) }()
	time.Sleep(length / 2) // a legitimate visitor in the middle of the attack
	frame, waited, served := firstFrame(addr, "127.0.0.200")
	if n := visitorsDuring[name]; n > 0 {
		frame, waited, served = manyVisitors(addr, n)
	}
	report := <-did
	_ = stdin.Close()
	peak := strings.TrimPrefix(<-lines, "PEAK ")
	_ = cmd.Wait()
	// peak: heap | rss | fds | goroutines | cpu | refused (reasons)
	fields := strings.Split(peak, " | ")
	if len(fields) != 6 {
		t.Fatalf("server reported %q", peak)
	}
	if !strings.HasPrefix(fields[5], "0 ") {
		report += "; refused " + fields[5]
	}
	var heap float64
	if _, err := fmt.Sscanf(fields[0], "%f MiB", &heap); err != nil {
		t.Fatalf("server reported heap %q", fields[0])
	}
	if heap > heapMiB {
		t.Errorf("%s: peak heap %.1f MiB, bound %.0f MiB", name, heap, heapMiB)
	}
	switch {
	case served && waited > firstFrameBound:
		t.Errorf("%s: the visitor's first frame took %v, bound %v", name, waited, firstFrameBound)
	case !served && !(fillsCap && strings.Contains(frame, "busy")):
		t.Errorf("%s: the visitor was not served: %s", name, frame)
	}
	return fmt.Sprintf("| %s | %s | %s | %s |", what, report, strings.Join(fields[:5], " | "), frame)
}

func refusalSummary(m map[string]int64) string {
	var parts []string
	for _, k := range []string{"busy", "per_ip", "rate", "penalty", "evicted", "no_proxy_header", "input_dropped", "sessions_unlogged"} {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	return strings.Join(parts, ", ")
}

// manyVisitors sends n new visitors, one every 100 ms, each from an address
// of its own (127.0.200.x), and says how many got their first frame within
// visitorBound; served is whether at least 95% did.
func manyVisitors(addr string, n int) (figure string, slowest time.Duration, served bool) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var times []time.Duration
	var failed []string
	for i := range n {
		wg.Go(func() {
			_, waited, ok := firstFrame(addr, fmt.Sprintf("127.0.200.%d", 1+i))
			mu.Lock()
			defer mu.Unlock()
			if ok {
				times = append(times, waited)
			} else {
				failed = append(failed, "x")
			}
		})
		time.Sleep(100 * time.Millisecond)
	}
	wg.Wait()
	within := 0
	for _, d := range times {
		slowest = max(slowest, d)
		if d <= visitorBound {
			within++
		}
	}
	figure = fmt.Sprintf("%d of %d within %v (slowest served %v, %d not served)", within, n, visitorBound, slowest.Round(time.Millisecond), len(failed))
	return figure, 0, within*100 >= 95*n
}

// firstFrame is how long a new visitor from local waits from TCP connect
// to the resume in its output, as a figure for the table and as waited, with
// served false and the reason in the figure if it never came.
func firstFrame(addr, local string) (figure string, waited time.Duration, served bool) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return "connect failed: " + err.Error(), 0, false
	}
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	cc, chans, reqs, err := gossh.NewClientConn(c, addr, &gossh.ClientConfig{User: "visitor", HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err != nil {
		return "refused: " + err.Error(), 0, false
	}
	handshake := time.Since(start)
	client := gossh.NewClient(cc, chans, reqs)
	sess, err := client.NewSession()
	if err != nil {
		return "no session: " + err.Error(), 0, false
	}
	out, _ := sess.StdoutPipe()
	_ = sess.RequestPty("xterm-256color", 24, 80, nil)
	_ = sess.Shell()
	var seen []byte
	buf := make([]byte, 32<<10)
	for !bytes.Contains(seen, []byte(visitorName)) {
		n, err := out.Read(buf)
		if err != nil {
			return "no frame: " + err.Error(), 0, false
		}
		seen = append(seen, buf[:n]...)
	}
	waited = time.Since(start)
	return fmt.Sprintf("%v (handshake %v)", waited.Round(time.Millisecond), handshake.Round(time.Millisecond)), waited, true
}

// attack runs the named attack against addr until ctx is done and says what
// it managed.
func attack(ctx context.Context, name, addr string) (result string) {
	var n atomic.Int64 // what the attack managed, for the report
	report := func(format string, args ...any) { result = fmt.Sprintf(format, args...) }
	parallel := func(k int, fn func(i int)) {
		var wg sync.WaitGroup
		for i := range k {
			wg.Go(func() { fn(i) })
		}
		wg.Wait()
	}
	dialSSH := func(local string) (*gossh.Client, error) {
		d := net.Dialer{Timeout: 5 * time.Second}
		if local != "" {
			d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
		}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		cc, chans, reqs, err := gossh.NewClientConn(c, addr, &gossh.ClientConfig{User: "x", HostKeyCallback: gossh.InsecureIgnoreHostKey()})
		if err != nil {
			_ = c.Close()
			return nil, err
		}
		return gossh.NewClient(cc, chans, reqs), nil
	}
	tui := func(client *gossh.Client, w, h int) (*gossh.Session, io.Writer, error) {
		sess, err := client.NewSession()
		if err != nil {
			return nil, nil, err
		}
		in, _ := sess.StdinPipe()
		out, _ := sess.StdoutPipe()
		go func() { _, _ = io.Copy(io.Discard, out) }()
		if err := sess.RequestPty("xterm-256color", h, w, nil); err != nil {
			return nil, nil, err
		}
		return sess, in, sess.Shell()
	}
	// eachClient runs fn on k connections at once, each closed when fn returns.
	eachClient := func(k int, fn func(client *gossh.Client)) {
		parallel(k, func(int) {
			client, err := dialSSH("")
			if err != nil {
				return
			}
			defer func() { _ = client.Close() }()
			fn(client)
		})
	}
	hold := func(k int, w, h int) {
		parallel(k, func(i int) {
			client, err := dialSSH(fmt.Sprintf("127.0.%d.%d", 1+i/10, 1+i%10))
			if err != nil {
				return
			}
			defer func() { _ = client.Close() }()
			if _, _, err := tui(client, w, h); err == nil {
				n.Add(1)
			}
			<-ctx.Done()
		})
	}

	// dialRetry dials from local until admitted: an address may have only
	// so many connections without a session (in their handshake) at once.
	dialRetry := func(local string) (*gossh.Client, error) {
		for {
			client, err := dialSSH(local)
			if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "too many connections") {
				return client, err
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	switch name {
	case "idle":
		hold(100, 80, 24)
		report("served %d TUIs", n.Load())
	case "idle-huge":
		hold(100, 320, 160)
		report("served %d TUIs", n.Load())
	case "pty-65535":
		hold(10, 65535, 65535)
		report("clamped to 320×160, served %d TUIs", n.Load())
	case "winch-storm":
		eachClient(10, func(client *gossh.Client) {
			sess, _, err := tui(client, 80, 24)
			if err != nil {
				return
			}
			for i := 0; ctx.Err() == nil; i++ {
				if sess.WindowChange(24+i%200, 80+i%400) != nil {
					return
				}
				n.Add(1)
			}
		})
		report("%d window changes sent, coalesced to 2 redraws/s per TUI", n.Load())
	case "env-flood":
		eachClient(10, func(client *gossh.Client) {
			sess, err := client.NewSession()
			if err != nil {
				return
			}
			for i := 0; ctx.Err() == nil; i++ {
				if sess.Setenv(fmt.Sprintf("LC_%c", 'A'+i%26), strings.Repeat("v", 100)) != nil {
					n.Add(1)
				}
			}
		})
		report("%d env requests answered no (16 per session kept)", n.Load())
	case "input-flood":
		junk := []byte("\x1b]11;" + strings.Repeat("a", 8<<10) + "\x1b[200~" + strings.Repeat("p", 8<<10))
		eachClient(10, func(client *gossh.Client) {
			_, in, err := tui(client, 80, 24)
			if err != nil {
				return
			}
			go func() { <-ctx.Done(); _ = client.Close() }()
			for ctx.Err() == nil {
				k, err := in.Write(junk)
				n.Add(int64(k))
				if err != nil {
					return
				}
			}
		})
		report("%d KiB of input accepted in %v, the rest held back by flow control", n.Load()>>10, attackTime)
	case "idle-tcp-5000", "half-open-5000":
		var conns sync.Map
		parallel(5000, func(i int) {
			c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 1, byte(i/10/250), byte(1+i/10%250))}}).DialContext(ctx, "tcp", addr)
			if err != nil {
				return
			}
			conns.Store(i, c)
			if name == "half-open-5000" {
				_, _ = io.WriteString(c, "SSH-2.0-x\r\n")
			}
			b := make([]byte, 1)
			if _, err := c.Read(b); err == nil && b[0] == 'S' {
				n.Add(1) // admitted: the server sent its identification
			}
		})
		<-ctx.Done()
		conns.Range(func(_, c any) bool { _ = c.(net.Conn).Close(); return true })
		report("%d of 5000 admitted and held", n.Load())
	case "connect-rate":
		var tried atomic.Int64
		parallel(4, func(int) {
			for ctx.Err() == nil {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					continue
				}
				tried.Add(1)
				b := make([]byte, 1)
				_ = c.SetReadDeadline(time.Now().Add(time.Second))
				if _, err := c.Read(b); err == nil && b[0] == 'S' {
					n.Add(1)
				}
				_ = c.Close()
			}
		})
		report("%d connections, %d admitted", tried.Load(), n.Load())
	case "forwarding":
		var accepted atomic.Int64
		eachClient(10, func(client *gossh.Client) {
			for ctx.Err() == nil {
				if c, err := client.Dial("tcp", addr); err == nil {
					_ = c.Close()
					accepted.Add(1)
				}
				_, _, _ = client.SendRequest("tcpip-forward", true, gossh.Marshal(struct {
					A string
					P uint32
				}{"127.0.0.1", 0}))
				if sess, err := client.NewSession(); err == nil {
					_, _ = sess.SendRequest("auth-agent-req@openssh.com", true, nil)
					_, _ = sess.SendRequest("x11-req", true, nil)
					_ = sess.RequestSubsystem("sftp")
					_ = sess.Close()
				}
				n.Add(1)
			}
		})
		report("%d rounds of requests, %d forwardings accepted", n.Load(), accepted.Load())
	case "long-commands":
		long := strings.Repeat("x ", 100_000)
		eachClient(10, func(client *gossh.Client) {
			for ctx.Err() == nil {
				sess, err := client.NewSession()
				if err != nil {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				if err := sess.Run(long); err != nil {
					n.Add(1)
				}
				_ = sess.Close()
			}
		})
		report("%d commands refused with status 2", n.Load())
	case "small-packets", "idle-channels":
		parallel(10, func(i int) {
			// Each address may hold 5 connections without a session.
			client, err := dialRetry(fmt.Sprintf("127.0.9.%d", 1+10*(i/5)))
			if err != nil {
				return
			}
			defer func() { _ = client.Close() }()
			ch, reqs, err := client.OpenChannel("session", nil)
			if err != nil {
				return
			}
			go gossh.DiscardRequests(reqs)
			go func() { <-ctx.Done(); _ = client.Close() }()
			for ctx.Err() == nil {
				if name == "idle-channels" {
					<-ctx.Done()
					return
				}
				if _, err := ch.Write([]byte{'x'}); err != nil {
					return
				}
				n.Add(1)
			}
		})
		report("%d one-byte packets sent", n.Load())
	case "sessionless-500", "sessionless-hammer":
		var held atomic.Int64
		var wg sync.WaitGroup
		// Each of 50 addresses keeps 10 connections open, reconnecting
		// when one is closed.
		for a := range 50 {
			for range 10 {
				wg.Go(func() {
					for ctx.Err() == nil {
						c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 10, 0, byte(1+a))}}).DialContext(ctx, "tcp", addr)
						if err != nil {
							time.Sleep(100 * time.Millisecond)
							continue
						}
						_, _ = io.WriteString(c, "SSH-2.0-x\r\n")
						go func() { <-ctx.Done(); _ = c.Close() }()
						held.Add(1)
						_, _ = io.Copy(io.Discard, c)
						_ = c.Close()
						time.Sleep(time.Second) // then again
					}
				})
			}
		}
		if name == "sessionless-hammer" {
			for a := range 4 {
				wg.Go(func() {
					for ctx.Err() == nil {
						c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 11, 0, byte(1+a))}}).DialContext(ctx, "tcp", addr)
						if err != nil {
							continue
						}
						n.Add(1)
						_, _ = io.WriteString(c, "SSH-2.0-x\r\n")
						_ = c.SetReadDeadline(time.Now().Add(time.Second))
						_, _ = io.Copy(io.Discard, c)
						_ = c.Close()
					}
				})
			}
		}
		wg.Wait()
		report("%d connections opened and held, %d hammering", held.Load(), n.Load())
	case "no-session-500":
		var wg sync.WaitGroup
		for a := range 50 {
			for range 10 {
				wg.Go(func() {
					for ctx.Err() == nil {
						client, err := dialSSH(fmt.Sprintf("127.12.0.%d", 1+a))
						if err != nil {
							time.Sleep(time.Second)
							continue
						}
						n.Add(1)
						go func() { <-ctx.Done(); _ = client.Close() }()
						if ch, reqs, err := client.OpenChannel("session", nil); err == nil {
							go gossh.DiscardRequests(reqs)
							go func() {
								for ctx.Err() == nil {
									_, _ = ch.SendRequest("window-change", false, gossh.Marshal(struct{ W, H, PW, PH uint32 }{80, 24, 0, 0}))
									time.Sleep(5 * time.Second)
								}
							}()
						}
						_ = client.Wait()
						time.Sleep(time.Second)
					}
				})
			}
		}
		wg.Wait()
		report("%d connections after the handshake", n.Load())
	case "rekey":
		parallel(3, func(int) {
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.9.2")}}
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return
			}
			cc, chans, reqs, err := gossh.NewClientConn(c, addr, &gossh.ClientConfig{User: "x", HostKeyCallback: gossh.InsecureIgnoreHostKey(), Config: gossh.Config{RekeyThreshold: 256}})
			if err != nil {
				_ = c.Close()
				return
			}
			client := gossh.NewClient(cc, chans, reqs)
			defer func() { _ = client.Close() }()
			ch, creqs, err := client.OpenChannel("session", nil)
			if err != nil {
				return
			}
			go gossh.DiscardRequests(creqs)
			env := gossh.Marshal(struct{ K, V string }{"LANG", "C"})
			for ctx.Err() == nil {
				if _, err := ch.SendRequest("env", true, env); err != nil {
					return
				}
				n.Add(1)
			}
		})
		report("%d requests answered, a key exchange every 256 bytes", n.Load())
	case "keys-huge":
		parallel(10, func(int) {
			client, err := dialRetry("127.0.9.3")
			if err != nil {
				return
			}
			defer func() { _ = client.Close() }()
			_, in, err := tui(client, 320, 160)
			if err != nil {
				return
			}
			go func() { <-ctx.Done(); _ = client.Close() }()
			keys := []byte(strings.Repeat("jjjjkkkk", 128))
			for ctx.Err() == nil {
				k, err := in.Write(keys)
				n.Add(int64(k))
				if err != nil {
					return
				}
			}
		})
		report("%d KiB of keys sent", n.Load()>>10)
	default:
		report("unknown attack %q", name)
	}
	return result
}
