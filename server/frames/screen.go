package frames

// This file draws tea.View values to a terminal the way Bubble Tea v2.1.1's
// own renderer (cursed_renderer.go, MIT licence, Copyright (c) 2020-2026
// Charmbracelet, Inc) does: the same ultraviolet TerminalRenderer, configured
// the same way, and the same mode sequences in the same order, so that a
// terminal receives the same bytes. Only what Bubble Tea's renderer does on its
// ticker moved: frames are drawn when the view changes. Its Println (insert
// above) is left out: it only applies to inline programs.

import (
	"bytes"
	"image/color"
	"runtime"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/lucasb-eyer/go-colorful"
)

// screen is the drawing state of one terminal. It is not safe for concurrent
// use: the Writer serialises its calls.
type screen struct {
	buf           bytes.Buffer // the bytes of the frame being drawn
	scr           *uv.TerminalRenderer
	cellbuf       uv.ScreenBuffer
	lastView      *tea.View
	env           []string
	width, height int
	profile       colorprofile.Profile
	view          tea.View
	mapnl         bool // map newline: the input is not a local terminal in raw mode
	syncdUpdates  bool // the terminal reported synchronized output (mode 2026)
	starting      bool
	pendingErase  bool
}

func newScreen(env []string, profile colorprofile.Profile, width, height int, mapnl bool) *screen {
	s := &screen{env: env, profile: profile, width: width, height: height, mapnl: mapnl}
	s.cellbuf = uv.NewScreenBuffer(width, height)
	s.reset()
	// What Program.Run does before its first frame: resize, then start.
	s.resize(width, height)
	s.starting = true
	return s
}

// reset is cursedRenderer's reset, with Bubble Tea's defaults (no hard tabs,
// no backspace) fixed.
func (s *screen) reset() {
	s.buf.Reset()
	scr := uv.NewTerminalRenderer(&s.buf, s.env)
	scr.SetColorProfile(s.profile)
	scr.SetRelativeCursor(true)
	scr.SetFullscreen(false)
	scr.SetTabStops(-1)
	scr.SetBackspace(false)
	scr.SetMapNewline(s.mapnl)
	scr.SetScrollOptim(runtime.GOOS != "windows")
	s.scr = scr
}

func (s *screen) setColorProfile(p colorprofile.Profile) {
	s.profile = p
	s.scr.SetColorProfile(p)
}

func (s *screen) resize(w, h int) {
	s.scr.Erase()
	s.width, s.height = w, h
	s.scr.Resize(w, h)
	s.pendingErase = true
}

func (s *screen) clearScreen() {
	s.scr.MoveTo(0, 0)
	s.scr.Erase()
	s.pendingErase = true
}

func (s *screen) setWidthMethod(method ansi.Method) {
	if method == ansi.GraphemeWidth {
		_, _ = s.scr.WriteString(ansi.SetModeUnicodeCore)
	} else if s.cellbuf.Method == ansi.GraphemeWidth {
		_, _ = s.scr.WriteString(ansi.ResetModeUnicodeCore)
	}
	s.cellbuf.Method = method
}

// flush appends to out the bytes that bring the terminal from the last frame
// to the current view: cursedRenderer.flush.
func (s *screen) flush(out []byte, closing bool) []byte {
	view := s.view
	frameArea := uv.Rect(0, 0, s.width, s.height)
	if len(view.Content) == 0 {
		frameArea.Max.Y = 0
	}
	content := uv.NewStyledString(view.Content)
	if !view.AltScreen {
		if frameHeight := content.Height(); frameHeight != frameArea.Dy() {
			frameArea.Max.Y = frameHeight
		}
	}
	if !s.starting && !closing && !s.pendingErase && s.lastView != nil && viewEquals(s.lastView, &view) && frameArea == s.cellbuf.Bounds() {
		return out
	}
	s.starting = false
	s.pendingErase = false

	if frameArea != s.cellbuf.Bounds() {
		s.scr.Erase()
		s.cellbuf.Touched = nil
		s.cellbuf.Resize(frameArea.Dx(), frameArea.Dy())
	}
	s.cellbuf.Clear()
	content.Draw(s.cellbuf, s.cellbuf.Bounds())
	if frameHeight := frameArea.Dy(); frameHeight > s.height {
		s.cellbuf.Lines = s.cellbuf.Lines[frameHeight-s.height:]
	}

	lv := s.lastView
	shouldUpdateAltScreen := (lv == nil && view.AltScreen) || (lv != nil && lv.AltScreen != view.AltScreen)
	if shouldUpdateAltScreen {
		s.enableAltScreen(view.AltScreen, false)
	}
	if lv == nil || view.DisableBracketedPasteMode != lv.DisableBracketedPasteMode {
		if !view.DisableBracketedPasteMode {
			_, _ = s.scr.WriteString(ansi.SetModeBracketedPaste)
		} else if lv != nil {
			_, _ = s.scr.WriteString(ansi.ResetModeBracketedPaste)
		}
	}
	if lv == nil || lv.ReportFocus != view.ReportFocus {
		if view.ReportFocus {
			_, _ = s.scr.WriteString(ansi.SetModeFocusEvent)
		} else if lv != nil {
			_, _ = s.scr.WriteString(ansi.ResetModeFocusEvent)
		}
	}
	if lv == nil || view.MouseMode != lv.MouseMode {
		switch view.MouseMode {
		case tea.MouseModeNone:
			if lv != nil && lv.MouseMode != tea.MouseModeNone {
				_, _ = s.scr.WriteString(ansi.ResetModeMouseButtonEvent + ansi.ResetModeMouseAnyEvent + ansi.ResetModeMouseExtSgr)
			}
		case tea.MouseModeCellMotion:
			if lv != nil && lv.MouseMode == tea.MouseModeAllMotion {
				_, _ = s.scr.WriteString(ansi.ResetModeMouseAnyEvent)
			}
			_, _ = s.scr.WriteString(ansi.SetModeMouseButtonEvent + ansi.SetModeMouseExtSgr)
		case tea.MouseModeAllMotion:
			if lv != nil && lv.MouseMode == tea.MouseModeCellMotion {
				_, _ = s.scr.WriteString(ansi.ResetModeMouseButtonEvent)
			}
			_, _ = s.scr.WriteString(ansi.SetModeMouseAnyEvent + ansi.SetModeMouseExtSgr)
		}
	}
	if lv == nil || view.WindowTitle != lv.WindowTitle {
		if lv != nil || view.WindowTitle != "" {
			_, _ = s.scr.WriteString(ansi.SetWindowTitle(view.WindowTitle))
		}
	}
	// The keyboard protocols: the program reads its input, so they are
	// requested as Bubble Tea requests them.
	if lv == nil || view.KeyboardEnhancements != lv.KeyboardEnhancements || view.AltScreen != lv.AltScreen {
		_, _ = s.scr.WriteString(ansi.SetModifyOtherKeys2)
		flags := keyboardEnhancementsFlags(view.KeyboardEnhancements)
		if lv == nil || view.AltScreen != lv.AltScreen {
			_, _ = s.scr.WriteString(ansi.PushKittyKeyboard(flags))
		} else {
			_, _ = s.scr.WriteString(ansi.KittyKeyboard(flags, 1))
		}
		if !closing {
			_, _ = s.scr.WriteString(ansi.RequestKittyKeyboard)
		}
	}

	var cc, lcc, lfg, lbg color.Color
	if view.Cursor != nil {
		cc = view.Cursor.Color
	}
	if lv != nil {
		if lv.Cursor != nil {
			lcc = lv.Cursor.Color
		}
		lfg, lbg = lv.ForegroundColor, lv.BackgroundColor
	}
	for _, c := range []struct {
		newColor, oldColor color.Color
		reset              string
		setter             func(string) string
	}{
		{cc, lcc, ansi.ResetCursorColor, ansi.SetCursorColor},
		{view.ForegroundColor, lfg, ansi.ResetForegroundColor, ansi.SetForegroundColor},
		{view.BackgroundColor, lbg, ansi.ResetBackgroundColor, ansi.SetBackgroundColor},
	} {
		if c.newColor != c.oldColor {
			if c.newColor == nil {
				_, _ = s.scr.WriteString(c.reset)
			} else if col, ok := colorful.MakeColor(c.newColor); ok {
				_, _ = s.scr.WriteString(c.setter(col.Hex()))
			}
		}
	}

	var ccStyle, lcStyle int
	if view.Cursor != nil {
		ccStyle = encodeCursorStyle(view.Cursor.Shape, view.Cursor.Blink)
	}
	if lv != nil && lv.Cursor != nil {
		lcStyle = encodeCursorStyle(lv.Cursor.Shape, lv.Cursor.Blink)
	}
	if ccStyle != lcStyle {
		_, _ = s.scr.WriteString(ansi.SetCursorStyle(ccStyle))
	}

	if (lv == nil && view.ProgressBar != nil && view.ProgressBar.State != tea.ProgressBarNone) ||
		(lv != nil && (lv.ProgressBar == nil) != (view.ProgressBar == nil)) ||
		(lv != nil && lv.ProgressBar != nil && view.ProgressBar != nil && *lv.ProgressBar != *view.ProgressBar) {
		s.setProgressBar(view.ProgressBar)
	}
	var lps *tea.ProgramStatus
	if lv != nil {
		lps = lv.ProgramStatus
	}
	if !programStatusEquals(lps, view.ProgramStatus) {
		s.setProgramStatus(lps, view.ProgramStatus)
	}

	s.scr.Render(s.cellbuf.RenderBuffer)
	if cur := view.Cursor; cur != nil {
		s.scr.MoveTo(cur.X, cur.Y)
	} else if !view.AltScreen {
		if x, y := s.scr.Position(); x >= s.width-1 {
			s.scr.MoveTo(0, y)
		}
	}
	_ = s.scr.Flush() // into s.buf: cannot fail

	hasUpdates := s.buf.Len() > 0
	didShowCursor := lv != nil && lv.Cursor != nil
	showCursor := view.Cursor != nil
	hideCursor := !showCursor
	shouldUpdateCursorVis := (lv == nil || didShowCursor != showCursor) || shouldUpdateAltScreen

	if shouldUpdateAltScreen {
		out = append(out, ansi.ResetModifyOtherKeys...)
		if lv != nil {
			out = append(out, ansi.PopKittyKeyboard(1)...)
		}
		if view.AltScreen {
			out = append(out, ansi.SetModeAltScreenSaveCursor...)
		} else {
			out = append(out, ansi.ResetModeAltScreenSaveCursor...)
		}
	}
	if s.syncdUpdates {
		if hasUpdates {
			out = append(out, ansi.SetModeSynchronizedOutput...)
		}
		if shouldUpdateCursorVis && hideCursor {
			out = append(out, ansi.ResetModeTextCursorEnable...)
		}
	} else if (shouldUpdateCursorVis && hideCursor) || (hasUpdates && showCursor && didShowCursor) {
		out = append(out, ansi.ResetModeTextCursorEnable...)
	}
	if hasUpdates {
		out = append(out, s.buf.Bytes()...)
	}
	if s.syncdUpdates {
		if shouldUpdateCursorVis && showCursor {
			out = append(out, ansi.SetModeTextCursorEnable...)
		}
		if hasUpdates {
			out = append(out, ansi.ResetModeSynchronizedOutput...)
		}
	} else if (shouldUpdateCursorVis && showCursor) || (hasUpdates && showCursor && didShowCursor) {
		out = append(out, ansi.SetModeTextCursorEnable...)
	}
	s.buf.Reset()
	s.lastView = &view
	return out
}

// close appends to out the bytes that give the terminal back as it was before
// the first frame: cursedRenderer.close.
func (s *screen) close(out []byte) []byte {
	if lv := s.lastView; lv != nil {
		_, _ = s.buf.WriteString(ansi.ResetModifyOtherKeys)
		_, _ = s.buf.WriteString(ansi.PopKittyKeyboard(1))
		s.scr.MoveTo(0, s.cellbuf.Height()-1)
		_ = s.scr.Flush()
		if lv.AltScreen {
			s.enableAltScreen(false, true)
		} else {
			_, _ = s.scr.WriteString(ansi.EraseScreenBelow)
		}
		if lv.Cursor == nil {
			_, _ = s.scr.WriteString(ansi.SetModeTextCursorEnable)
		}
		if !lv.DisableBracketedPasteMode {
			_, _ = s.scr.WriteString(ansi.ResetModeBracketedPaste)
		}
		if lv.ReportFocus {
			_, _ = s.scr.WriteString(ansi.ResetModeFocusEvent)
		}
		if lv.MouseMode != tea.MouseModeNone {
			_, _ = s.scr.WriteString(ansi.ResetModeMouseButtonEvent + ansi.ResetModeMouseAnyEvent + ansi.ResetModeMouseExtSgr)
		}
		if lv.WindowTitle != "" {
			_, _ = s.scr.WriteString(ansi.SetWindowTitle(""))
		}
		if lc := lv.Cursor; lc != nil {
			if shape := encodeCursorStyle(lc.Shape, lc.Blink); shape != 0 && shape != 1 {
				_, _ = s.scr.WriteString(ansi.SetCursorStyle(0))
			}
			if lc.Color != nil {
				_, _ = s.scr.WriteString(ansi.ResetCursorColor)
			}
		}
		if lv.BackgroundColor != nil {
			_, _ = s.scr.WriteString(ansi.ResetBackgroundColor)
		}
		if lv.ForegroundColor != nil {
			_, _ = s.scr.WriteString(ansi.ResetForegroundColor)
		}
		if lv.ProgressBar != nil && lv.ProgressBar.State != tea.ProgressBarNone {
			_, _ = s.scr.WriteString(ansi.ResetProgressBar)
		}
	}
	if s.cellbuf.Method == ansi.GraphemeWidth {
		_, _ = s.scr.WriteString(ansi.ResetModeUnicodeCore)
	}
	_ = s.scr.Flush()
	out = append(out, s.buf.Bytes()...)
	s.buf.Reset()
	return out
}

func (s *screen) enableAltScreen(enable, write bool) {
	if enable {
		s.scr.SaveCursor()
		if write {
			s.buf.WriteString(ansi.SetModeAltScreenSaveCursor)
		}
		s.scr.SetFullscreen(true)
		s.scr.SetRelativeCursor(false)
		s.scr.Erase()
		return
	}
	s.scr.Erase()
	s.scr.SetRelativeCursor(true)
	s.scr.SetFullscreen(false)
	if write {
		s.buf.WriteString(ansi.ResetModeAltScreenSaveCursor)
	}
	s.scr.RestoreCursor()
}

func (s *screen) setProgressBar(pb *tea.ProgressBar) {
	if pb == nil {
		_, _ = s.scr.WriteString(ansi.ResetProgressBar)
		return
	}
	var seq string
	switch pb.State {
	case tea.ProgressBarNone:
		seq = ansi.ResetProgressBar
	case tea.ProgressBarDefault:
		seq = ansi.SetProgressBar(pb.Value)
	case tea.ProgressBarError:
		seq = ansi.SetErrorProgressBar(pb.Value)
	case tea.ProgressBarIndeterminate:
		seq = ansi.SetIndeterminateProgressBar
	case tea.ProgressBarWarning:
		seq = ansi.SetWarningProgressBar(pb.Value)
	}
	if seq != "" {
		_, _ = s.scr.WriteString(seq)
	}
}

func (s *screen) setProgramStatus(prev, cur *tea.ProgramStatus) {
	if prev != nil && (cur == nil || cur.ID != prev.ID) {
		_, _ = s.scr.WriteString(ansi.ClearProgramStatusID(prev.ID))
	}
	if cur != nil {
		_, _ = s.scr.WriteString(ansi.SetProgramStatus(*cur))
	}
}

func programStatusEquals(a, b *tea.ProgramStatus) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func viewEquals(a, b *tea.View) bool {
	if a == nil || b == nil {
		return false
	}
	if !programStatusEquals(a.ProgramStatus, b.ProgramStatus) {
		return false
	}
	if a.Content != b.Content ||
		a.AltScreen != b.AltScreen ||
		a.DisableBracketedPasteMode != b.DisableBracketedPasteMode ||
		a.ReportFocus != b.ReportFocus ||
		a.MouseMode != b.MouseMode ||
		a.WindowTitle != b.WindowTitle ||
		a.ForegroundColor != b.ForegroundColor ||
		a.BackgroundColor != b.BackgroundColor ||
		a.KeyboardEnhancements != b.KeyboardEnhancements {
		return false
	}
	if (a.Cursor == nil) != (b.Cursor == nil) {
		return false
	}
	if a.Cursor != nil && (a.Cursor.X != b.Cursor.X || a.Cursor.Y != b.Cursor.Y ||
		a.Cursor.Shape != b.Cursor.Shape || a.Cursor.Blink != b.Cursor.Blink || a.Cursor.Color != b.Cursor.Color) {
		return false
	}
	if (a.ProgressBar == nil) != (b.ProgressBar == nil) {
		return false
	}
	return a.ProgressBar == nil || *a.ProgressBar == *b.ProgressBar
}

func keyboardEnhancementsFlags(ke tea.KeyboardEnhancements) int {
	flags := 1
	if ke.ReportEventTypes {
		flags |= ansi.KittyReportEventTypes
	}
	if ke.ReportAlternateKeys {
		flags |= ansi.KittyReportAlternateKeys
	}
	if ke.ReportAllKeysAsEscapeCodes {
		flags |= ansi.KittyReportAllKeysAsEscapeCodes
	}
	if ke.ReportAssociatedText {
		flags |= ansi.KittyReportAssociatedKeys
	}
	return flags
}

// encodeCursorStyle is Bubble Tea's: the DECSCUSR value of a shape.
func encodeCursorStyle(style tea.CursorShape, blink bool) int {
	style = (style * 2) + 1
	if !blink {
		style++
	}
	return int(style)
}
