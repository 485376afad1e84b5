package server

import (
	"testing"

	"github.com/charmbracelet/colorprofile"
)

func TestColorProfile(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want colorprofile.Profile
	}{
		{[]string{"TERM=xterm-256color"}, colorprofile.ANSI256},
		{[]string{"TERM=xterm"}, colorprofile.ANSI},
		{[]string{"TERM=vt100"}, colorprofile.ANSI},
		{[]string{"TERM=linux"}, colorprofile.ANSI},
		{[]string{"COLORTERM=truecolor", "TERM=xterm-256color"}, colorprofile.TrueColor},
		{[]string{"TERM=xterm-kitty"}, colorprofile.TrueColor},
		{[]string{"TERM=dumb"}, colorprofile.NoTTY},
		{[]string{"COLORTERM=truecolor", "TERM=dumb"}, colorprofile.NoTTY},
		{[]string{"TERM="}, colorprofile.NoTTY},
		{[]string{"NO_COLOR=1", "TERM=xterm-256color"}, colorprofile.ASCII},
		{[]string{"NO_COLOR=yes", "TERM=xterm-256color"}, colorprofile.ASCII},
		{[]string{"NO_COLOR=0", "TERM=xterm-256color"}, colorprofile.ASCII}, // any value but empty
		{[]string{"NO_COLOR=", "TERM=xterm-256color"}, colorprofile.ANSI256},
		{[]string{"NO_COLOR=1", "COLORTERM=truecolor", "TERM=xterm-256color"}, colorprofile.ASCII},
		{[]string{"NO_COLOR=1", "TERM=dumb"}, colorprofile.NoTTY},
		// The PTY's TERM comes last and wins over an env request naming another.
		{[]string{"TERM=xterm-256color", "TERM=dumb"}, colorprofile.NoTTY},
	} {
		if got := colorProfile(tc.env); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.env, got, tc.want)
		}
	}
}
