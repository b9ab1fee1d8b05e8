package fetch_test

import (
	"net/netip"
	"testing"

	"github.com/corskit/cors/internal/fetch"
)

// The expectations are the ranges of Chromium's NonPublicAddressSpaceMap
// (services/network/public/cpp/ip_address_space_util.cc), probed at and just
// outside each edge, and the loopback cases seen in Chromium 156 (e2e
// TestLNA).
func TestAddressSpaceOf(t *testing.T) {
	for _, c := range []struct {
		addr string
		want fetch.AddressSpace
	}{
		{"127.0.0.1", fetch.SpaceLoopback},
		{"127.255.255.255", fetch.SpaceLoopback},
		{"128.0.0.0", fetch.SpacePublic},
		{"126.255.255.255", fetch.SpacePublic},
		{"::1", fetch.SpaceLoopback},
		{"::2", fetch.SpacePublic},
		{"0.0.0.0", fetch.SpaceLoopback},
		{"0.0.0.1", fetch.SpaceLocal},
		{"0.255.255.255", fetch.SpaceLocal},
		{"10.0.0.0", fetch.SpaceLocal},
		{"10.255.255.255", fetch.SpaceLocal},
		{"11.0.0.0", fetch.SpacePublic},
		{"172.15.255.255", fetch.SpacePublic},
		{"172.16.0.0", fetch.SpaceLocal},
		{"172.31.255.255", fetch.SpaceLocal},
		{"172.32.0.0", fetch.SpacePublic},
		{"192.168.1.1", fetch.SpaceLocal},
		{"192.169.0.0", fetch.SpacePublic},
		{"169.254.169.254", fetch.SpaceLocal},
		{"169.255.0.0", fetch.SpacePublic},
		{"100.64.0.1", fetch.SpacePublic}, // CGNAT: the LNA draft says local, Chromium does not
		{"8.8.8.8", fetch.SpacePublic},
		{"fc00::1", fetch.SpaceLocal},
		{"fdff:ffff::1", fetch.SpaceLocal},
		{"fe00::1", fetch.SpacePublic},
		{"fe80::1", fetch.SpaceLocal},
		{"fe80::1%eth0", fetch.SpaceLocal},
		{"febf::1", fetch.SpaceLocal},
		{"fec0::1", fetch.SpacePublic},
		{"2001:db8::1", fetch.SpacePublic},
		// IPv4-mapped IPv6 takes the IPv4 address's space.
		{"::ffff:127.0.0.1", fetch.SpaceLoopback},
		{"::ffff:192.168.0.1", fetch.SpaceLocal},
		{"::ffff:8.8.8.8", fetch.SpacePublic},
		{"::ffff:0.0.0.0", fetch.SpaceLoopback},
		// IPv4-compatible (deprecated) is not mapped: public.
		{"::127.0.0.1", fetch.SpacePublic},
	} {
		if got := fetch.AddressSpaceOf(netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("AddressSpaceOf(%s) = %s, want %s", c.addr, got, c.want)
		}
	}
	if got := fetch.AddressSpaceOf(netip.Addr{}); got != fetch.SpaceUnknown {
		t.Errorf("AddressSpaceOf(zero) = %s, want unknown", got)
	}
}

func TestHostAddressSpace(t *testing.T) {
	for _, c := range []struct {
		host string
		want fetch.AddressSpace
		ok   bool
	}{
		{"localhost", fetch.SpaceLoopback, true},
		{"LOCALHOST.", fetch.SpaceLoopback, true},
		{"app.localhost", fetch.SpaceLoopback, true},
		{"localhost.example.com", fetch.SpaceUnknown, false},
		{"127.0.0.1", fetch.SpaceLoopback, true},
		{"127.1", fetch.SpaceLoopback, true},
		{"0x7f.1", fetch.SpaceLoopback, true},
		{"3232235777", fetch.SpaceLocal, true}, // 192.168.1.1
		{"[::1]", fetch.SpaceLoopback, true},
		{"[::ffff:a00:1]", fetch.SpaceLocal, true},
		{"example.com", fetch.SpaceUnknown, false},
		{"printer.local", fetch.SpaceUnknown, false},
		{"example.123", fetch.SpaceUnknown, false}, // invalid IPv4: not an address
	} {
		got, ok := fetch.HostAddressSpace(c.host)
		if got != c.want || ok != c.ok {
			t.Errorf("HostAddressSpace(%q) = %s, %v; want %s, %v", c.host, got, ok, c.want, c.ok)
		}
	}
}

// Seen in Chromium 156 with --ip-address-space-overrides (e2e TestLNA):
// public to loopback and public to local need a permission; local to
// loopback, loopback to local, and a space to itself do not.
func TestLocalNetworkRequest(t *testing.T) {
	u, pub, loc, lo := fetch.SpaceUnknown, fetch.SpacePublic, fetch.SpaceLocal, fetch.SpaceLoopback
	for _, c := range []struct {
		client, resource fetch.AddressSpace
		want             bool
	}{
		{pub, lo, true}, {pub, loc, true}, {u, lo, true}, {u, loc, true},
		{pub, pub, false}, {pub, u, false}, {loc, lo, false}, {lo, loc, false},
		{lo, lo, false}, {loc, loc, false}, {lo, pub, false}, {loc, pub, false},
	} {
		if got := fetch.LocalNetworkRequest(c.client, c.resource); got != c.want {
			t.Errorf("LocalNetworkRequest(%s, %s) = %v, want %v", c.client, c.resource, got, c.want)
		}
	}
}

func TestParseAddressSpace(t *testing.T) {
	for in, want := range map[string]fetch.AddressSpace{"public": fetch.SpacePublic, "Local": fetch.SpaceLocal, "private": fetch.SpaceLocal, "loopback": fetch.SpaceLoopback} {
		if got, err := fetch.ParseAddressSpace(in); got != want || err != nil {
			t.Errorf("ParseAddressSpace(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := fetch.ParseAddressSpace("intranet"); err == nil {
		t.Error("ParseAddressSpace(intranet): no error")
	}
}

func TestIsPotentiallyTrustworthyOrigin(t *testing.T) {
	for o, want := range map[string]bool{
		"https://example.com": true, "wss://example.com": true, "http://localhost:3000": true,
		"http://app.localhost": true, "http://127.0.0.1:8080": true, "http://[::1]:80": true,
		"http://example.com": false, "http://page.test:8080": false, "http://10.0.0.1": false,
		"null": false, "http://[::2]": false,
	} {
		if got := fetch.IsPotentiallyTrustworthyOrigin(o); got != want {
			t.Errorf("IsPotentiallyTrustworthyOrigin(%q) = %v, want %v", o, got, want)
		}
	}
}
