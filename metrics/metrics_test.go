package metrics_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/sshresume/sshresume/metrics"
)

// dashboardFile is the Grafana dashboard that docs/DEPLOY.md tells the owner
// to import.
const dashboardFile = "../deploy/grafana-dashboard.json"

// everySeries makes metrics with every series there is: each kind of session,
// an export, a section, the connection counts.
func everySeries(t *testing.T) *metrics.Metrics {
	t.Helper()
	m := metrics.New(metrics.Options{Version: "v1", HostKeyFingerprint: "SHA256:x", Formats: []string{"text", "help"}, Sections: []string{"about", "work"}})
	m.ObserveConnections(func() int { return 2 }, func() map[string]int64 { return map[string]int64{"busy": 1, "per_ip": 0} })
	for _, k := range []metrics.Kind{metrics.TUI, metrics.Export} {
		s := m.Start(k, time.Now().Add(-time.Second))
		s.Sent(100)
		s.FirstFrame()
		s.End()
	}
	m.Exported("text")
	m.SectionShown("work")
	m.DeepLink(true)
	m.WebRequest("text")
	m.ConnAccepted()
	m.ResumeLoaded(time.Now())
	m.ResumeReloaded(true)
	return m
}

func gather(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	byName := make(map[string]*dto.MetricFamily, len(mfs))
	for _, mf := range mfs {
		byName[mf.GetName()] = mf
	}
	return byName
}

func counter(t *testing.T, families map[string]*dto.MetricFamily, name, label, value string) float64 {
	t.Helper()
	for _, m := range families[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label && l.GetValue() == value {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no %s{%s=%q}", name, label, value)
	return 0
}

func TestPromlintFindsNoProblem(t *testing.T) {
	problems, err := testutil.GatherAndLint(everySeries(t).Gatherer())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// TestValuesOutsideTheListsShareOneLabel checks that a name the server did not
// list can never make a label value of its own.
// TestGoAndProcessCollectorsOnlyInOwnRegistry checks that the Go and process
// collectors client_golang's init puts in its global registry are gone once
// metrics are made, and that the metrics' own registry has them.
func TestGoAndProcessCollectorsOnlyInOwnRegistry(t *testing.T) {
	families := gather(t, everySeries(t))
	for _, name := range []string{"go_goroutines", "go_gc_gogc_percent", "process_cpu_seconds_total"} {
		if families[name] == nil {
			t.Errorf("metrics have no %s", name)
		}
	}
	global, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range global {
		t.Errorf("the global registry still has %s", f.GetName())
	}
}

func TestValuesOutsideTheListsShareOneLabel(t *testing.T) {
	m := metrics.New(metrics.Options{Formats: []string{"text"}, Sections: []string{"about"}})
	m.Exported("no-such-format")
	m.Exported("text")
	m.SectionShown("no-such-section")
	f := gather(t, m)
	if got := counter(t, f, "sshresume_exports_total", "format", metrics.Unknown); got != 1 {
		t.Errorf("exports{unknown} = %v, want 1", got)
	}
	if got := counter(t, f, "sshresume_section_views_total", "section", metrics.Other); got != 1 {
		t.Errorf("section_views{other} = %v, want 1", got)
	}
	for _, name := range []string{"sshresume_exports_total", "sshresume_section_views_total"} {
		for _, s := range f[name].GetMetric() {
			if v := s.GetLabel()[0].GetValue(); strings.HasPrefix(v, "no-such") {
				t.Errorf("%s has the label value %q", name, v)
			}
		}
	}
}

func TestFirstFrameOnlyOncePerTUISession(t *testing.T) {
	m := metrics.New(metrics.Options{})
	tui := m.Start(metrics.TUI, time.Now())
	tui.FirstFrame()
	tui.FirstFrame()
	export := m.Start(metrics.Export, time.Now())
	export.FirstFrame()
	if !tui.Drawn() || export.Drawn() {
		t.Errorf("drawn: tui %v, export %v", tui.Drawn(), export.Drawn())
	}
	h := gather(t, m)["sshresume_first_frame_seconds"].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != 1 {
		t.Errorf("%d first frames observed, want 1", h.GetSampleCount())
	}
}

func TestBucketsIncrease(t *testing.T) {
	for name, b := range map[string][]float64{"first frame": metrics.FirstFrameBuckets, "session duration": metrics.SessionDurationBuckets} {
		if !slices.IsSorted(b) || len(slices.Compact(slices.Clone(b))) != len(b) {
			t.Errorf("%s buckets %v do not increase", name, b)
		}
	}
}

// promQLName is a metric name in a PromQL expression: one of sshresume's or
// of the Go and process collectors.
var promQLName = regexp.MustCompile(`\b(?:sshresume|go|process)_[a-z0-9_]+\b`)

// TestDashboardNamesOnlyMetricsThatExist parses the Grafana dashboard and
// checks every metric its queries name against the metrics that exist, and
// that it has the panels the owner needs.
func TestDashboardNamesOnlyMetricsThatExist(t *testing.T) {
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title      string `json:"title"`
		UID        string `json:"uid"`
		Schema     int    `json:"schemaVersion"`
		Templating struct {
			List []struct {
				Name, Type string
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			ID         int    `json:"id"`
			Title      string `json:"title"`
			Type       string `json:"type"`
			Datasource struct {
				UID string `json:"uid"`
			} `json:"datasource"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if dash.Title == "" || dash.UID == "" || dash.Schema == 0 || len(dash.Panels) == 0 {
		t.Fatalf("%s lacks a title, uid, schemaVersion or panels", dashboardFile)
	}

	families := gather(t, everySeries(t))
	exists := func(name string) bool {
		if families[name] != nil {
			return true
		}
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(name, suffix); ok && families[base].GetType() == dto.MetricType_HISTOGRAM {
				return true
			}
		}
		return false
	}
	var exprs []string
	for _, v := range dash.Templating.List {
		exprs = append(exprs, v.Definition)
	}
	ids := map[int]bool{}
	used := map[string]bool{}
	for _, p := range dash.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d twice", p.ID)
		}
		ids[p.ID] = true
		if p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q: data source %q, want the dashboard's ${datasource} variable so that it imports anywhere", p.Title, p.Datasource.UID)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, target := range p.Targets {
			exprs = append(exprs, target.Expr)
			for _, name := range promQLName.FindAllString(target.Expr, -1) {
				used[strings.TrimSuffix(name, "_bucket")] = true
			}
		}
	}
	for _, expr := range exprs {
		for _, name := range promQLName.FindAllString(expr, -1) {
			if !exists(name) {
				t.Errorf("the dashboard queries %s, which does not exist: %s", name, expr)
			}
		}
	}
	// What the owner asked to see.
	for _, name := range []string{
		"sshresume_sessions_total",      // sessions per hour
		"sshresume_section_views_total", // sections read
		"sshresume_exports_total",       // downloads
		"sshresume_first_frame_seconds", // first frame p50/p99
		"sshresume_refusals_total",      // refusals
	} {
		if !used[name] {
			t.Errorf("no panel shows %s", name)
		}
	}
}

// BenchmarkSessionCounting is everything the server counts for one TUI
// session and one export: the connection, the session's start and end, its
// bytes, its first frame, a section, an export.
func BenchmarkSessionCounting(b *testing.B) {
	m := metrics.New(metrics.Options{Formats: []string{"text", "help"}, Sections: []string{"about", "work"}})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.ConnAccepted()
			s := m.Start(metrics.TUI, time.Now())
			s.Sent(2900)
			s.FirstFrame()
			m.SectionShown("work")
			s.End()
			m.ConnAccepted()
			e := m.Start(metrics.Export, time.Now())
			m.Exported("text")
			e.Sent(5562)
			e.End()
		}
	})
}
