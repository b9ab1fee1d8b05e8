package fetch

import (
	"slices"
	"strings"
)

// This file holds the request-side rules a browser applies before it sends a
// cross-origin request: which request headers are CORS-safelisted (Fetch
// §2.2.2, "CORS-safelisted request-header"), which names therefore force a
// preflight ("CORS-unsafe request-header names"), and how those names are
// written into Access-Control-Request-Headers (Fetch §4.8 step 5).

// SafelistedValueLimit is the longest value, in bytes, that a
// CORS-safelisted request-header may have (Fetch §2.2.2 step 1). A longer
// Accept or Content-Language is unsafe whatever its bytes are.
const SafelistedValueLimit = 128

// SafelistedTotalLimit is the largest sum of the value lengths of the
// individually safelisted headers of one request (Fetch, "CORS-unsafe
// request-header names", step 4). Past it every one of them becomes unsafe
// and has to be listed in the preflight, so that a page cannot smuggle a
// large amount of data to a server in "harmless" headers.
const SafelistedTotalLimit = 1024

// DefaultAccept is the Accept value a request gets when the script sets no
// Accept: Fetch §4.1 "fetch" step 12 appends (`Accept`, `*/*`) to the
// header list before main fetch decides on a preflight, so this value is
// judged like a script's — it counts toward the 1024-byte total, and once
// that is exceeded "accept" is listed in Access-Control-Request-Headers
// with the others (Chromium 156 does exactly this).
const DefaultAccept = "*/*"

// HeaderField is one request header as a script sets it: name and value,
// in the order the script added them.
type HeaderField struct {
	Name, Value string
}

// IsUnsafeRequestHeaderByte reports whether b is a CORS-unsafe request-header
// byte (Fetch §2.2.2): a control byte other than HTAB, DEL, or one of
// `"():<>?@[\]{}`. Browsers preflight an Accept or Content-Type value that
// contains one, because such bytes have been used to confuse server parsers.
func IsUnsafeRequestHeaderByte(b byte) bool {
	switch {
	case b < 0x20 && b != '\t', b == 0x7f:
		return true
	}
	switch b {
	case '"', '(', ')', ':', '<', '>', '?', '@', '[', '\\', ']', '{', '}':
		return true
	}
	return false
}

func hasUnsafeRequestHeaderByte(v string) bool {
	for i := 0; i < len(v); i++ {
		if IsUnsafeRequestHeaderByte(v[i]) {
			return true
		}
	}
	return false
}

// IsSafelistedRequestHeader reports whether the pair (name, value) is a
// CORS-safelisted request-header (Fetch §2.2.2): a value of at most 128 bytes
// and one of
//
//   - Accept, without CORS-unsafe request-header bytes;
//   - Accept-Language or Content-Language, made only of 0-9 A-Z a-z, space
//     and *,-.;=;
//   - Content-Type, without unsafe bytes, parsing as a MIME type whose
//     essence is application/x-www-form-urlencoded, multipart/form-data or
//     text/plain (so application/json always preflights);
//   - Range, a single "bytes=N-" or "bytes=N-M" range.
//
// The name is compared case-insensitively; the value is taken as the script
// set it (browsers strip leading and trailing HTTP white space first, which
// callers should do too). The 1024-byte total rule spans several headers and
// is applied by UnsafeRequestHeaderNames, not here.
//
// Chromium also safelists Intervention, Save-Data and the legacy client
// hints (DPR, Width, …), which scripts can set too; that is an engine's own
// rule and lives in package internal/engine, not here.
func IsSafelistedRequestHeader(name, value string) bool {
	if len(value) > SafelistedValueLimit {
		return false
	}
	switch strings.ToLower(name) {
	case "accept":
		return !hasUnsafeRequestHeaderByte(value)
	case "accept-language", "content-language":
		for i := 0; i < len(value); i++ {
			if !isLanguageByte(value[i]) {
				return false
			}
		}
		return true
	case "content-type":
		if hasUnsafeRequestHeaderByte(value) {
			return false
		}
		essence, ok := MIMEEssence(value)
		if !ok {
			return false
		}
		switch essence {
		case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
			return true
		}
		return false
	case "range":
		_, _, hasStart, ok := ParseSimpleRange(value)
		// A suffix range (bytes=-500) is a valid simple range but not a
		// safelisted one (Fetch §2.2.2, "range" step 3).
		return ok && hasStart
	}
	return false
}

// IsNoCORSSafelistedRequestHeader reports whether the pair (name, value)
// is a no-CORS-safelisted request-header (Fetch §2.2.2): Accept,
// Accept-Language, Content-Language or Content-Type with a CORS-safelisted
// value. A Request in mode "no-cors" keeps only these; it drops any other
// header a script appends (Range included).
func IsNoCORSSafelistedRequestHeader(name, value string) bool {
	switch strings.ToLower(name) {
	case "accept", "accept-language", "content-language", "content-type":
		return IsSafelistedRequestHeader(name, value)
	}
	return false
}

// KeepaliveBodyLimit is the most bytes of body that all of a document's
// in-flight keepalive requests may carry together (Fetch §4.1 "fetch" step
// 14.3: 64 kibibytes); a single fetch() with keepalive over it throws.
const KeepaliveBodyLimit = 64 << 10

// IsReferrerPolicy reports whether s is a referrer policy a fetch() may
// name (Referrer Policy §3).
func IsReferrerPolicy(s string) bool {
	switch s {
	case "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", "strict-origin",
		"origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url":
		return true
	}
	return false
}

func isLanguageByte(b byte) bool {
	switch {
	case '0' <= b && b <= '9', 'A' <= b && b <= 'Z', 'a' <= b && b <= 'z':
		return true
	}
	switch b {
	case ' ', '*', ',', '-', '.', ';', '=':
		return true
	}
	return false
}

// isHTTPWhitespace reports whether b is HTTP white space for the MIME
// Sniffing standard: tab, line feed, carriage return or space.
func isHTTPWhitespace(b byte) bool {
	return b == '\t' || b == '\n' || b == '\r' || b == ' '
}

// MIMEEssence parses s as a MIME type with the MIME Sniffing standard's
// "parse a MIME type" algorithm, as far as the essence (type "/" subtype):
// leading and trailing HTTP white space is removed, the type runs to the
// first "/", the subtype to the first ";" (trailing white space removed), and
// both must be non-empty HTTP tokens. The essence is returned in lower case.
// Parameters are not validated, because that parser skips malformed ones
// instead of failing.
//
// The parse is deliberately strict about the essence: two combined values
// such as "text/plain, application/json" fail, which is why Fetch uses this
// parser and not a lenient one for the Content-Type safelist.
func MIMEEssence(s string) (essence string, ok bool) {
	i, j := 0, len(s)
	for i < j && isHTTPWhitespace(s[i]) {
		i++
	}
	for j > i && isHTTPWhitespace(s[j-1]) {
		j--
	}
	s = s[i:j]
	slash := strings.IndexByte(s, '/')
	if slash < 0 {
		return "", false
	}
	typ, rest := s[:slash], s[slash+1:]
	if !IsToken(typ) {
		return "", false
	}
	sub := rest
	if semi := strings.IndexByte(rest, ';'); semi >= 0 {
		sub = rest[:semi]
	}
	for len(sub) > 0 && isHTTPWhitespace(sub[len(sub)-1]) {
		sub = sub[:len(sub)-1]
	}
	if !IsToken(sub) {
		return "", false
	}
	return strings.ToLower(typ + "/" + sub), true
}

// ParseSimpleRange parses a Range header value with Fetch's "parse a single
// range header value" (without white space allowance, as the safelist uses
// it): "bytes" (in lower case: the standard's step 2 is "starts with", not
// a case-insensitive match, and Chromium and Firefox preflight
// "BYTES=0-1"), "=", then either "N-", "N-M" with N ≤ M, or the suffix form
// "-M". Several ranges ("bytes=0-1,3-4") fail.
func ParseSimpleRange(v string) (start, end uint64, hasStart bool, ok bool) {
	unit, rest, found := strings.Cut(v, "=")
	if !found || unit != "bytes" {
		return 0, 0, false, false
	}
	startDigits, rest := leadingDigits(rest)
	if rest == "" || rest[0] != '-' {
		return 0, 0, false, false
	}
	endDigits, rest := leadingDigits(rest[1:])
	if rest != "" || startDigits == "" && endDigits == "" {
		return 0, 0, false, false
	}
	var hasEnd bool
	if startDigits != "" {
		if start, ok = parseDecimal(startDigits); !ok {
			return 0, 0, false, false
		}
		hasStart = true
	}
	if endDigits != "" {
		if end, ok = parseDecimal(endDigits); !ok {
			return 0, 0, false, false
		}
		hasEnd = true
	}
	if hasStart && hasEnd && start > end {
		return 0, 0, false, false
	}
	return start, end, hasStart, true
}

func leadingDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

func parseDecimal(s string) (uint64, bool) {
	var n uint64
	for i := 0; i < len(s); i++ {
		d := uint64(s[i] - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// UnsafeRequestHeaderNames implements Fetch's "CORS-unsafe request-header
// names": the names of the headers that are not CORS-safelisted, plus, when
// the values of the safelisted ones add up to more than 1024 bytes, those
// too. The result is lower-cased, de-duplicated and byte-sorted ("convert
// header names to a sorted-lowercase set"); an empty result means the headers
// alone do not force a preflight.
//
// safelisted decides whether one header is CORS-safelisted; nil means the
// standard's IsSafelistedRequestHeader. A browser that safelists more names
// (Chromium: see package internal/engine) passes its own predicate, and those
// headers then count toward the 1024-byte total as well, as they do there.
//
// Callers must leave out forbidden request-headers first: browsers drop them
// when a script sets them, so they never reach this algorithm.
// UnsafeRequestHeaderNames allocates.
func UnsafeRequestHeaderNames(headers []HeaderField, safelisted func(name, value string) bool) []string {
	if safelisted == nil {
		safelisted = IsSafelistedRequestHeader
	}
	var unsafe, safe []string
	total := 0
	for _, h := range headers {
		if safelisted(h.Name, h.Value) {
			safe = append(safe, h.Name)
			total += len(h.Value)
		} else {
			unsafe = append(unsafe, h.Name)
		}
	}
	if total > SafelistedTotalLimit {
		unsafe = append(unsafe, safe...)
	}
	return SortedLowercaseSet(unsafe)
}

// SortedLowercaseSet lower-cases names, removes duplicates and sorts them
// byte-wise (Fetch, "convert header names to a sorted-lowercase set").
func SortedLowercaseSet(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, strings.ToLower(n))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// RequestHeadersValue returns the value of Access-Control-Request-Headers for
// a preflight whose unsafe names are names (as UnsafeRequestHeaderNames
// returns them): the names joined by "," without spaces (Fetch §4.8 step 5;
// the standard rejects ", " on purpose and Chromium and Firefox follow it).
// It returns "" when there are none, in which case the header is not sent.
func RequestHeadersValue(names []string) string {
	return strings.Join(names, ",")
}

// IsRedirectStatus reports whether status is a redirect status: 301, 302,
// 303, 307 or 308 (Fetch §2.2.3). Only these make a browser follow Location;
// a preflight answered with one fails ("Redirect is not allowed for a
// preflight request").
func IsRedirectStatus(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}
