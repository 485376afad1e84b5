//go:build unix

package server_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"

	"github.com/sshresume/sshresume/internal/testkit"
	"github.com/sshresume/sshresume/server"
)

// keyPEM is a new ed25519 private key in OpenSSH's PEM format.
func keyPEM(t *testing.T) []byte { return testkit.KeyPEM(t) }

// fileState is what a test checks was left alone: content, mode, owner, time.
type fileState struct {
	data  []byte
	mode  os.FileMode
	mtime time.Time
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{data, info.Mode(), info.ModTime()}
}

// TestUnprotectedHostKeyRefused: a key file that another user could read or
// replace (by its mode, its owner, or its directory's) stops the server with an
// error that names the file and says what is wrong, and the key is left exactly
// as it was. A protected key in a directory others may only read is served.
func TestUnprotectedHostKeyRefused(t *testing.T) {
	root := os.Geteuid() == 0
	for _, tc := range []struct {
		name      string
		dirMode   os.FileMode
		keyMode   os.FileMode
		chownKey  bool // to another user (needs root)
		chownDir  bool
		want      string // in the error; "" means the key is accepted
		wantOwner bool
	}{
		{name: "key readable by others", dirMode: 0o700, keyMode: 0o644, want: "has mode 0644: group or others may read it"},
		{name: "key readable by group", dirMode: 0o700, keyMode: 0o640, want: "has mode 0640"},
		{name: "key writable by others", dirMode: 0o700, keyMode: 0o602, want: "has mode 0602: group or others may write it"},
		{name: "directory writable by others", dirMode: 0o777, keyMode: 0o600, want: "has mode 0777: group or others may write there"},
		{name: "directory writable by group", dirMode: 0o770, keyMode: 0o600, want: "has mode 0770"},
		{name: "sticky directory writable by all", dirMode: 0o777 | os.ModeSticky, keyMode: 0o600, want: "group or others may write there"},
		{name: "key owned by another user", dirMode: 0o700, keyMode: 0o600, chownKey: true, want: "is owned by uid 4242, not by uid 0"},
		{name: "directory owned by another user", dirMode: 0o755, keyMode: 0o600, chownDir: true, want: "is owned by uid 4242, neither root nor uid 0"},
		{name: "read-only key, directory others can read", dirMode: 0o755, keyMode: 0o400},
		{name: "key 0600, directory 0700", dirMode: 0o700, keyMode: 0o600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if (tc.chownKey || tc.chownDir) && !root {
				t.Skip("giving a file to another user needs root")
			}
			dir := filepath.Join(t.TempDir(), "keys")
			key := filepath.Join(dir, "ssh_host_ed25519_key")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(key, keyPEM(t), 0o600); err != nil {
				t.Fatal(err)
			}
			// Chmod after creating: the umask would mask the bits under test.
			if err := os.Chmod(key, tc.keyMode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tc.dirMode); err != nil {
				t.Fatal(err)
			}
			if tc.chownKey {
				if err := os.Chown(key, 4242, 4242); err != nil {
					t.Fatal(err)
				}
			}
			if tc.chownDir {
				if err := os.Chown(dir, 4242, 4242); err != nil {
					t.Fatal(err)
				}
			}
			before := stateOf(t, key)
			cfg := testConfig(t)
			cfg.HostKeyFile = key
			_, err := server.New(cfg, defaultResume(t), log.New(&bytes.Buffer{}))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("a protected key was refused: %v", err)
			case tc.want != "" && err == nil:
				t.Fatal("the server accepted the key")
			case tc.want != "" && (!strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir)):
				t.Errorf("error %q; want it to name %s and say %q", err, dir, tc.want)
			}
			after := stateOf(t, key)
			if !bytes.Equal(after.data, before.data) || after.mode != before.mode || !after.mtime.Equal(before.mtime) {
				t.Errorf("the key file was changed: %+v, was %+v", after, before)
			}
		})
	}
}

// TestNoKeyCreatedInUnprotectedDirectory: a missing key is not created in a
// directory where others could replace it.
func TestNoKeyCreatedInUnprotectedDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.HostKeyFile = filepath.Join(dir, "ssh_host_ed25519_key")
	_, err := server.New(cfg, defaultResume(t), log.New(&bytes.Buffer{}))
	if err == nil || !strings.Contains(err.Error(), "group or others may write there") {
		t.Errorf("New in a world-writable directory: %v; want a refusal", err)
	}
	if _, err := os.Stat(cfg.HostKeyFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key was created in the world-writable directory: %v", err)
	}
}

// TestHostKeyPEMNeedsNoProtectedFile: a key given as PEM is used whatever the
// key file's permissions; the file is not even read.
func TestHostKeyPEMNeedsNoProtectedFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.HostKeyFile = filepath.Join(dir, "ssh_host_ed25519_key")
	if err := os.WriteFile(cfg.HostKeyFile, keyPEM(t), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.HostKeyPEM = keyPEM(t)
	if _, err := server.New(cfg, defaultResume(t), log.New(&bytes.Buffer{})); err != nil {
		t.Errorf("New with a PEM: %v", err)
	}
}
