package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	gossh "golang.org/x/crypto/ssh"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server"
	"github.com/sshresume/sshresume/server/internal/defence"
)

// metricsConfig is a test configuration with the metrics endpoint on a free
// loopback port and no per-address rate, so that a test's own visitors, all
// from 127.0.0.1, are never refused.
func metricsConfig(t *testing.T) server.Config {
	cfg := testConfig(t)
	cfg.MetricsAddr = "127.0.0.1:0"
	cfg.ConnRatePerIP = 0
	cfg.Version = "v1.2.3-test"
	return cfg
}

// scrape fetches /metrics over HTTP and parses it.
type scrape struct {
	body     string
	families map[string]*dto.MetricFamily
}

func (ts *testServer) scrape(t *testing.T) scrape {
	t.Helper()
	addr := ts.MetricsAddr()
	if addr == nil {
		t.Fatal("no metrics endpoint")
	}
	resp, err := http.Get("http://" + addr.String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s, %v", resp.Status, err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	return scrape{string(body), families}
}

// value is the sample of family name whose labels are exactly labels
// ("k1", "v1", "k2", "v2"); for a histogram, its count. It is -1 when there is
// no such sample.
func (s scrape) value(name string, labels ...string) float64 {
	f := s.families[name]
	if f == nil {
		return -1
	}
	for _, m := range f.Metric {
		if len(m.Label)*2 != len(labels) {
			continue
		}
		match := true
		for i, l := range m.Label {
			if l.GetName() != labels[2*i] || l.GetValue() != labels[2*i+1] {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// expect checks samples: name, its labels, and the value.
type expectation struct {
	name   string
	labels []string
	want   float64
}

func (s scrape) mismatches(want []expectation) []string {
	var bad []string
	for _, e := range want {
		if got := s.value(e.name, e.labels...); got != e.want {
			bad = append(bad, fmt.Sprintf("%s%v = %v, want %v", e.name, e.labels, got, e.want))
		}
	}
	return bad
}

func TestMetricsCountWhatVisitorsDid(t *testing.T) {
	cfg := metricsConfig(t)
	// Room for the test's own visitors from 127.0.0.1, whose connections the
	// server may not have closed yet when the next one comes.
	cfg.MaxConnsPerIP = 8
	cfg.MaxSessionlessPerIP = 10 // the held connections meet the per-address cap
	before := time.Now()
	ts := startServer(t, cfg)
	after := time.Now()
	if !testkit.Poll(func() bool { return ts.MetricsAddr() != nil }) {
		t.Fatal("the metrics endpoint never listened")
	}
	doc := defaultResume(t).Document()
	first, second, third, linked := doc.Sections[0].ID, doc.Sections[1].ID, doc.Sections[2].ID, doc.Sections[3].ID

	// Three interactive sessions: one that switches sections (2, 3, 3 again:
	// no switch, 1), one opened by a deep link, one by a link to nothing.
	client := ts.dial(t)
	tm := ts.openTerminalOn(t, client, "xterm-256color", 80, 24, 80, 24, "")
	tm.WaitFor(visitorName)
	if s := ts.scrape(t); s.value("sshresume_sessions_open", "kind", "tui") != 1 {
		t.Errorf("sessions_open{tui} = %v with one TUI open", s.value("sshresume_sessions_open", "kind", "tui"))
	}
	tm.send("2331q")
	if status := tm.waitExit(); status != 0 {
		t.Fatalf("exit status %d", status)
	}
	_ = client.Close()
	for _, link := range []string{linked, "no such section"} {
		client := ts.dial(t)
		tm := ts.openTerminalOn(t, client, "xterm-256color", 80, 24, 80, 24, link)
		tm.WaitFor(visitorName)
		tm.send("q")
		tm.waitExit()
		_ = client.Close()
	}

	// Eight sessions without a terminal, and what their visitors received.
	var exported int
	for _, cmd := range []string{"text", "text", "", "md", "help", "no-such-export", "text extra", second} {
		out, _, _ := ts.exec(t, cmd)
		exported += len(out)
	}

	// As many connections from one address as it may open are held, the next
	// one is refused.
	for range cfg.MaxConnsPerIP {
		ts.holdConn(t, "127.0.0.9")
	}
	refused := ts.dialFrom(t, "127.0.0.9")
	refusedWith(t, refused, "too many connections")

	want := []expectation{
		{"sshresume_info", []string{"host_key_fingerprint", ts.Fingerprint(), "version", "v1.2.3-test"}, 1},
		{"sshresume_connections_accepted_total", nil, float64(3 + 8 + cfg.MaxConnsPerIP)},
		{"sshresume_connections_open", nil, float64(cfg.MaxConnsPerIP)},
		{"sshresume_sessions_total", []string{"kind", "tui"}, 3},
		{"sshresume_sessions_total", []string{"kind", "export"}, 8},
		{"sshresume_sessions_total", []string{"kind", "web"}, 0},
		{"sshresume_sessions_open", []string{"kind", "tui"}, 0},
		{"sshresume_sessions_open", []string{"kind", "export"}, 0},
		{"sshresume_session_duration_seconds", []string{"kind", "tui"}, 3},
		{"sshresume_session_duration_seconds", []string{"kind", "export"}, 8},
		{"sshresume_first_frame_seconds", nil, 3},
		{"sshresume_exports_total", []string{"format", "text"}, 3},
		{"sshresume_exports_total", []string{"format", "md"}, 1},
		{"sshresume_exports_total", []string{"format", "json"}, 0},
		{"sshresume_exports_total", []string{"format", "vcard"}, 0},
		{"sshresume_exports_total", []string{"format", "help"}, 1},
		{"sshresume_exports_total", []string{"format", "unknown"}, 2},
		{"sshresume_exports_total", []string{"format", "section"}, 1},
		{"sshresume_exports_total", []string{"format", "qr"}, 0},
		// The first section: opened by the first session and again with 1, and
		// by the link to nothing.
		{"sshresume_section_views_total", []string{"section", first}, 3},
		{"sshresume_section_views_total", []string{"section", second}, 1},
		{"sshresume_section_views_total", []string{"section", third}, 1},
		{"sshresume_section_views_total", []string{"section", linked}, 1},
		{"sshresume_deep_links_total", []string{"result", "found"}, 1},
		{"sshresume_deep_links_total", []string{"result", "not_found"}, 1},
		{"sshresume_session_sent_bytes_total", []string{"kind", "export"}, float64(exported)},
		{"sshresume_resume_reloads_total", []string{"result", "success"}, 0},
	}
	// One refusal, and none of the others that the test's visitors could
	// have met; the deadlines, penalties and budgets depend on how slow the
	// machine is.
	want = append(want, expectation{"sshresume_refusals_total", []string{"reason", "per_ip"}, 1})
	for _, reason := range []string{"busy", "rate", "no_proxy_header", "restarting", "too_many_sessions",
		"pty_refused", "env_refused", "exec_refused", "request_refused", "command_too_long"} {
		want = append(want, expectation{"sshresume_refusals_total", []string{"reason", reason}, 0})
	}
	if slices.Contains([]string{first, second, third}, linked) {
		t.Fatal("the test needs four different sections")
	}
	// The server finishes counting a session just after its visitor has seen
	// it end.
	var s scrape
	var bad []string
	if !testkit.Poll(func() bool { s = ts.scrape(t); bad = s.mismatches(want); return bad == nil }) {
		t.Errorf("after the visits:\n%s", strings.Join(bad, "\n"))
	}
	if got := s.value("sshresume_session_sent_bytes_total", "kind", "tui"); got < 3*1000 {
		t.Errorf("TUI sessions sent %v bytes; each first frame is more than 1000", got)
	}
	if s.value("sshresume_exports_total", "format", "no-such-export") != -1 {
		t.Error("an unknown command has a label of its own")
	}
	loaded := s.value("sshresume_resume_loaded_timestamp_seconds")
	if loaded < float64(before.Unix()) || loaded > float64(after.Unix()+1) {
		t.Errorf("resume loaded at %v, want between %v and %v", loaded, before.Unix(), after.Unix())
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total", "process_open_fds"} {
		if s.families[name] == nil {
			t.Errorf("no %s: the Go and process collectors should be there", name)
		}
	}

	// A reloaded resume is served from now on; its load time moves.
	ts.SetResume(defaultResume(t))
	if s := ts.scrape(t); s.value("sshresume_resume_loaded_timestamp_seconds") < loaded {
		t.Error("the load time did not move with SetResume")
	}
}

// TestMetricsPassPromlint checks the exposition, after sessions of every kind,
// with the linter of promtool check metrics.
func TestMetricsPassPromlint(t *testing.T) {
	ts := startServer(t, metricsConfig(t))
	ts.assertServes(t)
	ts.exec(t, "json")
	s := ts.scrape(t)
	problems, err := promlint.New(strings.NewReader(s.body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// TestMetricsLabelsComeFromTheServer visits with a user name, client version,
// TERM, environment, deep link, command and address of its own, and checks
// that none of them, nor any part of them, is in the metrics, and that every
// label value of sshresume's metrics is one of the server's own.
func TestMetricsLabelsComeFromTheServer(t *testing.T) {
	const canary = "zq7canary"
	cfg := metricsConfig(t)
	cfg.MaxConnsPerIP = 1
	ts := startServer(t, cfg)
	if !testkit.Poll(func() bool { return ts.MetricsAddr() != nil }) {
		t.Fatal("the metrics endpoint never listened")
	}
	dial := func(local string) *gossh.Client {
		c := ts.dialFrom(t, local)
		cc, chans, reqs, err := gossh.NewClientConn(c, ts.addr, &gossh.ClientConfig{
			User:            "user-" + canary,
			ClientVersion:   "SSH-2.0-Client_" + canary,
			HostKeyCallback: gossh.FixedHostKey(ts.PublicKey()),
		})
		if err != nil {
			t.Fatal(err)
		}
		client := gossh.NewClient(cc, chans, reqs)
		t.Cleanup(func() { _ = client.Close() })
		return client
	}

	client := dial("127.0.0.77")
	sess := testkit.NewSession(t, client)
	_ = sess.Setenv("LANG", "lang-"+canary) // the server may refuse it; the client tried
	if err := sess.RequestPty("term-"+canary, 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sess.Stdout = &out
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Start("section-" + canary); err != nil {
		t.Fatal(err)
	}
	// A refused connection from the same address.
	refusedWith(t, ts.dialFrom(t, "127.0.0.77"), "too many connections")
	if !testkit.Poll(func() bool { return ts.scrape(t).value("sshresume_first_frame_seconds") == 1 }) {
		t.Fatal("no first frame")
	}
	_, _ = io.WriteString(in, "q")
	_ = sess.Wait()
	_ = client.Close()

	client = dial("127.0.0.78")
	sess = testkit.NewSession(t, client)
	_ = sess.Run("command-" + canary)

	s := ts.scrape(t)
	for _, leak := range []string{canary, "127.0.0.7"} {
		if strings.Contains(s.body, leak) {
			t.Errorf("the metrics hold %q", leak)
		}
	}
	doc := defaultResume(t).Document()
	allowed := map[string][]string{
		"kind":                 {"tui", "export", "web"},
		"format":               append([]string{"help", "qr", "section", "unknown"}, exportNames()...),
		"section":              append(content.SectionIDs(), "other"),
		"reason":               refusalReasons(),
		"result":               {"found", "not_found", "success", "failure"},
		"version":              {"v1.2.3-test"},
		"host_key_fingerprint": {ts.Fingerprint()},
		"le":                   nil, // bucket bounds: numbers
	}
	for name, f := range s.families {
		if !strings.HasPrefix(name, "sshresume_") {
			continue
		}
		for _, m := range f.Metric {
			for _, l := range m.Label {
				values, ok := allowed[l.GetName()]
				if !ok {
					t.Errorf("%s has a label %q the test does not know", name, l.GetName())
				} else if values != nil && !slices.Contains(values, l.GetValue()) {
					t.Errorf("%s{%s=%q}: not one of the server's values", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
	if s.value("sshresume_section_views_total", "section", doc.Sections[0].ID) != 1 {
		t.Errorf("the link to nothing opened %s, seen %v times", doc.Sections[0].ID, s.value("sshresume_section_views_total", "section", doc.Sections[0].ID))
	}
}

// refusalReasons are the IDs of the defence's table of refusals.
func refusalReasons() []string {
	var ids []string
	for _, r := range defence.Reasons() {
		ids = append(ids, r.String())
	}
	return ids
}

func exportNames() []string {
	var names []string
	for _, e := range content.Exports() {
		names = append(names, e.Name)
	}
	return names
}

// listeningSockets counts the TCP sockets of this process in the LISTEN
// state, from /proc.
func listeningSockets(t *testing.T) int {
	t.Helper()
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			t.Skipf("no %s: %v", table, err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) > 9 && fields[3] == "0A" { // TCP_LISTEN
				inodes[fields[9]] = true
			}
		}
		_ = f.Close()
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink("/proc/self/fd/" + fd.Name())
		if inode, ok := strings.CutPrefix(target, "socket:["); err == nil && ok && inodes[strings.TrimSuffix(inode, "]")] {
			n++
		}
	}
	return n
}

func TestMetricsEndpointListensOnlyWhenAsked(t *testing.T) {
	base := listeningSockets(t)
	ts := startServer(t, testConfig(t))
	ts.assertServes(t)
	if addr := ts.MetricsAddr(); addr != nil {
		t.Errorf("a metrics endpoint listens on %s without being asked to", addr)
	}
	if n := listeningSockets(t); n != base+1 {
		t.Errorf("%d sockets listen with the server up, %d before; want only the SSH port", n, base)
	}
	if strings.Contains(ts.logs.String(), "metrics endpoint") {
		t.Error("a metrics endpoint was logged")
	}

	ts2 := startServer(t, metricsConfig(t))
	ts2.assertServes(t)
	addr := ts2.MetricsAddr()
	if addr == nil {
		t.Fatal("no metrics endpoint with MetricsAddr set")
	}
	if host, _, _ := net.SplitHostPort(addr.String()); host != "127.0.0.1" {
		t.Errorf("metrics endpoint on %s, asked for 127.0.0.1", addr)
	}
	if n := listeningSockets(t); n != base+3 {
		t.Errorf("%d sockets listen with both servers up, %d before; want their SSH ports and one metrics endpoint", n, base)
	}
	resp, err := http.Get("http://" + addr.String() + "/debug/pprof/")
	if err == nil {
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("the metrics endpoint serves /debug/pprof/: %s", resp.Status)
		}
	}
}

func TestMetricsAddrValidated(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.MetricsAddr = "9091"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "metrics address") {
		t.Errorf("Validate(%q) = %v", cfg.MetricsAddr, err)
	}
	cfg.MetricsAddr = ":9091"
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate(%q) = %v", cfg.MetricsAddr, err)
	}
}
