// Package defence is the SSH server's defence against hostile clients: the
// admission of connections before the handshake (a total cap, a cap and a rate
// per address, the PROXY header), the state of each connection, session
// channel and running session, with one owner each, the filters of session
// requests and of terminal input, the deadlines and the warnings before them.
// Every refusal goes through one table (rules, in refusal.go): its reason's
// stable name, what the visitor is told, the log level and the counter it
// feeds.
//
// The server (package server) builds one Gate from its configuration and
// plugs it into charm.land/ssh: Listener around its listener, Admit as the
// ConnCallback, SessionChannel as the "session" channel handler, Track as a
// middleware; its TUI runner reads a session's window and notices from the
// Channel and Session and filters its input with FilterInput.
//
// # Who owns what
//
//   - Gate: the shutdown flag (read by Closing only), the counters of
//     refusals, the sets of open connections and running sessions.
//   - admission: the count of open connections and the per-address table
//     (IPv6 by /64, /56 and /48): caps, rates, connections without a
//     session, penalties, byte and log budgets.
//   - inbox: a session channel's input read and not yet taken, bounded.
//   - Conn: one connection's channels, terminal, sessions, activity clock,
//     warnings and deadline timer.
//   - Channel: one session channel's request filter state and latest window.
//   - Session: one running session's TUI (its quit function), why it was
//     ended, and its latest notice.
//
// # Lock order
//
// A goroutine holding one of these locks takes only locks further down:
//
//	Gate.mu, Conn.mu     (never both at once)
//	Session.mu
//	latest.mu (a Session's notice, a Channel's window), admission.mu
//
// The last line are leaves: nothing is taken under them. Gate.mu is held to
// list sessions and ask each whether it runs a TUI (Session.mu); Conn.mu is
// held to ask the same and to set its TUIs' notices (latest.mu), so that
// their notices follow the order of the connection's states. Nothing calls
// out while holding Session.mu: the TUI's quit function is called on a
// goroutine of its own, and the shutdown flag is an atomic. Conn.Close takes
// Gate.mu only after it has released Conn.mu. TestLockOrder exercises every
// path that nests two locks at once, concurrently, under a deadline, so that
// a reversal shows as a deadlock there.
package defence
