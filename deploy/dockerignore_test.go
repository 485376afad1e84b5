package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// The build context holds every file the binary is built from and none of the
// secrets or history that could lie in a working tree.
func TestDockerignore(t *testing.T) {
	f, err := os.Open("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatalf("read .dockerignore: %v", err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	excluded := func(file string) bool {
		t.Helper()
		ex, err := pm.MatchesOrParentMatches(file)
		if err != nil {
			t.Fatalf(".dockerignore on %s: %v", file, err)
		}
		return ex
	}

	for _, file := range buildInputs(t) {
		if excluded(file) {
			t.Errorf(".dockerignore excludes %s, which the binary is built from", file)
		}
	}
	for _, file := range []string{
		".git/config",
		"ssh_host_ed25519_key",
		"ssh_host_ed25519_key.pub",
		"server/ssh_host_ed25519_key",
		"hostkey",
		"hostkey.pub",
		"sshresume.key",
		"server/host.pem",
		".env",
		"fly.toml",
		"sshresume",
	} {
		if !excluded(file) {
			t.Errorf(".dockerignore lets %s into the build context", file)
		}
	}
}

// buildInputs lists, relative to the repository root, go.mod, go.sum and the
// Go and embedded files of this module's packages that ./cmd/sshresume is
// built from.
func buildInputs(t *testing.T) []string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps",
		"-f", `{{if .Module}}{{if .Module.Main}}{{.Dir}}|{{join .GoFiles ","}},{{join .EmbedFiles ","}}{{end}}{{end}}`,
		"./cmd/sshresume")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	files := []string{"go.mod", "go.sum"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		dir, names, ok := strings.Cut(line, "|")
		if !ok {
			continue
		}
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range strings.Split(names, ",") {
			if name != "" {
				files = append(files, filepath.ToSlash(filepath.Join(rel, name)))
			}
		}
	}
	if len(files) < 10 {
		t.Fatalf("go list found only %q", files)
	}
	return files
}
