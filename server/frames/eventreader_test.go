package frames_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"

	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server/frames"
)

// events is an input read as events: what is sent on c, until Close.
type events struct {
	c      chan []uv.Event
	closed chan struct{}
}

func (e *events) ReadEvents() ([]uv.Event, error) {
	select {
	case evs := <-e.c:
		return evs, nil
	case <-e.closed:
		return nil, io.EOF
	}
}

func (e *events) Read([]byte) (int, error) { panic("an EventReader is read by ReadEvents") }

func (e *events) Close() error {
	close(e.closed)
	return nil
}

// TestEventReaderInput: an input that is an EventReader is read by
// ReadEvents, its events reach the model as Bubble Tea's messages, and Run
// closes it and returns.
func TestEventReaderInput(t *testing.T) {
	r := newRecorder(nil)
	in := &events{c: make(chan []uv.Event), closed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := frames.New(r, frames.Config{Output: io.Discard, Input: in, Env: []string{"TERM=xterm-256color"}, Width: 80, Height: 24},
		tea.WithContext(ctx), tea.WithoutSignalHandler())
	done := make(chan struct{})
	go func() { defer close(done); _, _ = p.Run() }()
	in.c <- []uv.Event{uv.KeyPressEvent{Code: 'j', Text: "j"}, uv.PasteEvent{Content: "pasted"}}
	has := func(s string) func() bool {
		return func() bool {
			return slices.ContainsFunc(r.calls(), func(c string) bool { return strings.Contains(c, s) })
		}
	}
	testkit.WaitFor(t, "the key", has("update tea.KeyPressMsg j"))
	testkit.WaitFor(t, "the paste", has("update tea.PasteMsg pasted"))
	p.Quit()
	<-done
	select {
	case <-in.closed:
	default:
		t.Error("Run returned without closing the input")
	}
}
