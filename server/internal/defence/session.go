package defence

import "sync"

// Session is one running session, known to its connection and to the gate, so
// that deadlines and shutdown can reach its TUI.
type Session struct {
	conn *Conn

	mu      sync.Mutex
	quit    func() // the TUI's Quit; nil for exports
	ended   Reason // why the session was ended, if it was
	isEnded bool
	notice  string        // what the TUI's footer should show, the latest wins
	noticed chan struct{} // wakes the TUI's feeder; one pending wake-up at most
}

func newSession(c *Conn) *Session {
	return &Session{conn: c, noticed: make(chan struct{}, 1)}
}

func (s *Session) isTUI() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quit != nil
}

// StartTUI attaches the session's TUI by its quit function, which must not
// block. It reports false if the session was ended meanwhile, in which case
// the TUI must not start and Farewell says why. A shutdown that began before
// the TUI existed ends it here: EndTUIs' list was made without it. The
// shutdown flag is read under the same lock isTUI takes, so a TUI is either on
// that list or sees the flag. From now on there is a TUI to warn before a
// deadline, and its idle clock starts.
func (s *Session) StartTUI(quit func()) bool {
	s.mu.Lock()
	if !s.isEnded && s.conn.g.Closing() {
		s.isEnded, s.ended = true, Restarting
	}
	s.quit = quit
	ok := !s.isEnded
	s.mu.Unlock()
	if ok {
		s.conn.touch()
		s.conn.check()
	}
	return ok
}

// Notify sets the notice in the TUI's footer; empty text removes it. It never
// blocks the caller (the program may be busy writing to a slow client): the
// TUI's feeder passes the latest notice on. Once a shutdown has begun, only
// its restart notice is shown.
func (s *Session) Notify(text string) {
	s.mu.Lock()
	if s.conn.g.Closing() && text != restartNotice {
		s.mu.Unlock()
		return
	}
	s.notice = text
	s.mu.Unlock()
	select {
	case s.noticed <- struct{}{}:
	default:
	}
}

// Noticed is signalled when the notice changes; Notice is the latest.
func (s *Session) Noticed() <-chan struct{} { return s.noticed }

// Notice is the notice the TUI's footer should show now.
func (s *Session) Notice() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notice
}

// end asks the TUI to quit and remembers why, for its farewell.
func (s *Session) end(why Reason) {
	s.mu.Lock()
	if !s.isEnded {
		s.isEnded, s.ended = true, why
	}
	quit := s.quit
	s.mu.Unlock()
	if quit != nil {
		go quit()
	}
}

// Farewell is what to tell the visitor once the TUI has restored the
// terminal: why the session was ended, empty if it ended by itself.
func (s *Session) Farewell() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.isEnded || s.conn.g.told[s.ended] == "" {
		return ""
	}
	return s.conn.g.told[s.ended] + "\r\n"
}
