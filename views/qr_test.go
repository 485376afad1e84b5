package views_test

import (
	"fmt"
	"image/color"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/views"
)

// seedMECARD is the seed resume's contact as the QR code must carry it.
const seedMECARD = "MECARD:N:Tianhao Wu;TEL:341-766-8125;EMAIL:thw@berkeley.edu;URL:https\\://thwu1.github.io/tianhaowu/;;"

// TestQRCodeScansFromTheScreen runs the resume in a Bubble Tea program whose
// output a terminal emulator draws, presses the QR key, and decodes the code
// from the emulator's cells, as a phone would from the screen: at 80×24, on a
// dark and a light background, in true colour, 256 and 16 colours.
func TestQRCodeScansFromTheScreen(t *testing.T) {
	d := doc(t)
	for _, bg := range []color.Color{color.Black, color.White} {
		for _, profile := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256, colorprofile.ANSI} {
			t.Run(fmt.Sprintf("%s/%s", testkit.ColorHex(bg), profile), func(t *testing.T) {
				tm := startTerminal(t, views.New(d, views.Options{Width: 80, Height: 24}), 80, 24, profile, true, bg)
				tm.WaitFor("Tianhao Wu", "Q QR code")
				tm.send("Q")
				tm.WaitFor("Scan to save the contact of Tianhao Wu")
				got, err := tm.QRCode(bg)
				if err != nil {
					t.Fatalf("%v; the screen:\n%s", err, tm.Text())
				}
				if got != seedMECARD {
					t.Errorf("the code says %q, want %q", got, seedMECARD)
				}
				tm.send("x")
				tm.WaitFor("At a glance")
			})
		}
	}
}

// TestQRScreenForTheServer decodes the code QRScreen draws for ssh -t HOST qr,
// which has no keys to show.
func TestQRScreenForTheServer(t *testing.T) {
	d := doc(t)
	for _, bg := range []color.Color{color.Black, color.White} {
		s := testkit.NewScreen(t, 80, 24, true)
		text := views.QRScreen(d, 80, 24, colorprofile.ANSI256, bg == color.Black)
		if n := strings.Count(text, "\n"); n != 23 {
			t.Errorf("%d rows, want 24", n+1)
		}
		if _, err := s.Write([]byte(text)); err != nil {
			t.Fatal(err)
		}
		if got, err := s.QRCode(bg); err != nil || got != seedMECARD {
			t.Errorf("on %s: decoded %q, %v; want %q", testkit.ColorHex(bg), got, err, seedMECARD)
		}
		if plain := ansi.Strip(text); !strings.Contains(plain, "Scan to save the contact of Tianhao Wu") || strings.Contains(plain, "esc") {
			t.Errorf("caption:\n%s", plain)
		}
	}
}

// TestQRPayload checks what goes into the code for resumes unlike the seed:
// escaped special characters, the fields left out to fit a window, and the
// absence of a code where there is no contact or no colour.
func TestQRPayload(t *testing.T) {
	const long = "https://example.org/a/very/long/path/to/a/personal/homepage/that/goes/on/and/on/index.html"
	for _, tc := range []struct {
		name   string
		basics string
		w, h   int
		want   string // the payload, or "" for no code
		text   []string
	}{
		{
			name:   "escapes",
			basics: `{"name": "Doe, Jane; Jr.", "email": "jane@example.org"}`,
			w:      80, h: 24,
			want: `MECARD:N:Doe\, Jane\; Jr.;EMAIL:jane@example.org;;`,
		},
		{
			name:   "profile url when no website",
			basics: `{"name": "Ann", "profiles": [{"network": "GitHub", "url": "https://github.com/ann"}]}`,
			w:      80, h: 24,
			want: `MECARD:N:Ann;URL:https\://github.com/ann;;`,
		},
		{
			name:   "a long website is left out at 80x24",
			basics: `{"name": "Bo Long", "email": "bo@example.org", "phone": "+1 555 0100", "url": "` + long + `"}`,
			w:      80, h: 24,
			want: "MECARD:N:Bo Long;TEL:+1 555 0100;EMAIL:bo@example.org;;",
		},
		{
			name:   "and kept in a taller window",
			basics: `{"name": "Bo Long", "email": "bo@example.org", "phone": "+1 555 0100", "url": "` + long + `"}`,
			w:      120, h: 40,
			want: "MECARD:N:Bo Long;TEL:+1 555 0100;EMAIL:bo@example.org;URL:" + strings.Replace(long, ":", `\:`, 1) + ";;",
		},
		{
			name:   "too small for any code",
			basics: `{"name": "Bo", "email": "bo@example.org"}`,
			w:      40, h: 12,
			text: []string{"The QR code needs a window of 37×19;", "this one is 40×12.", "Bo", "Email: bo@example.org"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := content.Parse("test.json", []byte(`{"basics": `+tc.basics+`, "work": [{"name": "X", "startDate": "2020"}]}`))
			if err != nil {
				t.Fatal(err)
			}
			s := testkit.NewScreen(t, tc.w, tc.h, true)
			text := views.QRScreen(r.Document(), tc.w, tc.h, colorprofile.TrueColor, true)
			if _, err := s.Write([]byte(text)); err != nil {
				t.Fatal(err)
			}
			got, err := s.QRCode(color.Black)
			switch {
			case tc.want == "" && err == nil:
				t.Errorf("a code that says %q", got)
			case tc.want != "" && got != tc.want:
				t.Errorf("the code says %q (%v), want %q\n%s", got, err, tc.want, s.Text())
			}
			for _, want := range tc.text {
				if !strings.Contains(s.Text(), want) {
					t.Errorf("no %q on the screen:\n%s", want, s.Text())
				}
			}
		})
	}
}

// TestQRWithoutColour checks that a terminal without colours gets the contact
// as text in place of a code it could not draw: NO_COLOR (ASCII) and TERM=dumb
// (NoTTY), through the model and QRScreen.
func TestQRWithoutColour(t *testing.T) {
	d := doc(t)
	want := []string{
		"This terminal shows no colours, so the QR code can't be drawn here.",
		"Tianhao Wu", "Phone: 341-766-8125", "Email: thw@berkeley.edu", "Web: https://thwu1.github.io/tianhaowu/",
	}
	for _, p := range []colorprofile.Profile{colorprofile.ASCII, colorprofile.NoTTY} {
		var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24, ColorProfile: p})
		m, _ = press(m, "Q")
		for name, text := range map[string]string{"model": screen(m), "QRScreen": views.QRScreen(d, 80, 24, p, true)} {
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("%s, %s: no %q:\n%s", p, name, w, text)
				}
			}
			if strings.ContainsAny(text, "▀▄█") {
				t.Errorf("%s, %s: draws a code:\n%s", p, name, text)
			}
		}
	}
}

// TestQRKeyWithoutContact checks that a resume with no way to reach its owner
// has no QR key, in the footer or the help.
func TestQRKeyWithoutContact(t *testing.T) {
	r, err := content.Parse("test.json", []byte(`{"basics": {"name": "Nobody", "summary": "Hi."}}`))
	if err != nil {
		t.Fatal(err)
	}
	var m tea.Model = views.New(r.Document(), views.Options{Width: 120, Height: 40})
	if strings.Contains(screen(m), "QR code") {
		t.Errorf("the footer offers a QR code:\n%s", screen(m))
	}
	m, _ = press(m, "Q")
	if strings.Contains(screen(m), "Scan") {
		t.Errorf("Q shows a code:\n%s", screen(m))
	}
	m, _ = press(m, "?")
	if strings.Contains(screen(m), "QR code") {
		t.Errorf("the help offers a QR code:\n%s", screen(m))
	}
}

// TestQRScreenKeys checks how the QR screen is left and what its last line
// says: a click goes back, q quits, and a notice from the server shows in
// place of the keys.
func TestQRScreenKeys(t *testing.T) {
	d := doc(t)
	var m tea.Model = views.New(d, views.Options{Width: 80, Height: 24})
	m, _ = press(m, "Q")
	if !strings.Contains(screen(m), "esc back · q quit") {
		t.Errorf("no keys under the code:\n%s", screen(m))
	}
	m, _ = m.Update(views.NoticeMsg{Text: "Idle for a while: closing in 1m"})
	if s := screen(m); !strings.Contains(s, "Idle for a while: closing in 1m") || !strings.Contains(s, "▀") {
		t.Errorf("the notice is not under the code:\n%s", s)
	}
	m, _ = m.Update(tea.MouseClickMsg{X: 40, Y: 12, Button: tea.MouseLeft})
	if !strings.Contains(screen(m), "At a glance") {
		t.Errorf("a click does not go back:\n%s", screen(m))
	}
	m, _ = press(m, "Q")
	if _, cmd := press(m, "q"); cmd == nil {
		t.Error("q does not quit from the QR code")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("q does not quit from the QR code")
	}
}

// TestQRDecoderNeedsExplicitColours checks that the screen test can fail: the
// same code drawn in the terminal's own colours, as a renderer that drops the
// colours would leave it, reads as a negative on a dark background and does
// not decode there.
func TestQRDecoderNeedsExplicitColours(t *testing.T) {
	text := ansi.Strip(views.QRScreen(doc(t), 80, 24, colorprofile.TrueColor, true))
	s := testkit.NewScreen(t, 80, 24, true)
	if _, err := s.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.QRCode(color.Black); err == nil {
		t.Errorf("a code in the default colours decodes on black: %q", got)
	}
	if got, err := s.QRCode(color.White); err != nil || got != seedMECARD {
		t.Errorf("the same cells on white: %q, %v", got, err)
	}
}
