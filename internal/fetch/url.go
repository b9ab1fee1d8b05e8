package fetch

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// OriginOfURL returns the origin of the absolute URL u (URL Standard, "origin"
// of a URL with a special scheme), in the form a browser serialises it: the
// scheme and host in lower case, an IPv6 host bracketed as SerializeIPv6
// writes it, and the port in decimal without
// leading zeros, dropped when it is the scheme's default (see DefaultPort).
// So http://API.Example.com:80/x and http://api.example.com share the origin
// "http://api.example.com".
//
// OriginOfURL does not validate u; it is for URLs that have already been
// parsed and checked to be absolute http(s) URLs with a host. It allocates.
func OriginOfURL(u *url.URL) Origin {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		if a, err := netip.ParseAddr(host); err == nil {
			host = SerializeIPv6(a)
		}
		host = "[" + host + "]"
	}
	port := u.Port()
	if n, err := strconv.Atoi(port); err == nil && !strings.ContainsAny(port, "+-") {
		port = strconv.Itoa(n)
	}
	if port == DefaultPort(scheme) {
		port = ""
	}
	return Origin{Scheme: scheme, Host: host, Port: port}
}
