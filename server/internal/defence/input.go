package defence

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"time"

	"charm.land/ssh"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"golang.org/x/time/rate"
)

// Bubble Tea's input reader keeps every byte of an unfinished escape sequence
// and of a bracketed paste until it ends, and decodes its whole buffer again on
// every read: a visitor who sends "\x1b]" or "\x1b[200~" followed by an endless
// stream makes the server's memory grow without bound and its CPU time grow
// with the square of the input. The input filter sits in front of it. It
// decodes the input with the same decoder, passes on only complete events,
// drops sequences longer than maxPendingInput and pastes beyond maxPaste, and
// re-encodes a lone Escape so that it cannot merge with what follows.
//
// The filter also passes on at most tuiInputRate bytes per second, after a
// burst: every byte can be a key for the TUI to handle, a frame to draw (up to
// 15 ms of CPU at the largest window), and a person typing sends far under 100
// bytes a second; scrolling with the wheel (a dozen bytes an event) or holding
// an arrow key, a few hundred. The burst holds a whole paste (maxPaste).
const (
	maxPendingInput = 4 << 10
	maxPaste        = 4 << 10
	escTimeout      = uv.DefaultEscTimeout
	tuiInputRate    = 1 << 10
	tuiInputBurst   = 8 << 10
)

// escapeKey is the Escape key in the unambiguous CSI u encoding.
const escapeKey = "\x1b[27u"

// inputFilter is the decoding state of one visitor's input.
type inputFilter struct {
	dec     uv.EventDecoder
	pending []byte
	inPaste bool
	pasted  int
	// events, when set, is handed every event passed on with its bytes: the
	// filter's own decisions, for a reader of events (ReadEvents).
	events *eventScanner
}

// escapeEvent is what escapeKey decodes to: the Escape key.
var escapeEvent = func() uv.Event {
	var dec uv.EventDecoder
	_, ev := dec.Decode([]byte(escapeKey))
	return ev
}()

// pass appends seq, the bytes of the event ev, to out, and hands the event to
// the events sink if there is one.
func (f *inputFilter) pass(out, seq []byte, ev uv.Event) []byte {
	if f.events != nil {
		f.events.add(seq, ev)
	}
	return append(out, seq...)
}

// feed adds data to the pending input and appends to out the bytes the TUI may
// read. With expired, input that could still be the start of a longer sequence
// is decided as it is; feed is called that way when no input followed for
// escTimeout.
func (f *inputFilter) feed(out, data []byte, expired bool) []byte {
	f.pending = append(f.pending, data...)
	buf := f.pending
	for len(buf) > 0 {
		n, ev := f.dec.Decode(buf)
		n = max(1, min(n, len(buf)))
		// The decoder saw past the event, or nothing more is coming: the event
		// is what it is.
		decided := n < len(buf) || expired
		switch ev.(type) {
		case uv.UnknownEvent:
			if !decided && len(buf) < maxPendingInput {
				f.keep(buf)
				return out
			}
			// Unknown, or too long to be anything a terminal sends: dropped.
		case uv.UnknownCsiEvent, uv.UnknownSs3Event, uv.UnknownOscEvent, uv.UnknownDcsEvent,
			uv.UnknownSosEvent, uv.UnknownPmEvent, uv.UnknownApcEvent:
			// Complete sequences no TUI understands: dropped.
		case uv.PasteStartEvent:
			if !f.inPaste {
				f.inPaste, f.pasted = true, 0
				out = f.pass(out, buf[:n], ev)
			}
		case uv.PasteEndEvent:
			if f.inPaste {
				f.inPaste = false
				out = f.pass(out, buf[:n], ev)
			}
		default:
			if reflect.TypeOf(ev) == ignoredEventType {
				// A cancelled string sequence, which the reader drops too.
				break
			}
			if buf[0] >= 0x80 && buf[0] <= 0x9f {
				// An 8-bit control (C1): no terminal sends one in UTF-8,
				// and the decoder reads "\x9dA" as a key or as the start of
				// a string depending on what follows.
				break
			}
			// Escape alone, Alt with a key, or Alt (a second ESC) with
			// what reads as a sequence so far: what follows decides what
			// it is ("ESC ESC X" is Alt+Shift+X alone, and ESC then a
			// string with more), so wait for it.
			if buf[0] == ansi.ESC && (n <= 2 || buf[1] == ansi.ESC) && !decided {
				f.keep(buf)
				return out
			}
			if buf[0] == ansi.ESC && n <= 2 {
				out = f.appendShortEscape(out, buf[:n], ev)
				break
			}
			if f.inPaste {
				if f.pasted+n > maxPaste {
					break
				}
				f.pasted += n
			}
			out = f.pass(out, buf[:n], ev)
		}
		buf = buf[n:]
	}
	f.keep(buf)
	return out
}

// appendShortEscape passes on an event of one or two bytes that starts with
// ESC. Bubble Tea's reader may receive the bytes that follow soon enough to
// read them as one sequence (ESC then "[200~" would start a paste the filter
// knows nothing of), so ESC alone is re-encoded, ESC with a sequence
// introducer is dropped, and Alt with any other key is passed on.
func (f *inputFilter) appendShortEscape(out, seq []byte, ev uv.Event) []byte {
	if len(seq) == 1 {
		return f.pass(out, []byte(escapeKey), escapeEvent)
	}
	switch c := seq[1]; {
	case c == ansi.ESC || c >= 0x80:
		return out
	case c == '[' || c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X' || c == 'O':
		return out
	}
	return f.pass(out, seq, ev)
}

// keep makes rest the pending input, reusing the buffer.
func (f *inputFilter) keep(rest []byte) {
	f.pending = append(f.pending[:0], rest...)
}

// waiting reports whether input is pending, to be decided when escTimeout
// passes without more.
func (f *inputFilter) waiting() bool { return len(f.pending) > 0 }

// FilterInput returns a reader of the session's input as filtered by an
// inputFilter. When the input ends or end is called, the reader returns endSeq
// and then io.EOF; closing it does the same.
//
// The filter runs in the reader's Read, on the goroutine that reads: a key
// travels from the channel's drain to the TUI through no goroutine of its own.
// Read waits for input, or for escTimeout while an escape sequence is
// unfinished, and passes on at most tuiInputRate bytes a second after a burst
// of tuiInputBurst.
func FilterInput(sess ssh.Session, endSeq string) (r io.ReadCloser, end func()) {
	fr := newFilteredInput(sessionInbox(sess), endSeq)
	return fr, fr.stop
}

func newFilteredInput(src inboxReader, endSeq string) *filteredInput {
	ctx, cancel := context.WithCancel(context.Background())
	return &filteredInput{
		src:    src,
		endSeq: endSeq,
		lim:    rate.NewLimiter(tuiInputRate, tuiInputBurst),
		ctx:    ctx,
		stop:   cancel,
	}
}

// sessionInbox is where sess's input waits to be read: its channel's inbox,
// touching the connection as the channel's Read does, or, for a session
// that does not run on a Channel, an inbox its own goroutine fills.
func sessionInbox(sess ssh.Session) inboxReader {
	if ch := ChannelOf(sess); ch != nil {
		if ac := ch.active.Load(); ac != nil {
			return ac
		}
	}
	in := newInbox()
	go func() {
		buf := make([]byte, 1<<10)
		for {
			n, err := sess.Read(buf)
			in.put(buf[:n])
			if err != nil {
				in.end(err)
				return
			}
		}
	}()
	return in
}

// inboxReader reads input with a limit on the wait.
type inboxReader interface {
	readWithin(p []byte, wait time.Duration, stop <-chan struct{}) (int, error)
}

// filteredInput is FilterInput's reader. Read or ReadEvents is called by one
// goroutine at a time (the TUI's input reader); Close and end may be called
// from any.
type filteredInput struct {
	src    inboxReader
	f      inputFilter
	lim    *rate.Limiter
	endSeq string
	ctx    context.Context // done once the reader is ended
	stop   context.CancelFunc

	scan eventScanner // ReadEvents's decoding state

	buf  [1 << 10]byte
	out  []byte // filtered input not read yet
	done bool   // endSeq is in out: after it, io.EOF
}

// fill waits until there is filtered input, or the input has ended (false).
func (fr *filteredInput) fill() bool {
	for len(fr.out) == 0 {
		if fr.done {
			return false
		}
		var wait time.Duration
		if fr.f.waiting() {
			wait = escTimeout
		}
		n, err := fr.src.readWithin(fr.buf[:], wait, fr.ctx.Done())
		switch {
		case n > 0:
			fr.out = fr.f.feed(fr.out[:0], fr.buf[:n], false)
		case errors.Is(err, errWaited):
			fr.out = fr.f.feed(fr.out[:0], nil, true)
		case err != nil:
			fr.out = fr.f.end(fr.out[:0], fr.endSeq)
			fr.done = true
		}
	}
	return true
}

// pace waits until n more bytes may pass, and reports whether the reader
// was ended meanwhile; then only the end sequence is left to read.
func (fr *filteredInput) pace(n int) (ended bool) {
	if fr.done || fr.lim.WaitN(fr.ctx, n) == nil {
		return false
	}
	fr.out, fr.done = fr.f.end(fr.out[:0], fr.endSeq), true
	return true
}

// Read returns filtered input, waiting for some.
func (fr *filteredInput) Read(p []byte) (int, error) {
	if !fr.fill() {
		return 0, io.EOF
	}
	n := min(len(p), len(fr.out), tuiInputBurst)
	if fr.pace(n) {
		n = min(len(p), len(fr.out))
	}
	n = copy(p, fr.out[:n])
	if n == len(fr.out) {
		fr.out = fr.out[:0] // keep the buffer
	} else {
		fr.out = fr.out[n:]
	}
	return n, nil
}

// ReadEvents returns the next filtered input as events, waiting for some;
// io.EOF once the input has ended. The events are the filter's own decisions,
// assembled as ultraviolet's TerminalReader assembles them (see eventScanner),
// so the input is decoded once, and no reader goroutine or key table of
// ultraviolet's is needed (frames.Program reads an input that has this method
// by it). Do not mix it with Read.
func (fr *filteredInput) ReadEvents() ([]uv.Event, error) {
	fr.f.events = &fr.scan
	for {
		if !fr.fill() {
			return nil, io.EOF
		}
		ended := false
		for rest := fr.out; len(rest) > 0 && !fr.done; {
			n := min(len(rest), tuiInputBurst)
			if ended = fr.pace(n); ended {
				break
			}
			rest = rest[n:]
		}
		fr.out = fr.out[:0] // passed: the buffer is free again
		evs := fr.scan.take()
		if len(evs) > 0 && !ended {
			return evs, nil
		}
	}
}

// Close ends the reader: the next Read returns what is left, endSeq and
// io.EOF.
func (fr *filteredInput) Close() error {
	fr.stop()
	return nil
}

// end appends endSeq to out. A paste left open would swallow it, so the paste
// is ended first.
func (f *inputFilter) end(out []byte, endSeq string) []byte {
	if f.inPaste {
		f.inPaste = false
		out = append(out, pasteEnd...)
	}
	return append(out, endSeq...)
}

// pasteEnd ends a bracketed paste.
const pasteEnd = "\x1b[201~"

// InputEnd returns a name for the end of a session's input, and the terminal
// reply that carries it: an XTGETTCAP answer, which Bubble Tea delivers as a
// tea.CapabilityMsg with the name. The name is random, so a visitor cannot
// send it.
func InputEnd() (name, seq string) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name = "sshresume-input-end-" + hex.EncodeToString(b)
	return name, "\x1bP1+r" + hex.EncodeToString([]byte(name)) + "\x1b\\"
}
