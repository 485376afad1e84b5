package defence

import (
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"

	"github.com/sshresume/sshresume/internal/testkit"
)

// TestRefusalReportLevels checks that connections without a PROXY header alone,
// which is what a load balancer's TCP health checks look like, are reported at
// debug level, and any other refusal as a warning.
func TestRefusalReportLevels(t *testing.T) {
	logs := &testkit.Buffer{}
	g := New(Limits{}, log.NewWithOptions(logs, log.Options{Level: log.DebugLevel}))
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { g.reportRefusals(stop, 5*time.Millisecond); close(done) }()
	defer func() { close(stop); <-done }()

	g.refusals[NoProxyHeader].Add(3)
	testkit.WaitFor(t, "the health checks' report", func() bool { return strings.Contains(logs.String(), "no_proxy_header=3") })
	if l := logs.String(); !hasLogLine(l, "DEBUG", "connections refused", "no_proxy_header=3") || strings.Contains(l, "WARN") {
		t.Errorf("health checks alone are not reported at debug level:\n%s", l)
	}

	g.refusals[NoProxyHeader].Add(1)
	g.refusals[Busy].Add(2)
	testkit.WaitFor(t, "the busy report", func() bool { return strings.Contains(logs.String(), "busy=2") })
	if l := logs.String(); !hasLogLine(l, "WARN", "connections refused", "busy=2") {
		t.Errorf("busy refusals are not a warning:\n%s", l)
	}
}

// hasLogLine reports whether a text-format log has a line at level with the
// message and the key=value pair.
func hasLogLine(logs, level, msg, kv string) bool {
	for line := range strings.Lines(logs) {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == level && strings.Contains(line, " "+msg+" ") && slices.Contains(f, kv) {
			return true
		}
	}
	return false
}
