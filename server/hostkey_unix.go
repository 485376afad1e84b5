//go:build unix

package server

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkKeyFile refuses a host key file that is not the server's own secret, as
// sshd refuses an "UNPROTECTED PRIVATE KEY FILE": anyone who can read the key
// can impersonate the server to every visitor, and anyone who can write it can
// swap in a key of their own. The key must be a regular file owned by the user
// the server runs as, with no permission at all for group or others. The file is
// only looked at, never changed: fixing it is the operator's decision.
func checkKeyFile(path string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("host key %s is not a regular file (%v)", path, info.Mode().Type())
	}
	uid := os.Geteuid()
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid {
		return fmt.Errorf("host key %s is owned by uid %d, not by uid %d that sshresume runs as: another user could read or replace it (chown it to uid %d, or use SSHRESUME_HOST_KEY)",
			path, st.Uid, uid, uid)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("host key %s has mode %04o: group or others may %s it, and whoever reads it can pose as this server (chmod 600 %s)",
			path, perm, readWrite(perm), path)
	}
	return nil
}

// checkKeyDir refuses a host key directory that lets another user replace the
// key: one writable by group or others (the key could be renamed away and
// another put in its place, or planted before the server creates its own), or
// owned by a user other than root and the server's. A directory others can only
// read or search is accepted, as sshd accepts /etc/ssh: it shows the key's name,
// not its content.
func checkKeyDir(dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("host key directory: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("host key directory %s is not a directory", dir)
	}
	uid := os.Geteuid()
	if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Uid != 0 && int(st.Uid) != uid {
		return fmt.Errorf("host key directory %s is owned by uid %d, neither root nor uid %d that sshresume runs as: its owner could replace the key (chown it to uid %d)",
			dir, st.Uid, uid, uid)
	}
	if perm := info.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("host key directory %s has mode %04o: group or others may write there and replace the key (chmod go-w %s, or keep the key in a directory of its own)",
			dir, perm, dir)
	}
	return nil
}

// readWrite says what a mode's group and other bits allow: "read", "write" or
// "read and write" (execute counts as neither; the key is refused for it all
// the same, as sshd does).
func readWrite(perm fs.FileMode) string {
	r, w := perm&0o044 != 0, perm&0o022 != 0
	switch {
	case r && w:
		return "read and write"
	case w:
		return "write"
	case r:
		return "read"
	}
	return "execute"
}
