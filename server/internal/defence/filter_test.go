package defence

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/pires/go-proxyproto"
	gossh "golang.org/x/crypto/ssh"
)

// filtered runs the input filter over chunks, deciding what is pending at the
// end as if escTimeout had passed.
func filtered(chunks ...string) string {
	var f inputFilter
	var out []byte
	for _, c := range chunks {
		out = f.feed(out, []byte(c), false)
	}
	return string(f.feed(out, nil, true))
}

func TestInputFilter(t *testing.T) {
	long := strings.Repeat("a", 10<<10)
	for name, tc := range map[string]struct {
		chunks []string
		want   string
	}{
		"keys":                     {[]string{"jjk", "l"}, "jjkl"},
		"arrow split across reads": {[]string{"\x1b", "[", "A"}, "\x1b[A"},
		"escape alone":             {[]string{"\x1b"}, escapeKey},
		"alt+x":                    {[]string{"\x1bx"}, "\x1bx"},
		"alt+[ is dropped":         {[]string{"\x1b["}, ""},
		"background color reply":   {[]string{"\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\"}, "\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\"},
		"SGR mouse":                {[]string{"\x1b[<64;10;5M"}, "\x1b[<64;10;5M"},
		"unterminated OSC":         {[]string{"\x1b]0;" + long}, ""},
		"unterminated OSC in reads": {
			[]string{"\x1b]0;" + long[:1020], long[:1024], long[:1024], long[:1024], "bbbb"},
			"bbbb",
		},
		"unknown CSI dropped":    {[]string{"\x1b[99;99;99Zq"}, "q"},
		"CSI with 40 parameters": {[]string{"\x1b[" + strings.Repeat("1;", 40) + "Zq"}, strings.Repeat("1;", 8) + "Zq"},
		"long paste cut": {
			[]string{"\x1b[200~", long, "\x1b[201~q"},
			"\x1b[200~" + strings.Repeat("a", maxPaste) + "\x1b[201~q",
		},
		"paste end without start": {[]string{"\x1b[201~q"}, "q"},
		"utf-8 split":             {[]string{"\xc3", "\xa9"}, "é"},
		"cancelled OSC dropped":   {[]string{"\x1b]0;x\x18q"}, "q"},
		// ESC ESC X alone is Alt+Shift+X; with more after it, ESC and then
		// an unterminated string: decided by what follows, as the reader
		// decides it.
		"alt+shift+x":           {[]string{"\x1b\x1bX"}, "\x1b\x1bX"},
		"escape, then a string": {[]string{"\x1b\x1bX", "000"}, escapeKey},
	} {
		t.Run(name, func(t *testing.T) {
			if got := filtered(tc.chunks...); got != tc.want {
				t.Errorf("got %q (%d bytes), want %q (%d bytes)", trim(got), len(got), trim(tc.want), len(tc.want))
			}
		})
	}
}

func trim(s string) string {
	if len(s) > 60 {
		return s[:30] + "…" + s[len(s)-30:]
	}
	return s
}

// The filter re-encodes Escape; Bubble Tea must still read it as the esc key.
func TestEscapeKeyEncoding(t *testing.T) {
	var d uv.EventDecoder
	n, ev := d.Decode([]byte(escapeKey))
	k, ok := ev.(uv.KeyPressEvent)
	if n != len(escapeKey) || !ok || tea.KeyPressMsg(k).String() != "esc" {
		t.Errorf("%q decodes to %d bytes, %#v; want the esc key", escapeKey, n, ev)
	}
}

func TestCheckPtyRequest(t *testing.T) {
	req := func(term string, w, h uint32, modes string) []byte {
		return gossh.Marshal(ptyRequest{Term: term, Columns: w, Rows: h, WidthPixels: 1 << 30, HeightPixels: 7, Modes: modes})
	}
	payload, win, ok := checkPtyRequest(req("xterm-256color", 65535, 65535, "\x00"))
	if !ok || win.Width != MaxWindowWidth || win.Height != MaxWindowHeight || win.WidthPixels != maxPixels || win.HeightPixels != 7 {
		t.Errorf("huge window: ok=%v %+v", ok, win)
	}
	var back ptyRequest
	if err := gossh.Unmarshal(payload, &back); err != nil || back.Columns != MaxWindowWidth || back.Term != "xterm-256color" {
		t.Errorf("rewritten payload %+v, %v", back, err)
	}
	for name, p := range map[string][]byte{
		"escape in TERM": req("xterm\x1b", 80, 24, ""),
		"long TERM":      req(strings.Repeat("x", maxTermLen+1), 80, 24, ""),
		"huge modes":     req("xterm", 80, 24, strings.Repeat("\x01\x00\x00\x00\x03", 300)),
		"truncated":      req("xterm", 80, 24, "")[:10],
		"empty":          nil,
	} {
		if _, _, ok := checkPtyRequest(p); ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestBoundCommand(t *testing.T) {
	long := strings.Repeat("x", 5000)
	p, ok := boundCommand(gossh.Marshal(struct{ C string }{long}))
	var got struct{ C string }
	if !ok || gossh.Unmarshal(p, &got) != nil || got.C != long[:MaxCommandLen+1] {
		t.Errorf("long command became %d bytes, ok=%v", len(got.C), ok)
	}
	short := gossh.Marshal(struct{ C string }{"text"})
	if p, ok := boundCommand(short); !ok || !bytes.Equal(p, short) {
		t.Error("a short command was changed")
	}
	if _, ok := boundCommand([]byte{0, 0, 0, 5, 'a'}); ok {
		t.Error("a malformed exec payload was accepted")
	}
}

func TestIPKeys(t *testing.T) {
	for addr, want := range map[net.Addr]string{
		&net.TCPAddr{IP: net.ParseIP("203.0.113.9"), Port: 1}:               "203.0.113.9",
		&net.TCPAddr{IP: net.ParseIP("::ffff:203.0.113.9"), Port: 1}:        "203.0.113.9",
		&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:3:4:5:6"), Port: 1}:      "2001:db8:1:2::/64 2001:db8:1::/56 2001:db8:1::/48",
		&net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 1, Zone: "eth0"}:     "fe80::/64 fe80::/56 fe80::/48",
		&net.UnixAddr{Name: "@", Net: "unix"}:                               "@",
		&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2ff:ffff::"), Port: 1}:     "2001:db8:1:2ff::/64 2001:db8:1:200::/56 2001:db8:1::/48",
		&net.UDPAddr{IP: net.ParseIP("198.51.100.1"), Port: 9}:              "198.51.100.1",
		&net.TCPAddr{IP: net.ParseIP("2001:db8:1:3::1"), Port: 1, Zone: ""}: "2001:db8:1:3::/64 2001:db8:1::/56 2001:db8:1::/48",
	} {
		var got []string
		for i, k := range ipKeys(addr) {
			got = append(got, k.key)
			if want := 1 << (2 * i) >> i; k.mult != want {
				t.Errorf("ipKeys(%v)[%d] counts %d times the caps, want %d", addr, i, k.mult, want)
			}
		}
		if strings.Join(got, " ") != want {
			t.Errorf("ipKeys(%v) = %q, want %q", addr, got, want)
		}
	}
}

func v4(s string) []ipKey { return []ipKey{{s, 1}} }

func TestAdmissionForgetsIdleAddresses(t *testing.T) {
	a := newAdmission(&Limits{MaxConnsPerIP: DefaultMaxConnsPerIP, ConnsPerMinute: 60})
	now := time.Now()
	for i := range 1000 {
		slot, _, _ := a.acquireIP(v4(net.IPv4(10, 0, byte(i>>8), byte(i)).String()), now)
		slot.release(true)
	}
	if n := a.trackedIPs(); n != 1000 {
		t.Fatalf("%d addresses tracked, want 1000", n)
	}
	// Once their allowance has refilled, idle addresses are forgotten.
	later := now.Add(2 * time.Minute)
	slot, _, _ := a.acquireIP(v4("192.0.2.1"), later)
	if n := a.trackedIPs(); n != 1 {
		t.Errorf("%d addresses tracked after the sweep, want 1", n)
	}
	slot.release(true)
}

func TestProxyHeaderRead(t *testing.T) {
	v2 := append(append([]byte{}, proxyproto.SIGV2...), 0x21, 0x11, 0, 12)
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"", false},
		{"PRO", false},
		{"PROXY TCP4 203.0.113.7 ", false},
		{"PROXY TCP4 203.0.113.7 127.0.0.1 50000 22\r\n", true},
		{"PROXY " + strings.Repeat("x", 101), true}, // too long to be one: go-proxyproto says so
		{"SSH-2.0-x\r\n", true},                     // no header at all
		{string(proxyproto.SIGV2[:5]), false},
		{string(v2), false}, // 12 bytes of addresses to come
		{string(v2) + strings.Repeat("a", 12), true},
	} {
		if got := proxyHeaderRead([]byte(c.in)); got != c.want {
			t.Errorf("proxyHeaderRead(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestPenaltyRunsOut(t *testing.T) {
	a := newAdmission(&Limits{MaxConnsPerIP: DefaultMaxConnsPerIP})
	now := time.Now()
	for i := range 2 {
		slot, r, _ := a.acquireIP(v4("192.0.2.9"), now)
		if slot == nil {
			t.Fatalf("connection %d refused as %v before any penalty", i, r)
		}
		slot.penalise(now) // timed out without a session
		slot.release(true)
	}
	if slot, r, tell := a.acquireIP(v4("192.0.2.9"), now); slot != nil || r != Penalty || !tell {
		t.Errorf("after two timeouts: admitted %v, reason %v, told %v; want refused as penalty and told", slot != nil, r, tell)
	}
	if slot, _, _ := a.acquireIP(v4("192.0.2.10"), now); slot == nil {
		t.Error("another address was refused")
	}
	if slot, r, _ := a.acquireIP(v4("192.0.2.9"), now.Add(2*penaltyStep+time.Second)); slot == nil {
		t.Errorf("refused as %v once the penalty had run out", r)
	}
}
