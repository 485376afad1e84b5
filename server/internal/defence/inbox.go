package defence

import (
	"errors"
	"io"
	"sync"
	"time"
)

// x/crypto/ssh keeps every data packet a client sends on a channel until the
// channel is read, each in an allocation of its own, up to the channel's
// window of 2 MiB: a client sending one-byte packets on a channel nobody reads
// pins about 49 bytes of heap per byte of window, 100 MiB per channel. So
// every session channel is read from the moment it is accepted, by a drain
// that keeps at most maxInbox bytes for the session to read and drops the
// rest; its stderr (extended data, which no session reads) is dropped as it
// comes. What a channel can hold is then maxInbox plus what arrives between
// two reads of the drain, whatever the client sends and whether or not a
// session runs, reads its input or is stuck writing.
//
// A person's input never comes near it: the TUI reads its input as it
// arrives, and a paste longer than maxPaste is cut anyway; exports never read
// theirs. It still holds a paste of several times maxPaste sent at once, so
// that the end of the paste and the keys after it are not lost. Two channels
// per connection: at most 128 KiB of input per connection.
const maxInbox = 64 << 10

// inbox is what a channel's drain has read and its session has not.
type inbox struct {
	mu      sync.Mutex
	buf     []byte
	err     error // what ended the channel's input, once it has ended
	dropped bool  // input has been dropped since the inbox was full

	ready chan struct{} // holds a token while the inbox may hold something for a reader
}

func newInbox() *inbox {
	return &inbox{ready: make(chan struct{}, 1)}
}

// signal leaves a token for the reader, if none is there yet.
func (in *inbox) signal() {
	select {
	case in.ready <- struct{}{}:
	default:
	}
}

// put adds p, as much of it as fits, and reports whether this is the first
// time input was dropped.
func (in *inbox) put(p []byte) (firstDrop bool) {
	in.mu.Lock()
	room := maxInbox - len(in.buf)
	if len(p) > room {
		firstDrop = !in.dropped
		in.dropped = true
		p = p[:room]
	}
	if len(p) > 0 {
		in.buf = append(in.buf, p...)
	}
	in.mu.Unlock()
	if len(p) > 0 {
		in.signal()
	}
	return firstDrop
}

// end records that the input has ended with err.
func (in *inbox) end(err error) {
	in.mu.Lock()
	in.err = err
	in.mu.Unlock()
	in.signal()
}

// errWaited is readWithin's answer when its wait passed without input.
var errWaited = errors.New("no input within the wait")

// errStopped is readWithin's answer when its stop channel closed.
var errStopped = errors.New("input reading stopped")

// readWithin reads what the inbox holds, waiting until it holds something or
// the input has ended; it gives up with errWaited after wait, if wait is
// positive, and with errStopped once stop is closed.
func (in *inbox) readWithin(p []byte, wait time.Duration, stop <-chan struct{}) (int, error) {
	var expired <-chan time.Time
	for {
		in.mu.Lock()
		if len(in.buf) > 0 {
			n := copy(p, in.buf)
			in.buf = in.buf[:copy(in.buf, in.buf[n:])]
			if len(in.buf) == 0 && cap(in.buf) > 1<<10 {
				in.buf = nil // an idle channel keeps no buffer
			}
			more := len(in.buf) > 0
			in.mu.Unlock()
			if more {
				in.signal()
			}
			return n, nil
		}
		if err := in.err; err != nil {
			in.mu.Unlock()
			in.signal() // for the next read
			return 0, err
		}
		in.mu.Unlock()
		if wait > 0 && expired == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			expired = t.C
		}
		select {
		case <-in.ready:
		case <-expired:
			return 0, errWaited
		case <-stop:
			return 0, errStopped
		}
	}
}

// drain reads the channel's input into its inbox until it ends, and its
// stderr into nothing.
func (c *activeChannel) drain() {
	go func() { _, _ = io.Copy(io.Discard, c.Channel.Stderr()) }()
	buf := make([]byte, 1<<10)
	for {
		n, err := c.Channel.Read(buf)
		if n > 0 && c.in.put(buf[:n]) {
			c.ch.refused(InputDropped)
		}
		if err != nil {
			c.in.end(err)
			return
		}
	}
}
