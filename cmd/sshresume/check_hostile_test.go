package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// hostileKeys is a resume whose object keys, known objects and ignored ones,
// hold escape sequences: a window title, a screen clear, a cursor move, a
// forged line of check's output.
const hostileKeys = `{
  "basics": {
    "name": "Ada Lovelace",
    "\u001b]0;owned\u0007\u001b[2J": "x"
  },
  "x\u001b[Hy": {"\u001b[31mred": ["\u009b2J"]},
  "meta": {"sshresume": {"titles": {"work\u001b[8m": "Jobs"}}},
  "a\nresume.json:1:1: forged": 1
}
`

// TestCheckEscapesEveryKey: a key with escape sequences is a problem check
// reports with its position, and nothing check prints, the keys quoted in
// its messages included, holds a raw control character.
func TestCheckEscapesEveryKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "resume.json")
	writeFile(t, file, hostileKeys)
	status, stdout, stderr := runCmd(t, "check", file)
	if status != 1 {
		t.Errorf("status = %d, want 1: keys with control characters are refused\n%s", status, stdout)
	}
	assertNoControls(t, "check's output", stdout+stderr)
	for _, want := range []string{
		file + `:4:5: key "\x1b]0;owned\a\x1b[2J" in basics contains control character U+001B at character 1`,
		file + `:6:3: key "x\x1b[Hy" in the resume contains control character U+001B at character 2`,
		file + `:6:18: key "\x1b[31mred" in x\x1b[Hy contains control character U+001B at character 1`,
		file + `:6:36: x\x1b[Hy.\x1b[31mred[0] contains control character U+009B at character 1; only newline and tab are allowed`,
		file + `:7:37: key "work\x1b[8m" in meta.sshresume.titles contains control character U+001B at character 5`,
		file + `:8:3: key "a\nresume.json:1:1: forged" in the resume contains control character U+000A at character 2`,
	} {
		if !strings.Contains(stdout, want+"\n") {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if !strings.HasPrefix(line, file+":") {
			t.Errorf("a line that is not a problem of the file: %q", line)
		}
	}
	if strings.Contains(stdout, ": ok") {
		t.Error("check said ok")
	}
}

// TestOperatorErrorsEscapeControls: serve's start error, render's and
// preview's, and a file name given to check, reach the terminal escaped.
func TestOperatorErrorsEscapeControls(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	file := filepath.Join(dir, "resume.json")
	writeFile(t, file, hostileKeys)
	for _, args := range [][]string{
		{"serve", "-addr", "127.0.0.1:0", "-content", file},
		{"render", "-content", file},
		{"preview", "-content", file},
	} {
		status, stdout, stderr := runInTerminal(t, args...)
		if status != 1 || !strings.Contains(stderr, `key "\x1b]0;owned\a\x1b[2J" in basics`) {
			t.Errorf("%s: status %d, stderr %q; want 1 and the key escaped", args[0], status, stderr)
		}
		assertNoControls(t, args[0]+"'s output", stdout+stderr)
	}
	named := filepath.Join(dir, "\x1b]0;owned\a.json")
	writeFile(t, named, `{"basics": {"name": "Ada"}}`)
	status, stdout, stderr := runCmd(t, "check", named, filepath.Join(dir, "\x1b[2Jmissing.json"))
	if status != 1 || !strings.Contains(stdout, `\x1b]0;owned\a.json: ok`) || !strings.Contains(stderr, `\x1b[2Jmissing.json`) {
		t.Errorf("status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	assertNoControls(t, "check's output for hostile file names", stdout+stderr)
}

// TestCheckRefusesInvisibleCharactersAndOtherSchemes: invisible format
// characters outside an emoji sequence and addresses that are not http,
// https, mailto or tel are problems at their position; emoji sequences pass.
func TestCheckRefusesInvisibleCharactersAndOtherSchemes(t *testing.T) {
	file := filepath.Join(t.TempDir(), "resume.yaml")
	writeFile(t, file, "basics:\n"+
		"  name: \"Ada\u200bLovelace\"\n"+
		"  label: \"Analyst \u200e\u200f\"\n"+
		"  summary: \"Poetical science\U000E0068\U000E0069 \uFFF9note\uFFFA\uFFFB\"\n"+
		"  url: \"javascript:alert(1)\"\n"+
		"  profiles:\n"+
		"    - network: \"👩\u200d💻 GitHub\"\n"+
		"      url: \"file:///etc/passwd\"\n"+
		"    - network: \"Flag 🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F ❤️\"\n"+
		"      url: \"data:text/html,x\"\n"+
		"    - network: \"Mail\"\n"+
		"      url: \"mailto:ada@example.com\"\n"+
		"    - network: \"Phone\"\n"+
		"      url: \"tel:+44-20-7946-0000\"\n"+
		"work:\n"+
		"  - name: \"Analytical Engine\u00adWorks\"\n"+
		"    url: \"ftp://example.com/\"\n")
	status, stdout, _ := runCmd(t, "check", file)
	want := file + `:2:9: basics.name contains invisible character U+200B (zero width space) at character 4: remove it
` + file + `:3:10: basics.label contains invisible character U+200E (left-to-right mark) at character 9: remove it
` + file + `:4:12: basics.summary contains invisible character U+E0068 (tag character) at character 17: remove it
` + file + `:5:8: basics.url "javascript:alert(1)" is not a web, email or phone address: use http, https, mailto or tel
` + file + `:8:12: basics.profiles[0].url "file:///etc/passwd" is not a web, email or phone address: use http, https, mailto or tel
` + file + `:10:12: basics.profiles[1].url "data:text/html,x" is not a web, email or phone address: use http, https, mailto or tel
` + file + `:16:11: work[0].name contains invisible character U+00AD (soft hyphen) at character 18: remove it
` + file + `:17:10: work[0].url "ftp://example.com/" is not a web, email or phone address: use http, https, mailto or tel
`
	if status != 1 || stdout != want {
		t.Errorf("status %d, output:\n%s\nwant:\n%s", status, stdout, want)
	}
}

// TestCheckEntryLimit: a list longer than content.MaxEntries is reported at
// its first entry past the limit.
func TestCheckEntryLimit(t *testing.T) {
	file := filepath.Join(t.TempDir(), "resume.yaml")
	var b strings.Builder
	b.WriteString("basics:\n  name: Ada\nwork:\n  - name: Engine\n    highlights:\n")
	for i := range 1001 {
		fmt.Fprintf(&b, "      - point %d\n", i+1)
	}
	writeFile(t, file, b.String())
	status, stdout, _ := runCmd(t, "check", file)
	want := file + ":1006:9: work[0].highlights has 1001 entries, more than the 1000 a list may hold; this is entry 1001\n"
	if status != 1 || stdout != want {
		t.Errorf("status %d, output %q; want 1 and %q", status, stdout, want)
	}
}
