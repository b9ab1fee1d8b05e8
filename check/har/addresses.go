package har

import (
	"context"
	"net/netip"
	"net/url"
	"strings"
)

// addresses is the check.Resolver Judge gives check.Explain, so that Local
// Network Access, which goes by the address a host name resolves to, is
// judged from the addresses the browser connected to when the HAR was
// recorded — each entry's serverIPAddress (HAR 1.2) — and never from a DNS
// query of the machine corscheck runs on, which would send something and
// answer for another network. A name no entry records an address for is
// answered with an error that says so: Explain then leaves that address
// space unknown and LNA unjudged, with the error as the reason.
type addresses struct {
	// hosts maps a lower-case host name to the address of the first entry
	// for it that records a usable one.
	hosts map[string]netip.Addr
	// unusable maps a host name to a serverIPAddress that is not an IP
	// address (a sanitizer's placeholder), when no entry has a usable one.
	unusable map[string]string
}

// recordedAddresses collects the recorded address of every host name of a.
func recordedAddresses(a *Archive) *addresses {
	r := &addresses{hosts: map[string]netip.Addr{}, unusable: map[string]string{}}
	for i := range a.Entries {
		e := &a.Entries[i]
		host := hostName(e.URL)
		if host == "" || e.ServerIPAddress == "" {
			continue
		}
		if _, ok := r.hosts[host]; ok {
			continue
		}
		if addr, ok := parseServerIP(e.ServerIPAddress); ok {
			r.hosts[host] = addr
			delete(r.unusable, host)
		} else if _, ok := r.unusable[host]; !ok {
			r.unusable[host] = e.ServerIPAddress
		}
	}
	return r
}

// forChain is r with the addresses of c's own entries first: a host the
// HAR records at several addresses is judged by the one the browser
// connected to in this chain (its first hop to that host, when the chain
// visits the host twice at two addresses).
func (r *addresses) forChain(c *chain) *addresses {
	var own map[string]netip.Addr
	for _, e := range c.hops {
		addr, ok := parseServerIP(e.ServerIPAddress)
		host := hostName(e.URL)
		if !ok || host == "" || r.hosts[host] == addr {
			continue
		}
		if own == nil {
			own = map[string]netip.Addr{}
		}
		if _, seen := own[host]; !seen {
			own[host] = addr
		}
	}
	if own == nil {
		return r
	}
	for host, addr := range r.hosts {
		if _, ok := own[host]; !ok {
			own[host] = addr
		}
	}
	return &addresses{hosts: own, unusable: r.unusable}
}

// String names the source of the answers in check's
// LocalNetworkAccess.PageFrom and TargetFrom ("the HAR's serverIPAddress:
// api.example is 10.0.0.5").
func (r *addresses) String() string { return "the HAR's serverIPAddress" }

// LookupNetIP answers from the HAR alone.
func (r *addresses) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if addr, ok := r.hosts[h]; ok {
		return []netip.Addr{addr}, nil
	}
	return nil, &noAddress{host: host, written: r.unusable[h]}
}

// noAddress is LookupNetIP's answer for a name the HAR records no address
// for.
type noAddress struct {
	host    string
	written string // a serverIPAddress that is not an address, or ""
}

func (e *noAddress) Error() string {
	if e.written != "" {
		return "the HAR's serverIPAddress for " + e.host + " is " + quote(e.written) + ", not an IP address"
	}
	return "the HAR records no address for " + e.host + " (no serverIPAddress)"
}

func quote(s string) string { return `"` + s + `"` }

// parseServerIP reads a serverIPAddress as writers write it: an IPv4 or
// IPv6 address, IPv6 with or without brackets, possibly with a zone or a
// port.
func parseServerIP(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Addr{}, false
	}
	bare := s
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		bare = s[1 : len(s)-1]
	}
	if a, err := netip.ParseAddr(bare); err == nil {
		return a, true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	return netip.Addr{}, false
}

// hostName is the lower-case host name of a URL, without port or
// brackets, as check.Explain asks for it; "" for a URL without one.
func hostName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
}
