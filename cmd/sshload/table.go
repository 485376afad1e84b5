package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// table reads JSON reports of one comparison and writes a Markdown table: one row
// per metric, one column per server (the reports' labels, in the order first
// seen), and the ratio of the first two columns.
//
//	sshload table [-o results.md] report.json...
func table(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sshload table", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the table to this file instead of standard output")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var reports []*Report
	for _, name := range fs.Args() {
		data, err := os.ReadFile(name)
		if err != nil {
			_, _ = fmt.Fprintln(stderr, "sshload table:", err)
			return 1
		}
		var r Report
		if err := json.Unmarshal(data, &r); err != nil {
			_, _ = fmt.Fprintf(stderr, "sshload table: %s: %v\n", name, err)
			return 1
		}
		reports = append(reports, &r)
	}
	md := markdownTable(reports)
	if *out == "" {
		_, _ = io.WriteString(stdout, md)
		return 0
	}
	if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
		_, _ = fmt.Fprintln(stderr, "sshload table:", err)
		return 1
	}
	return 0
}

// metric is one row: how to read it from a report of the given mode, and whether
// it exists there at all.
type metric struct {
	name string
	mode string
	get  func(r *Report) (float64, bool)
	unit string
}

func markdownTable(reports []*Report) string {
	var labels []string
	byLabel := map[string]map[string]*Report{} // label → mode → report
	for _, r := range reports {
		label := r.Label
		if label == "" {
			label = r.Target
		}
		if !slices.Contains(labels, label) {
			labels = append(labels, label)
			byLabel[label] = map[string]*Report{}
		}
		byLabel[label][r.Mode] = r
	}

	var b strings.Builder
	b.WriteString("| metric |")
	for _, l := range labels {
		fmt.Fprintf(&b, " %s |", l)
	}
	ratio := len(labels) >= 2
	if ratio {
		fmt.Fprintf(&b, " %s ÷ %s |", labels[0], labels[1])
	}
	b.WriteString("\n|---|")
	for range labels {
		b.WriteString("---:|")
	}
	if ratio {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, m := range metrics(reports) {
		var cells []string
		var values []float64
		some := false
		for _, l := range labels {
			r := byLabel[l][m.mode]
			v, ok := 0.0, false
			if r != nil {
				v, ok = m.get(r)
			}
			values = append(values, v)
			if !ok {
				cells = append(cells, "n/a")
				values[len(values)-1] = -1
				continue
			}
			some = true
			cells = append(cells, format(v, m.unit))
		}
		if !some {
			continue
		}
		fmt.Fprintf(&b, "| %s |", m.name)
		for _, c := range cells {
			fmt.Fprintf(&b, " %s |", c)
		}
		if ratio {
			if values[0] >= 0 && values[1] > 0 {
				fmt.Fprintf(&b, " %.2f× |", values[0]/values[1])
			} else {
				b.WriteString(" |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func format(v float64, unit string) string {
	switch unit {
	case "KiB":
		return fmt.Sprintf("%.0f KiB", v/1024)
	case "MiB":
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case "n":
		return fmt.Sprintf("%.0f", v)
	case "%":
		return fmt.Sprintf("%.1f %%", v)
	case "B":
		return fmt.Sprintf("%.0f B", v)
	case "/s":
		return fmt.Sprintf("%.1f /s", v)
	}
	return fmt.Sprintf("%.2f %s", v, unit)
}

// metrics lists the rows, with the numbers of sessions taken from the reports.
func metrics(reports []*Report) []metric {
	// held is the most sessions held open; small the first of several
	// checkpoints, when there are several.
	held, small := 0, 0
	for _, r := range reports {
		if r.Mode == "hold" && r.Sessions != nil {
			held = max(held, r.Sessions.Attempted)
			if cs := r.Sessions.Checkpoints; len(cs) > 1 && small == 0 {
				small = cs[0].Open
			}
		}
	}
	sess := func(f func(s *SessionReport) (float64, bool)) func(r *Report) (float64, bool) {
		return func(r *Report) (float64, bool) {
			if r.Sessions == nil || r.Sessions.Framed == 0 {
				return 0, false
			}
			return f(r.Sessions)
		}
	}
	dist := func(f func(s *SessionReport) Dist, p func(d Dist) float64) func(r *Report) (float64, bool) {
		return sess(func(s *SessionReport) (float64, bool) {
			d := f(s)
			return p(d), d.N > 0
		})
	}
	p50 := func(d Dist) float64 { return d.P50 }
	p99 := func(d Dist) float64 { return d.P99 }
	// checkpoint reads the first or the last checkpoint of a hold run.
	checkpoint := func(last bool, f func(c Checkpoint) (float64, bool)) func(r *Report) (float64, bool) {
		return sess(func(s *SessionReport) (float64, bool) {
			cs := s.Checkpoints
			if len(cs) == 0 || (!last && len(cs) < 2) {
				return 0, false
			}
			if last {
				return f(cs[len(cs)-1])
			}
			return f(cs[0])
		})
	}
	exec := func(f func(e *ExecReport) (float64, bool)) func(r *Report) (float64, bool) {
		return func(r *Report) (float64, bool) {
			if r.Exec == nil || r.Exec.OK == 0 {
				return 0, false
			}
			return f(r.Exec)
		}
	}
	errs := func(r *Report) (float64, bool) {
		n := 0
		for _, v := range r.Errors {
			n += v
		}
		return float64(n), true
	}
	heldName := func(s string) string { return fmt.Sprintf(s, held) }
	smallName := func(s string) string { return fmt.Sprintf(s, small) }

	ms := []metric{
		{"handshake p50 (new sessions one by one)", "churn", dist(func(s *SessionReport) Dist { return s.Handshake }, p50), "ms"},
		{"handshake p99", "churn", dist(func(s *SessionReport) Dist { return s.Handshake }, p99), "ms"},
		{"connect → first complete frame p50", "churn", dist(func(s *SessionReport) Dist { return s.FirstFrame }, p50), "ms"},
		{"connect → first complete frame p99", "churn", dist(func(s *SessionReport) Dist { return s.FirstFrame }, p99), "ms"},
		{"server CPU per new session (open, frame, close)", "churn", sess(func(s *SessionReport) (float64, bool) {
			return s.CPUPerSession, s.CPUPerSession > 0
		}), "ms"},
		{"sshload's own CPU per new session", "churn", sess(func(s *SessionReport) (float64, bool) {
			return s.ClientCPUPerSession, s.ClientCPUPerSession > 0
		}), "ms"},
		{"new sessions per second (churn)", "churn", sess(func(s *SessionReport) (float64, bool) { return s.SessionsPerSecond, true }), "/s"},
		{"churn failures", "churn", errs, "n"},
		{heldName("first frame p50 while ramping to %d"), "hold", dist(func(s *SessionReport) Dist { return s.FirstFrame }, p50), "ms"},
		{heldName("first frame p99 while ramping to %d"), "hold", dist(func(s *SessionReport) Dist { return s.FirstFrame }, p99), "ms"},
	}
	if small > 0 {
		ms = append(ms, metric{smallName("RSS per idle session at %d open"), "hold", checkpoint(false, func(c Checkpoint) (float64, bool) {
			return c.RSSPerSession, true
		}), "KiB"})
	}
	ms = append(ms,
		metric{heldName("RSS per idle session at %d open"), "hold", checkpoint(true, func(c Checkpoint) (float64, bool) { return c.RSSPerSession, true }), "KiB"},
		metric{heldName("server RSS with %d open"), "hold", checkpoint(true, func(c Checkpoint) (float64, bool) { return float64(c.Server.RSS), true }), "MiB"},
		metric{heldName("live heap per session at %d open (pprof)"), "hold", checkpoint(true, func(c Checkpoint) (float64, bool) {
			return c.HeapPerSession, c.Server.HeapInuse > 0
		}), "KiB"},
		metric{heldName("goroutines per session at %d open (pprof)"), "hold", checkpoint(true, func(c Checkpoint) (float64, bool) {
			return c.GoroutinesPerSession, c.Server.Goroutines > 0
		}), "n"},
		metric{heldName("threads with %d open"), "hold", checkpoint(true, func(c Checkpoint) (float64, bool) { return float64(c.Server.Threads), true }), "n"},
		metric{heldName("idle CPU of %d open sessions (%% of one core)"), "hold", sess(func(s *SessionReport) (float64, bool) {
			if s.Idle == nil {
				return 0, false
			}
			return s.Idle.CPUPercent, true
		}), "%"},
		metric{"bytes sent to idle sessions", "hold", sess(func(s *SessionReport) (float64, bool) {
			if s.Idle == nil {
				return 0, false
			}
			return float64(s.Idle.BytesReceived), true
		}), "B"},
		metric{heldName("keystroke round trip p50 with %d open"), "hold", sess(func(s *SessionReport) (float64, bool) {
			return keyDist(s, p50)
		}), "ms"},
		metric{heldName("keystroke round trip p99 with %d open"), "hold", sess(func(s *SessionReport) (float64, bool) {
			return keyDist(s, p99)
		}), "ms"},
		metric{"bytes per keystroke (mean)", "hold", sess(func(s *SessionReport) (float64, bool) {
			if s.Keys == nil || s.Keys.Bytes.N == 0 {
				return 0, false
			}
			return s.Keys.Bytes.Mean, true
		}), "B"},
		metric{"server CPU per keystroke (idle cost included)", "hold", sess(func(s *SessionReport) (float64, bool) {
			if s.Keys == nil || s.Keys.Sent == 0 {
				return 0, false
			}
			return s.Keys.CPUPerKey, true
		}), "ms"},
		metric{"goroutines after all sessions closed (pprof)", "hold", sess(func(s *SessionReport) (float64, bool) {
			if s.AfterClose == nil || s.AfterClose.Goroutines == 0 {
				return 0, false
			}
			return float64(s.AfterClose.Goroutines), true
		}), "n"},
		metric{"goroutines before the sessions (pprof)", "hold", func(r *Report) (float64, bool) {
			if r.Baseline == nil || r.Baseline.Goroutines == 0 {
				return 0, false
			}
			return float64(r.Baseline.Goroutines), true
		}, "n"},
		metric{"live heap before the sessions (pprof)", "hold", func(r *Report) (float64, bool) {
			if r.Baseline == nil || r.Baseline.HeapInuse == 0 {
				return 0, false
			}
			return float64(r.Baseline.HeapInuse), true
		}, "MiB"},
		metric{"live heap after all sessions closed (pprof)", "hold", sess(func(s *SessionReport) (float64, bool) {
			if s.AfterClose == nil || s.AfterClose.HeapInuse == 0 {
				return 0, false
			}
			return float64(s.AfterClose.HeapInuse), true
		}), "MiB"},
		metric{"fds after all sessions closed", "hold", sess(func(s *SessionReport) (float64, bool) {
			if s.AfterClose == nil {
				return 0, false
			}
			return float64(s.AfterClose.FDs), true
		}), "n"},
		metric{"hold failures", "hold", errs, "n"},
	)
	conc, cmd := 0, "text"
	for _, r := range reports {
		if r.Exec != nil {
			conc = r.Exec.Concurrency
			if r.Exec.Command != "" {
				cmd = r.Exec.Command
			}
		}
	}
	ms = append(ms,
		metric{fmt.Sprintf("`%s` requests/s at concurrency %d", cmd, conc), "exec", exec(func(e *ExecReport) (float64, bool) { return e.PerSecond, true }), "/s"},
		metric{"`" + cmd + "` latency p50", "exec", exec(func(e *ExecReport) (float64, bool) { return e.Latency.P50, true }), "ms"},
		metric{"`" + cmd + "` latency p99", "exec", exec(func(e *ExecReport) (float64, bool) { return e.Latency.P99, true }), "ms"},
		metric{"server CPU per `" + cmd + "` request", "exec", exec(func(e *ExecReport) (float64, bool) { return e.CPUPerRequest, e.CPU > 0 }), "ms"},
		metric{"sshload's own CPU per `" + cmd + "` request", "exec", exec(func(e *ExecReport) (float64, bool) {
			return e.ClientCPUPerRequest, e.ClientCPUPerRequest > 0
		}), "ms"},
		metric{"exec failures", "exec", errs, "n"},
	)
	return ms
}

func keyDist(s *SessionReport, p func(Dist) float64) (float64, bool) {
	if s.Keys == nil || s.Keys.RTT.N == 0 {
		return 0, false
	}
	return p(s.Keys.RTT), true
}
