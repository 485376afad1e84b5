package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/sshresume/sshresume/internal/testkit"
)

// TestRenderPDFNeverToATerminal: a PDF written into a terminal is garbage on
// the screen; render refuses, saying how to save it, and writes nothing.
func TestRenderPDFNeverToATerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	var stderr bytes.Buffer
	status := run(context.Background(), []string{"render", "-format", "pdf"}, tty, &stderr)
	if status != 2 || !strings.Contains(stderr.String(), "sshresume render -format pdf > resume.pdf") {
		t.Errorf("status %d, stderr %q", status, stderr.String())
	}
	// Text is for terminals.
	stderr.Reset()
	if status := run(context.Background(), []string{"render", "-format", "text"}, tty, &stderr); status != 0 {
		t.Errorf("render -format text to a terminal: status %d, %s", status, stderr.String())
	}
}

func TestRenderPDFOptions(t *testing.T) {
	status, a4, _ := runCmd(t, "render", "-format", "pdf")
	if status != 0 || !strings.HasPrefix(a4, "%PDF-") {
		t.Fatalf("render -format pdf: status %d", status)
	}
	t.Setenv("SSHRESUME_PAPER", "letter")
	_, letter, _ := runCmd(t, "render", "-format", "pdf")
	if !strings.Contains(pdfTool(t, letter, "pdfinfo"), "(letter)") {
		t.Error("SSHRESUME_PAPER=letter does not give Letter paper")
	}
	_, flag, _ := runCmd(t, "render", "-format", "pdf", "-paper", "a4")
	if flag != a4 {
		t.Error("-paper a4 does not win over SSHRESUME_PAPER=letter")
	}
	t.Setenv("SSHRESUME_PAPER", "legal")
	if status, _, stderr := runCmd(t, "render", "-format", "pdf"); status != 2 || !strings.Contains(stderr, `-paper: paper "legal": use a4 or letter`) {
		t.Errorf("SSHRESUME_PAPER=legal: status %d, stderr %q", status, stderr)
	}
}

// TestPDFFontOption: a file that is not a font is a clear error for render,
// check and serve alike; a font that lacks a character of the resume makes
// check list it at its position and render refuse.
func TestPDFFontOption(t *testing.T) {
	dir := t.TempDir()
	notFont := filepath.Join(dir, "font.ttf")
	writeFile(t, notFont, "this is not a font, whatever its name says\n")
	for _, args := range [][]string{
		{"render", "-format", "pdf", "-pdf-font", notFont},
		{"check", "-pdf-font", notFont, "../../content/resume.json"},
		{"serve", "-pdf-font", notFont},
	} {
		status, stdout, stderr := runCmd(t, args...)
		if status != 1 || stdout != "" || !strings.Contains(stderr, "-pdf-font: font "+notFont+": not a TrueType or OpenType font file") {
			t.Errorf("%s: status %d, stdout %.40q, stderr %q", args[0], status, stdout, stderr)
		}
	}

	resume := filepath.Join(dir, "r.yaml")
	writeFile(t, resume, "basics:\n  name: Ada\n  summary: 茶 and tea\n")
	status, stdout, stderr := runCmd(t, "check", resume)
	if want := resume + ":3:12: summary"; status != 1 || !strings.Contains(stdout, resume+":3:12: basics.summary: character '茶' (U+8336) cannot be drawn") {
		t.Errorf("check: status %d, stdout %q, stderr %q; want a problem at %s", status, stdout, stderr, want)
	}
	status, stdout, stderr = runCmd(t, "render", "-format", "pdf", "-content", resume)
	if status != 1 || stdout != "" || !strings.Contains(stderr, resume+":3:12:") {
		t.Errorf("render: status %d, stderr %q", status, stderr)
	}
	if status, _, _ := runCmd(t, "render", "-format", "text", "-content", resume); status != 0 {
		t.Errorf("render -format text of the same resume: status %d", status)
	}

	font, err := os.ReadFile("../../content/fonts/DejaVuSansCondensed.ttf")
	if err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "mine.ttf")
	if err := os.WriteFile(mine, font, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSHRESUME_PDF_FONT", mine)
	if status, stdout, stderr := runCmd(t, "render", "-format", "pdf"); status != 0 || !strings.HasPrefix(stdout, "%PDF-") {
		t.Errorf("SSHRESUME_PDF_FONT with a font: status %d, stderr %q", status, stderr)
	}
}

// TestServedPDFIsRendersPDF: the PDF a visitor gets over SSH is byte for byte
// what "sshresume render -format pdf" prints with the same options.
func TestServedPDFIsRendersPDF(t *testing.T) {
	sv := startServe(t, "serve", "-paper", "letter")
	served, err := testkit.NewSession(t, testkit.Dial(t, sv.addr, nil)).Output("pdf")
	if err != nil {
		t.Fatal(err)
	}
	status, rendered, stderr := runCmd(t, "render", "-format", "pdf", "-paper", "letter")
	if status != 0 {
		t.Fatalf("render: status %d, %s", status, stderr)
	}
	if string(served) != rendered {
		t.Errorf("served PDF (%d bytes) differs from render's (%d bytes)", len(served), len(rendered))
	}
	if !strings.Contains(pdfTool(t, rendered, "pdfinfo"), "(letter)") {
		t.Error("-paper letter did not reach the served PDF")
	}
}
