package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Report is the JSON output of one run. Times are in milliseconds unless the
// name says otherwise; CPU is in seconds of one core.
type Report struct {
	Tool    string `json:"tool"`
	Label   string `json:"label,omitempty"`
	Mode    string `json:"mode"`
	Target  string `json:"target"`
	Started string `json:"started"`
	// Seconds is how long the whole run took.
	Seconds float64        `json:"duration_s"`
	Params  map[string]any `json:"params"`

	Sessions *SessionReport `json:"sessions,omitempty"`
	Exec     *ExecReport    `json:"exec,omitempty"`

	// Baseline is the server before the run, Series its samples during it.
	Baseline *Sample  `json:"server_baseline,omitempty"`
	Series   []Sample `json:"server_series,omitempty"`
	// Errors counts failures by where they happened.
	Errors map[string]int `json:"errors,omitempty"`
}

// SessionReport is the result of the churn and hold modes.
type SessionReport struct {
	Attempted int `json:"attempted"`
	Framed    int `json:"framed"`
	Failed    int `json:"failed"`
	// Handshake is TCP connect, key exchange and authentication.
	Handshake Dist `json:"handshake_ms"`
	// Opened is from the start of the connect until the shell request is
	// answered.
	Opened Dist `json:"session_open_ms"`
	// FirstFrame is from the start of the connect until every expected string
	// is on the screen.
	FirstFrame Dist `json:"first_frame_ms"`
	// SessionsPerSecond is how fast churn opened, drew and closed sessions.
	SessionsPerSecond float64 `json:"sessions_per_s,omitempty"`
	// CPUPerSession is the server's CPU time per session in churn mode: connect,
	// first frame and close, in milliseconds.
	CPUPerSession float64 `json:"cpu_ms_per_session,omitempty"`
	// ClientCPUPerSession is sshload's own CPU per session in churn mode, in ms.
	ClientCPUPerSession float64 `json:"client_cpu_ms_per_session,omitempty"`

	Checkpoints []Checkpoint `json:"checkpoints,omitempty"`
	Idle        *IdleReport  `json:"idle,omitempty"`
	Keys        *KeyReport   `json:"keys,omitempty"`
	AfterClose  *Sample      `json:"after_close,omitempty"`
}

// Checkpoint is the server with a number of sessions open and idle.
type Checkpoint struct {
	Open   int    `json:"open"`
	Server Sample `json:"server"`
	// RSSPerSession is (RSS now - RSS before the first session) / open.
	RSSPerSession float64 `json:"rss_per_session_bytes"`
	// HeapPerSession is the same for the Go heap in use, when pprof is given.
	HeapPerSession float64 `json:"heap_per_session_bytes,omitempty"`
	// GoroutinesPerSession likewise, when pprof is given.
	GoroutinesPerSession float64 `json:"goroutines_per_session,omitempty"`
}

// IdleReport is the server while every session is open and nobody types.
type IdleReport struct {
	Open    int     `json:"open"`
	Seconds float64 `json:"duration_s"`
	CPU     float64 `json:"cpu_s"`
	// CPUPercent is CPU / duration, in percent of one core.
	CPUPercent float64 `json:"cpu_pct_of_core"`
	// BytesReceived is what all sessions received while idle: a server that
	// redraws nothing while nobody types sends nothing.
	BytesReceived int64 `json:"bytes_received"`
}

// KeyReport is the keystroke phase.
type KeyReport struct {
	Open     int    `json:"open"`
	Sent     int    `json:"sent"`
	Answered int    `json:"answered"`
	Keys     string `json:"keys"`
	// RTT is from sending a key until the first byte of output after it.
	RTT Dist `json:"rtt_ms"`
	// Bytes is all output between a key and the next key of the same session.
	Bytes Dist `json:"bytes_per_key"`
	// CPUPerKey is the server's CPU per keystroke in milliseconds, idle cost
	// included.
	CPUPerKey float64 `json:"cpu_ms_per_key"`
}

// ExecReport is the result of the exec mode.
type ExecReport struct {
	Command     string  `json:"command"`
	Concurrency int     `json:"concurrency"`
	Requests    int     `json:"requests"`
	OK          int     `json:"ok"`
	Failed      int     `json:"failed"`
	Seconds     float64 `json:"duration_s"`
	PerSecond   float64 `json:"requests_per_s"`
	Latency     Dist    `json:"latency_ms"`
	Handshake   Dist    `json:"handshake_ms"`
	Bytes       Dist    `json:"bytes_per_request"`
	CPU         float64 `json:"cpu_s"`
	// CPUPerRequest is the server's CPU per completed request, in ms.
	CPUPerRequest float64 `json:"cpu_ms_per_request"`
	// ClientCPUPerRequest is sshload's own CPU per completed request, in ms:
	// on one machine the load generator and the server share the cores.
	ClientCPUPerRequest float64 `json:"client_cpu_ms_per_request,omitempty"`
}

// summary writes a short human-readable account of the report.
func (r *Report) summary(w io.Writer) {
	var b strings.Builder
	title := r.Mode + " " + r.Target
	if r.Label != "" {
		title = r.Label + ": " + title
	}
	fmt.Fprintf(&b, "%s (%.1fs)\n", title, r.Seconds)
	dist := func(name string, d Dist, unit string) {
		if d.N == 0 {
			return
		}
		fmt.Fprintf(&b, "  %-16s p50 %8.2f  p90 %8.2f  p99 %8.2f  max %8.2f %s  (n=%d)\n", name, d.P50, d.P90, d.P99, d.Max, unit, d.N)
	}
	if s := r.Sessions; s != nil {
		fmt.Fprintf(&b, "  sessions         %d framed, %d failed of %d\n", s.Framed, s.Failed, s.Attempted)
		dist("handshake", s.Handshake, "ms")
		dist("session open", s.Opened, "ms")
		dist("first frame", s.FirstFrame, "ms")
		if s.SessionsPerSecond > 0 {
			fmt.Fprintf(&b, "  churn            %.1f sessions/s, server CPU %.2f ms/session, sshload CPU %.2f ms/session\n",
				s.SessionsPerSecond, s.CPUPerSession, s.ClientCPUPerSession)
		}
		for _, c := range s.Checkpoints {
			fmt.Fprintf(&b, "  %5d open       RSS %.1f MiB (%.1f KiB/session)", c.Open, mib(c.Server.RSS), c.RSSPerSession/1024)
			if c.Server.Goroutines > 0 {
				fmt.Fprintf(&b, ", %d goroutines (%.1f/session), heap %.1f MiB (%.1f KiB/session)",
					c.Server.Goroutines, c.GoroutinesPerSession, mib(c.Server.HeapInuse), c.HeapPerSession/1024)
			}
			fmt.Fprintf(&b, ", %d threads, %d fds\n", c.Server.Threads, c.Server.FDs)
		}
		if i := s.Idle; i != nil {
			fmt.Fprintf(&b, "  idle             %d sessions for %.0fs: %.2f%% of a core, %d bytes sent\n", i.Open, i.Seconds, i.CPUPercent, i.BytesReceived)
		}
		if k := s.Keys; k != nil {
			fmt.Fprintf(&b, "  keys             %d sent, %d answered, with %d open; %.2f ms CPU/key\n", k.Sent, k.Answered, k.Open, k.CPUPerKey)
			dist("key round trip", k.RTT, "ms")
			dist("bytes per key", k.Bytes, "B")
		}
		if a := s.AfterClose; a != nil {
			fmt.Fprintf(&b, "  after close      RSS %.1f MiB, %d threads, %d fds", mib(a.RSS), a.Threads, a.FDs)
			if a.Goroutines > 0 {
				fmt.Fprintf(&b, ", %d goroutines, heap %.1f MiB", a.Goroutines, mib(a.HeapInuse))
			}
			b.WriteString("\n")
		}
	}
	if e := r.Exec; e != nil {
		fmt.Fprintf(&b, "  exec %-11q %d ok, %d failed at concurrency %d: %.1f requests/s, server CPU %.2f ms/request, sshload CPU %.2f ms/request\n",
			e.Command, e.OK, e.Failed, e.Concurrency, e.PerSecond, e.CPUPerRequest, e.ClientCPUPerRequest)
		dist("latency", e.Latency, "ms")
		dist("handshake", e.Handshake, "ms")
		dist("bytes", e.Bytes, "B")
	}
	if len(r.Errors) > 0 {
		keys := make([]string, 0, len(r.Errors))
		for k := range r.Errors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("  errors:\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "    %6d  %s\n", r.Errors[k], k)
		}
	}
	_, _ = io.WriteString(w, b.String())
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
