package defence

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"

	"charm.land/log/v2"
	"charm.land/ssh"
)

// Reason is why the server refuses a visitor something: a connection, a
// channel, a request, a command, or more time. Its String is a stable
// snake_case name, fit for a log field or a metric label.
type Reason uint8

// The reasons, in the order of the table below.
const (
	Busy Reason = iota
	PerIP
	Rate
	Penalty
	Evicted
	NoProxyHeader
	Restarting
	TooManySessions
	PtyRefused
	EnvRefused
	ExecRefused
	RequestRefused
	CommandTooLong
	Silent
	NoSession
	Idle
	MaxSession
	InputDropped
	Unlogged
	numReasons
)

// What visitors are told when the server shuts down: a notice in the TUI's
// footer first, then the restart message.
const (
	restartNotice   = "Server restarting: please reconnect in a moment."
	restartFarewell = "sshresume: the server is restarting; please reconnect in a moment."
)

// rule is one row of the table of refusals.
type rule struct {
	id string
	// tell is what the visitor is told, nil for nothing. Before the
	// handshake it is sent as a line and a disconnect packet (see wire),
	// for a channel as the reason of its rejection, for a session on stderr
	// with the exit status exit, and to a TUI after its terminal is
	// restored.
	tell func(l *Limits) string
	exit int
	// logged refusals are logged one by one at level, with the remote
	// address and the details of the call.
	logged bool
	level  log.Level
	// counted refusals feed Stats.Refused and the periodic report, which is
	// logged at report.
	counted bool
	report  log.Level
}

func told(s string) func(*Limits) string { return func(*Limits) string { return s } }

// rules is the one table of refusals: every refusal goes through Gate.refused
// or Gate.RefuseSession, which read it. Connection floods (busy) are not
// logged one by one; the periodic report counts them.
var rules = [numReasons]rule{
	Busy:          {id: "busy", tell: told("sshresume: the server is busy; please try again in a minute."), counted: true, report: log.WarnLevel},
	PerIP:         {id: "per_ip", tell: told("sshresume: too many connections from your address; close some and try again."), logged: true, level: log.DebugLevel, counted: true, report: log.WarnLevel},
	Rate:          {id: "rate", tell: told("sshresume: too many new connections from your address; please wait a minute."), logged: true, level: log.DebugLevel, counted: true, report: log.WarnLevel},
	Penalty:       {id: "penalty", tell: told("sshresume: too many connections from your address ended without a session; please try again in a few minutes."), logged: true, level: log.DebugLevel, counted: true, report: log.WarnLevel},
	Evicted:       {id: "evicted", logged: true, level: log.DebugLevel, counted: true, report: log.WarnLevel},
	NoProxyHeader: {id: "no_proxy_header", logged: true, level: log.DebugLevel, counted: true, report: log.DebugLevel},
	Restarting:    {id: "restarting", tell: told(restartFarewell), exit: 1, logged: true, level: log.DebugLevel},
	TooManySessions: {id: "too_many_sessions", tell: func(*Limits) string {
		return fmt.Sprintf("at most %d sessions per connection", maxSessionsPerConn)
	}, logged: true, level: log.DebugLevel},
	PtyRefused:     {id: "pty_refused", logged: true, level: log.DebugLevel},
	EnvRefused:     {id: "env_refused", logged: true, level: log.DebugLevel},
	ExecRefused:    {id: "exec_refused", logged: true, level: log.DebugLevel},
	RequestRefused: {id: "request_refused", logged: true, level: log.DebugLevel},
	CommandTooLong: {id: "command_too_long", tell: func(*Limits) string {
		return fmt.Sprintf("command too long (more than %d bytes)", MaxCommandLen)
	}, exit: 2, logged: true, level: log.DebugLevel},
	Silent:    {id: "silent", logged: true, level: log.DebugLevel},
	NoSession: {id: "no_session", logged: true, level: log.DebugLevel},
	Idle: {id: "idle", tell: func(l *Limits) string {
		return fmt.Sprintf("sshresume: closed after %s without input. Reconnect any time.", roughDuration(l.Idle))
	}, logged: true, level: log.InfoLevel},
	MaxSession: {id: "max_session", tell: func(l *Limits) string {
		return fmt.Sprintf("sshresume: closed at the time limit of %s. Reconnect any time.", roughDuration(l.MaxSession))
	}, logged: true, level: log.InfoLevel},
	InputDropped: {id: "input_dropped", logged: true, level: log.DebugLevel, counted: true, report: log.InfoLevel},
	// A session's log lines, beyond its address's budget (see LogSession).
	Unlogged: {id: "sessions_unlogged", counted: true, report: log.InfoLevel},
}

// String is the reason's stable name.
func (r Reason) String() string { return rules[r].id }

// refused logs and counts a refusal as its rule says; remote is the client's
// address, kv further fields of the log line.
func (g *Gate) refused(r Reason, remote string, kv ...any) {
	ru := &rules[r]
	if ru.counted {
		g.refusals[r].Add(1)
	}
	if ru.logged && g.log.GetLevel() <= ru.level {
		g.log.Log(ru.level, "refused", append([]any{"reason", ru.id, "remote", remote}, kv...)...)
	}
}

// RefuseSession refuses a running session for r: it is told why on stderr
// and ends with the rule's exit status.
func (g *Gate) RefuseSession(sess ssh.Session, r Reason) {
	g.refused(r, sess.RemoteAddr().String())
	_, _ = io.WriteString(sess.Stderr(), g.told[r]+"\r\n")
	_ = sess.Exit(rules[r].exit)
}

// reportRefusals logs, at most once per period, how many connections were
// refused and why, instead of a line per refusal that a flood would turn into
// a flood of log lines. The line's level is the highest report level of the
// reasons counted in the period: connections without a PROXY header alone are
// at debug level, because the load balancer's TCP health checks are such
// connections, and a warning a minute for them would teach operators to ignore
// the warning that reports a flood.
func (g *Gate) reportRefusals(stop <-chan struct{}, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	var last [numReasons]int64
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		var kv []any
		level := log.DebugLevel
		for r := range numReasons {
			if !rules[r].counted {
				continue
			}
			n := g.refusals[r].Load()
			if n != last[r] {
				kv = append(kv, rules[r].id, n-last[r])
				last[r] = n
				level = max(level, rules[r].report)
			}
		}
		if kv != nil {
			st := g.Stats()
			g.log.Log(level, "connections refused", append(kv, "period", period, "open", st.Accepted, "sessions", st.Sessions)...)
		}
	}
}

// Refusals before the SSH handshake cost no cryptography. The client is told
// why twice: in a line before the SSH identification (RFC 4253 §4.2; OpenSSH
// shows it with -v) and in an unencrypted SSH_MSG_DISCONNECT right after it,
// which OpenSSH prints as "Received disconnect from HOST: 12: ...".

// SSHVersion is the software version of the server's SSH identification,
// "SSH-2.0-sshresume".
const SSHVersion = "sshresume"

// wire is what a client refused before the handshake receives: msg as a line,
// the server's identification, and a disconnect packet with reason
// SSH_DISCONNECT_TOO_MANY_CONNECTIONS (12).
func wire(msg string) []byte {
	b := []byte(msg + "\r\nSSH-2.0-" + SSHVersion + "\r\n")
	// byte SSH_MSG_DISCONNECT, uint32 reason, string description, string language
	payload := []byte{1, 0, 0, 0, 12}
	payload = binary.BigEndian.AppendUint32(payload, uint32(len(msg)))
	payload = append(payload, msg...)
	payload = binary.BigEndian.AppendUint32(payload, 0)
	// The unencrypted binary packet (RFC 4253 §6): the whole packet is a
	// multiple of 8 bytes with at least 4 bytes of padding.
	pad := 8 - (5+len(payload))%8
	if pad < 4 {
		pad += 8
	}
	b = binary.BigEndian.AppendUint32(b, uint32(1+len(payload)+pad))
	b = append(b, byte(pad))
	b = append(b, payload...)
	return append(b, make([]byte, pad)...)
}

// tellAndClose writes msg to c and closes it gracefully: it half-closes and reads
// what the client already sent, because closing a socket with unread data
// resets the connection and the client would never see the message.
func tellAndClose(c net.Conn, msg string) {
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write(wire(msg)); err != nil {
		return
	}
	if tc := tcpConn(c); tc != nil {
		_ = tc.CloseWrite()
		_, _ = io.CopyN(io.Discard, tc, 16<<10)
	}
}

// roughDuration prints d for people: "10m", "1h", "90s", "1m30s".
func roughDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < time.Minute:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}
