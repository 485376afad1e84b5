package frames_test

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/server/frames"
)

// TestBursts: a thousand wheel events a second for a second, and a 10 KB
// paste, on both paths: frames stays at its frame ceiling and writes no more
// bytes than Bubble Tea's renderer (pair.step compares them).
func TestBursts(t *testing.T) {
	r, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := eqConfig{80, 24, false, colorprofile.TrueColor, "xterm-256color"}
	p := &pair{t: t, bt: startSide(t, r.Document(), c, false), ev: startSide(t, r.Document(), c, true)}
	p.step("first frame", nil)
	p.step("a long section", keys("3"))
	// Two samplers at the same rate catch different intermediate states of a
	// burst: its bytes vary from run to run by up to a sixth either way, and
	// under the race detector, which slows the models below a thousand events
	// a second, by half: there only the frame ceiling is checked.
	p.slack = 25
	if raceEnabled {
		p.slack = 1000
	}
	wheel := func(s *side) {
		// SGR wheel events, down and up in turns of twenty: the view keeps
		// changing.
		var b strings.Builder
		for i := range 1000 {
			button := 65
			if i/20%2 == 0 {
				button = 64
			}
			fmt.Fprintf(&b, "\x1b[<%d;40;12M", button)
		}
		events := b.String()
		go func() {
			pace := time.NewTicker(10 * time.Millisecond)
			defer pace.Stop()
			n := len(events) / 100
			for i := 0; i < 100; i++ { // 10 events every 10 ms
				<-pace.C
				_, _ = io.WriteString(s.in, events[i*n:(i+1)*n])
			}
		}()
	}
	framesBefore, bytesBefore := p.ev.frames(), p.bytes
	began := time.Now()
	p.step("wheel burst", wheel)
	elapsed := time.Since(began)
	drawn := p.ev.frames() - framesBefore
	t.Logf("wheel burst: %d frames in %v; bytes: Bubble Tea %d, frames %d", drawn, elapsed.Round(time.Millisecond),
		p.bytes[0]-bytesBefore[0], p.bytes[1]-bytesBefore[1])
	if ceiling := int(elapsed.Seconds()*frames.DefaultMaxFPS) + 2; drawn > ceiling {
		t.Errorf("%d frames in %v: above the ceiling", drawn, elapsed)
	}
	p.step("paste", keys("\x1b[200~"+strings.Repeat("pasted text ", 10<<10/12)+"\x1b[201~"))
}
