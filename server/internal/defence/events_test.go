package defence

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
)

// scannerInputs is what a visitor's terminal may send in one packet: every
// key sequence of the xterm family with every modifier, ESC with every ASCII
// byte, every ASCII byte, mouse reports, focus, pastes (with invalid UTF-8
// and keys in them), text in several scripts, cancelled and unknown
// sequences, and several events at once.
func scannerInputs() []string {
	var in []string
	for _, f := range "ABCDEFHPQRSZabcdz" {
		in = append(in, "\x1b["+string(f), "\x1bO"+string(f))
		for m := 1; m <= 16; m++ {
			in = append(in, fmt.Sprintf("\x1b[1;%d%c", m, f), fmt.Sprintf("\x1bO%d%c", m, f))
		}
	}
	for k := 0; k <= 40; k++ {
		for _, f := range "~^$@" {
			in = append(in, fmt.Sprintf("\x1b[%d%c", k, f))
			for m := 1; m <= 16; m++ {
				in = append(in, fmt.Sprintf("\x1b[%d;%d%c", k, m, f))
			}
		}
	}
	for c := range 128 {
		in = append(in, "\x1b"+string(rune(c)), string(rune(c)))
	}
	return append(in,
		"\x1b[M !!", "\x1b[<0;1;1M", "\x1b[<0;1;1m", "\x1b[<64;5;5M", "\x1b[<65;80;24M", "\x1b[<35;10;3M",
		"\x1b[I", "\x1b[O", "\x1b[27u", "\x1b[97;5u", "\x1b[97;3:1u", "\x1b[13;2u",
		"é", "漢字", "👍🏽", "e\u0301", "\xff", "a\xffb",
		"\x1b[200~hello\nworld\x1b[201~", "\x1b[200~a\xffb漢\x1b[A\x1b[201~", "\x1b[200~\x1b[201~", "\x1b[200~abc",
		"\x1b]11;rgb:0000/0000/0000\x07", "\x1b]11;rgb:ffff/ffff/ffff\x1b\\", "\x1b]0;x\x18", "\x1b[?2026;2$y",
		"\x1bP1+r6b6579\x1b\\", "\x1b[?1;2c", "\x1b[12;40R", "\x1b[1;5R",
		"jjjkkk", "\x1b[A\x1b[B\x1b[5~\x1b[6~\x1b[H\x1b[F", "\t\x1b[Z", "\x01\x1bx", "q", "\r", "\x7f", "\x1b\x1b",
	)
}

// filterChunks is what the filter passes on of one packet: what it decides at
// once, then, if something is left undecided, what it decides when the Escape
// timeout passes with nothing more; and the events it passed on, assembled
// for ReadEvents.
func filterChunks(in string) ([][]byte, []uv.Event) {
	var sc eventScanner
	f := inputFilter{events: &sc}
	chunks := [][]byte{f.feed(nil, []byte(in), false)}
	if f.waiting() {
		chunks = append(chunks, f.feed(nil, nil, true))
	}
	return chunks, sc.take()
}

// readerEvents is what ultraviolet's TerminalReader, as Bubble Tea uses it,
// makes of the chunks, each one read; then the input ends.
func readerEvents(t *testing.T, chunks [][]byte) []uv.Event {
	pr, pw := io.Pipe()
	rd := uv.NewTerminalReader(pr, "xterm-256color")
	evc := make(chan uv.Event, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := rd.StreamEvents(context.Background(), evc); err != nil {
			t.Error(err)
		}
	}()
	for _, c := range chunks {
		if len(c) > 0 {
			_, _ = pw.Write(c)
		}
	}
	_ = pw.Close()
	<-done
	close(evc)
	var evs []uv.Event
	for ev := range evc {
		evs = append(evs, ev)
	}
	return evs
}

// TestEventScannerMatchesTerminalReader: for every input of scannerInputs, the
// events the filter passes on, as ReadEvents assembles them, are the events
// ultraviolet's TerminalReader makes of the bytes the filter passes on.
func TestEventScannerMatchesTerminalReader(t *testing.T) {
	inputs := scannerInputs()
	var (
		mu       sync.Mutex
		withEvts int
		wg       sync.WaitGroup
		work     = make(chan string)
	)
	for range 8 {
		wg.Go(func() {
			for in := range work {
				chunks, got := filterChunks(in)
				want := readerEvents(t, chunks)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%q: the filter's events %#v, TerminalReader %#v", in, got, want)
				}
				mu.Lock()
				if len(want) > 0 {
					withEvts++
				}
				mu.Unlock()
			}
		})
	}
	for _, in := range inputs {
		work <- in
	}
	close(work)
	wg.Wait()
	if withEvts < len(inputs)*2/3 {
		t.Errorf("only %d of %d inputs made events", withEvts, len(inputs))
	}
	t.Logf("%d inputs, %d of them made events", len(inputs), withEvts)
}

// TestIgnoredEventType: the decoder's type for cancelled sequences is still
// the unexported one the scanner drops.
func TestIgnoredEventType(t *testing.T) {
	if ignoredEventType == nil || ignoredEventType.Name() != "ignoredEvent" ||
		!strings.HasSuffix(ignoredEventType.PkgPath(), "ultraviolet") {
		t.Fatalf("a cancelled OSC decodes to %v, want ultraviolet's ignoredEvent", ignoredEventType)
	}
}
