// Command barewish is the floor of sshresume's stack, for comparisons: a Wish v2
// server whose Bubble Tea v2 program renders one line in the alternate screen and
// asks for the terminal's background colour in Init, as the upstream Wish Bubble
// Tea example does. It uses the same module versions as sshresume, Wish's own
// Bubble Tea middleware and Bubble Tea's default frame rate unless -fps is given.
//
// Without a PTY it writes the file given by -text (the plain-text resume, for the
// floor of the exec path), or refuses like Wish's activeterm middleware.
//
//	barewish -addr 127.0.0.1:2300 -host-key-file /tmp/x/key [-text resume.txt] [-fps N] [-pprof 127.0.0.1:6061] [-log-format json]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/activeterm"
	"charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/logging"

	"github.com/sshresume/sshresume/bench/internal/pprofserve"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "barewish:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:23235", "TCP address to listen on")
	keyFile := flag.String("host-key-file", "", "host key file, created if missing (required: put it in a temporary directory)")
	textFile := flag.String("text", "", "file to write to sessions without a PTY")
	fps := flag.Int("fps", 0, "Bubble Tea's frame rate (0: its default, 60)")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this loopback address, e.g. 127.0.0.1:6061")
	logFormat := flag.String("log-format", "text", "log format of Wish's connection log: text or json (as sshresume's -log-format)")
	flag.Parse()
	switch *logFormat {
	case "text":
	case "json":
		log.SetFormatter(log.JSONFormatter)
	default:
		return fmt.Errorf("log format %q: use text or json", *logFormat)
	}
	if *keyFile == "" {
		return errors.New("-host-key-file is required")
	}
	var text []byte
	if *textFile != "" {
		var err error
		if text, err = os.ReadFile(*textFile); err != nil {
			return fmt.Errorf("read text: %w", err)
		}
	}

	handler := func(sess ssh.Session) (tea.Model, []tea.ProgramOption) {
		var opts []tea.ProgramOption
		if *fps > 0 {
			opts = append(opts, tea.WithFPS(*fps))
		}
		return model{}, opts
	}
	srv, err := wish.NewServer(
		wish.WithAddress(*addr),
		wish.WithHostKeyPath(*keyFile),
		wish.WithMiddleware(
			bubbletea.Middleware(handler),
			plainText(text),
			logging.Middleware(),
		),
	)
	if err != nil {
		return fmt.Errorf("create server: %w", err)
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if *pprofAddr != "" {
		if err := pprofserve.Listen(*pprofAddr); err != nil {
			return err
		}
	}
	log.Info("listening", "addr", l.Addr().String())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, ssh.ErrServerClosed) {
		_ = srv.Close()
	}
	return nil
}

// plainText answers sessions without a PTY with text, if there is any, and
// otherwise refuses them as activeterm does. PTY sessions pass through.
func plainText(text []byte) wish.Middleware {
	refuse := activeterm.Middleware()
	return func(next ssh.Handler) ssh.Handler {
		guarded := refuse(next)
		return func(sess ssh.Session) {
			if _, _, isPty := sess.Pty(); isPty || text == nil {
				guarded(sess)
				return
			}
			_, _ = sess.Write(text)
			_ = sess.Exit(0)
		}
	}
}

// model is the whole program: one line, which counts keystrokes so that every
// key changes the screen and a keystroke's round trip can be seen.
type model struct {
	keys int
	dark bool
}

// Init asks for the background colour, like the upstream example.
func (m model) Init() tea.Cmd { return tea.RequestBackgroundColor }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		m.dark = msg.IsDark()
	case tea.KeyPressMsg:
		if s := msg.String(); s == "q" || s == "ctrl+c" {
			return m, tea.Quit
		}
		m.keys++
	}
	return m, nil
}

func (m model) View() tea.View {
	v := tea.NewView(fmt.Sprintf("bare wish: %d keys, q to quit", m.keys))
	v.AltScreen = true
	return v
}
