package server

import (
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// The algorithms the server offers. Key exchange: the post-quantum hybrid
// ML-KEM-768 with X25519 first, then X25519 alone (x/crypto adds its older
// name, curve25519-sha256@libssh.org). No NIST curves, no finite-field groups
// (slow enough to be a lever for a CPU flood), nothing with SHA-1. Ciphers:
// AEAD first; AES-CTR only with encrypt-then-MAC SHA-2 MACs, for older clients.
// The only host key is ed25519. x/crypto implements OpenSSH's strict key
// exchange, which closes the Terrapin attack on ChaCha20-Poly1305 and ETM.
var (
	kexAlgorithms = []string{
		gossh.KeyExchangeMLKEM768X25519,
		gossh.KeyExchangeCurve25519,
	}
	cipherAlgorithms = []string{
		gossh.CipherChaCha20Poly1305,
		gossh.CipherAES256GCM,
		gossh.CipherAES128GCM,
		gossh.CipherAES256CTR,
		gossh.CipherAES128CTR,
	}
	macAlgorithms = []string{
		gossh.HMACSHA256ETM,
		gossh.HMACSHA512ETM,
	}
)

// maxAuthTries bounds authentication attempts per connection. Visitors need
// none ("none" succeeds at once); a client trying a long list of keys first is
// cut short.
const maxAuthTries = 6

// serverConfig is the x/crypto configuration of every connection; charm.land/ssh
// adds the host key and, since there is no auth handler, NoClientAuth.
func serverConfig(ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		Config: gossh.Config{
			KeyExchanges: kexAlgorithms,
			Ciphers:      cipherAlgorithms,
			MACs:         macAlgorithms,
		},
		MaxAuthTries: maxAuthTries,
	}
}
