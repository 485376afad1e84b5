package server

import "testing"

func TestSSHCommand(t *testing.T) {
	for _, tc := range []struct {
		public, addr, want string
	}{
		{"resume.example.com", ":23234", "ssh resume.example.com"},
		{"resume.example.com:22", ":23234", "ssh resume.example.com"},
		{"resume.example.com:2222", ":23234", "ssh -p 2222 resume.example.com"},
		{"[2001:db8::1]:2222", ":23234", "ssh -p 2222 2001:db8::1"},
		{"2001:db8::1", ":23234", "ssh 2001:db8::1"},
		{"", "localhost:23234", "ssh -p 23234 localhost"},
		{"", "127.0.0.1:2200", "ssh -p 2200 localhost"},
		{"", "[::1]:22", "ssh localhost"},
		{"", ":23234", "ssh HOST"},
		{"", "0.0.0.0:23234", "ssh HOST"},
		{"", "203.0.113.7:22", "ssh HOST"},
	} {
		if got := sshCommand(tc.public, tc.addr); got != tc.want {
			t.Errorf("sshCommand(%q, %q) = %q, want %q", tc.public, tc.addr, got, tc.want)
		}
	}
}
