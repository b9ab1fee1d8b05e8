package fetch

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// This file holds the response-side parsing a browser applies to a CORS
// response: combining repeated header lines, reading the #token lists of
// Access-Control-Allow-Methods, -Allow-Headers and -Expose-Headers, and the
// lifetime of a preflight cache entry from Access-Control-Max-Age.

// CombinedValue returns the value of the header name in h as Fetch's "get"
// sees it: every line of that name joined by ", " (Fetch §2.2.2, "combine").
// present is false when there is no such line. This is why two
// Access-Control-Allow-Origin lines always fail the CORS check: the browser
// compares "https://a.example, https://a.example" with the origin.
func CombinedValue(h http.Header, name string) (value string, present bool) {
	v, ok := h[http.CanonicalHeaderKey(name)]
	if !ok || len(v) == 0 {
		return "", false
	}
	return strings.Join(v, ", "), true
}

// ParseTokenList parses v as a comma-separated list of HTTP tokens, the
// "#token" grammar of Access-Control-Allow-Methods, -Allow-Headers and
// -Expose-Headers (Fetch §3.2.3). Elements are trimmed of spaces and tabs and
// empty elements are skipped, as Chromium's ParseAccessControlAllowList does;
// if any remaining element is not a token (a ":" from pasting
// "Content-Type: application/json", a ";" from "GET;POST", a quote), the whole
// list is invalid and ok is false: Chromium then fails the preflight with
// "Cannot parse Access-Control-Allow-Methods (or -Headers) response header
// field in preflight response."
func ParseTokenList(v string) (tokens []string, ok bool) {
	for _, e := range strings.Split(v, ",") {
		e = strings.Trim(e, " \t")
		if e == "" {
			continue
		}
		if !IsToken(e) {
			return nil, false
		}
		tokens = append(tokens, e)
	}
	return tokens, true
}

// DefaultMaxAge is the lifetime, in seconds, of a preflight cache entry
// whose response has no valid Access-Control-Max-Age (Fetch §4.8 step 7).
// Each browser's cap on Access-Control-Max-Age, and how it reads the value,
// are in package internal/engine.
const DefaultMaxAge = 5

// PreflightCacheSeconds returns how long, in seconds, a browser whose cap is
// maxCap keeps a successful preflight given the Access-Control-Max-Age value v
// (present reports whether the header was there at all). Absent or not a
// decimal integer: DefaultMaxAge (Fetch §4.8 step 7: "if max-age is failure
// or null, set it to 5"). Negative: 0, the entry expires at once (Chromium's
// ParseAccessControlMaxAge accepts a signed integer and treats a past expiry
// as not cached). Otherwise the value, capped at maxCap.
func PreflightCacheSeconds(v string, present bool, maxCap int) int {
	if !present {
		return min(DefaultMaxAge, maxCap)
	}
	v = strings.Trim(v, " \t")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange && v != "" && v[0] != '-' {
			return maxCap // a huge positive number is still "very long"
		}
		if v != "" && v[0] == '-' && IsDigits(v[1:]) {
			return 0
		}
		return min(DefaultMaxAge, maxCap)
	}
	if v != "" && v[0] == '+' {
		return min(DefaultMaxAge, maxCap) // delta-seconds has no sign
	}
	if n < 0 {
		return 0
	}
	return int(min(n, int64(maxCap)))
}

// IsDigits reports whether s is 1*DIGIT: one or more ASCII digits.
func IsDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ListHas reports whether name is an element of the comma-separated lists
// in lines (RFC 9110 §5.6.1: elements trimmed of spaces and tabs), compared
// without regard to ASCII case. It does not allocate, so the middleware can
// ask whether a Vary header already names a field on every response.
func ListHas(lines []string, name string) bool {
	for _, line := range lines {
		for line != "" {
			elem := line
			if i := strings.IndexByte(line, ','); i >= 0 {
				elem, line = line[:i], line[i+1:]
			} else {
				line = ""
			}
			if strings.EqualFold(strings.Trim(elem, " \t"), name) {
				return true
			}
		}
	}
	return false
}
