package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat. It is 100 on
// every Linux architecture Go supports, whatever the kernel's HZ.
const clockTicks = 100

// Sample is the state of the server's process tree at one moment: the server
// process and all its live descendants, so that a forking server such as OpenSSH's
// sshd is measured whole.
type Sample struct {
	// At is the time since the run started, in seconds.
	At float64 `json:"at_s"`
	// CPU is user+system time in seconds of every live process of the tree, plus
	// the time of the children they have reaped (cutime+cstime): each process
	// that ever ran is counted once, by itself while alive and by its parent
	// after it exited.
	CPU float64 `json:"cpu_s"`
	// RSS is the sum of the resident set sizes of the tree, in bytes. For a
	// forking server this counts shared pages once per process.
	RSS       int64 `json:"rss_bytes"`
	Processes int   `json:"processes"`
	Threads   int   `json:"threads"`
	FDs       int   `json:"fds"`
	// Goroutines and HeapInuse come from the server's pprof endpoint when one is
	// given (-pprof; sshresume serves one with -debug-addr), else they are 0.
	Goroutines int   `json:"goroutines,omitempty"`
	HeapInuse  int64 `json:"heap_inuse_bytes,omitempty"`
}

// prober samples one process tree.
type prober struct {
	pid      int
	pprofURL string
	start    time.Time
	pageSize int64
	client   *http.Client

	mu      sync.Mutex
	samples []Sample
}

func newProber(pid int, pprofURL string, start time.Time) *prober {
	return &prober{
		pid: pid, pprofURL: strings.TrimSuffix(pprofURL, "/"), start: start,
		pageSize: int64(os.Getpagesize()),
		client:   &http.Client{Timeout: 5 * time.Second},
	}
}

// enabled reports whether there is anything to sample.
func (p *prober) enabled() bool { return p.pid > 0 || p.pprofURL != "" }

// sample reads the tree now, and the pprof endpoint too if deep is set. With
// neither a PID nor a pprof URL it returns a zero Sample.
func (p *prober) sample(ctx context.Context, deep bool) (Sample, error) {
	s := Sample{At: round3(time.Since(p.start).Seconds())}
	if p.pid > 0 {
		if err := p.readTree(&s); err != nil {
			return s, err
		}
	}
	if deep && p.pprofURL != "" {
		if err := p.readPprof(ctx, &s); err != nil {
			return s, err
		}
	}
	return s, nil
}

// record takes a sample and keeps it in the time series of the run.
func (p *prober) record(ctx context.Context, deep bool) (Sample, error) {
	s, err := p.sample(ctx, deep)
	if err != nil {
		return s, err
	}
	p.mu.Lock()
	p.samples = append(p.samples, s)
	p.mu.Unlock()
	return s, nil
}

// run records a sample every interval until ctx ends, keeping at most limit. It
// reads /proc only: a heap profile costs the server enough CPU to show in an idle
// measurement, so pprof is read at checkpoints only.
func (p *prober) run(ctx context.Context, interval time.Duration, limit int) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for n := 0; n < limit; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, _ = p.record(ctx, false) // a missing sample is visible as a gap in the series
		}
	}
}

func (p *prober) series() []Sample {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Sample(nil), p.samples...)
}

// procStat is what sshload needs from /proc/PID/stat.
type procStat struct {
	ppid                         int
	utime, stime, cutime, cstime int64 // clock ticks
	threads                      int
	rssPages                     int64
}

// readStat parses /proc/PID/stat. The command name is in parentheses and may
// contain spaces and parentheses itself, so the fields are counted from the last
// closing parenthesis.
func readStat(pid int) (procStat, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procStat{}, err
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("parse /proc/%d/stat: no command name", pid)
	}
	// After ") " comes field 3 (state); fields are numbered from 1 as in proc(5).
	f := strings.Fields(string(data[i+1:]))
	field := func(n int) int64 {
		if n-3 >= len(f) {
			return 0
		}
		v, _ := strconv.ParseInt(f[n-3], 10, 64)
		return v
	}
	if len(f) < 22 {
		return procStat{}, fmt.Errorf("parse /proc/%d/stat: %d fields", pid, len(f)+2)
	}
	return procStat{
		ppid:  int(field(4)),
		utime: field(14), stime: field(15), cutime: field(16), cstime: field(17),
		threads:  int(field(20)),
		rssPages: field(24),
	}, nil
}

// readTree fills s with the totals of the process tree rooted at p.pid.
func (p *prober) readTree(s *Sample) error {
	root, err := readStat(p.pid)
	if err != nil {
		return fmt.Errorf("server process %d: %w", p.pid, err)
	}
	stats := map[int]procStat{p.pid: root}
	children := map[int][]int{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return fmt.Errorf("list processes: %w", err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == p.pid {
			continue
		}
		st, err := readStat(pid)
		if err != nil {
			continue // the process exited meanwhile
		}
		stats[pid] = st
		children[st.ppid] = append(children[st.ppid], pid)
	}
	var ticks int64
	queue := []int{p.pid}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		st := stats[pid]
		ticks += st.utime + st.stime + st.cutime + st.cstime
		s.RSS += st.rssPages * p.pageSize
		s.Threads += st.threads
		s.Processes++
		if fds, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd")); err == nil {
			s.FDs += len(fds)
		}
		queue = append(queue, children[pid]...)
	}
	s.CPU = float64(ticks) / clockTicks
	return nil
}

// readPprof reads the goroutine count and the heap in use from a net/http/pprof
// endpoint on the loopback interface.
func (p *prober) readPprof(ctx context.Context, s *Sample) error {
	body, err := p.get(ctx, "/goroutine?debug=1")
	if err != nil {
		return err
	}
	// The first line is "goroutine profile: total N".
	first, _, _ := strings.Cut(body, "\n")
	if _, n, ok := strings.Cut(first, "total "); ok {
		s.Goroutines, _ = strconv.Atoi(strings.TrimSpace(n))
	}
	// gc=1 collects garbage first, so that HeapInuse is the live heap.
	body, err = p.get(ctx, "/heap?gc=1&debug=1")
	if err != nil {
		return err
	}
	// The memory statistics are appended as "# HeapInuse = N" lines.
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "# HeapInuse = "); ok {
			s.HeapInuse, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return nil
}

func (p *prober) get(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.pprofURL+path, nil)
	if err != nil {
		return "", fmt.Errorf("pprof request: %w", err)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("pprof: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("pprof %s: %s", path, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return "", fmt.Errorf("pprof %s: %w", path, err)
	}
	return string(b), nil
}

// selfCPU is the CPU time, user and system, that this process has used so far,
// in seconds: the load generator's own share of the machine.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
