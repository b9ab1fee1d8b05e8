package fetch

import "strings"

// This file holds the rules a browser applies when it follows a redirect of a
// CORS request (Fetch §4.4, "HTTP-redirect fetch"): how many hops it follows,
// when the request's origin becomes "null", and which method and headers the
// next request keeps.

// MaxRedirects is the number of redirects a browser follows for one request:
// "if request's redirect count is 20, then return a network error" (Fetch
// §4.4 "HTTP-redirect fetch" step 8). The 21st redirect fails the fetch.
const MaxRedirects = 20

// RedirectTaintsOrigin reports whether following a redirect from the URL
// whose origin is current to one whose origin is location sets the request's
// tainted origin flag (Fetch §4.4 "HTTP-redirect fetch" step 13: "if
// locationURL's origin is not same origin with request's current URL's
// origin and request's origin is not same origin with request's current
// URL's origin"). requestOrigin is the serialised origin of the page, or
// "null" for an opaque one, which is same origin with nothing. The flag is
// never cleared: from then on the request's Origin header is "null"
// (NullOrigin).
func RedirectTaintsOrigin(requestOrigin string, current, location Origin) bool {
	return location != current && requestOrigin != current.String()
}

// RedirectMethod returns the method of the request that follows a redirect
// with status, and whether that request loses its body (Fetch §4.4
// "HTTP-redirect fetch" step 12): a 301 or 302 answering POST, or a 303
// answering anything but GET or HEAD, turns the request into a GET without a
// body. method is the normalised method (see NormalizeMethod: a script's
// "post" is sent as "POST"). Every other redirect, 307 and 308 in
// particular, keeps the method and the body.
func RedirectMethod(status int, method string) (newMethod string, dropBody bool) {
	if (status == 301 || status == 302) && method == "POST" ||
		status == 303 && method != "GET" && method != "HEAD" {
		return "GET", true
	}
	return method, false
}

// IsRequestBodyHeader reports whether name is a request-body-header name:
// Content-Encoding, Content-Language, Content-Location or Content-Type
// (Fetch §2.2.2). A redirect that drops the body (see RedirectMethod) deletes
// these headers too (Fetch §4.4 "HTTP-redirect fetch" step 12). The
// comparison ignores case.
func IsRequestBodyHeader(name string) bool {
	switch strings.ToLower(name) {
	case "content-encoding", "content-language", "content-location", "content-type":
		return true
	}
	return false
}

// RedirectRemovesHeader reports whether following a redirect deletes the
// request header name: a request-body-header name when the redirect drops the
// body (dropBody, from RedirectMethod; Fetch §4.4 "HTTP-redirect fetch" step
// 12), and a CORS non-wildcard request-header name (Authorization) when the
// redirect leads to another origin (crossOrigin; step 14: "if request's
// current URL's origin is not same origin with locationURL's origin, then for
// each headerName of CORS non-wildcard request-header name, delete headerName
// from request's header list").
func RedirectRemovesHeader(name string, dropBody, crossOrigin bool) bool {
	return dropBody && IsRequestBodyHeader(name) || crossOrigin && IsNonWildcardRequestHeader(name)
}
