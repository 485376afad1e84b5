package server

import (
	"net"
	"strings"
)

// sshCommand is the ssh command line visitors type to reach the server
// ("ssh resume.example.com", "ssh -p 23234 localhost"), for the commands the
// server shows them. It names publicHost (Config.PublicHost); without one,
// localhost and the port when the server listens (on listenAddr) on a loopback
// address, as a developer's does, and the placeholder HOST otherwise: the name
// a visitor typed never reaches an SSH server.
func sshCommand(publicHost, listenAddr string) string {
	hostport := publicHost
	if hostport == "" {
		host, port, err := net.SplitHostPort(listenAddr)
		ip := net.ParseIP(host)
		if err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return "ssh HOST"
		}
		hostport = net.JoinHostPort("localhost", port)
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		// No port: the host alone, as ssh takes it (IPv6 without brackets).
		return "ssh " + strings.Trim(hostport, "[]")
	}
	if port == "" || port == "22" {
		return "ssh " + host
	}
	return "ssh -p " + port + " " + host
}
