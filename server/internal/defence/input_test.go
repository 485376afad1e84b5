package defence

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"charm.land/ssh"
	uv "github.com/charmbracelet/ultraviolet"
)

// read reads once from r on its own goroutine and returns what it read, or
// fails the test after a deadline.
func readOnce(t *testing.T, r io.Reader) (string, error) {
	t.Helper()
	type result struct {
		s   string
		err error
	}
	got := make(chan result, 1)
	go func() {
		buf := make([]byte, 64)
		n, err := r.Read(buf)
		got <- result{string(buf[:n]), err}
	}()
	select {
	case res := <-got:
		return res.s, res.err
	case <-time.After(5 * time.Second):
		t.Fatal("Read did not return within 5 s")
		return "", nil
	}
}

// TestFilteredInputReadsInPlace: the filter runs in Read, on the reader's
// goroutine: keys pass, a lone Escape is decided by the timeout, and the end
// of the input, or end, gives the end sequence and then io.EOF.
func TestFilteredInputReadsInPlace(t *testing.T) {
	const endSeq = "<end>"
	t.Run("keys", func(t *testing.T) {
		in := newInbox()
		fr := newFilteredInput(in, endSeq)
		in.put([]byte("jk\x1b[A"))
		if s, err := readOnce(t, fr); s != "jk\x1b[A" || err != nil {
			t.Fatalf("Read = %q, %v; want the keys", s, err)
		}
	})
	t.Run("lone escape", func(t *testing.T) {
		in := newInbox()
		fr := newFilteredInput(in, endSeq)
		in.put([]byte("\x1b"))
		start := time.Now()
		s, err := readOnce(t, fr)
		if s != escapeKey || err != nil {
			t.Fatalf("Read = %q, %v; want %q", s, err, escapeKey)
		}
		if waited := time.Since(start); waited < escTimeout {
			t.Errorf("a lone Escape was decided after %v, before the %v timeout", waited, escTimeout)
		}
	})
	t.Run("escape then more", func(t *testing.T) {
		in := newInbox()
		fr := newFilteredInput(in, endSeq)
		in.put([]byte("\x1b"))
		go func() {
			time.Sleep(escTimeout / 5)
			in.put([]byte("[B"))
		}()
		if s, err := readOnce(t, fr); s != "\x1b[B" || err != nil {
			t.Fatalf("Read = %q, %v; want one sequence", s, err)
		}
	})
	t.Run("input ends in a paste", func(t *testing.T) {
		in := newInbox()
		fr := newFilteredInput(in, endSeq)
		in.put([]byte("\x1b[200~abc"))
		in.end(io.EOF)
		var all string
		for {
			s, err := readOnce(t, fr)
			all += s
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if want := "\x1b[200~abc" + pasteEnd + endSeq; all != want {
			t.Errorf("read %q, want %q", all, want)
		}
	})
	t.Run("end unblocks a waiting Read", func(t *testing.T) {
		in := newInbox()
		fr := newFilteredInput(in, endSeq)
		got := make(chan string, 1)
		go func() {
			b, _ := io.ReadAll(fr)
			got <- string(b)
		}()
		fr.stop()
		select {
		case s := <-got:
			if s != endSeq {
				t.Errorf("read %q after end, want %q", s, endSeq)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Read still blocked 5 s after end")
		}
	})
}

// offChannelContext is the context of a session that does not run on a
// Channel.
type offChannelContext struct{ ssh.Context }

func (offChannelContext) Value(any) any { return nil }

// offChannelSession is a session that does not run on a Channel, reading r.
type offChannelSession struct {
	ssh.Session
	r io.Reader
}

func (s offChannelSession) Read(p []byte) (int, error) { return s.r.Read(p) }
func (offChannelSession) Context() ssh.Context         { return offChannelContext{} }

// TestFilterInputOffChannel: a session without a Channel (none in the server)
// is read through an inbox of its own, filtered the same way.
func TestFilterInputOffChannel(t *testing.T) {
	r, end := FilterInput(offChannelSession{r: strings.NewReader("jk\x1b[200~x")}, "<end>")
	defer end()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "jk\x1b[200~x" + pasteEnd + "<end>"; string(b) != want {
		t.Errorf("read %q, want %q", b, want)
	}
}

// TestFilteredInputReadEvents: read as events, the filtered input gives
// ultraviolet's events, a whole paste at once, and io.EOF once it has ended.
func TestFilteredInputReadEvents(t *testing.T) {
	in := newInbox()
	fr := newFilteredInput(in, "")
	in.put([]byte("j\x1b[200~a\xffb\x1b[201~"))
	evs, err := fr.ReadEvents()
	if err != nil {
		t.Fatal(err)
	}
	want := []uv.Event{uv.KeyPressEvent{Code: 'j', Text: "j"}, uv.PasteStartEvent{}, uv.PasteEvent{Content: "ab"}, uv.PasteEndEvent{}}
	if !reflect.DeepEqual(evs, want) {
		t.Errorf("ReadEvents = %#v, want %#v", evs, want)
	}
	in.end(io.EOF)
	if evs, err := fr.ReadEvents(); !errors.Is(err, io.EOF) || len(evs) != 0 {
		t.Errorf("after the end: %#v, %v; want io.EOF", evs, err)
	}
}
