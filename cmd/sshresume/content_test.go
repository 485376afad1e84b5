package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/internal/testkit"
)

// TestCheckReportsEveryKindOfProblem runs "sshresume check" on one broken file per
// kind of mistake, in JSON and YAML, and compares its whole output. Each position
// was counted by hand in the file.
func TestCheckReportsEveryKindOfProblem(t *testing.T) {
	const dir = "testdata/check/"
	tests := []struct {
		file   string
		status int
		want   string // the output, FILE standing for the file's path
	}{
		{"syntax.json", 1, `FILE:4:3: invalid JSON: invalid character '}' looking for beginning of object key string`},
		{"syntax.yaml", 1, `FILE:3:9: invalid YAML: mapping values are not allowed in this context`},
		{"two-documents.yaml", 1, `FILE:3:1: invalid YAML: a second document starts here; a resume file holds one`},
		{"empty.yaml", 1, `FILE:1:1: file is empty`},
		{"not-utf8.json", 1, `FILE:2:27: file is not valid UTF-8`},
		{"not-object.yaml", 1, `FILE:1:1: the resume must be an object, not an array`},
		{"type.json", 1, `FILE:3:13: basics.name must be a string, not a number (42)`},
		{"type.yaml", 1, `FILE:5:17: work[0].highlights must be an array, not a string`},
		{"null.yaml", 1, `FILE:3:9: basics.label is empty (null): give it a value or leave it out`},
		{"duplicate.json", 1, `FILE:4:5: basics.name is given twice (first at line 3, column 5)`},
		{"misspelled.json", 1, `FILE:4:5: basics: unknown field "emial"; did you mean "email"?`},
		{"misspelled.yaml", 1, `FILE:5:5: work[0]: unknown field "start_date"; did you mean "startDate"?`},
		{"old-name.json", 1, `FILE:4:6: work[0]: "company" is the old JSON Resume name of "name"; rename it`},
		{"extension-field.yaml", 1, `FILE:7:5: unknown field "colour" in meta.sshresume (it has: titles, order, paper, private)`},
		{"section.yaml", 1, `FILE:5:20: unknown section "jobs" in meta.sshresume.order (sections: about, work, projects, publications, education, awards, certificates, volunteer, skills, languages, interests, references, contact)`},
		{"date-pattern.yaml", 1, `FILE:5:11: awards[0].date "May 1840" is not a date: use YYYY, YYYY-MM or YYYY-MM-DD`},
		{"date-unreal.json", 1, `FILE:3:52: certificates[0].date "1840-02-30" is not a real date`},
		{"date-order.yaml", 1, `FILE:6:14: education[0].endDate "1839-06" is before startDate "1840"`},
		{"email.json", 1, `FILE:4:14: basics.email "ada at example.com" is not an email address like name@example.com`},
		{"url.yaml", 1, `FILE:5:12: basics.profiles[0].url "github.com/ada" is not an absolute URL like https://example.com/`},
		{"name-missing.json", 1, `FILE:2:13: basics.name is required: the resume must say whose it is`},
		{"escape.json", 1, `FILE:3:13: basics.name contains control character U+001B at character 5; only newline and tab are allowed`},
		{"csi.yaml", 1, `FILE:3:12: basics.summary contains control character U+009B at character 18; only newline and tab are allowed`},
		{"bidi.yaml", 1, `FILE:2:9: basics.name contains bidirectional control character U+202E at character 5`},
		{"ignored-field.json", 0, "FILE:4:5: note: basics.pronouns is not a JSON Resume field; sshresume ignores it\nFILE: ok"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			file := dir + tt.file
			status, stdout, stderr := runCmd(t, "check", file)
			if status != tt.status {
				t.Errorf("status = %d, want %d (stderr %q)", status, tt.status, stderr)
			}
			if want := strings.ReplaceAll(tt.want, "FILE", file) + "\n"; stdout != want {
				t.Errorf("output:\n%s\nwant:\n%s", stdout, want)
			}
			if tt.status == 1 && stderr != "sshresume check: 1 problem in 1 file\n" {
				t.Errorf("stderr = %q", stderr)
			}
		})
	}
	files, _ := filepath.Glob(dir + "*")
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s is not in the table", f)
		}
	}
}

func TestCheckManyProblemsAndFiles(t *testing.T) {
	file := filepath.Join(t.TempDir(), "resume.yaml")
	writeFile(t, file, "basics:\n  emial: x\n  url: example.com\nwork:\n  - startDate: 2020-13\n    website: https://example.com\n")
	status, stdout, stderr := runCmd(t, "check", file, "../../content/resume.json")
	if status != 1 {
		t.Errorf("status = %d, want 1", status)
	}
	// Sorted by position, the seed's verdict after.
	// A missing field is reported where its object starts.
	want := file + `:2:3: basics: unknown field "emial"; did you mean "email"?
` + file + `:2:3: basics.name is required: the resume must say whose it is
` + file + `:3:8: basics.url "example.com" is not an absolute URL like https://example.com/
` + file + `:5:16: work[0].startDate "2020-13" is not a real date
` + file + `:6:5: work[0]: "website" is the old JSON Resume name of "url"; rename it
../../content/resume.json:7:14: note: the phone number (basics.phone) is public: every visitor, and every scraper, can read it; to keep it private, add "basics.phone" to meta.sshresume.private
../../content/resume.json: ok
`
	if stdout != want {
		t.Errorf("output:\n%s\nwant:\n%s", stdout, want)
	}
	if stderr != "sshresume check: 5 problems in 1 file\n" {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestCheckUsage(t *testing.T) {
	if status, _, stderr := runCmd(t, "check"); status != 2 || !strings.Contains(stderr, "check needs a file") {
		t.Errorf("no file: status %d, stderr %q", status, stderr)
	}
	if status, _, stderr := runCmd(t, "check", filepath.Join(t.TempDir(), "missing.json")); status != 1 || !strings.Contains(stderr, "no such file") {
		t.Errorf("missing file: status %d, stderr %q", status, stderr)
	}
}

func TestRenderUsesTheExportsTable(t *testing.T) {
	r, err := content.Options{Version: buildVersion()}.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range content.Exports() {
		status, stdout, stderr := runCmd(t, "render", "-format", e.Name)
		if status != 0 || stdout != string(e.Render(r)) {
			t.Errorf("render -format %s: status %d, stderr %q, output differs from the export", e.Name, status, stderr)
		}
	}
	status, stdout, _ := runCmd(t, "render")
	if status != 0 || stdout != content.Text(r.Document(), content.TextWidth) {
		t.Errorf("render without -format: status %d, want the plain text", status)
	}
	status, _, stderr := runCmd(t, "render", "-format", "docx")
	if status != 2 || !strings.Contains(stderr, `format "docx": use text, md, json, vcard, pdf`) {
		t.Errorf("render -format docx: status %d, stderr %q", status, stderr)
	}
}

func TestRenderReadsContentFile(t *testing.T) {
	dir := t.TempDir()
	yamlFile := filepath.Join(dir, "resume.yml")
	writeFile(t, yamlFile, "basics:\n  name: Ada Lovelace\n  email: ada@example.com\nwork:\n  - name: Analytical Engine\n    startDate: 1842\n")
	status, stdout, stderr := runCmd(t, "render", "-content", yamlFile, "-format", "json")
	if status != 0 {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	var doc struct {
		Basics struct{ Name, Email string }
		Work   []struct{ Name, StartDate string }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if doc.Basics.Name != "Ada Lovelace" || doc.Basics.Email != "ada@example.com" || len(doc.Work) != 1 || doc.Work[0].StartDate != "1842" {
		t.Errorf("JSON export of the YAML file = %+v", doc)
	}

	// The environment names the file when the flag does not.
	t.Setenv("SSHRESUME_CONTENT", yamlFile)
	if status, stdout, _ := runCmd(t, "render", "-format", "md"); status != 0 || !strings.HasPrefix(stdout, "# Ada Lovelace\n") {
		t.Errorf("SSHRESUME_CONTENT: status %d, output %q", status, stdout)
	}

	broken := filepath.Join(dir, "broken.json")
	writeFile(t, broken, "{\"basics\": {\"name\": \"A\", \"url\": \"nope\"}}")
	status, stdout, stderr = runCmd(t, "render", "-content", broken)
	if status != 1 || stdout != "" || !strings.Contains(stderr, broken+`:1:33: basics.url "nope" is not an absolute URL`) {
		t.Errorf("broken file: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
}

func TestServeRefusesInvalidYAML(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	file := filepath.Join(t.TempDir(), "resume.yaml")
	writeFile(t, file, "basics:\n  name: A\n  phone: [1, 2]\n")
	status, _, stderr := runCmd(t, "serve", "-addr", "127.0.0.1:0", "-content", file)
	want := file + " is not a valid resume (1 problem):\n" + file + ":3:10: basics.phone must be a string, not an array\n"
	if status != 1 || !strings.HasSuffix(stderr, want) {
		t.Errorf("status %d, stderr %q; want 1 and %q", status, stderr, want)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// sshExec runs a command on the server without a PTY and returns its output.
func sshExec(t *testing.T, addr, cmd string) string {
	t.Helper()
	// The server's key is a throwaway one in a temporary directory.
	out, err := testkit.NewSession(t, testkit.Dial(t, addr, nil)).Output(cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return string(out)
}

// TestHangupReloadsContent sends the process a real SIGHUP: serve must pick up a
// valid new file for new sessions, and log an invalid one with its problems and
// keep serving the resume it has.
func TestHangupReloadsContent(t *testing.T) {
	file := filepath.Join(t.TempDir(), "resume.yaml")
	writeFile(t, file, "basics:\n  name: Ada Lovelace\n")
	sv := startServe(t, "serve", "-content", file)
	addr, logs := sv.addr, sv.logs
	if out := sshExec(t, addr, "text"); !strings.HasPrefix(out, "Ada Lovelace\n") {
		t.Fatalf("before the reload: %q", out)
	}
	hangup := func() {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}

	writeFile(t, file, "basics:\n  name: Ada King\n  label: Countess of Lovelace\n")
	hangup()
	testkit.WaitFor(t, "the reload", func() bool { return strings.Contains(logs.String(), `"msg":"resume reloaded"`) })
	if out := sshExec(t, addr, "text"); !strings.HasPrefix(out, "Ada King\nCountess of Lovelace\n") {
		t.Errorf("after a valid change a new session gets %q", out)
	}

	writeFile(t, file, "basics:\n  name: Ada King\n  email: not-an-address\n")
	hangup()
	testkit.WaitFor(t, "the failed reload", func() bool { return strings.Contains(logs.String(), "reload failed") })
	want := `"problem":"` + file + `:3:10: basics.email \"not-an-address\" is not an email address like name@example.com"`
	if !strings.Contains(logs.String(), want) {
		t.Errorf("the log lacks the problem %s:\n%s", want, logs.String())
	}
	if out := sshExec(t, addr, "text"); !strings.HasPrefix(out, "Ada King\nCountess of Lovelace\n") {
		t.Errorf("after an invalid change a new session gets %q, want the previous resume", out)
	}

	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	hangup()
	testkit.WaitFor(t, "the failed reload of a missing file", func() bool { return strings.Count(logs.String(), "reload failed") == 2 })
	if out := sshExec(t, addr, "json"); !strings.Contains(out, `"name": "Ada King"`) {
		t.Errorf("after the file vanished a new session gets %q", out)
	}
}

func TestHangupWithoutContentFileKeepsServing(t *testing.T) {
	sv := startServe(t, "serve")
	addr, logs := sv.addr, sv.logs
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the warning", func() bool { return strings.Contains(logs.String(), "no content file to reload") })
	if out := sshExec(t, addr, "text"); !strings.HasPrefix(out, "Tianhao Wu\n") {
		t.Errorf("after SIGHUP: %q", out)
	}
}
