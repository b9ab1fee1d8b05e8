// Package fetch holds the parts of the WHATWG Fetch standard
// (https://fetch.spec.whatwg.org/) that corskit needs in more than one place:
// method normalisation, safelisted and forbidden methods and headers, HTTP
// token syntax, and the serialisation of origins.
//
// The middleware (package cors) uses it to validate a policy and to judge
// requests; the checker (package check) uses it to predict what a browser
// sends and how it judges the answer. Keeping the rules here means the two
// can never disagree about the protocol.
//
// Every function is allocation-free unless its documentation says otherwise,
// because some of them run on the middleware's hot path.
package fetch

import "strings"

// Header names of the CORS protocol, in the canonical form that net/http
// uses as map keys, so callers can index an http.Header directly instead of
// paying for Header.Get's canonicalisation.
const (
	HeaderOrigin        = "Origin"
	HeaderVary          = "Vary"
	HeaderRequestMethod = "Access-Control-Request-Method"
	// HeaderRequestHeaders is sent by browsers as one line of lower-case,
	// sorted, de-duplicated names joined by "," (Fetch §4.8 step 5).
	HeaderRequestHeaders        = "Access-Control-Request-Headers"
	HeaderRequestPrivateNetwork = "Access-Control-Request-Private-Network"

	HeaderAllowOrigin         = "Access-Control-Allow-Origin"
	HeaderAllowCredentials    = "Access-Control-Allow-Credentials"
	HeaderAllowMethods        = "Access-Control-Allow-Methods"
	HeaderAllowHeaders        = "Access-Control-Allow-Headers"
	HeaderMaxAge              = "Access-Control-Max-Age"
	HeaderExposeHeaders       = "Access-Control-Expose-Headers"
	HeaderAllowPrivateNetwork = "Access-Control-Allow-Private-Network"
)

// Wildcard is the "*" value of Access-Control-Allow-Origin, -Methods,
// -Headers and -Expose-Headers. It is only a wildcard for requests whose
// credentials mode is not "include" (Fetch §3.2.5); otherwise it is literal.
const Wildcard = "*"

// NullOrigin is the serialisation of an opaque origin (HTML §7.1.1): sandboxed
// iframes, data: and file: documents, and requests tainted by a cross-origin
// redirect all send "Origin: null".
const NullOrigin = "null"

// tokenChars marks the bytes allowed in an HTTP token (RFC 9110 §5.6.2):
//
//	tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//	        "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
var tokenChars = [256]bool{}

func init() {
	for c := '0'; c <= '9'; c++ {
		tokenChars[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		tokenChars[c] = true
		tokenChars[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		tokenChars[c] = true
	}
}

// IsTokenByte reports whether b may appear in an HTTP token.
func IsTokenByte(b byte) bool { return tokenChars[b] }

// IsToken reports whether s is a non-empty HTTP token (RFC 9110 §5.6.2).
// Method names and header field names must be tokens.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}

// NormalizeMethod implements Fetch's "normalize a method": a method that is
// a byte-case-insensitive match for DELETE, GET, HEAD, OPTIONS, POST or PUT is
// upper-cased; every other method is returned unchanged. This is why a script
// that calls fetch(url, {method: "patch"}) sends "patch", which does not match
// "PATCH" in Access-Control-Allow-Methods.
func NormalizeMethod(m string) string {
	switch len(m) {
	case 3:
		if strings.EqualFold(m, "GET") {
			return "GET"
		}
		if strings.EqualFold(m, "PUT") {
			return "PUT"
		}
	case 4:
		if strings.EqualFold(m, "HEAD") {
			return "HEAD"
		}
		if strings.EqualFold(m, "POST") {
			return "POST"
		}
	case 6:
		if strings.EqualFold(m, "DELETE") {
			return "DELETE"
		}
	case 7:
		if strings.EqualFold(m, "OPTIONS") {
			return "OPTIONS"
		}
	}
	return m
}

// IsSafelistedMethod reports whether m is a CORS-safelisted method: exactly
// GET, HEAD or POST (Fetch §2.2.1). The comparison is byte-exact because it
// applies to methods that have already been normalised. A safelisted method
// never needs to appear in Access-Control-Allow-Methods.
func IsSafelistedMethod(m string) bool {
	return m == "GET" || m == "HEAD" || m == "POST"
}

// IsForbiddenMethod reports whether m is a forbidden method: a
// byte-case-insensitive match for CONNECT, TRACE or TRACK (Fetch §2.2.1).
// fetch() and XMLHttpRequest throw before sending such a request, so allowing
// one is always a configuration mistake.
func IsForbiddenMethod(m string) bool {
	return strings.EqualFold(m, "CONNECT") || strings.EqualFold(m, "TRACE") || strings.EqualFold(m, "TRACK")
}

// forbiddenRequestHeaders are the forbidden request-header names of Fetch
// §2.2.2, lower-cased. Names starting with "proxy-" or "sec-" are forbidden
// too; IsForbiddenRequestHeader checks those prefixes.
var forbiddenRequestHeaders = map[string]bool{
	"accept-charset":                 true,
	"accept-encoding":                true,
	"access-control-request-headers": true,
	"access-control-request-method":  true,
	"connection":                     true,
	"content-length":                 true,
	"cookie":                         true,
	"cookie2":                        true,
	"date":                           true,
	"dnt":                            true,
	"expect":                         true,
	"host":                           true,
	"keep-alive":                     true,
	"origin":                         true,
	"referer":                        true,
	"set-cookie":                     true,
	"te":                             true,
	"trailer":                        true,
	"transfer-encoding":              true,
	"upgrade":                        true,
	"via":                            true,
}

// IsForbiddenRequestHeader reports whether a script is never allowed to set
// the request header name (Fetch §2.2.2, "forbidden request-header"): the
// browser silently drops it, so it never appears in a preflight and allowing it
// has no effect. The comparison ignores case.
//
// The value-dependent part of the rule (X-HTTP-Method-Override and friends
// naming a forbidden method) is left to IsForbiddenRequestHeaderValue.
func IsForbiddenRequestHeader(name string) bool {
	lower := strings.ToLower(name)
	return forbiddenRequestHeaders[lower] ||
		strings.HasPrefix(lower, "proxy-") ||
		strings.HasPrefix(lower, "sec-")
}

// IsForbiddenRequestHeaderValue reports whether the pair (name, value) is a
// forbidden request-header: a forbidden name, or one of X-HTTP-Method,
// X-HTTP-Method-Override and X-Method-Override whose comma-separated value
// names a forbidden method (Fetch §2.2.2).
func IsForbiddenRequestHeaderValue(name, value string) bool {
	if IsForbiddenRequestHeader(name) {
		return true
	}
	switch strings.ToLower(name) {
	case "x-http-method", "x-http-method-override", "x-method-override":
		for _, m := range strings.Split(value, ",") {
			if IsForbiddenMethod(strings.Trim(m, " \t")) {
				return true
			}
		}
	}
	return false
}

// IsCORSResponseHeader reports whether name is one of the response headers of
// the CORS protocol (Access-Control-Allow-*, -Max-Age, -Expose-Headers). Such
// a name in a list of allowed request headers is almost always a
// misunderstanding: it is the server that sends them, not the page.
func IsCORSResponseHeader(name string) bool {
	switch strings.ToLower(name) {
	case "access-control-allow-origin", "access-control-allow-credentials",
		"access-control-allow-methods", "access-control-allow-headers",
		"access-control-max-age", "access-control-expose-headers",
		"access-control-allow-private-network":
		return true
	}
	return false
}

// IsSafelistedResponseHeader reports whether a page can read the response
// header name without it being listed in Access-Control-Expose-Headers
// (Fetch §2.2.6, "CORS-safelisted response-header name"). The comparison
// ignores case.
func IsSafelistedResponseHeader(name string) bool {
	switch strings.ToLower(name) {
	case "cache-control", "content-language", "content-length", "content-type",
		"expires", "last-modified", "pragma":
		return true
	}
	return false
}

// IsForbiddenResponseHeader reports whether name is a forbidden
// response-header name: Set-Cookie or Set-Cookie2 (Fetch §2.2.2). Browsers
// never expose them to scripts, whatever Access-Control-Expose-Headers says.
func IsForbiddenResponseHeader(name string) bool {
	return strings.EqualFold(name, "set-cookie") || strings.EqualFold(name, "set-cookie2")
}

// IsNonWildcardRequestHeader reports whether name is a CORS non-wildcard
// request-header name: today only Authorization (Fetch §2.2.2). The "*" in
// Access-Control-Allow-Headers never covers it; it has to be listed.
func IsNonWildcardRequestHeader(name string) bool {
	return strings.EqualFold(name, "authorization")
}

// IsOKStatus reports whether status is an ok status (200 to 299). A preflight
// response must have one (Fetch §4.8 step 7).
func IsOKStatus(status int) bool { return 200 <= status && status <= 299 }

// PreflightMethod reports whether a request with an Origin header, whose
// method is method and whose header is h, is a CORS-preflight request: the
// method OPTIONS and an Access-Control-Request-Method header (Fetch §4.8
// step 2 builds it so; §3.2.2 defines it). It returns that header's lines.
// Every other request with an Origin is an actual CORS request; in
// particular a plain OPTIONS request is not a preflight, and its handler
// answers it. h must have canonical keys, as net/http's parsed requests
// do.
func PreflightMethod(method string, h map[string][]string) (acrm []string, ok bool) {
	if method != "OPTIONS" {
		return nil, false
	}
	acrm, ok = h[HeaderRequestMethod]
	return acrm, ok
}
