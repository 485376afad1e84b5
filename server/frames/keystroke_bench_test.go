package frames

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/views"
)

// BenchmarkKeystrokeFrame is the work of one scroll keystroke on the resume's
// research section at 80×24: the model's Update and View and the frame drawn
// from it, sessions taking their turns. With a pause before each keystroke
// (time.Sleep, not counted in us/frame) it shows what the same work costs on
// a machine that was idle in between, as a server's is between one visitor's
// keys. On the 2-core virtual machine of docs/PERFORMANCE.md a frame cost
// 0.26–0.29 ms back to back, and after 20 ms pauses 0.44–0.50 ms while its
// host was quiet but 1.1–1.4 ms while it was busy, earlier the same day: the
// keystroke figures of a server on such a machine move with its host.
func BenchmarkKeystrokeFrame(b *testing.B) {
	r, err := content.Default()
	if err != nil {
		b.Fatal(err)
	}
	keys := []tea.Msg{tea.KeyPressMsg{Code: 'j', Text: "j"}, tea.KeyPressMsg{Code: 'k', Text: "k"}}
	for _, n := range []int{1, 1000} {
		models := make([]tea.Model, n)
		screens := make([]*screen, n)
		for j := range n {
			var m tea.Model = views.New(r.Document(), views.Options{Width: 80, Height: 24, Section: "research"})
			m, _ = m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
			s := newScreen([]string{"TERM=xterm-256color"}, colorprofile.TrueColor, 80, 24, true)
			s.view = m.View()
			s.flush(nil, false)
			models[j], screens[j] = m, s
		}
		for _, pause := range []time.Duration{0, 20 * time.Millisecond} {
			b.Run(fmt.Sprintf("sessions=%d/pause=%v", n, pause), func(b *testing.B) {
				b.ReportAllocs()
				var out []byte
				var spent time.Duration
				i := 0
				for b.Loop() {
					if pause > 0 {
						time.Sleep(pause)
					}
					start := time.Now()
					j := i % n
					models[j], _ = models[j].Update(keys[(i/n)%2])
					screens[j].view = models[j].View()
					out = screens[j].flush(out[:0], false)
					spent += time.Since(start)
					i++
				}
				b.ReportMetric(float64(spent.Microseconds())/float64(i), "µs/frame")
				b.ReportMetric(0, "ns/op") // the pauses are in ns/op
			})
		}
	}
}
