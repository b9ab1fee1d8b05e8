package fetch

import (
	"net/netip"
	"strconv"
	"strings"
)

// Origin is a tuple origin (HTML §7.1.1) split into the three parts of its
// ASCII serialisation, scheme "://" host [ ":" port ].
type Origin struct {
	Scheme string // lower case, without "://"
	Host   string // lower-case domain, dotted-quad IPv4, or bracketed canonical IPv6
	Port   string // decimal, empty when it is the scheme's default port
}

// String returns the ASCII serialisation of o, the form a browser sends in the
// Origin header and expects, byte for byte, in Access-Control-Allow-Origin.
func (o Origin) String() string {
	if o.Port == "" {
		return o.Scheme + "://" + o.Host
	}
	return o.Scheme + "://" + o.Host + ":" + o.Port
}

// DefaultPort returns the default port of scheme as a decimal string, or ""
// when the scheme has none (URL Standard, "special scheme"). A serialised
// origin never spells out its default port.
func DefaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	case "ftp":
		return "21"
	}
	return ""
}

// IsLoopbackHost reports whether host names the local machine: "localhost"
// or a name under it (RFC 6761 §6.3, also with a trailing dot), an IPv4
// address in 127.0.0.0/8, or [::1]. Browsers treat such origins as
// potentially trustworthy even over plain http (Secure Contexts §3.2).
func IsLoopbackHost(host string) bool {
	h := strings.TrimSuffix(host, ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		return err == nil && a.IsLoopback()
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Is4() && a.IsLoopback()
}

// An OriginError says why a string is not the ASCII serialisation of an
// origin, and what to write instead when that can be worked out.
type OriginError struct {
	Input   string
	Problem string // what is wrong, in a few words
	Instead string // a corrected value, or ""
}

func (e *OriginError) Error() string {
	if e.Instead != "" {
		return e.Problem + `; write "` + e.Instead + `" instead`
	}
	return e.Problem
}

// ParseOrigin parses s strictly as the ASCII serialisation of a tuple origin,
// the only form a browser ever puts in the Origin header: lower-case scheme,
// "://", a lower-case ASCII host (punycode for internationalised names), and a
// port only when it is not the scheme's default. Anything else (a path, even a
// lone trailing slash, a query, userinfo, upper case, an explicit default port)
// can never equal what a browser sends, so it is an error whose message says
// what to write instead.
//
// ParseOrigin allocates; it is meant for configuration and diagnostics, not
// for the per-request path.
func ParseOrigin(s string) (Origin, error) {
	return parseOrigin(s, 0)
}

// parseOrigin is ParseOrigin. A suggested replacement fixes the first
// problem found; depth counts the times it has been parsed in turn, so that
// the one suggested is the end of that chain ("HTTP://127.1" becomes
// "http://127.0.0.1", not "http://127.1"), or none if the chain ends in a
// problem without a fix. Each step fixes something, so the chain is short.
func parseOrigin(s string, depth int) (Origin, error) {
	fail := func(problem, instead string) (Origin, error) {
		if instead != "" && instead != s && depth < 8 {
			if _, err := parseOrigin(instead, depth+1); err != nil {
				instead = ""
				if oe, ok := err.(*OriginError); ok {
					instead = oe.Instead
				}
			}
		}
		return Origin{}, &OriginError{Input: s, Problem: problem, Instead: instead}
	}
	if s == "" {
		return fail("empty origin", "")
	}
	if t := strings.TrimSpace(s); t != s {
		return fail("white space around the origin", t)
	}
	i := strings.Index(s, "://")
	if i < 0 {
		if !strings.Contains(s, ":") {
			return fail("missing scheme", "https://"+s)
		}
		return fail(`missing "://" after the scheme`, "")
	}
	scheme, rest := s[:i], s[i+3:]
	if scheme == "" {
		return fail("missing scheme", "https"+s)
	}
	if lower := strings.ToLower(scheme); lower != scheme {
		return fail("upper case in the scheme: browsers send it in lower case", strings.ToLower(s))
	}
	if !isScheme(scheme) {
		return fail("invalid scheme "+strconv.Quote(scheme), "")
	}

	authority, tail := rest, ""
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		authority, tail = rest[:end], rest[end:]
	}
	// The corrected value suggested for a path, query or fragment; lower-cased,
	// so that one suggestion fixes an upper-case host too.
	base := scheme + "://" + authority
	if isASCII(base) {
		base = strings.ToLower(base)
	}
	if strings.Contains(authority, "@") {
		return fail("userinfo (user:password@) is not part of an origin", scheme+"://"+authority[strings.LastIndexByte(authority, '@')+1:])
	}
	switch {
	case tail == "/":
		return fail("trailing slash: an origin has no path", base)
	case tail != "" && tail[0] == '/':
		return fail("path "+strconv.Quote(tail)+": an origin is only scheme, host and port", base)
	case tail != "" && tail[0] == '?':
		return fail("query "+strconv.Quote(tail)+": an origin is only scheme, host and port", base)
	case tail != "" && tail[0] == '#':
		return fail("fragment "+strconv.Quote(tail)+": an origin is only scheme, host and port", base)
	}

	host, port, hasPort := authority, "", false
	if strings.HasPrefix(authority, "[") {
		j := strings.IndexByte(authority, ']')
		if j < 0 {
			return fail("unterminated IPv6 address", "")
		}
		host = authority[:j+1]
		if after := authority[j+1:]; after != "" {
			if after[0] != ':' {
				return fail("unexpected "+strconv.Quote(after)+" after the IPv6 address", "")
			}
			port, hasPort = after[1:], true
		}
	} else if j := strings.LastIndexByte(authority, ':'); j >= 0 {
		host, port, hasPort = authority[:j], authority[j+1:], true
	}

	if hasPort {
		if err := checkPort(port); err != "" {
			return fail("bad port "+strconv.Quote(port)+": "+err, "")
		}
		if port == DefaultPort(scheme) {
			return fail("explicit default port "+port+": browsers omit it, so it would never match", scheme+"://"+host)
		}
		if DefaultPort(scheme) == "" {
			// Chromium gives extension pages (chrome-extension://id) an
			// origin without the port, and app webviews serve custom schemes
			// (capacitor://localhost) without one.
			return fail("port on a "+scheme+": origin: pages on schemes other than http(s), ws(s) and ftp (browser extensions, app webviews) have origins without a port, so it would never match", scheme+"://"+host)
		}
	}
	if problem, instead := CheckHost(host); problem != "" {
		if instead != "" {
			instead = scheme + "://" + instead
			if port != "" {
				instead += ":" + port
			}
		}
		return fail(problem, instead)
	}
	return Origin{Scheme: scheme, Host: host, Port: port}, nil
}

// isScheme reports whether s is a URL scheme in lower case: a letter, then
// letters, digits, "+", "-" or "." (URL Standard, "scheme state").
func isScheme(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// checkPort returns "" when p is a port as a URL serialises it: 1 to 5
// decimal digits without a leading zero, from 1 to 65535.
func checkPort(p string) string {
	switch {
	case p == "":
		return "empty"
	case len(p) > 5:
		return "too long"
	case p[0] == '0':
		return "leading zero or port 0"
	}
	n, err := strconv.Atoi(p)
	if err != nil || strings.ContainsAny(p, "+-") {
		return "not a decimal number"
	}
	if n > 65535 {
		return "above 65535"
	}
	return ""
}

// IsPort reports whether p is a valid serialised, non-empty port.
func IsPort(p string) bool { return checkPort(p) == "" }

// CheckHost reports what is wrong with host as the host of a serialised
// origin, and the corrected host when one can be worked out: the host a
// browser would send for it. It returns ("", "") only for a host that a
// browser serialises to itself (URL Standard, host parsing and
// serialisation): a lower-case ASCII domain, with Punycode labels only where
// they are valid (a trailing dot is allowed: browsers keep it on a domain);
// a dotted-decimal IPv4 address, without a trailing dot (browsers drop it);
// or a bracketed IPv6 address as SerializeIPv6 writes it (hex only, so
// [::ffff:7f7f:7f7f], never [::ffff:127.127.127.127]). Domains are held to
// DNS rules stricter than the URL Standard's (letters, digits, "-" and "_";
// no label over 63 bytes or starting or ending with "-"); those are refused
// without a suggestion.
func CheckHost(host string) (problem, instead string) {
	if host == "" {
		return "empty host", ""
	}
	if strings.Contains(host, "*") {
		return `"*" in the host: a wildcard can only be "*." at the start of a domain`, ""
	}
	if host[0] == '[' {
		if host[len(host)-1] != ']' {
			return "unterminated IPv6 address", ""
		}
		inner := host[1 : len(host)-1]
		if strings.Contains(inner, "%") {
			return "IPv6 zone identifiers are not part of an origin", ""
		}
		a, err := netip.ParseAddr(inner)
		if err != nil || !a.Is6() {
			return "bad IPv6 address " + strconv.Quote(inner), ""
		}
		if canon := SerializeIPv6(a); canon != inner {
			return "IPv6 address not in the form browsers send (lower-case hex, the longest run of zeros as \"::\", no dotted IPv4 part)", "[" + canon + "]"
		}
		return "", ""
	}
	// What a browser makes of the host: lower case, Punycode for
	// internationalised names, and a refusal of what UTS #46 refuses.
	ascii := host
	if !isASCII(host) || strings.ToLower(host) != host || hasACELabel(host) {
		a, err := domainToASCII.ToASCII(host)
		if err != nil {
			return "bad host " + strconv.Quote(host) + ": not a valid internationalised domain name, so browsers reject it (" + strings.TrimPrefix(err.Error(), "idna: ") + ")", ""
		}
		ascii = a
	}
	// A host that ends in a number is an IPv4 address to the URL parser,
	// in any of its legacy forms ("127.1", "0x7f.0.0.1", a trailing dot).
	if EndsInANumber(ascii) {
		a, ok := ParseIPv4(ascii)
		if !ok {
			return "bad IPv4 address " + strconv.Quote(host) + ": browsers reject it", ""
		}
		if a.String() != host {
			return "IPv4 address not in the dotted-decimal form browsers send", a.String()
		}
		return "", ""
	}
	name := strings.TrimSuffix(ascii, ".")
	if len(name) > 253 {
		return "domain name longer than 253 bytes", ""
	}
	for _, label := range strings.Split(name, ".") {
		if p := checkLabel(label); p != "" {
			return "bad host " + strconv.Quote(host) + ": " + p, ""
		}
	}
	switch {
	case ascii == host:
		return "", ""
	case isASCII(host) && strings.ToLower(host) == ascii:
		return "upper case in the host: browsers send it in lower case", ascii
	case !isASCII(host):
		return "non-ASCII host: browsers send internationalised names in Punycode", ascii
	}
	return "host not in the form browsers send", ascii
}

// checkLabel checks one DNS label of a host: 1 to 63 bytes of letters,
// digits, "-" and "_", not starting or ending with "-".
func checkLabel(label string) string {
	switch {
	case label == "":
		return "empty label"
	case len(label) > 63:
		return "label longer than 63 bytes"
	case label[0] == '-' || label[len(label)-1] == '-':
		return "label starts or ends with '-'"
	}
	for i := 0; i < len(label); i++ {
		if !IsDomainByte(label[i]) {
			return "byte " + strconv.QuoteRune(rune(label[i])) + " is not allowed in a domain name"
		}
	}
	return ""
}

// IsIPHost reports whether host is, syntactically, an IP address rather than
// a domain: bracketed (IPv6), or ending in a number (see EndsInANumber),
// which the URL Standard's host parser treats as IPv4. It does not check
// that the address is valid; see CheckHost.
func IsIPHost(host string) bool {
	return strings.HasPrefix(host, "[") || EndsInANumber(host)
}

// IsDomainByte reports whether b may appear in a label of a serialised
// lower-case ASCII domain name.
func IsDomainByte(b byte) bool {
	return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-' || b == '_'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
