// Package metrics is what the owner of a resume learns from the running server,
// in Prometheus's format: how many visitors came and how, which sections they
// read, what they downloaded, how fast their first screen came, what was refused
// and why, and how the process is doing (the Go and process collectors).
//
// # Design
//
// One Metrics per process, made by server.New and reached by cmd through
// Server.Metrics. Every metric lives in the Metrics' own registry, never in
// Prometheus's global one, so tests can run servers side by side. The server
// serves Handler on its -metrics-addr; nothing listens when that is empty, but the
// counting goes on (a few atomic additions a session), so that the code path is
// the same either way.
//
// This package imports nothing of sshresume's. The packages that must stay small
// reach it through functions handed to them: views tells the server which
// section it shows through views.Options.OnSection, and the web door, which may
// import only content, is given a callback by cmd (for example
// func(format string) { m.WebRequest(format) }).
//
// # No personal data
//
// No label value and no sample comes from a visitor: no address, user name, key,
// client version, TERM or command text. Every label value is from a fixed list
// made on the server side: the session kinds, the export formats (every other
// command counts as "unknown"), the resume's section IDs (content.SectionIDs),
// the IDs of the defence's table of refusals, "found"/"not_found" for deep links. The info metric
// carries the version and the public host key's fingerprint, which every
// visitor's client is shown anyway.
//
// # Histogram buckets
//
// First frame (sshresume_first_frame_seconds): Bubble Tea draws its first frame
// on its frame ticker, about 17 ms after the program starts, and the largest
// window costs about 40 ms to draw; a slow client that does not read delays the
// write further. The buckets run from 5 ms to 2.5 s, finest between 10 and 100
// ms, where p50 and p99 of a healthy server fall.
//
// Session duration (sshresume_session_duration_seconds): an export takes
// milliseconds, a reader stays seconds to minutes, and -max-session (an hour by
// default) ends the longest. The buckets run from 10 ms to 2 h, roughly
// doubling past a second, so both kinds get a meaningful median.
package metrics

import (
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Kind is how a visitor reads the resume.
type Kind int

// The kinds of sessions.
const (
	// TUI is an SSH session with a terminal: the interactive viewer.
	TUI Kind = iota
	// Export is an SSH session without one: an export, help or an unknown command.
	Export
	// Web is a request to the web door.
	Web
	kinds
)

var kindNames = [kinds]string{"tui", "export", "web"}

// String is the kind's label value.
func (k Kind) String() string { return kindNames[k] }

// Unknown is the format label of every command that is not an export.
const Unknown = "unknown"

// Other is the section label of a section ID outside Options.Sections; it
// should never appear.
const Other = "other"

// Buckets of the histograms; the package doc says why.
var (
	FirstFrameBuckets      = []float64{.005, .01, .015, .02, .025, .03, .04, .05, .075, .1, .25, .5, 1, 2.5}
	SessionDurationBuckets = []float64{.01, .1, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200}
)

// Options describe the server the metrics are about.
type Options struct {
	// Version is the server's version, for the info metric.
	Version string
	// HostKeyFingerprint is the SHA256 fingerprint of the public host key.
	HostKeyFingerprint string
	// Formats are the names of the exports (and "help"): the format label's
	// values, with Unknown.
	Formats []string
	// Sections are every section ID a resume can have: the section label's
	// values, with Other.
	Sections []string
}

// Metrics counts what happens on the server. Its methods are safe for
// concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	accepted   prometheus.Counter
	sessions   [kinds]prometheus.Counter
	open       [kinds]prometheus.Gauge
	duration   [kinds]prometheus.Observer
	sent       [kinds]prometheus.Counter
	exports    map[string]prometheus.Counter
	sections   map[string]prometheus.Counter
	deepLinks  [2]prometheus.Counter // not found, found
	firstFrame prometheus.Observer
	reloads    [2]prometheus.Counter // failure, success
	loaded     prometheus.Gauge

	mu      sync.Mutex
	conns   func() int
	refused func() map[string]int64
}

// releaseDefaultCollectors removes, once, the Go and process collectors that
// client_golang's init registers in its global registry. Nothing in this
// program serves that registry, and what they hold stays live for the life of
// the process: with the small heaps of this server (the collector's 4 MB
// minimum goal), every kilobyte live from the start is a kilobyte less
// allocated between two collections. Unregister matches collectors by their
// descriptors, so equal new ones find them.
var releaseDefaultCollectors sync.Once

// New makes the metrics of one server, with the Go and process collectors.
func New(o Options) *Metrics {
	releaseDefaultCollectors.Do(func() {
		prometheus.Unregister(collectors.NewGoCollector())
		prometheus.Unregister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	})
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := promauto.With(m.reg) // registers each metric as it makes it

	info := f.NewGaugeVec(prometheus.GaugeOpts{
		Name: "sshresume_info",
		Help: "The server's version and the SHA256 fingerprint of its host key; always 1.",
	}, []string{"version", "host_key_fingerprint"})
	info.WithLabelValues(o.Version, o.HostKeyFingerprint).Set(1)

	m.accepted = f.NewCounter(prometheus.CounterOpts{
		Name: "sshresume_connections_accepted_total",
		Help: "TCP connections admitted to the SSH handshake.",
	})
	m.reg.MustRegister(connCollector{m})

	sessions := f.NewCounterVec(prometheus.CounterOpts{
		Name: "sshresume_sessions_total",
		Help: "Sessions started, by kind: tui (a terminal), export (no terminal), web (the web door).",
	}, []string{"kind"})
	open := f.NewGaugeVec(prometheus.GaugeOpts{
		Name: "sshresume_sessions_open",
		Help: "Sessions running now, by kind.",
	}, []string{"kind"})
	duration := f.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "sshresume_session_duration_seconds",
		Help:    "How long sessions lasted, by kind.",
		Buckets: SessionDurationBuckets,
	}, []string{"kind"})
	sent := f.NewCounterVec(prometheus.CounterOpts{
		Name: "sshresume_session_sent_bytes_total",
		Help: "Bytes the sessions wrote to their visitors (before SSH's framing and encryption), by kind.",
	}, []string{"kind"})
	for k := range kinds {
		name := k.String()
		m.sessions[k] = sessions.WithLabelValues(name)
		m.open[k] = open.WithLabelValues(name)
		m.duration[k] = duration.WithLabelValues(name)
		m.sent[k] = sent.WithLabelValues(name)
	}

	exports := f.NewCounterVec(prometheus.CounterOpts{
		Name: "sshresume_exports_total",
		Help: "Exports served, by format: an export's name, help, qr (the contact's QR code), section (a section as plain text); every command not served (unknown, given arguments, a binary export asked for in a terminal) counts as unknown.",
	}, []string{"format"})
	m.exports = make(map[string]prometheus.Counter, len(o.Formats)+1)
	for _, name := range append(slices.Clip(o.Formats), Unknown) {
		m.exports[name] = exports.WithLabelValues(name)
	}
	sections := f.NewCounterVec(prometheus.CounterOpts{
		Name: "sshresume_section_views_total",
		Help: "Sections shown in the interactive viewer, by section ID: the one it opens with and every switch to another.",
	}, []string{"section"})
	m.sections = make(map[string]prometheus.Counter, len(o.Sections)+1)
	for _, id := range append(slices.Clip(o.Sections), Other) {
		m.sections[id] = sections.WithLabelValues(id)
	}
	links := f.NewCounterVec(prometheus.CounterOpts{
		Name: "sshresume_deep_links_total",
		Help: "Interactive sessions opened at a section named on the command line (ssh -t HOST SECTION), by whether the name matched a section.",
	}, []string{"result"})
	m.deepLinks = [2]prometheus.Counter{links.WithLabelValues("not_found"), links.WithLabelValues("found")}

	m.firstFrame = f.NewHistogram(prometheus.HistogramOpts{
		Name:    "sshresume_first_frame_seconds",
		Help:    "Time from the start of an interactive session to its first frame written to the visitor.",
		Buckets: FirstFrameBuckets,
	})

	reloads := f.NewCounterVec(prometheus.CounterOpts{
		Name: "sshresume_resume_reloads_total",
		Help: "Reloads of the resume file (SIGHUP), by result: success, or failure (the previous resume is still served).",
	}, []string{"result"})
	m.reloads = [2]prometheus.Counter{reloads.WithLabelValues("failure"), reloads.WithLabelValues("success")}
	m.loaded = f.NewGauge(prometheus.GaugeOpts{
		Name: "sshresume_resume_loaded_timestamp_seconds",
		Help: "When the resume now served was loaded, in seconds since the Unix epoch; its age is time() minus this.",
	})
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Gatherer is the registry, for tests and tools that read the metrics without
// HTTP.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// ObserveConnections gives the metrics the server's own counts, read when the
// metrics are scraped: open returns the TCP connections open now, refused the
// refusals since the start by reason. Every reason of the server's fixed table
// must be in every map refused returns.
func (m *Metrics) ObserveConnections(open func() int, refused func() map[string]int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.conns, m.refused = open, refused
}

// ConnAccepted counts a connection admitted to the handshake.
func (m *Metrics) ConnAccepted() { m.accepted.Inc() }

// Session is one running session, from Start to End.
type Session struct {
	m     *Metrics
	kind  Kind
	start time.Time
	drawn atomic.Bool
}

// Start counts a new session of kind k that began at start.
func (m *Metrics) Start(k Kind, start time.Time) *Session {
	m.sessions[k].Inc()
	m.open[k].Inc()
	return &Session{m: m, kind: k, start: start}
}

// Sent counts n bytes written to the visitor.
func (s *Session) Sent(n int) {
	if n > 0 {
		s.m.sent[s.kind].Add(float64(n))
	}
}

// Drawn reports whether FirstFrame has been called.
func (s *Session) Drawn() bool { return s.drawn.Load() }

// FirstFrame records, the first time it is called on a TUI session, how long
// the session took to write its first frame.
func (s *Session) FirstFrame() {
	if s.kind == TUI && !s.drawn.Load() && s.drawn.CompareAndSwap(false, true) {
		s.m.firstFrame.Observe(time.Since(s.start).Seconds())
	}
}

// End records the session's duration; call it once.
func (s *Session) End() {
	s.m.open[s.kind].Dec()
	s.m.duration[s.kind].Observe(time.Since(s.start).Seconds())
}

// Exported counts an export served in format, or Unknown for any name outside
// Options.Formats.
func (m *Metrics) Exported(format string) {
	c, ok := m.exports[format]
	if !ok {
		c = m.exports[Unknown]
	}
	c.Inc()
}

// SectionShown counts a section shown in the interactive viewer.
func (m *Metrics) SectionShown(id string) {
	c, ok := m.sections[id]
	if !ok {
		c = m.sections[Other]
	}
	c.Inc()
}

// DeepLink counts a session opened at a named section, found or not.
func (m *Metrics) DeepLink(found bool) { m.deepLinks[b2i(found)].Inc() }

// WebRequest counts a request to the web door, and the export it asked for
// unless format is empty (the page itself).
func (m *Metrics) WebRequest(format string) {
	m.sessions[Web].Inc()
	if format != "" {
		m.Exported(format)
	}
}

// ResumeLoaded records when the resume now served was loaded.
func (m *Metrics) ResumeLoaded(at time.Time) {
	m.loaded.Set(float64(at.UnixNano()) / 1e9)
}

// ResumeReloaded counts a reload of the resume file, successful or not.
func (m *Metrics) ResumeReloaded(ok bool) { m.reloads[b2i(ok)].Inc() }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// connCollector reports the server's own connection counts, read at scrape
// time, so that each number has one source.
type connCollector struct{ m *Metrics }

var (
	connsOpenDesc = prometheus.NewDesc("sshresume_connections_open", "TCP connections open now, from accept to close, admitted or not yet.", nil, nil)
	refusedDesc   = prometheus.NewDesc("sshresume_refusals_total", "Refusals, by the reason's ID in the server's table of refusals. Connections refused before the SSH handshake: busy, per_ip, rate, no_proxy_header, restarting; the other reasons refuse a channel, a request or a command, or end a connection (silent, no_session, idle, max_session).", []string{"reason"}, nil)
)

// Describe sends the descriptors of the connection metrics.
func (c connCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- connsOpenDesc
	ch <- refusedDesc
}

// Collect reads the server's connection counts.
func (c connCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.mu.Lock()
	open, refused := c.m.conns, c.m.refused
	c.m.mu.Unlock()
	if open != nil {
		ch <- prometheus.MustNewConstMetric(connsOpenDesc, prometheus.GaugeValue, float64(open()))
	}
	if refused != nil {
		for reason, n := range refused() {
			ch <- prometheus.MustNewConstMetric(refusedDesc, prometheus.CounterValue, float64(n), reason)
		}
	}
}
