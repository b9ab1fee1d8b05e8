package fetch

import (
	"math"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// This file holds the URL Standard's host rules (https://url.spec.whatwg.org/#hosts-(domains-and-ip-addresses))
// that decide how a browser serialises the host of an origin: a pattern in a
// policy can only match if it is written exactly that way.

// SerializeIPv6 returns the URL Standard's serialisation of an IPv6 address
// ("IPv6 serializer"), without the brackets: eight pieces in lower-case hex
// without leading zeros, the first longest run of two or more zero pieces
// compressed to "::". It differs from netip.Addr.String for IPv4-mapped
// addresses: a browser writes ::ffff:7f7f:7f7f, never ::ffff:127.127.127.127,
// so a policy written in the dotted form could never match.
func SerializeIPv6(a netip.Addr) string {
	b := a.As16()
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	// compress is the first piece of the first longest run of two or more
	// zero pieces, or -1.
	compress, longest := -1, 1
	for i := 0; i < 8; {
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > longest {
			compress, longest = i, j-i
		}
		i = max(j, i+1)
	}
	var s strings.Builder
	ignore0 := false
	for i, p := range pieces {
		if ignore0 && p == 0 {
			continue
		}
		ignore0 = false
		if i == compress {
			if i == 0 {
				s.WriteString("::")
			} else {
				s.WriteByte(':')
			}
			ignore0 = true
			continue
		}
		s.WriteString(strconv.FormatUint(uint64(p), 16))
		if i != 7 {
			s.WriteByte(':')
		}
	}
	return s.String()
}

// EndsInANumber reports whether the URL Standard's host parser treats the
// ASCII host as an IPv4 address ("ends in a number checker"): its last label,
// ignoring one trailing dot, is all digits or a number in the IPv4 number
// syntax ("0x1f", "0x"). Such a host is an IPv4 address or invalid, never a
// domain: "example.1a" is a domain, "example.123" and "example.0x1" are not.
func EndsInANumber(host string) bool {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if IsDigits(last) {
		return true
	}
	_, ok := parseIPv4Number(last)
	return ok
}

// ParseIPv4 parses host as the URL Standard's IPv4 parser does, with its
// legacy forms: one to four parts, each decimal, octal ("0"-prefixed) or hex
// ("0x"), the last one filling the remaining bytes ("127.1" is 127.0.0.1),
// and one trailing dot ignored. ok is false where the parser fails, which
// makes the whole URL invalid.
func ParseIPv4(host string) (a netip.Addr, ok bool) {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var nums [4]uint64
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	last := len(parts) - 1
	for _, n := range nums[:last] {
		if n > 255 {
			return netip.Addr{}, false
		}
	}
	if nums[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false
	}
	v := nums[last]
	for i, n := range nums[:last] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseIPv4Number is the URL Standard's "IPv4 number parser": decimal,
// "0x"/"0X" hex (possibly empty: "0x" is 0) or "0"-prefixed octal. A number
// too large for 64 bits is returned as the largest one, which every range
// check then refuses, as the standard's unbounded number would be.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base, digits := 10, "0123456789"
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base, digits = s[2:], 16, "0123456789abcdefABCDEF"
	case len(s) >= 2 && s[0] == '0':
		s, base, digits = s[1:], 8, "01234567"
	}
	if s == "" {
		return 0, true
	}
	if strings.Trim(s, digits) != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return math.MaxUint64, true
	}
	return n, true
}

// domainToASCII is the URL Standard's "domain to ASCII" with beStrict false:
// UTS #46 ToASCII with CheckHyphens, VerifyDnsLength and UseSTD3ASCIIRules
// off, CheckBidi and CheckJoiners on, non-transitional. It maps upper case
// and Unicode to the lower-case Punycode a browser sends, and refuses what a
// browser refuses, such as a label "xn--f" that is not valid Punycode.
var domainToASCII = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.CheckJoiners(true),
	idna.CheckHyphens(false),
	idna.StrictDomainName(false),
	idna.Transitional(false),
	idna.VerifyDNSLength(false),
)

// hasACELabel reports whether the lower-case host has a label that starts
// with the Punycode prefix "xn--".
func hasACELabel(host string) bool {
	return strings.HasPrefix(host, "xn--") || strings.Contains(host, ".xn--")
}
