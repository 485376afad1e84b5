package frames

import (
	"fmt"
	"reflect"
	"strings"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// Bubble Tea turns some commands into terminal sequences itself and writes them
// before its next frame (Program.execute and executeQuery). Their messages are
// unexported, so they are known here by the type of the message their exported
// command returns; each maps to the sequence Bubble Tea writes for it.
var sequenceOf = map[reflect.Type]func(tea.Msg) string{
	typeOf(tea.SetClipboard("")()):            func(m tea.Msg) string { return ansi.SetSystemClipboard(stringOf(m)) },
	typeOf(tea.SetPrimaryClipboard("")()):     func(m tea.Msg) string { return ansi.SetPrimaryClipboard(stringOf(m)) },
	typeOf(tea.ReadClipboard()):               constant(ansi.RequestSystemClipboard),
	typeOf(tea.ReadPrimaryClipboard()):        constant(ansi.RequestPrimaryClipboard),
	typeOf(tea.RequestBackgroundColor()):      constant(ansi.RequestBackgroundColor),
	typeOf(tea.RequestForegroundColor()):      constant(ansi.RequestForegroundColor),
	typeOf(tea.RequestCursorColor()):          constant(ansi.RequestCursorColor),
	typeOf(tea.RequestCursorPosition()):       constant(ansi.RequestCursorPositionReport),
	typeOf(tea.RequestTerminalVersion()):      constant(ansi.RequestNameVersion),
	typeOf(tea.RequestProgramStatusSupport()): constant(ansi.RequestProgramStatusSupport),
	typeOf(tea.RequestCapability("")()):       func(m tea.Msg) string { return ansi.RequestTermcap(stringOf(m)) },
	typeOf(tea.Raw("")()):                     func(m tea.Msg) string { return fmt.Sprint(m.(tea.RawMsg).Msg) },
}

// clearScreenType is the message of tea.ClearScreen.
var clearScreenType = typeOf(tea.ClearScreen())

func typeOf(m tea.Msg) reflect.Type { return reflect.TypeOf(m) }

func stringOf(m tea.Msg) string { return reflect.ValueOf(m).String() }

func constant(s string) func(tea.Msg) string { return func(tea.Msg) string { return s } }

// shouldQuerySynchronizedOutput is Bubble Tea's rule for asking the terminal
// whether it supports synchronized output (it skips terminals known to
// misreport it).
func shouldQuerySynchronizedOutput(environ uv.Environ) bool {
	termType := environ.Getenv("TERM")
	termProg, okTermProg := environ.LookupEnv("TERM_PROGRAM")
	_, okSSHTTY := environ.LookupEnv("SSH_TTY")
	_, okWTSession := environ.LookupEnv("WT_SESSION")
	return (!okTermProg && !okSSHTTY) ||
		okWTSession ||
		(okTermProg && !strings.Contains(termProg, "Apple") && !okSSHTTY) ||
		strings.Contains(termType, "ghostty") ||
		strings.Contains(termType, "wezterm") ||
		strings.Contains(termType, "alacritty") ||
		strings.Contains(termType, "kitty") ||
		strings.Contains(termType, "rio")
}
