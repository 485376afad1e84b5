package views_test

import (
	"image/color"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/views"
)

// fuzzKeys are keys a visitor may press, bound or not.
var fuzzKeys = []tea.KeyPressMsg{
	keyMsg("tab"), keyMsg("shift+tab"), keyMsg("left"), keyMsg("right"), keyMsg("up"),
	keyMsg("down"), keyMsg("pgup"), keyMsg("pgdown"), keyMsg("home"), keyMsg("end"),
	keyMsg("esc"), keyMsg("space"), keyMsg("?"), keyMsg("c"), keyMsg("g"), keyMsg("G"),
	keyMsg("j"), keyMsg("k"), keyMsg("h"), keyMsg("l"), keyMsg("f"), keyMsg("b"),
	keyMsg("1"), keyMsg("3"), keyMsg("6"), keyMsg("9"), keyMsg("0"),
	{Code: tea.KeyEnter}, {Code: 'x', Mod: tea.ModAlt}, {Code: tea.KeyF5},
}

// fuzzSizes are window sizes around every threshold, and absurd ones: a client
// chooses its window size.
var fuzzSizes = []int{0, 1, 2, 11, 12, 19, 20, 24, 39, 40, 41, 60, 79, 80, 99, 100, 101, 120, 200, 250, 999, 1000, 1001, 100000}

// FuzzModel feeds the root model random key presses, mouse events, pastes,
// resizes, theme changes and notices, and checks after each that it did not
// panic and that the screen fits the window. Three bytes make one message.
func FuzzModel(f *testing.F) {
	docs := []*content.Document{doc(f), everySection(f)}
	f.Add([]byte{0, 12, 0, 1, 10, 5, 5, 0, 0, 5, 21, 21})
	f.Add([]byte("\x05\x00\x00\x00\x00\x00\x05\x15\x15\x02\x01\x01\x05\x0a\x0b"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range docs {
			fuzzModel(t, d, data)
		}
	})
}

// fuzzModel plays data as messages to a model of d.
func fuzzModel(t *testing.T, d *content.Document, data []byte) {
	var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24, Section: string(data[:min(len(data), 3)])})
	playFuzz(data, func(msg tea.Msg, w, h int) {
		m, _ = m.Update(msg)
		checkFuzzedScreen(t, m, w, h, msg)
	})
}

// playFuzz turns data into messages, three bytes a message, and calls each
// with every message and the window size the model has after it.
func playFuzz(data []byte, each func(msg tea.Msg, w, h int)) {
	w, h := 80, 24
	for len(data) >= 3 {
		op, a, b := data[0], int(data[1]), int(data[2])
		data = data[3:]
		var msg tea.Msg
		switch op % 8 {
		case 0:
			msg = fuzzKeys[a%len(fuzzKeys)]
		case 1:
			msg = tea.KeyPressMsg{Code: rune(a | b<<8), Text: string(rune(a | b<<8))}
		case 2:
			msg = tea.MouseClickMsg{X: a, Y: b, Button: tea.MouseButton(op>>3) % 4}
		case 3:
			wheel := []tea.MouseButton{tea.MouseWheelUp, tea.MouseWheelDown, tea.MouseWheelLeft, tea.MouseWheelRight}
			msg = tea.MouseWheelMsg{X: a, Y: b, Button: wheel[int(op>>3)%len(wheel)]}
		case 4:
			if op&8 == 0 {
				msg = tea.MouseReleaseMsg{X: a, Y: b, Button: tea.MouseLeft}
			} else {
				msg = tea.MouseMotionMsg{X: a, Y: b, Button: tea.MouseLeft}
			}
		case 5:
			w, h = fuzzSizes[a%len(fuzzSizes)], fuzzSizes[b%len(fuzzSizes)]
			if op&8 != 0 { // any size, not only the interesting ones
				w, h = a*b, b
			}
			msg = tea.WindowSizeMsg{Width: w, Height: h}
		case 6:
			n := min(a%64, len(data))
			msg = tea.PasteMsg{Content: string(data[:n])}
			data = data[n:]
		case 7:
			switch b % 4 {
			case 0:
				msg = tea.BackgroundColorMsg{Color: color.Gray{Y: uint8(a)}}
			case 1:
				msg = tea.ColorProfileMsg{Profile: colorprofile.Profile(a % 6)}
			case 2:
				n := min(a%64, len(data))
				msg = views.NoticeMsg{Text: string(data[:n])}
				data = data[n:]
			case 3:
				msg = views.FlashDone(a % 4)
			}
		}
		each(msg, w, h)
	}
}

// checkFuzzedScreen checks that the screen fits a window of w×h, whatever sizes
// the model was given, and costs no more than a bounded number of bytes per cell.
func checkFuzzedScreen(t *testing.T, m tea.Model, w, h int, after tea.Msg) {
	t.Helper()
	content := m.View().Content
	if w <= 0 || h <= 0 {
		if content != "" {
			t.Fatalf("after %#v: a screen for a %dx%d window", after, w, h)
		}
		return
	}
	cells := min(w, views.MaxWindow) * min(h, views.MaxWindow)
	if len(content) > 64*cells+4096 {
		t.Fatalf("after %#v: %d bytes for %d cells", after, len(content), cells)
	}
	lines := strings.Split(content, "\n")
	if len(lines) > h {
		t.Fatalf("after %#v: %d lines in a %dx%d window", after, len(lines), w, h)
	}
	for _, l := range lines {
		if lw := lineWidth(l); lw > w {
			t.Fatalf("after %#v: a line %d wide in a %dx%d window: %q", after, lw, w, h, l)
		}
	}
}
