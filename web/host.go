package web

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// sshHost is where the page tells visitors to point ssh: a validated host name
// or IP address, and the SSH port when it is not 22.
type sshHost struct {
	name string // lowercase host name or IP address; empty when unknown
	port int    // 0 for the default, 22
}

// command is the argument list of ssh: "resume.example.com" or
// "-p 2222 resume.example.com".
func (h sshHost) command() string {
	if h.port != 0 && h.port != 22 {
		return "-p " + strconv.Itoa(h.port) + " " + h.name
	}
	return h.name
}

// url is the ssh: URL of the host (RFC draft "ssh" URI scheme, which SSH
// clients registered as handlers open).
func (h sshHost) url() string {
	host := h.name
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if h.port != 0 && h.port != 22 {
		host += ":" + strconv.Itoa(h.port)
	}
	return "ssh://" + host
}

// ParsePublicHost checks the host name that visitors reach the server by, as the
// -public-host option gives it: a DNS name or an IP address, with an optional
// SSH port (resume.example.com:2222, [2001:db8::1]:2222).
func ParsePublicHost(s string) error {
	_, err := parsePublicHost(s)
	return err
}

func parsePublicHost(s string) (sshHost, error) {
	name, port, err := splitHostPort(s)
	if err != nil {
		return sshHost{}, err
	}
	h, err := hostName(name)
	if err != nil {
		return sshHost{}, err
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return sshHost{}, fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
		h.port = n
	}
	return h, nil
}

// hostFromHeader returns the host a request's Host header names, without its
// port (that is the HTTP port, not the SSH one), or false when the header is
// not a valid host name: it is client input and is never shown unchecked.
func hostFromHeader(s string) (sshHost, bool) {
	name, _, err := splitHostPort(s)
	if err != nil {
		return sshHost{}, false
	}
	h, err := hostName(name)
	return h, err == nil
}

func splitHostPort(s string) (host, port string, err error) {
	if s == "" {
		return "", "", errors.New("empty host name")
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return s[1 : len(s)-1], "", nil
	}
	if strings.HasPrefix(s, "[") || strings.Count(s, ":") == 1 {
		host, port, err = net.SplitHostPort(s)
		if err != nil {
			return "", "", fmt.Errorf("host %q: %w", s, err)
		}
		if port == "" {
			return "", "", fmt.Errorf("host %q has an empty port", s)
		}
		return host, port, nil
	}
	return s, "", nil
}

// hostName accepts an IP address without a zone, or a DNS name of letters,
// digits and hyphens in dot-separated labels (RFC 1123), with an optional final
// dot; it returns it in lowercase.
func hostName(s string) (sshHost, error) {
	if ip, err := netip.ParseAddr(s); err == nil && ip.Zone() == "" {
		return sshHost{name: ip.String()}, nil
	}
	name := strings.TrimSuffix(strings.ToLower(s), ".")
	if name == "" || len(name) > 253 {
		return sshHost{}, fmt.Errorf("host name %q: empty or longer than 253 characters", s)
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return sshHost{}, fmt.Errorf("host name %q: labels are 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen", s)
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return sshHost{}, fmt.Errorf("host name %q: %q is not a letter, digit, hyphen or dot", s, rune(c))
			}
		}
	}
	return sshHost{name: name}, nil
}
