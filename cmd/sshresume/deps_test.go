package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencyDirection enforces cmd → server → views → content and cmd → web →
// content: content imports nothing of ours, views only content and nothing that
// speaks SSH, server nothing above it; server's defence (server/internal/defence)
// and metrics, which server and cmd count into, import nothing of ours; web only
// content and nothing of SSH.
func TestDependencyDirection(t *testing.T) {
	const mod = "github.com/sshresume/sshresume/"
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}}:{{join .Deps " "}}`, mod+"content", mod+"views", mod+"server", mod+"server/internal/defence", mod+"web", mod+"metrics").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string][]string{
		"content":                 nil,
		"views":                   {"content"},
		"server":                  {"content", "views", "server/internal/defence", "metrics"},
		"server/internal/defence": nil,
		"web":                     {"content"},
		"metrics":                 nil,
	}
	forbidden := map[string][]string{
		"content": {"charm.land/"},
		"views":   {"charm.land/wish", "charm.land/ssh", "golang.org/x/crypto/ssh"},
		"web":     {"charm.land/wish", "charm.land/ssh", "golang.org/x/crypto/ssh", "charm.land/bubbletea"},
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, ":")
		name, ours := strings.CutPrefix(pkg, mod)
		ok, checked := allowed[name]
		if !ours || !checked {
			continue
		}
		for _, dep := range strings.Fields(deps) {
			depName, isOurs := strings.CutPrefix(dep, mod)
			if isOurs && name == "server" && strings.HasPrefix(depName, "server/") {
				depName = "server" // its own packages
			}
			if isOurs && depName != name && !slices.Contains(ok, depName) {
				t.Errorf("%s imports %s", name, depName)
			}
			for _, f := range forbidden[name] {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s depends on %s", name, dep)
				}
			}
		}
	}
}
