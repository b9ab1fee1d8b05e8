// Package urlpath normalises the path of a request target once, so that
// the gateway judges exactly the path it forwards.
//
// A proxy that picks a route on one reading of a path and forwards another
// hands one route's policy to another route's handler: a page sends
// /api/..%2Fpartner/x (browsers send "..%2F" as written), the gateway
// decodes and cleans it to /partner/x and grants the partner's policy,
// and a backend that does not decode %2F before resolving dot segments
// serves its /api/ handler. Normalize therefore produces one path, the one
// that is both matched against the routes and sent upstream, and refuses
// what has no single safe reading.
//
// # What is normalised
//
// Following RFC 3986 §6.2.2 (the normalisations that do not change what a
// URI identifies) and what nginx does before it matches a location:
//
//   - percent-encoded unreserved characters (ALPHA DIGIT - . _ ~) are
//     decoded, so %2e is "." and %41 is "A" (§6.2.2.2); every other escape
//     keeps its encoding, with upper-case hex digits (§6.2.2.1);
//   - "." and ".." segments are removed (§5.2.4), after that decoding, so
//     /api/%2e%2e/partner/x is /partner/x; a path whose ".." segments climb
//     above the root is refused, as nginx refuses it;
//   - empty segments ("//") are merged, as nginx's merge_slashes does by
//     default and Envoy's merge_slashes option does;
//   - bytes that may not appear raw in a path (RFC 3986 §3.3 pchar: non-ASCII,
//     '"', '<', '>', '`', '{', '}', '|', '^', '#', '[', ']') are
//     percent-encoded.
//
// # What is ambiguous
//
// Some paths mean different resources to different backends, and no
// normal form can say which one the backend will serve:
//
//   - %2F and %5C (an encoded "/" or "\"): nginx and Go decode %2F into a
//     segment separator, Flask and many routers decode it after routing,
//     Tomcat refuses it;
//   - a raw "\": IIS and some Windows servers read it as "/";
//   - ";" in a segment: Tomcat, Jetty and Spring strip ";…" path parameters
//     before routing (/partner/..;/api/x is /api/x to them), others keep
//     them;
//   - %25 followed by two hex digits (double encoding: %252F): a backend
//     that decodes twice sees %2F.
//
// By default they are refused (Ambiguous), as Envoy's
// path_with_escaped_slashes_action REJECT_REQUEST and Spring Security's
// StrictHttpFirewall refuse them. With Forward they are passed untouched
// (Envoy's KEEP_UNCHANGED): they stay encoded, "\" becomes %5C (Go's
// client encodes it), ";" stays, and only a raw "/" separates segments
// when routes are matched. Use Forward only for a backend that reads them
// the same way.
//
// Encoded control characters (%00-%1F, %7F) and malformed escapes ("%",
// "%zz") are always refused (Malformed).
package urlpath

import (
	"errors"
	"strings"
)

// Mode says what to do with an ambiguous path.
type Mode uint8

const (
	// Reject refuses ambiguous paths.
	Reject Mode = iota
	// Forward passes their ambiguous parts untouched.
	Forward
)

// An Error says why a path was refused. The gateway answers it with 400
// Bad Request and says so in its body.
type Error struct {
	// Ambiguous is true for a path that Forward would accept.
	Ambiguous bool
	// What names the offending part, for the response and the log:
	// "an encoded slash (%2F)", "a '..' segment above the root", ….
	What string
}

func (e *Error) Error() string {
	if e.Ambiguous {
		return "ambiguous path: " + e.What
	}
	return "malformed path: " + e.What
}

// The refusals. Each is one value, so refusing allocates nothing.
var (
	errEncodedSlash     = &Error{Ambiguous: true, What: "an encoded slash (%2F)"}
	errEncodedBackslash = &Error{Ambiguous: true, What: "an encoded backslash (%5C)"}
	errBackslash        = &Error{Ambiguous: true, What: `a backslash (\)`}
	errSemicolon        = &Error{Ambiguous: true, What: "a ';' path parameter"}
	errDoubleEncoding   = &Error{Ambiguous: true, What: "a double-encoded escape (%25 followed by hex digits)"}
	errBadEscape        = &Error{What: "a '%' not followed by two hex digits"}
	errControl          = &Error{What: "an encoded control character"}
	errAboveRoot        = &Error{What: "a '..' segment above the root"}
	errNotOriginForm    = &Error{What: "not a path: the request target must start with '/'"}
)

// IsAmbiguous reports whether err is a refusal that Forward would accept.
func IsAmbiguous(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Ambiguous
}

// A Path is a normalised path.
type Path struct {
	// Escaped is the path to forward, in its percent-encoded form.
	Escaped string
	// Match is the path that routes are matched against: Escaped with
	// every escape decoded except %2F, %5C and %25 (which only Forward
	// lets through and which a route path, written decoded, never holds).
	Match string
}

// Normalize normalises raw, the path of a request target as received
// (without its query), or refuses it. A raw path that is already in
// normal form is returned as it is, without allocating.
func Normalize(raw string, mode Mode) (Path, error) {
	if raw == "" || raw[0] != '/' {
		return Path{}, errNotOriginForm
	}
	if isNormal(raw) {
		return Path{Escaped: raw, Match: raw}, nil
	}
	return normalize(raw, mode)
}

// isNormal reports whether p needs no work: only raw pchar bytes, no
// escape, no ";", no empty segment and no dot segment.
func isNormal(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '/':
			if i+1 < len(p) && p[i+1] == '/' {
				return false
			}
		case c == '.':
			// A segment of one or two dots.
			if p[i-1] == '/' {
				j := i + 1
				if j < len(p) && p[j] == '.' {
					j++
				}
				if j == len(p) || p[j] == '/' {
					return false
				}
			}
		case c == '%' || c == ';' || !isPchar(c):
			return false
		}
	}
	return true
}

// refusal returns the first reason to refuse raw, before any work is done
// (a refusal allocates nothing), and whether it has dot segments.
func refusal(raw string, mode Mode) error {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%':
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return errBadEscape
			}
			b := unhex(raw[i+1])<<4 | unhex(raw[i+2])
			switch {
			case b < 0x20 || b == 0x7f:
				return errControl
			case mode == Forward:
			case b == '/':
				return errEncodedSlash
			case b == '\\':
				return errEncodedBackslash
			case b == '%' && doubleEncoded(raw, i+3):
				return errDoubleEncoding
			}
			i += 2
		case c < 0x20 || c == 0x7f:
			return errControl
		case mode == Forward:
		case c == '\\':
			return errBackslash
		case c == ';':
			return errSemicolon
		}
	}
	return nil
}

// normalize is Normalize's slow path.
func normalize(raw string, mode Mode) (Path, error) {
	if err := refusal(raw, mode); err != nil {
		return Path{}, err
	}
	type segment struct{ esc, match string }
	var segs []segment
	trailing := false // the result ends in "/"
	var esc, match strings.Builder
	for rest := raw[1:]; ; {
		s, after, more := strings.Cut(rest, "/")
		esc.Reset()
		match.Reset()
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '%':
				if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
					return Path{}, errBadEscape
				}
				b := unhex(s[i+1])<<4 | unhex(s[i+2])
				switch {
				case isUnreserved(b):
					esc.WriteByte(b)
					match.WriteByte(b)
				case b < 0x20 || b == 0x7f:
					return Path{}, errControl
				case b == '/' || b == '\\' || b == '%':
					if b == '%' && !doubleEncoded(s, i+3) {
						// A plain encoded '%', not the start of a double encoding.
						writeEscape(&esc, b)
						writeEscape(&match, b)
						break
					}
					if mode != Forward {
						switch b {
						case '/':
							return Path{}, errEncodedSlash
						case '\\':
							return Path{}, errEncodedBackslash
						}
						return Path{}, errDoubleEncoding
					}
					writeEscape(&esc, b)
					writeEscape(&match, b)
				default:
					writeEscape(&esc, b)
					match.WriteByte(b)
				}
				i += 2
			case c == '\\':
				if mode != Forward {
					return Path{}, errBackslash
				}
				writeEscape(&esc, c)
				writeEscape(&match, c)
			case c == ';':
				if mode != Forward {
					return Path{}, errSemicolon
				}
				esc.WriteByte(c)
				match.WriteByte(c)
			case isPchar(c):
				esc.WriteByte(c)
				match.WriteByte(c)
			default:
				writeEscape(&esc, c)
				match.WriteByte(c)
			}
		}
		// Dot segments are recognised after decoding (%2e is ".").
		switch m := match.String(); m {
		case "", ".":
			trailing = !more
		case "..":
			if len(segs) == 0 {
				return Path{}, errAboveRoot
			}
			segs = segs[:len(segs)-1]
			trailing = !more
		default:
			segs = append(segs, segment{esc.String(), m})
			trailing = false
		}
		if !more {
			break
		}
		rest = after
	}
	esc.Reset()
	match.Reset()
	for _, s := range segs {
		esc.WriteByte('/')
		esc.WriteString(s.esc)
		match.WriteByte('/')
		match.WriteString(s.match)
	}
	if trailing || len(segs) == 0 {
		esc.WriteByte('/')
		match.WriteByte('/')
	}
	return Path{Escaped: esc.String(), Match: match.String()}, nil
}

// doubleEncoded reports whether s[j:] starts with two hex digits, raw or
// as escapes of hex digits (which normalisation decodes): after "%25"
// they make an escape of their own ("%25%32F" is "%252F").
func doubleEncoded(s string, j int) bool {
	for range 2 {
		switch {
		case j < len(s) && isHex(s[j]):
			j++
		case j+2 < len(s) && s[j] == '%' && isHex(s[j+1]) && isHex(s[j+2]) && isHex(unhex(s[j+1])<<4|unhex(s[j+2])):
			j += 3
		default:
			return false
		}
	}
	return true
}

const upperHex = "0123456789ABCDEF"

func writeEscape(b *strings.Builder, c byte) {
	b.WriteByte('%')
	b.WriteByte(upperHex[c>>4])
	b.WriteByte(upperHex[c&15])
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// isUnreserved: RFC 3986 §2.3.
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// isPchar: RFC 3986 §3.3, without pct-encoded (handled apart) and without
// ';', which is refused or forwarded as a path parameter. '/' separates
// segments and is handled by the callers.
func isPchar(c byte) bool {
	if isUnreserved(c) {
		return true
	}
	switch c {
	case '/', '!', '$', '&', '\'', '(', ')', '*', '+', ',', '=', ':', '@':
		return true
	}
	return false
}
