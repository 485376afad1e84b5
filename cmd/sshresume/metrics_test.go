package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sshresume/sshresume/internal/testkit"
)

// TestMetricsAddrServesMetricsAndCountsReloads starts serve with the metrics
// endpoint set in the environment, and counts reloads made by real SIGHUPs.
func TestMetricsAddrServesMetricsAndCountsReloads(t *testing.T) {
	file := filepath.Join(t.TempDir(), "resume.yaml")
	writeFile(t, file, "basics:\n  name: Ada Lovelace\n")
	t.Setenv("SSHRESUME_METRICS_ADDR", "127.0.0.1:0")
	sv := startServe(t, "serve", "-content", file)
	endpoint := regexp.MustCompile(`"msg":"metrics endpoint","addr":"(127\.0\.0\.1:\d+)"`)
	var m []string
	if !testkit.Poll(func() bool { m = endpoint.FindStringSubmatch(sv.logs.String()); return m != nil }) {
		t.Fatalf("no metrics endpoint logged:\n%s", sv.logs.String())
	}
	reloads := func(result string) float64 {
		t.Helper()
		resp, err := http.Get("http://" + m[1] + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := expfmt.NewTextParser(model.UTF8Validation)
		families, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range families["sshresume_resume_reloads_total"].GetMetric() {
			if s.GetLabel()[0].GetValue() == result {
				return s.GetCounter().GetValue()
			}
		}
		t.Fatalf("no reloads{result=%q} in\n%s", result, body)
		return 0
	}
	hangup := func() {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}
	if reloads("success") != 0 || reloads("failure") != 0 {
		t.Error("reloads counted before any")
	}
	writeFile(t, file, "basics:\n  name: Ada King\n")
	hangup()
	testkit.WaitFor(t, "the reload", func() bool { return reloads("success") == 1 })
	writeFile(t, file, "basics:\n  name: Ada King\n  email: not-an-address\n")
	hangup()
	testkit.WaitFor(t, "the failed reload", func() bool { return reloads("failure") == 1 })
	if reloads("success") != 1 {
		t.Error("a failed reload counted as a success")
	}
	if status := sv.stop(); status != 0 {
		t.Errorf("status = %d, want 0", status)
	}
}

func TestMetricsAddrOffByDefault(t *testing.T) {
	sv := startServe(t, "serve")
	if strings.Contains(sv.logs.String(), "metrics endpoint") {
		t.Errorf("a metrics endpoint without -metrics-addr:\n%s", sv.logs.String())
	}
}

// TestMetricsCountWebVisitors: the web door's page and downloads count as web
// sessions and exports, the 404 page and the icon do not.
func TestMetricsCountWebVisitors(t *testing.T) {
	t.Setenv("SSHRESUME_METRICS_ADDR", "127.0.0.1:0")
	sv := startServe(t, "serve", "-http-addr", "127.0.0.1:0")
	url := webURL(t, sv)
	for _, path := range []string{"/", "/resume.json", "/resume.pdf", "/favicon.svg", "/nothing"} {
		httpGet(t, url+path)
	}
	endpoint := regexp.MustCompile(`"msg":"metrics endpoint","addr":"(127\.0\.0\.1:\d+)"`)
	m := endpoint.FindStringSubmatch(sv.logs.String())
	if m == nil {
		t.Fatalf("no metrics endpoint logged:\n%s", sv.logs.String())
	}
	_, body := httpGet(t, "http://"+m[1]+"/metrics")
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	value := func(family, label, want string) float64 {
		for _, s := range families[family].GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == label && l.GetValue() == want {
					return s.GetCounter().GetValue()
				}
			}
		}
		return 0
	}
	if got := value("sshresume_sessions_total", "kind", "web"); got != 3 {
		t.Errorf("web sessions = %v, want 3 (the page and two downloads)", got)
	}
	for _, format := range []string{"json", "pdf"} {
		if got := value("sshresume_exports_total", "format", format); got != 1 {
			t.Errorf("exports{format=%q} = %v, want 1", format, got)
		}
	}
}
