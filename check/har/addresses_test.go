package har

import (
	"net/netip"
	"testing"
)

// serverIPAddress as writers write it: IPv4, IPv6 bare or in brackets
// (Chromium's remote address form), with a zone or a port; anything else,
// the empty string included, is no address.
func TestParseServerIP(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1": "127.0.0.1", " 10.0.0.5 ": "10.0.0.5", "::1": "::1", "[::1]": "::1",
		"[fe80::1%eth0]": "fe80::1%eth0", "192.168.1.2:443": "192.168.1.2", "[2001:db8::1]:8443": "2001:db8::1",
		"::ffff:192.168.1.2": "::ffff:192.168.1.2",
		"":                   "", "(redacted)": "", "localhost": "", "[::1": "",
	} {
		got, ok := parseServerIP(in)
		if want == "" {
			if ok {
				t.Errorf("parseServerIP(%q) = %s, want no address", in, got)
			}
			continue
		}
		if !ok || got != netip.MustParseAddr(want) {
			t.Errorf("parseServerIP(%q) = %s, %v; want %s", in, got, ok, want)
		}
	}
}
