package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// hostKey returns the server's host key and whether it was created just now.
//
// The order is deliberate. A key given as PEM (a secret shared by a fleet)
// wins. Otherwise the key file is used, and a key is generated only when the file
// does not exist at all: a file that exists but is unreadable or corrupt stops the
// server instead of being replaced, because a silently replaced key is what makes
// every returning visitor see "REMOTE HOST IDENTIFICATION HAS CHANGED". A key
// file, or its directory, that another user could read or replace stops the
// server too, as it stops sshd (checkKeyFile, checkKeyDir); the PEM, which
// comes from the environment, has no file to check.
func hostKey(cfg Config) (signer gossh.Signer, created bool, err error) {
	signer, created, err = loadHostKey(cfg)
	if err != nil {
		return nil, false, err
	}
	// Only ed25519: the server offers exactly one host key algorithm, with no
	// NIST curve and no RSA/SHA-1 signature for a client to fall back to.
	if t := signer.PublicKey().Type(); t != gossh.KeyAlgoED25519 {
		return nil, false, fmt.Errorf("host key is %s: sshresume uses ed25519 host keys only (ssh-keygen -t ed25519)", t)
	}
	return signer, created, nil
}

func loadHostKey(cfg Config) (signer gossh.Signer, created bool, err error) {
	if len(cfg.HostKeyPEM) > 0 {
		signer, err := gossh.ParsePrivateKey(cfg.HostKeyPEM)
		if err != nil {
			// The error of ParsePrivateKey never quotes the key material.
			return nil, false, fmt.Errorf("%w: %w", ErrHostKeyPEM, err)
		}
		return signer, false, nil
	}
	data, err := readHostKey(cfg.HostKeyFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		signer, err := createHostKey(cfg.HostKeyFile)
		return signer, err == nil, err
	case err != nil:
		return nil, false, err
	}
	signer, err = gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, false, fmt.Errorf("parse host key %s (the file is left as it is; fix or remove it): %w", cfg.HostKeyFile, err)
	}
	return signer, false, nil
}

// readHostKey reads the key file at path once its directory and the file
// itself are known to be protected (checkKeyDir, checkKeyFile). The file's
// owner and mode are taken from the open file, so that what is checked is what
// is read. A missing file is fs.ErrNotExist, for the caller to create it.
func readHostKey(path string) ([]byte, error) {
	if err := checkKeyDir(filepath.Dir(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("read host key: %w", err)
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read host key: %w", err)
	}
	if err := checkKeyFile(path, info); err != nil {
		return nil, err
	}
	// A private key is a few hundred bytes; a huge file here is a mistake.
	data, err := io.ReadAll(io.LimitReader(f, maxHostKeySize+1))
	if err != nil {
		return nil, fmt.Errorf("read host key: %w", err)
	}
	if len(data) > maxHostKeySize {
		return nil, fmt.Errorf("host key %s is larger than %d bytes: not a private key", path, maxHostKeySize)
	}
	return data, nil
}

// maxHostKeySize bounds the key file read at start; an ed25519 key in OpenSSH
// format is about 400 bytes, an RSA one a few kilobytes.
const maxHostKeySize = 64 << 10

// createHostKey writes a new ed25519 key in OpenSSH format to path. O_EXCL makes
// sure that a file created meanwhile by someone else is never overwritten.
func createHostKey(path string) (gossh.Signer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create host key directory: %w", err)
	}
	// The directory may have existed: a key written where others can write
	// could be replaced behind the server's back.
	if err := checkKeyDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "sshresume host key")
	if err != nil {
		return nil, fmt.Errorf("encode host key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create host key: %w", err)
	}
	_, werr := f.Write(pem.EncodeToMemory(block))
	if serr := f.Sync(); werr == nil {
		werr = serr
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(path) // a half-written key would stop every later start
		return nil, fmt.Errorf("write host key: %w", werr)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("load new host key: %w", err)
	}
	return signer, nil
}
