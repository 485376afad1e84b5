package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		_ = os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// runBinary runs the sshresume binary, built once from ../cmd/sshresume, with
// args and an environment of nothing but PATH, and returns its combined output.
func runBinary(t *testing.T, args ...string) (string, error) {
	t.Helper()
	binary.once.Do(func() {
		if binary.dir, binary.err = os.MkdirTemp("", "sshresume-deploy-test"); binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "sshresume")
		out, err := exec.Command("go", "build", "-o", binary.path, "../cmd/sshresume").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	cmd := exec.Command(binary.path, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// envNames returns the environment variables a subcommand reads, as its -h
// lists them.
func envNames(t *testing.T, subcommand string) map[string]bool {
	t.Helper()
	out, err := runBinary(t, subcommand, "-h")
	if err != nil {
		t.Fatalf("sshresume %s -h: %v\n%s", subcommand, err, out)
	}
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`\(env (SSHRESUME_[A-Z0-9_]+)\)`).FindAllStringSubmatch(out, -1) {
		names[m[1]] = true
	}
	if len(names) == 0 {
		t.Fatalf("sshresume %s -h names no environment variables:\n%s", subcommand, out)
	}
	return names
}

// The modules these tests parse with stay out of the binary the image ships.
func TestBinaryLeavesOutTestModules(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./cmd/sshresume")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, mod := range []string{"github.com/moby/", "github.com/BurntSushi/toml", "golang.org/x/mod/", "github.com/chromedp/", "golang.org/x/net/html"} {
			if strings.HasPrefix(pkg, mod) {
				t.Errorf("cmd/sshresume depends on %s", pkg)
			}
		}
	}
}
