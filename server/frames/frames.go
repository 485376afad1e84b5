// Package frames runs a Bubble Tea program whose frames are written as soon as
// its view changes, instead of on Bubble Tea's 60 fps ticker.
//
// Bubble Tea stays the event loop: Init, Update, View, commands, filters and
// its panic recovery are its own. The program runs without Bubble Tea's
// renderer and without its input reader (tea.WithoutRenderer,
// tea.WithInput(nil)); it still calls View after every Update, and that call
// hands the view to this package's writer, which draws it with ultraviolet's
// terminal renderer configured as Bubble Tea configures it, so the terminal
// gets the same bytes. The first view change after a quiet spell is drawn at
// once; changes that follow within 1/MaxFPS of a frame are coalesced into the
// next one. The input is read by this package, decoded by ultraviolet's
// terminal reader as Bubble Tea decodes it, and sent to the program, which
// translates events to messages as it does for its own reader; once the program
// has stopped, sending returns at once, so no reader is left blocked.
//
// Bubble Tea still starts its frame ticker when the program starts. One
// ReleaseTerminal, called in its own goroutine once the program runs, stops
// it for good: with neither renderer nor input it writes nothing. From then on
// an open session that nothing happens in costs no CPU at all.
package frames

import (
	"context"
	"io"
	"reflect"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// DefaultMaxFPS is the frame ceiling when Config.MaxFPS is not set: bursts of
// changes are drawn at most this many times a second. It is Bubble Tea's own
// rate: a change after a quiet spell is drawn at once whatever the ceiling,
// and at 120 a burst of a thousand wheel events a second wrote twice the bytes
// Bubble Tea writes (about 155 KB against 75 KB at 80×24); at 60, slightly
// fewer.
const DefaultMaxFPS = 60

// maxPending bounds the terminal sequences (clipboard, queries) waiting for a
// client that does not read; beyond it they are dropped.
const maxPending = 64 << 10

// Config is the terminal a Program draws to and reads from.
type Config struct {
	// Output is the terminal. It is written only by the Program's writer and
	// through Program.Output, under one lock.
	Output io.Writer
	// Input is the terminal's input, nil for none. If it is an io.Closer,
	// the Program closes it when it stops and waits for its reader to end, so
	// Close must end a pending Read. Otherwise the reader ends when the input
	// does; what it reads after the program stopped is dropped. Its bytes
	// are decoded with ultraviolet's TerminalReader, as Bubble Tea decodes
	// them, unless it is an EventReader, which is read by ReadEvents alone.
	Input io.Reader
	// Env is the terminal's environment (TERM, COLORTERM, ...).
	Env []string
	// Profile is the terminal's colour profile.
	Profile colorprofile.Profile
	// Width and Height are the terminal's size at the start.
	Width, Height int
	// LocalTerminal is set when Input is a local terminal in raw mode: newlines
	// are then not mapped to carriage return and newline, as Bubble Tea does
	// for a TTY input. Over SSH the client's terminal maps them.
	LocalTerminal bool
	// Filter, when set, sees every message first, as tea.WithFilter's does.
	Filter func(tea.Model, tea.Msg) tea.Msg
	// OnPanic is called with a panic recovered in one of the Program's own
	// goroutines, after which the Program draws nothing more. Nil: ignored.
	OnPanic func(any)
	// MaxFPS is the frame ceiling; 0 means DefaultMaxFPS.
	MaxFPS int
}

// Program is a Bubble Tea program drawn by this package. Its embedded
// *tea.Program is the one to Send to, Quit or Kill; Run is this type's.
type Program struct {
	*tea.Program
	cfg     Config
	w       *writer
	release sync.Once
}

// New returns a program running m on cfg's terminal. opts are Bubble Tea's
// options; those about output, input, renderer, environment, colour profile,
// window size and filter are set from cfg and must not be given.
func New(m tea.Model, cfg Config, opts ...tea.ProgramOption) *Program {
	fps := cfg.MaxFPS
	if fps <= 0 {
		fps = DefaultMaxFPS
	}
	p := &Program{cfg: cfg}
	p.w = newWriter(cfg, time.Second/time.Duration(fps))
	all := append(opts[:len(opts):len(opts)],
		tea.WithoutRenderer(),
		tea.WithInput(nil),
		// Bubble Tea writes nothing in this mode; should that change, it
		// still cannot reach the terminal.
		tea.WithOutput(io.Discard),
		tea.WithEnvironment(cfg.Env),
		tea.WithColorProfile(cfg.Profile),
		tea.WithWindowSize(cfg.Width, cfg.Height),
		tea.WithFilter(p.filter),
	)
	p.Program = tea.NewProgram(hook{inner: m, p: p}, all...)
	return p
}

// Output is the terminal, for writing to it after Run (a farewell): writes
// take the lock the frames are written under.
func (p *Program) Output() io.Writer { return p.w }

// Frames reports how many writes of frames and sequences the program made.
func (p *Program) Frames() int {
	p.w.mu.Lock()
	defer p.w.mu.Unlock()
	return p.w.frames
}

// Run runs the program until it quits or is killed, and returns its final
// model. On a quit the last view is drawn and the terminal restored as Bubble
// Tea's renderer restores it; on a kill (context cancelled, error) only
// restored. The input is closed and its reader ended before Run returns.
func (p *Program) Run() (tea.Model, error) {
	if shouldQuerySynchronizedOutput(p.cfg.Env) {
		p.w.queue(ansi.RequestModeSynchronizedOutput + ansi.RequestModeUnicodeCore)
	}
	go p.w.loop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pumped <-chan struct{}
	if p.cfg.Input != nil {
		pumped = p.pump(ctx)
	}
	m, err := p.Program.Run()
	p.w.finish(err == nil)
	cancel()
	if c, ok := p.cfg.Input.(io.Closer); ok {
		_ = c.Close()
		<-pumped
	}
	if h, ok := m.(hook); ok {
		m = h.inner
	}
	return m, err
}

// recover passes a panic of one of the program's goroutines to OnPanic and
// stops the drawing.
func (p *Program) recover() {
	if r := recover(); r != nil {
		p.w.breakDown()
		if p.cfg.OnPanic != nil {
			p.cfg.OnPanic(r)
		}
	}
}

// EventReader is an input that is read as events rather than bytes: one whose
// bytes have been decoded already. ReadEvents returns the next events,
// waiting for some, and io.EOF (or another error) once the input has ended.
type EventReader interface {
	ReadEvents() ([]uv.Event, error)
}

// pump reads the input, decoded as Bubble Tea's reader decodes it (by the
// input itself if it is an EventReader), and sends each event to the
// program. Sending returns at once when the program has stopped, so the pump
// drains the input until it is closed; the returned channel is closed then.
func (p *Program) pump(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if er, ok := p.cfg.Input.(EventReader); ok {
		go func() {
			defer close(done)
			defer p.recover()
			for {
				evs, err := er.ReadEvents()
				for _, ev := range evs {
					p.Send(ev)
				}
				if err != nil {
					return
				}
			}
		}()
		return done
	}
	events := make(chan uv.Event)
	rd := uv.NewTerminalReader(p.cfg.Input, uv.Environ(p.cfg.Env).Getenv("TERM"))
	go func() {
		defer close(events)
		defer p.recover()
		_ = rd.StreamEvents(ctx, events)
	}()
	go func() {
		defer close(done)
		for ev := range events {
			p.Send(ev)
		}
	}()
	return done
}

// filter does for each message what Bubble Tea does with its own renderer,
// then passes it on.
func (p *Program) filter(m tea.Model, msg tea.Msg) tea.Msg {
	if p.cfg.Filter != nil {
		if h, ok := m.(hook); ok {
			m = h.inner
		}
		if msg = p.cfg.Filter(m, msg); msg == nil {
			return nil
		}
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		p.w.resize(msg.Width, msg.Height)
		p.w.saw(sawSize)
	case tea.ColorProfileMsg:
		p.w.setColorProfile(msg.Profile)
		p.w.saw(sawProfile)
	case tea.EnvMsg:
		p.w.saw(sawEnv)
	case tea.ModeReportMsg:
		p.w.modeReport(msg)
	case tea.MouseClickMsg, tea.MouseReleaseMsg, tea.MouseWheelMsg, tea.MouseMotionMsg:
		if on := p.w.onMouse(); on != nil {
			go func() {
				defer p.recover()
				if cmd := on(msg.(tea.MouseMsg)); cmd != nil {
					p.Send(cmd())
				}
			}()
		}
	default:
		t := reflect.TypeOf(msg)
		if seq := sequenceOf[t]; seq != nil {
			p.w.queue(seq(msg))
			p.w.wake()
			return nil
		}
		if t == clearScreenType {
			p.w.clearScreen()
		}
	}
	return msg
}

// hook is the program's model: the application's, whose every view is handed
// to the writer.
type hook struct {
	inner tea.Model
	p     *Program
}

func (h hook) Init() tea.Cmd { return h.inner.Init() }

func (h hook) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := h.inner.Update(msg)
	h.inner = m
	return h, cmd
}

func (h hook) View() tea.View {
	v := h.inner.View()
	h.p.w.setView(v)
	// The first view comes once the program runs and its ticker has
	// started: now one release stops the ticker for good. It waits half a
	// second for an input reader that does not exist, so not here.
	h.p.release.Do(func() {
		go func() {
			defer h.p.recover()
			_ = h.p.Program.ReleaseTerminal()
		}()
	})
	return v
}

// writer draws views to the terminal on its own goroutine.
type writer struct {
	out      io.Writer
	interval time.Duration

	mu      sync.Mutex // guards the fields below
	scr     *screen
	pending []byte // sequences to write before the next frame
	seen    int    // which of the messages a program starts with the model has seen
	ready   bool   // it has seen them all: its views are frames
	force   bool   // the next view is drawn even if it did not change
	broken  bool   // a panic or a failed write: nothing more is drawn
	frames  int

	onPanic func(any)

	wmu   sync.Mutex // serialises writes to out
	wakec chan struct{}
	done  chan struct{}
	ended chan struct{}
	stop  sync.Once
}

func newWriter(cfg Config, interval time.Duration) *writer {
	return &writer{
		out:      cfg.Output,
		interval: interval,
		onPanic:  cfg.OnPanic,
		scr:      newScreen(cfg.Env, cfg.Profile, cfg.Width, cfg.Height, !cfg.LocalTerminal),
		wakec:    make(chan struct{}, 1),
		done:     make(chan struct{}),
		ended:    make(chan struct{}),
	}
}

// Write writes b to the terminal under the writes' lock.
func (w *writer) Write(b []byte) (int, error) {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	return w.out.Write(b) //nolint:wrapcheck // the terminal's own error
}

func (w *writer) wake() {
	select {
	case w.wakec <- struct{}{}:
	default:
	}
}

func (w *writer) setView(v tea.View) {
	w.mu.Lock()
	changed := w.force || !viewEquals(&w.scr.view, &v)
	w.scr.view = v
	w.force = false
	ready := w.ready
	w.mu.Unlock()
	if ready && changed {
		w.wake()
	}
}

// Bubble Tea starts a program by sending it its window size, colour profile
// and environment, each from its own goroutine, so in any order. Its renderer
// draws the first frame a tick later, when the model has seen all three; so
// does the writer, without the wait.
const (
	sawSize = 1 << iota
	sawProfile
	sawEnv
	sawAll = sawSize | sawProfile | sawEnv
)

// saw notes that the model has seen one of the messages a program starts
// with.
func (w *writer) saw(what int) {
	w.mu.Lock()
	w.seen |= what
	if w.seen == sawAll && !w.ready {
		w.ready, w.force = true, true
	}
	w.mu.Unlock()
}

func (w *writer) resize(width, height int) {
	w.mu.Lock()
	w.scr.resize(width, height)
	w.force = true
	w.mu.Unlock()
}

func (w *writer) setColorProfile(p colorprofile.Profile) {
	w.mu.Lock()
	w.scr.setColorProfile(p)
	w.force = true
	w.mu.Unlock()
}

func (w *writer) clearScreen() {
	w.mu.Lock()
	w.scr.clearScreen()
	w.force = true
	w.mu.Unlock()
}

// modeReport takes the terminal's answers to the mode queries as Bubble Tea
// does.
func (w *writer) modeReport(msg tea.ModeReportMsg) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch msg.Mode {
	case ansi.ModeSynchronizedOutput:
		if msg.Value == ansi.ModeReset {
			w.scr.syncdUpdates = true
		}
	case ansi.ModeUnicodeCore:
		if msg.Value == ansi.ModeReset || msg.Value == ansi.ModeSet || msg.Value == ansi.ModePermanentlySet {
			w.scr.setWidthMethod(ansi.GraphemeWidth)
		}
	}
}

func (w *writer) onMouse() func(tea.MouseMsg) tea.Cmd {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.scr.lastView == nil {
		return nil
	}
	return w.scr.lastView.OnMouse
}

// queue adds a sequence to write before the next frame.
func (w *writer) queue(seq string) {
	w.mu.Lock()
	if len(w.pending)+len(seq) <= maxPending {
		w.pending = append(w.pending, seq...)
	}
	w.mu.Unlock()
}

func (w *writer) breakDown() {
	w.mu.Lock()
	w.broken = true
	w.mu.Unlock()
}

// loop draws a frame when woken: at once after a quiet spell, else once the
// interval since the last frame has passed, with every change made meanwhile.
func (w *writer) loop() {
	defer close(w.ended)
	defer func() {
		if r := recover(); r != nil {
			w.breakDown()
			if w.onPanic != nil {
				w.onPanic(r)
			}
		}
	}()
	var last time.Time
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-w.wakec:
		}
		if wait := w.interval - time.Since(last); wait > 0 {
			timer.Reset(wait)
			select {
			case <-w.done:
				timer.Stop()
				return
			case <-timer.C:
			}
		}
		last = time.Now()
		if !w.draw(false, false) {
			return
		}
	}
}

// draw writes what is pending and the frame of the current view, and with
// closing the frame drawn as Bubble Tea draws its last; with restore, then
// the bytes that restore the terminal. It reports whether the terminal can
// still be written.
func (w *writer) draw(closing, restore bool) bool {
	w.mu.Lock()
	if w.broken || !w.ready && !restore {
		w.mu.Unlock()
		return !w.broken
	}
	out := append([]byte(nil), w.pending...)
	w.pending = w.pending[:0]
	if w.ready && (closing || !restore) {
		out = w.scr.flush(out, closing)
	}
	if restore {
		out = w.scr.close(out)
	}
	if len(out) > 0 {
		w.frames++
	}
	w.mu.Unlock()
	if len(out) == 0 {
		return true
	}
	if _, err := w.Write(out); err != nil {
		w.breakDown()
		return false
	}
	return true
}

// finish stops the loop, then draws the last frame if the program quit, and
// restores the terminal.
func (w *writer) finish(quit bool) {
	w.stop.Do(func() { close(w.done) })
	<-w.ended
	if quit {
		w.draw(true, false)
	}
	w.draw(false, true)
}
