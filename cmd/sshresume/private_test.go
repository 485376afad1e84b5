package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"image/color"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/views"
)

// privateResume marks the phone, the street address and the references
// private; publicResume is the same resume without the list.
const publicResume = `{
  "basics": {
    "name": "Ada Lovelace", "label": "Analyst", "email": "ada@example.com",
    "phone": "+44 (20) 7946-0958",
    "location": {"address": "12 St James's Square", "city": "London", "countryCode": "GB"},
    "summary": "Wrote the first published program."
  },
  "work": [{"name": "Analytical Engine", "position": "Programmer", "startDate": "1842", "highlights": ["Notes on the Engine."]}],
  "references": [{"name": "Charles Babbage", "reference": "Brilliant; ask me at babbage@example.org or 020 7946 0000."}],
  "meta": {"sshresume": {%s}}
}`

// secrets are the private values, the phone also as digits only, as a tel:
// link or a dialler would have it.
var secrets = []string{
	"7946-0958", "+44 (20) 7946-0958", "442079460958",
	"St James", "Charles Babbage", "babbage@example.org", "020 7946 0000", "02079460000",
}

// outputs renders every output of the resume file: each export through
// "sshresume render" (the PDF as its text and its link targets), and the TUI
// at three sizes, every section, scrolled to its end.
func outputs(t *testing.T, file string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range content.Exports() {
		status, stdout, stderr := runCmd(t, "render", "-content", file, "-format", e.Name)
		if status != 0 {
			t.Fatalf("render -format %s: status %d: %s", e.Name, status, stderr)
		}
		out[e.Name] = stdout
		if e.Binary {
			out[e.Name+" (pdftotext)"] = pdfTool(t, stdout, "pdftotext", "-")
			out[e.Name+" (links)"] = pdfTool(t, stdout, "pdfinfo", "-url")
		}
	}
	r, _, err := content.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	d := r.Document()
	for _, size := range [][2]int{{40, 12}, {80, 24}, {200, 60}} {
		var screens []string
		for _, s := range d.Sections {
			m := views.New(d, views.Options{Width: size[0], Height: size[1], Section: s.ID})
			var model tea.Model = m
			prev := ""
			for range 40 { // page down until the screen stops changing
				screen := ansi.Strip(model.View().Content)
				if screen == prev {
					break
				}
				screens = append(screens, screen)
				prev = screen
				model, _ = model.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
			}
		}
		out[fmt.Sprintf("tui %dx%d", size[0], size[1])] = strings.Join(screens, "\n")
		// The copy key puts the email on the clipboard with OSC 52 and says
		// what it copied.
		m := views.New(d, views.Options{Width: size[0], Height: size[1]})
		model, cmd := m.Update(tea.KeyPressMsg{Code: 'c', Text: "c"})
		copied := ansi.Strip(model.View().Content)
		if cmd == nil || !strings.Contains(copied, "Copied ada@example.com") && size[0] >= 80 {
			t.Errorf("%dx%d: the copy key copies nothing:\n%s", size[0], size[1], copied)
		}
		out[fmt.Sprintf("osc52 %dx%d", size[0], size[1])] = copied
		// The QR code of the contact, decoded from the screen, and the
		// contact as text where no code can be drawn (NO_COLOR).
		screen := testkit.NewScreen(t, size[0], size[1], false)
		_, _ = screen.Write([]byte(strings.ReplaceAll(views.QRScreen(d, size[0], size[1], colorprofile.TrueColor, true), "\n", "\r\n")))
		if size[0] >= 80 {
			payload, err := screen.QRCode(color.Black)
			if err != nil || !strings.HasPrefix(payload, "MECARD:N:Ada Lovelace;") {
				t.Errorf("%dx%d: QR code %q, %v", size[0], size[1], payload, err)
			}
			out[fmt.Sprintf("qr %dx%d", size[0], size[1])] = payload
		}
		out[fmt.Sprintf("qr as text %dx%d", size[0], size[1])] = views.QRScreen(d, size[0], size[1], colorprofile.NoTTY, true)
	}
	return out
}

// pdfTool runs a poppler tool on a PDF (Debian poppler-utils, which .ci/run
// installs).
func pdfTool(t *testing.T, pdf, tool string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (Debian poppler-utils)", tool)
		}
		t.Skipf("%s is not installed (Debian poppler-utils)", tool)
	}
	file := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(file, []byte(pdf), 0o600); err != nil {
		t.Fatal(err)
	}
	if tool == "pdftotext" {
		args = []string{file, "-"}
	} else {
		args = append(args, file)
	}
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return string(out)
}

// leaks lists the secrets an output shows, also with the separators phone
// numbers are written with taken out.
func leaks(out string) []string {
	digits := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", "+", "", ".", "").Replace(out)
	var found []string
	for _, s := range secrets {
		if strings.Contains(out, s) || strings.Contains(digits, s) {
			found = append(found, s)
		}
	}
	return found
}

// TestPrivateFieldsReachNoOutput: a resume that marks its phone, address and
// references private shows none of them in any output. The same resume
// without the list shows them, so that the test can tell.
func TestPrivateFieldsReachNoOutput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, meta string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(strings.Replace(publicResume, "%s", meta, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	public := outputs(t, write("public.json", ""))
	private := outputs(t, write("private.json", `"private": ["basics.phone", "basics.location.address", "references"]`))
	if len(private) != len(public) || len(private) < 16 {
		t.Fatalf("outputs: %d private, %d public", len(private), len(public))
	}
	var names []string
	for name, out := range private {
		names = append(names, name)
		if strings.HasPrefix(name, "pdf") && !strings.Contains(name, "(") {
			continue // compressed: its text and links are checked instead
		}
		if got := leaks(out); len(got) > 0 {
			t.Errorf("%s shows private values %q", name, got)
		}
		if got := leaks(public[name]); len(got) == 0 && name != "pdf (links)" && !strings.HasPrefix(name, "osc52") && !strings.HasPrefix(name, "qr as text 40") {
			t.Errorf("%s of the public resume shows none of the values; the test cannot tell", name)
		}
	}
	if !strings.Contains(public["pdf (links)"], "tel:+44") || !strings.Contains(public["vcard"], "442079460958") && !strings.Contains(public["vcard"], "7946") {
		t.Error("the public resume's PDF links or vCard lack the phone; the test cannot tell")
	}
	slices.Sort(names)
	t.Logf("outputs checked: %s", strings.Join(names, ", "))
}
