package defence

import (
	"reflect"
	"unicode/utf8"

	uv "github.com/charmbracelet/ultraviolet"
)

// eventScanner assembles the events the input filter passes on as
// ultraviolet's TerminalReader (v0.0.0-20261008173134, terminal_reader.go's
// scanEvents) assembles the events it decodes from the same bytes. What the
// reader does that is kept here: bracketed pastes assembled into one
// PasteEvent of the valid UTF-8 in them (a key's text, or the raw bytes of a
// key without text) between the paste's start and end events, events inside
// a paste other than keys dropped, multiple events spread, ignored events
// dropped, and the sequence "ESC [ 1 ; m R" (m from 2) read as F3 with
// modifiers only, as its key table reads a read that holds nothing else (the
// decoder also reports a cursor position: nobody asked for one). What is not:
// its reassembly of win32-input-mode records (a mode nothing here turns on)
// and its terminfo table (off in Bubble Tea). TestEventScannerMatchesTerminalReader
// compares the two on some thousands of inputs.
type eventScanner struct {
	paste []byte     // the paste being assembled, or nil outside one
	evs   []uv.Event // the events assembled and not taken yet
}

// add takes the event ev, whose bytes are seq.
func (s *eventScanner) add(seq []byte, ev uv.Event) {
	if s.paste != nil {
		switch e := ev.(type) {
		case uv.PasteEndEvent:
			s.evs = append(s.evs, uv.PasteEvent{Content: validUTF8(s.paste)}, e)
			s.paste = nil
		case uv.KeyPressEvent:
			if e.Text != "" {
				s.paste = append(s.paste, e.Text...)
			} else {
				s.paste = append(s.paste, seq...)
			}
		}
		return
	}
	switch e := ev.(type) {
	case nil:
	case uv.PasteStartEvent:
		s.paste = []byte{}
		s.evs = append(s.evs, e)
	case uv.PasteEndEvent:
		s.evs = append(s.evs, uv.PasteEvent{}, e)
	case uv.MultiEvent:
		if k, ok := f3WithModifiers(e); ok {
			s.evs = append(s.evs, k)
			break
		}
		s.evs = append(s.evs, e...)
	default:
		if reflect.TypeOf(ev) != ignoredEventType {
			s.evs = append(s.evs, ev)
		}
	}
}

// take returns the events assembled since the last take.
func (s *eventScanner) take() []uv.Event {
	evs := s.evs
	s.evs = nil
	return evs
}

// f3WithModifiers is the key of "ESC [ 1 ; m R" with m from 2, which the
// decoder reads as F3 with modifiers and a cursor position report.
func f3WithModifiers(m uv.MultiEvent) (uv.KeyPressEvent, bool) {
	if len(m) != 2 {
		return uv.KeyPressEvent{}, false
	}
	k, ok := m[0].(uv.KeyPressEvent)
	if _, cpr := m[1].(uv.CursorPositionEvent); !ok || !cpr || k.Code != uv.KeyF3 || k.Mod == 0 {
		return uv.KeyPressEvent{}, false
	}
	return k, true
}

// ignoredEventType is the type of the events the decoder marks as ignored
// (cancelled string sequences), which the reader drops; the type is
// unexported, so it is taken from such an event: an OSC cancelled by CAN.
var ignoredEventType = func() reflect.Type {
	var dec uv.EventDecoder
	_, ev := dec.Decode([]byte("\x1b]0;x\x18"))
	return reflect.TypeOf(ev)
}()

// validUTF8 is s without its invalid bytes, as the reader builds a paste.
func validUTF8(s []byte) string {
	out := make([]rune, 0, len(s))
	for len(s) > 0 {
		r, w := utf8.DecodeRune(s)
		if r != utf8.RuneError {
			out = append(out, r)
		}
		s = s[w:]
	}
	return string(out)
}
