package fetch

import (
	"fmt"
	"net/netip"
	"strings"
)

// This file holds Local Network Access's address spaces
// (https://wicg.github.io/local-network-access/#ip-address-space), as
// Chromium computes them in services/network/public/cpp/ip_address_space_util.cc
// (NonPublicAddressSpaceMap, IPAddressToIPAddressSpace,
// IsLessPublicAddressSpaceLNA). Chromium 142 and later refuse a request from
// a page in a more public space to a resource in a less public one unless
// the user has granted the page a permission; no header the server sends
// changes that.

// AddressSpace is an IP address space: where an address sits, from the most
// public to the most private. Chromium decides it from the IP address of the
// connection (the page's, and the resource's), never from the host name.
type AddressSpace int

const (
	// SpaceUnknown is an address space that cannot be known: the address
	// could not be resolved, or the connection went through a proxy.
	// Chromium compares it as public (CollapseUnknown).
	SpaceUnknown AddressSpace = iota
	// SpacePublic is every address that is neither local nor loopback.
	SpacePublic
	// SpaceLocal is a private network: RFC 1918, link-local, IPv6
	// unique-local and link-local. Chromium's mojom calls it kPrivate; its
	// console, the permission ("local-network") and fetch()'s
	// targetAddressSpace call it "local".
	SpaceLocal
	// SpaceLoopback is the machine itself: 127.0.0.0/8, ::1, 0.0.0.0.
	SpaceLoopback
)

var spaceNames = [...]string{"unknown", "public", "local", "loopback"}

// String returns the name Chromium's console and fetch()'s
// targetAddressSpace use: "unknown", "public", "local" or "loopback".
func (s AddressSpace) String() string {
	if s < 0 || int(s) >= len(spaceNames) {
		return fmt.Sprintf("AddressSpace(%d)", int(s))
	}
	return spaceNames[s]
}

// MarshalText writes the space's name.
func (s AddressSpace) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a name ParseAddressSpace accepts.
func (s *AddressSpace) UnmarshalText(b []byte) error {
	v, err := ParseAddressSpace(string(b))
	*s = v
	return err
}

// ParseAddressSpace parses "public", "local" (or its old name "private", as
// Chromium's --ip-address-space-overrides still accepts it) or "loopback",
// in any case.
func ParseAddressSpace(s string) (AddressSpace, error) {
	switch strings.ToLower(s) {
	case "public":
		return SpacePublic, nil
	case "local", "private":
		return SpaceLocal, nil
	case "loopback":
		return SpaceLoopback, nil
	}
	return SpaceUnknown, fmt.Errorf("unknown address space %q: write public, local (a private network) or loopback (this machine)", s)
}

// nonPublic is Chromium's NonPublicAddressSpaceMap, in its order (the first
// match wins). An IPv4 prefix also matches the IPv4-mapped IPv6 form of its
// addresses (::ffff:10.0.0.1 is local), as net::IPAddressMatchesPrefix
// compares an IPv6 address with an IPv4 prefix.
var nonPublic = []struct {
	prefix netip.Prefix
	space  AddressSpace
}{
	{netip.MustParsePrefix("::1/128"), SpaceLoopback},     // IPv6 loopback, RFC 4291
	{netip.MustParsePrefix("fc00::/7"), SpaceLocal},       // IPv6 unique-local, RFC 4193
	{netip.MustParsePrefix("fe80::/10"), SpaceLocal},      // IPv6 link-local, RFC 4291
	{netip.MustParsePrefix("127.0.0.0/8"), SpaceLoopback}, // IPv4 loopback, RFC 1122
	{netip.MustParsePrefix("10.0.0.0/8"), SpaceLocal},     // RFC 1918
	{netip.MustParsePrefix("172.16.0.0/12"), SpaceLocal},  // RFC 1918
	{netip.MustParsePrefix("192.168.0.0/16"), SpaceLocal}, // RFC 1918
	{netip.MustParsePrefix("169.254.0.0/16"), SpaceLocal}, // IPv4 link-local, RFC 3927
	{netip.MustParsePrefix("0.0.0.0/32"), SpaceLoopback},  // "this host", RFC 5735
	{netip.MustParsePrefix("0.0.0.0/8"), SpaceLocal},      // "this network", RFC 5735
}

// AddressSpaceOf returns the address space of a (IPAddressToIPAddressSpace):
// loopback for 127.0.0.0/8, ::1 and 0.0.0.0; local for 10/8, 172.16/12,
// 192.168/16, 169.254/16, the rest of 0/8, fc00::/7 and fe80::/10; public for
// everything else (100.64/10 and the other special ranges included, which
// the LNA draft lists but Chromium does not). An IPv4-mapped IPv6 address
// has the space of its IPv4 address. The zero Addr is unknown.
func AddressSpaceOf(a netip.Addr) AddressSpace {
	if !a.IsValid() {
		return SpaceUnknown
	}
	a = a.WithZone("")
	if a.Is4In6() {
		a = a.Unmap()
	}
	for _, e := range nonPublic {
		if e.prefix.Contains(a) {
			return e.space
		}
	}
	return SpacePublic
}

// HostAddressSpace returns the address space of a URL host when it can be
// known without DNS: an IP literal (IPv4 in any of the URL Standard's forms,
// or bracketed IPv6), or "localhost" and any name under ".localhost", which
// Chromium resolves to loopback itself without asking DNS. ok is false for
// any other name: its space is that of the address it resolves to.
func HostAddressSpace(host string) (s AddressSpace, ok bool) {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return SpaceLoopback, true
	}
	if a, ok := HostAddr(h); ok {
		return AddressSpaceOf(a), true
	}
	return SpaceUnknown, false
}

// HostAddr parses an IP-literal URL host: bracketed IPv6, or IPv4 in any of
// the URL Standard's forms ("127.1", "0x7f.1"). ok is false for a domain.
func HostAddr(host string) (netip.Addr, bool) {
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		return a, err == nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a, true
	}
	if host != "" && EndsInANumber(host) {
		return ParseIPv4(host)
	}
	return netip.Addr{}, false
}

// LocalNetworkRequest reports whether a request from a page in the client
// space to a resource in the resource space is a local network request, one
// that needs the user's permission (IsLessPublicAddressSpaceLNA): the
// resource is local or loopback and the page public (unknown counts as
// public). Local and loopback count as one: a page on a private address may
// call loopback, and a loopback page a private address, without a prompt.
func LocalNetworkRequest(client, resource AddressSpace) bool {
	return collapseLNA(resource) > collapseLNA(client)
}

func collapseLNA(s AddressSpace) AddressSpace {
	switch s {
	case SpaceUnknown:
		return SpacePublic
	case SpaceLoopback:
		return SpaceLocal
	}
	return s
}

// LocalNetworkPermission is the name of the permission a page needs for a
// local network request to resource (Chromium 145 and later; earlier
// releases had one, "local-network-access"): "loopback-network" for
// loopback, "local-network" for a private network. It is the name of
// Permissions-Policy, navigator.permissions.query and the DevTools
// protocol's Browser.setPermission; Chromium 156 ignores a grant of
// "local-network-access" for either.
func LocalNetworkPermission(resource AddressSpace) string {
	if resource == SpaceLoopback {
		return "loopback-network"
	}
	return "local-network"
}

// IsPotentiallyTrustworthyOrigin reports whether the serialised origin o is
// potentially trustworthy (Secure Contexts §3.1), so that a page on it is a
// secure context and may ask for a permission: https and wss, and loopback
// hosts (127.0.0.0/8, [::1], localhost, *.localhost) on any scheme. The
// opaque "null" origin is not; Chromium judges a sandboxed document by the
// URL it was loaded from, which the origin no longer says.
func IsPotentiallyTrustworthyOrigin(o string) bool {
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok {
		return false
	}
	if scheme == "https" || scheme == "wss" {
		return true
	}
	host := rest
	if strings.HasPrefix(rest, "[") {
		if i := strings.IndexByte(rest, ']'); i >= 0 {
			host = rest[:i+1]
		}
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		host = rest[:i]
	}
	return IsLoopbackHost(host)
}
