//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshresume/sshresume/internal/testkit"
)

// TestServeRefusesUnprotectedHostKey: serve given a key file others can read
// says which file and why, exits 1 before listening, and leaves the key as it
// was; the same key, once chmod 600, is served.
func TestServeRefusesUnprotectedHostKey(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	key := filepath.Join(t.TempDir(), "ssh_host_ed25519_key")
	want := testkit.KeyPEM(t)
	if err := os.WriteFile(key, want, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSHRESUME_HOST_KEY_FILE", key)
	status, _, stderr := runCmd(t, "serve", "-addr", "127.0.0.1:0", "-log-format", "json")
	if status != 1 {
		t.Errorf("status = %d, want 1", status)
	}
	for _, w := range []string{"sshresume: host key " + key + " has mode 0644", "chmod 600 " + key} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q lacks %q", stderr, w)
		}
	}
	if strings.Contains(stderr, `"listening"`) {
		t.Errorf("serve listened with an unprotected key:\n%s", stderr)
	}
	info, err := os.Stat(key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o644 || !bytes.Equal(got, want) {
		t.Errorf("the key was changed: mode %v", info.Mode())
	}

	if err := os.Chmod(key, 0o600); err != nil {
		t.Fatal(err)
	}
	sv := startServe(t)
	if !strings.Contains(sv.logs.String(), `"source":"file `+key+`"`) {
		t.Errorf("the protected key was not served from its file:\n%s", sv.logs.String())
	}
}
