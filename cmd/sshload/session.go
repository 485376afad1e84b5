package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// ptyOptions describe the terminal of every visitor.
type ptyOptions struct {
	term          string
	width, height int
	command       string // empty for a shell request, as plain "ssh host" sends
	expect        []string
	detect        string // "screen" or "stream"
	frameTimeout  time.Duration
}

// ptySession is one visitor: a connection with one PTY session whose output is
// read until it ends.
type ptySession struct {
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	rec    *recorder

	start     time.Time     // when the TCP connect began
	handshake time.Duration // connect, key exchange and authentication
	opened    time.Duration // from start until the shell request was answered
	frame     time.Duration // from start until the first complete frame

	framed chan struct{} // closed at the first complete frame
	ended  chan struct{} // closed when the output ends
	err    error         // why there was no frame; set before ended is closed

	mu       sync.Mutex
	bytes    int64     // everything read
	keySent  time.Time // when the pending keystroke was sent; zero if none
	keyRTT   time.Duration
	keyBytes int64 // output since the pending keystroke was sent
	answered bool  // output arrived since the pending keystroke
	keys     int   // keystrokes sent, to alternate between the two keys
}

// openSession connects, requests a PTY and a shell (or the command), and starts
// reading. It returns once the shell request is answered; wait on framed/ended
// for the first frame.
func openSession(ctx context.Context, d *dialer, o ptyOptions, rec *recorder) (*ptySession, error) {
	s := &ptySession{rec: rec, start: time.Now(), framed: make(chan struct{}), ended: make(chan struct{})}
	var err error
	s.client, err = d.dial(ctx)
	if err != nil {
		return nil, err
	}
	s.handshake = time.Since(s.start)
	fail := func(where string, err error) (*ptySession, error) {
		_ = s.client.Close()
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if s.sess, err = s.client.NewSession(); err != nil {
		return fail("session", err)
	}
	if err := s.sess.RequestPty(o.term, o.height, o.width, gossh.TerminalModes{}); err != nil {
		return fail("pty", err)
	}
	if s.stdin, err = s.sess.StdinPipe(); err != nil {
		return fail("stdin", err)
	}
	stdout, err := s.sess.StdoutPipe()
	if err != nil {
		return fail("stdout", err)
	}
	var det detector
	if o.detect == "stream" {
		det = &streamDetector{expect: o.expect}
	} else {
		det = newScreenDetector(o.width, o.height, o.expect, s.stdin)
	}
	if o.command == "" {
		err = s.sess.Shell()
	} else {
		err = s.sess.Start(o.command)
	}
	if err != nil {
		det.close()
		return fail("shell", err)
	}
	s.opened = time.Since(s.start)
	go s.read(stdout, det)
	return s, nil
}

// read reads the session's output until it ends: first into the detector until
// the frame is complete, then only counting bytes and answering keystrokes.
func (s *ptySession) read(out io.Reader, det detector) {
	defer close(s.ended)
	buf := make([]byte, 8<<10)
	for {
		n, err := out.Read(buf)
		now := time.Now()
		if n > 0 {
			s.mu.Lock()
			s.bytes += int64(n)
			if !s.keySent.IsZero() {
				if !s.answered {
					s.answered = true
					s.keyRTT = now.Sub(s.keySent)
				}
				s.keyBytes += int64(n)
			}
			s.mu.Unlock()
			if det != nil && det.feed(buf[:n]) {
				s.frame = now.Sub(s.start)
				det.close()
				det = nil
				close(s.framed)
			}
		}
		if err != nil {
			if det != nil {
				det.close()
				if errors.Is(err, io.EOF) {
					err = errors.New("output ended before the frame was complete")
				}
				s.err = err
			}
			return
		}
	}
}

// waitFrame waits for the first complete frame, the end of the output or the
// timeout, whichever comes first.
func (s *ptySession) waitFrame(ctx context.Context, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-s.framed:
		return nil
	case <-s.ended:
		// The frame may have completed in the very read that ended the output.
		select {
		case <-s.framed:
			return nil
		default:
		}
		return s.err
	case <-t.C:
		return errors.New("no complete frame within the timeout")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// press settles the previous keystroke and sends the next one: keys[0] and
// keys[1] alternate, so that a scroll down is followed by a scroll up and every
// keystroke changes the screen.
func (s *ptySession) press(keys [2]string) error {
	s.settle()
	s.mu.Lock()
	key := keys[s.keys%2]
	s.keys++
	s.keySent, s.answered, s.keyBytes, s.keyRTT = time.Now(), false, 0, 0
	s.mu.Unlock()
	_, err := io.WriteString(s.stdin, key)
	return err
}

// awaiting reports whether a keystroke was sent and not answered yet.
func (s *ptySession) awaiting() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.keySent.IsZero() && !s.answered
}

// settle records the pending keystroke, if any: its round trip and the bytes
// that answered it, or a missing answer.
func (s *ptySession) settle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keySent.IsZero() {
		return
	}
	if s.answered {
		s.rec.add("key_rtt_ms", ms(s.keyRTT))
		s.rec.add("key_bytes", float64(s.keyBytes))
	} else {
		s.rec.fail("key: no answer")
	}
	s.keySent = time.Time{}
}

func (s *ptySession) bytesRead() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

// close ends the connection, as a visitor closing the window does.
func (s *ptySession) close() {
	_ = s.client.Close()
}
