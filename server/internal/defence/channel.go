package defence

import (
	"strings"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// Limits on what a client may send in session requests. charm.land/ssh keeps
// every env request and blocks its request loop on window changes, so requests
// are checked here, before it sees them.
const (
	maxTermLen   = 64   // longest TERM accepted; terminfo names are short
	maxModesLen  = 1024 // encoded terminal modes: OpenSSH sends about 250 bytes
	maxEnvVars   = 16   // env requests accepted per session
	maxEnvKeyLen = 32
	maxEnvValLen = 128
	maxPixels    = 1 << 14 // pixel sizes are passed on but never used
)

// MaxCommandLen bounds the command a visitor may send. Every command sshresume
// knows is a word or a few; anything longer is refused before it is split.
const MaxCommandLen = 1024

// Window sizes are chosen by the client, and the renderer allocates a screen
// buffer of that size, so they are clamped before anything sees them: the
// request filter clamps pty-req and window-change, ClampWindow is the second
// line. A session costs about 0.4 MB plus 215 bytes per cell of its window
// (Bubble Tea keeps two cell buffers) and its first frame about 0.3 µs of CPU
// per cell, so 320×160 (51,200 cells: about 11 MB and 15 ms by that count;
// 12.8 MiB live measured, idle or receiving keys) bounds what one session can
// cost. It is larger than nearly every real terminal; a bigger one
// shows the resume in its top-left 320×160 cells.
const (
	MaxWindowWidth  = 320
	MaxWindowHeight = 160
)

// ClampWindow is w's size within MaxWindowWidth × MaxWindowHeight.
func ClampWindow(w ssh.Window) (width, height int) {
	return min(max(w.Width, 0), MaxWindowWidth), min(max(w.Height, 0), MaxWindowHeight)
}

type channelKey struct{}

// Channel is the state of one session channel: it filters the client's
// requests and holds the latest window size for the TUI.
type Channel struct {
	conn *Conn

	pty     atomic.Bool // a PTY was granted (the connection's one): output is then not activity
	session atomic.Pointer[Session]
	active  atomic.Pointer[activeChannel] // the accepted channel, whose inbox FilterInput reads

	win  latest[ssh.Window]
	envs int // env requests passed on; the filter's alone
}

// ChannelOf is the channel sess runs on.
func ChannelOf(sess ssh.Session) *Channel {
	ch, _ := sess.Context().Value(channelKey{}).(*Channel)
	return ch
}

// Session is the running session of the channel, once Track has registered it.
func (ch *Channel) Session() *Session { return ch.session.Load() }

// sessionContext is the connection's context as one session channel sees it:
// the same values, plus the channel.
type sessionContext struct {
	ssh.Context
	ch *Channel
}

// Value returns the channel for its key and the connection's values otherwise.
func (c *sessionContext) Value(key any) any {
	if key == (channelKey{}) {
		return c.ch
	}
	return c.Context.Value(key)
}

// SessionChannel is the server's handler of "session" channels: it accepts
// at most maxSessionsPerConn at once per connection, and hands each to
// charm.land/ssh's session handling with its requests filtered.
func (g *Gate) SessionChannel(srv *ssh.Server, conn *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	c := connFrom(ctx)
	if c == nil || g.Closing() {
		g.refused(Restarting, conn.RemoteAddr().String())
		_ = nc.Reject(gossh.ResourceShortage, g.told[Restarting])
		return
	}
	if !c.openChannel() {
		g.refused(TooManySessions, c.remote)
		_ = nc.Reject(gossh.ResourceShortage, g.told[TooManySessions])
		return
	}
	ch := &Channel{conn: c, win: newLatest[ssh.Window]()}
	// DefaultSessionHandler returns once the channel's requests have ended,
	// so the filter no longer changes ch.pty.
	defer func() { c.closeChannel(ch.pty.Load()) }()
	ssh.DefaultSessionHandler(srv, conn, filteredChannel{NewChannel: nc, ch: ch}, &sessionContext{Context: ctx, ch: ch})
}

// refused refuses a request of the channel for r.
func (ch *Channel) refused(r Reason, kv ...any) { ch.conn.g.refused(r, ch.conn.remote, kv...) }

// filteredChannel passes the channel's requests through its filter.
type filteredChannel struct {
	gossh.NewChannel
	ch *Channel
}

// Accept accepts the channel and starts filtering its requests.
func (f filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := f.NewChannel.Accept()
	if err != nil {
		return nil, nil, err
	}
	out := make(chan *gossh.Request)
	go f.ch.filter(reqs, out)
	ac := &activeChannel{Channel: ch, ch: f.ch, in: newInbox()}
	f.ch.active.Store(ac)
	go ac.drain()
	return ac, out, nil
}

// activeChannel is a session channel as its session sees it: its input comes
// through its inbox (see maxInbox), and the visitor's input, and an export's
// output, count as activity.
type activeChannel struct {
	gossh.Channel
	ch *Channel
	in *inbox
}

// Read reads the visitor's input.
func (c *activeChannel) Read(p []byte) (int, error) { return c.readWithin(p, 0, nil) }

// readWithin is Read with inbox.readWithin's limits on the wait.
func (c *activeChannel) readWithin(p []byte, wait time.Duration, stop <-chan struct{}) (int, error) {
	n, err := c.in.readWithin(p, wait, stop)
	if n > 0 {
		c.ch.conn.touch()
	}
	return n, err
}

// Write writes output. An export that makes progress is active; a TUI's
// redraws are not, or an idle TUI would never time out.
func (c *activeChannel) Write(p []byte) (int, error) {
	n, err := c.Channel.Write(p)
	if n > 0 && !c.ch.pty.Load() {
		c.ch.conn.touch()
	}
	return n, err
}

// filter passes on the requests a resume needs, checked and bounded, answers the
// rest with "no", and keeps window changes for the TUI.
func (ch *Channel) filter(in <-chan *gossh.Request, out chan<- *gossh.Request) {
	defer close(out)
	started := false // a shell or exec request was passed on
	for req := range in {
		forward := false
		switch req.Type {
		case "pty-req":
			payload, win, ok := checkPtyRequest(req.Payload)
			switch {
			case !ok || started || ch.pty.Load():
				ch.refused(PtyRefused, "term", Clean(ptyTerm(req.Payload), 64))
			case !ch.conn.acquirePTY():
				ch.refused(PtyRefused, "term", Clean(ptyTerm(req.Payload), 64), "detail", "one terminal per connection")
			default:
				req.Payload = payload
				ch.setWindow(win)
				ch.pty.Store(true)
				forward = true
			}
		case "window-change":
			win, ok := checkWindowChange(req.Payload)
			if ok {
				ch.setWindow(win)
				ch.conn.touch()
			}
			_ = req.Reply(ok, nil)
			continue
		case "env":
			key, ok := checkEnv(req.Payload)
			if ok && ch.envs < maxEnvVars {
				ch.envs++
				forward = true
			} else {
				ch.refused(EnvRefused, "key", Clean(key, maxEnvKeyLen))
			}
		case "shell":
			if started {
				ch.refused(RequestRefused, "type", "shell")
			}
			forward, started = !started, true
		case "exec":
			payload, ok := boundCommand(req.Payload)
			if ok && !started {
				req.Payload = payload
				forward, started = true, true
			} else {
				ch.refused(ExecRefused)
			}
		default:
			// subsystem (sftp, scp), auth-agent-req@openssh.com, x11-req,
			// signal, break and anything else: nothing a resume needs.
			ch.refused(RequestRefused, "type", Clean(req.Type, 64))
		}
		if !forward {
			_ = req.Reply(false, nil)
			continue
		}
		select {
		case out <- req:
		case <-ch.conn.ctx.Done():
			_ = req.Reply(false, nil)
		}
	}
}

// setWindow records the latest window size and wakes the TUI: a storm of
// window changes costs at most one resize per frame, never a queue.
func (ch *Channel) setWindow(w ssh.Window) { ch.win.set(w, nil) }

// WindowChanged is signalled when the window size changes; Window is the latest.
func (ch *Channel) WindowChanged() <-chan struct{} { return ch.win.wake }

// Window returns the latest window size.
func (ch *Channel) Window() ssh.Window { return ch.win.get() }

// ptyRequest is the payload of a "pty-req" (RFC 4254 §6.2).
type ptyRequest struct {
	Term                      string
	Columns, Rows             uint32
	WidthPixels, HeightPixels uint32
	Modes                     string
}

// checkPtyRequest validates a pty-req payload and returns it with the window
// clamped, so that nothing downstream ever sees a size the server would not
// draw. A malformed request, a TERM that is not a terminal name or oversized
// terminal modes are refused.
func checkPtyRequest(payload []byte) ([]byte, ssh.Window, bool) {
	var r ptyRequest
	if err := gossh.Unmarshal(payload, &r); err != nil {
		return nil, ssh.Window{}, false
	}
	if !validTerm(r.Term) || len(r.Modes) > maxModesLen {
		return nil, ssh.Window{}, false
	}
	r.Columns, r.Rows = clampDims(r.Columns, r.Rows)
	r.WidthPixels, r.HeightPixels = min(r.WidthPixels, maxPixels), min(r.HeightPixels, maxPixels)
	return gossh.Marshal(&r), ssh.Window{
		Width:        int(r.Columns),
		Height:       int(r.Rows),
		WidthPixels:  int(r.WidthPixels),
		HeightPixels: int(r.HeightPixels),
	}, true
}

// ptyTerm is the TERM of a pty-req payload, for the log of a refusal.
func ptyTerm(payload []byte) string {
	var r struct {
		Term string
		Rest []byte `ssh:"rest"`
	}
	_ = gossh.Unmarshal(payload, &r)
	return r.Term
}

// checkWindowChange parses a window-change payload (RFC 4254 §6.7) and clamps it.
func checkWindowChange(payload []byte) (ssh.Window, bool) {
	var r struct {
		Columns, Rows             uint32
		WidthPixels, HeightPixels uint32
	}
	if err := gossh.Unmarshal(payload, &r); err != nil {
		return ssh.Window{}, false
	}
	w, h := clampDims(r.Columns, r.Rows)
	return ssh.Window{
		Width:        int(w),
		Height:       int(h),
		WidthPixels:  int(min(r.WidthPixels, maxPixels)),
		HeightPixels: int(min(r.HeightPixels, maxPixels)),
	}, true
}

func clampDims(w, h uint32) (uint32, uint32) {
	return min(w, MaxWindowWidth), min(h, MaxWindowHeight)
}

// validTerm reports whether t looks like a terminal type name: short, and only
// letters, digits and ._+- (terminfo names). Empty is allowed: it means unknown.
func validTerm(t string) bool {
	if len(t) > maxTermLen {
		return false
	}
	for _, c := range []byte(t) {
		if !isAlnum(c) && !strings.ContainsRune("._+-", rune(c)) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// checkEnv accepts an env request (RFC 4254 §6.4) only for the variables that
// describe the visitor's terminal and language, with short printable values.
func checkEnv(payload []byte) (key string, ok bool) {
	var r struct{ Key, Value string }
	if err := gossh.Unmarshal(payload, &r); err != nil {
		return "", false
	}
	if !allowedEnv(r.Key) || len(r.Value) > maxEnvValLen {
		return r.Key, false
	}
	for _, c := range []byte(r.Value) {
		if c < 0x20 || c > 0x7e {
			return r.Key, false
		}
	}
	if r.Key == "TERM" && !validTerm(r.Value) {
		return r.Key, false
	}
	return r.Key, true
}

// allowedEnv is the allow-list: TERM, LANG, LC_*, COLORTERM, NO_COLOR.
func allowedEnv(key string) bool {
	switch key {
	case "TERM", "LANG", "COLORTERM", "NO_COLOR":
		return true
	}
	rest, ok := strings.CutPrefix(key, "LC_")
	if !ok || rest == "" || len(key) > maxEnvKeyLen {
		return false
	}
	for _, c := range []byte(rest) {
		if !(c >= 'A' && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}

// boundCommand cuts the command of an exec request to MaxCommandLen+1 bytes:
// long enough for the server's router to see that it is too long and say so, short enough
// that nothing (the log included) ever handles more. A malformed payload is
// refused: charm.land/ssh would run it as a shell.
func boundCommand(payload []byte) ([]byte, bool) {
	var r struct{ Command string }
	if err := gossh.Unmarshal(payload, &r); err != nil {
		return nil, false
	}
	if len(r.Command) <= MaxCommandLen {
		return payload, true
	}
	r.Command = r.Command[:MaxCommandLen+1]
	return gossh.Marshal(&r), true
}
