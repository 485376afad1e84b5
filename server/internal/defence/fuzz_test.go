package defence

// Fuzz targets for everything a client chooses that the filters see: pty-req
// and window-change payloads, env requests and terminal input. Their seed
// corpora in testdata/fuzz run as ordinary tests; "go test -fuzz=FuzzX
// ./server/internal/defence" explores further.

import (
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func FuzzPtyRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, win, ok := checkPtyRequest(payload)
		if !ok {
			return
		}
		var r ptyRequest
		if err := gossh.Unmarshal(out, &r); err != nil {
			t.Fatalf("rewritten payload does not parse: %v", err)
		}
		if r.Columns > MaxWindowWidth || r.Rows > MaxWindowHeight || win.Width != int(r.Columns) || win.Height != int(r.Rows) {
			t.Errorf("window %dx%d (%+v) passed on", r.Columns, r.Rows, win)
		}
		if !validTerm(r.Term) || len(r.Modes) > maxModesLen {
			t.Errorf("TERM %q, %d bytes of modes passed on", r.Term, len(r.Modes))
		}
	})
}

func FuzzWindowChange(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		win, ok := checkWindowChange(payload)
		if ok && (win.Width < 0 || win.Width > MaxWindowWidth || win.Height < 0 || win.Height > MaxWindowHeight) {
			t.Errorf("window %+v passed on", win)
		}
	})
}

func FuzzEnvRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		key, ok := checkEnv(payload)
		if !ok {
			return
		}
		var r struct{ Key, Value string }
		if err := gossh.Unmarshal(payload, &r); err != nil || r.Key != key {
			t.Fatalf("accepted a payload that does not parse: %v", err)
		}
		if !allowedEnv(r.Key) || len(r.Value) > maxEnvValLen || strings.ContainsFunc(r.Value, func(c rune) bool { return c < 0x20 || c > 0x7e }) {
			t.Errorf("accepted %q=%q", r.Key, r.Value)
		}
	})
}

// FuzzTerminalInput feeds input to the filter in front of Bubble Tea, split in
// two reads, and checks what it holds and passes on, and what the event
// scanner holds of it.
func FuzzTerminalInput(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		cut := int(split) % (len(data) + 1)
		var sc eventScanner
		fl := inputFilter{events: &sc}
		out := fl.feed(nil, data[:cut], false)
		if len(fl.pending) > maxPendingInput+len(data) {
			t.Fatalf("%d bytes pending", len(fl.pending))
		}
		out = fl.feed(out, data[cut:], false)
		out = fl.feed(out, nil, true)
		if len(fl.pending) != 0 {
			t.Errorf("%d bytes still pending after the timeout", len(fl.pending))
		}
		if len(out) > len(data)+len(escapeKey)*len(data) {
			t.Errorf("%d bytes out of %d in", len(out), len(data))
		}
		// What the filter passes on is made of whole, known events: filtering
		// it again changes nothing.
		var again inputFilter
		if got := again.feed(nil, out, true); string(got) != string(out) {
			t.Errorf("filtering twice differs:\n in %q\nout %q\n2nd %q", data, out, got)
		}
		// Read as events (ReadEvents), it holds no more of a paste than the
		// filter passes on.
		if len(sc.paste) > maxPaste {
			t.Errorf("the scanner holds %d bytes of a paste", len(sc.paste))
		}
	})
}
