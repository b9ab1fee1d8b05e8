package fetch_test

import (
	"net/netip"
	"testing"

	"github.com/corskit/cors/internal/fetch"
)

// TestSerializeIPv6 checks the URL Standard's IPv6 serializer on the cases
// where it differs from a careless one: runs of equal length (the first is
// compressed), a lone zero piece (never compressed), IPv4-mapped and
// IPv4-compatible addresses (hex, never dotted). The expected strings are
// what Chromium's new URL() prints for these hosts (see also the origin
// corpus).
func TestSerializeIPv6(t *testing.T) {
	for in, want := range map[string]string{
		"::1":                    "::1",
		"::":                     "::",
		"1::":                    "1::",
		"0:0:0:0:0:0:0:1":        "::1",
		"1:0:0:2:0:0:3:4":        "1::2:0:0:3:4",
		"1:0:0:2:0:0:0:3":        "1:0:0:2::3",
		"1:0:3:4:5:6:7:8":        "1:0:3:4:5:6:7:8",
		"2001:0DB8::0001":        "2001:db8::1",
		"::ffff:127.127.127.127": "::ffff:7f7f:7f7f",
		"::127.0.0.1":            "::7f00:1",
		"fe80::a:b":              "fe80::a:b",
		"1:2:3:4:5:6:7::":        "1:2:3:4:5:6:7:0",
		"0:0:1:0:0:0:0:1":        "0:0:1::1",
	} {
		a, err := netip.ParseAddr(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := fetch.SerializeIPv6(a); got != want {
			t.Errorf("SerializeIPv6(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestParseIPv4 follows the URL Standard's IPv4 parser, legacy forms
// included.
func TestParseIPv4(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1":   "127.0.0.1",
		"127.0.0.1.":  "127.0.0.1",
		"127.1":       "127.0.0.1",
		"127.0.1":     "127.0.0.1",
		"1.2.3":       "1.2.0.3",
		"0x7f.0.0.1":  "127.0.0.1",
		"0177.0.0.1":  "127.0.0.1",
		"2130706433":  "127.0.0.1",
		"0x7f000001":  "127.0.0.1",
		"0x.0x.0x.0x": "0.0.0.0",
		"4294967295":  "255.255.255.255",
		"4294967296":  "",
		"256.0.0.1":   "",
		"1.2.65536":   "",
		"1.2.3.4.5":   "",
		"1.2.3.08":    "",
		"1.2.3.4..":   "",
		"example.123": "",
	} {
		a, ok := fetch.ParseIPv4(in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != want {
			t.Errorf("ParseIPv4(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEndsInANumber(t *testing.T) {
	for in, want := range map[string]bool{
		"127.0.0.1": true, "127.0.0.1.": true, "example.123": true, "example.0x1": true, "example.0x": true,
		"example.09": true, "1.2.3.08": true, "example.com": false, "example.1a": false, "1a.example": false,
		"example.com.": false, ".": false, "": false, "0": true, "localhost": false,
	} {
		if got := fetch.EndsInANumber(in); got != want {
			t.Errorf("EndsInANumber(%q) = %v, want %v", in, got, want)
		}
	}
}
