package check

import (
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/corskit/cors/internal/engine"
	"github.com/corskit/cors/internal/fetch"
)

// advice returns a plain-words explanation of e and the change on the server
// that removes it. ex is the exchange whose response failed (nil if none).
func advice(e CorsError, hint string, p *prepared, ex *Exchange) (explanation, fix string) {
	o := p.pageOrigin
	where := "the response"
	if e.IsPreflight() {
		where = "the OPTIONS (preflight) response"
	}
	credFix := ""
	if p.req.Credentials {
		credFix = " and Access-Control-Allow-Credentials: true"
	}
	switch e {
	case MissingAllowOriginHeader, PreflightMissingAllowOriginHeader:
		explanation = "There is no Access-Control-Allow-Origin header on " + where + ". Often the CORS code never ran: an error page, a proxy, an authentication layer or a router answered first."
		fix = fmt.Sprintf("Send Access-Control-Allow-Origin: %s%s on %s (also on error responses).", o, credFix, where)
		if e == PreflightMissingAllowOriginHeader {
			fix += " Answer OPTIONS before authentication: preflights never carry cookies or Authorization."
		}
		if ran := corsCodeRan(ex); ran != "" {
			// The CORS code answered and refused: pointing at error pages
			// and proxies would send the reader the wrong way.
			refused, creds := "this origin", ""
			if p.req.Credentials {
				creds = ", with credentials"
			}
			if e.IsPreflight() {
				refused = "this origin, the method or one of the requested headers"
			}
			explanation = fmt.Sprintf("There is no Access-Control-Allow-Origin header on %s, but %s: the CORS code ran, and its policy does not allow %s.", where, ran, refused)
			fix = fmt.Sprintf("Add %s, exactly as written, to the origins the server's CORS policy allows%s.", o, creds)
			if e.IsPreflight() {
				fix += " If it is there already, allow the method and the headers of the request too."
			}
		} else if e == PreflightMissingAllowOriginHeader && ex != nil && ex.Status == http.StatusForbidden {
			// No CORS header at all (corsCodeRan found none).
			explanation = "The preflight was refused with 403 and no CORS header at all. That is how some CORS middleware (corskit among them) refuses a preflight whose origin, method or headers its policy does not allow, telling a stranger nothing; an authentication layer or a firewall that answered before the CORS code looks the same."
			fix = fmt.Sprintf("Allow %s, and the method and headers of the request, in the server's CORS policy; if something else answers OPTIONS with 403, let preflights through to the CORS code first: they never carry cookies or Authorization.", o)
		}
	case WildcardOriginNotAllowed, PreflightWildcardOriginNotAllowed:
		explanation = "Access-Control-Allow-Origin: * is not accepted for a request with credentials (cookies, HTTP auth)."
		fix = fmt.Sprintf("Echo the allowed origin instead of *: Access-Control-Allow-Origin: %s, Access-Control-Allow-Credentials: true, Vary: Origin.", o)
	case MultipleAllowOriginValues, PreflightMultipleAllowOriginValues:
		explanation = fmt.Sprintf("Access-Control-Allow-Origin reads %q: a list, or two header lines (typically both the application and a proxy add it). Only one origin is allowed.", hint)
		fix = fmt.Sprintf("Send exactly one Access-Control-Allow-Origin: %s; remove the duplicate layer (application or proxy).", o)
	case InvalidAllowOriginValue, PreflightInvalidAllowOriginValue:
		explanation = fmt.Sprintf("Access-Control-Allow-Origin %q is neither *, null nor a URL (a scheme is missing, or a pattern was sent literally).", hint)
		fix = fmt.Sprintf("Send the origin itself: Access-Control-Allow-Origin: %s.", o)
	case AllowOriginMismatch, PreflightAllowOriginMismatch:
		explanation = fmt.Sprintf("Access-Control-Allow-Origin %q is not byte-for-byte the page's origin %q (trailing slash, http vs https, www, explicit port, upper case, or a fixed origin for another site).", hint, o)
		fix = fmt.Sprintf("Send Access-Control-Allow-Origin: %s exactly (no path, no trailing slash, no default port), and Vary: Origin if it depends on the request.", o)
	case InvalidAllowCredentials, PreflightInvalidAllowCredentials:
		explanation = fmt.Sprintf("The request includes credentials, so Access-Control-Allow-Credentials must be exactly \"true\"; it is %q.", hint)
		fix = "Send Access-Control-Allow-Credentials: true on " + where + "."
		if e == PreflightInvalidAllowCredentials {
			fix += " The preflight needs it too, even though it carries no credentials itself."
		}
	case PreflightInvalidStatus:
		explanation = "The preflight passed the origin check but its status is not 2xx: an authentication layer (preflights carry no credentials), a missing OPTIONS route (404/405) or an error."
		fix = "Answer OPTIONS with 204 (or 200) before authentication and routing; CORS middleware should come first."
		if ex != nil && ex.Header.Get(fetch.HeaderAllowOrigin) == "" {
			// Safari looks at the status first (engine.WebKit's
			// PreflightOrder): the answer may well fail the origin check
			// too, which is what Chromium and Firefox report.
			explanation = fmt.Sprintf("The preflight was answered %d, not 2xx, and %s checks a preflight's status before anything else; the answer has no Access-Control-Allow-Origin either (Chromium and Firefox report that). An authentication layer (preflights carry no credentials), a missing OPTIONS route (404/405), an error, or CORS code that refuses the origin, the method or a header with a bare %d.", ex.Status, p.browser.Name(), ex.Status)
			fix = fmt.Sprintf("Answer OPTIONS with 204 (or 200) and Access-Control-Allow-Origin: %s before authentication and routing, and allow the method and headers of the request in the CORS policy.", o)
		}
	case PreflightDisallowedRedirect:
		explanation = "The preflight was redirected (http→https, a trailing-slash redirect, a login page). Browsers never follow a redirect for a preflight."
		fix = "Call the final URL directly from the page, or answer OPTIONS on this URL without redirecting."
	case InvalidAllowMethodsPreflightResponse:
		explanation = "Access-Control-Allow-Methods is not a comma-separated list of method names (a ';' separator, quotes, or spaces inside a name)."
		fix = "Send e.g. Access-Control-Allow-Methods: GET, POST, " + p.method + "."
	case InvalidAllowHeadersPreflightResponse:
		explanation = "Access-Control-Allow-Headers is not a comma-separated list of header names (e.g. \"Content-Type: application/json\" was sent as a name)."
		fix = "Send only names, e.g. Access-Control-Allow-Headers: Content-Type, Authorization."
	case MethodDisallowedByPreflightResponse:
		explanation = fmt.Sprintf("Method %s is not in Access-Control-Allow-Methods. The comparison is case-sensitive, and * does not count for requests with credentials.", hint)
		fix = fmt.Sprintf("Add %s to Access-Control-Allow-Methods on the OPTIONS response.", hint)
	case HeaderDisallowedByPreflightResponse:
		explanation = fmt.Sprintf("Request header %s is not CORS-safelisted and is not in Access-Control-Allow-Headers (* does not count for requests with credentials).", hint)
		fix = fmt.Sprintf("Add %s to Access-Control-Allow-Headers on the OPTIONS response.", hint)
	case RedirectContainsCredentials:
		explanation = "A redirect points to a URL with user:password@, which is refused for cross-origin requests."
		fix = "Redirect to a URL without userinfo; authenticate with a header or a cookie."
	}
	return explanation, fix
}

// failureAdvice explains the failure f of p's request, reason being its
// CorsError ("" for a failure below CORS), ex the last exchange.
func failureAdvice(f engine.Failure, reason CorsError, p *prepared, ex *Exchange) (explanation, fix string) {
	switch f.Check {
	case engine.RedirectScheme:
		explanation = fmt.Sprintf("The response redirects to %s, which is not an http: or https: URL: a browser follows the redirects of a fetch() or XMLHttpRequest only to http(s) URLs (Fetch, HTTP-redirect fetch), so the call fails.", f.Location)
		fix = "Redirect to an https: URL, or answer the request without redirecting."
	case engine.RedirectInvalid:
		explanation = fmt.Sprintf("The response's Location %q is not a URL the browser can parse, so the call fails.", f.Location)
		fix = "Send an absolute, well-formed https: URL in Location."
	case engine.TooManyRedirects:
		explanation = fmt.Sprintf("The request was redirected %d times: browsers give up at the %dst redirect (Fetch, HTTP-redirect fetch), usually a redirect loop.", fetch.MaxRedirects, fetch.MaxRedirects+1)
		fix = "Break the redirect loop (a login or trailing-slash redirect that points back at itself, an http↔https pair), or call the final URL directly."
	case engine.ModeSameOrigin:
		explanation = "fetch() was called with mode: \"same-origin\", and " + f.URL + " is on another origin than the page's: the browser refuses the request, whatever the server would answer."
		fix = "Drop mode: \"same-origin\" (the default, cors, lets the server decide with CORS headers), or call the page's own origin."
	case engine.RedirectCredentials:
		if f.SameOrigin && reason == "" {
			explanation = p.rules.Name + " refuses a redirect to a URL with user:password@ even on the page's own origin (the Fetch standard, Firefox and Safari allow it there), and logs nothing."
			fix = "Redirect to a URL without userinfo; authenticate with a header or a cookie."
			return explanation, fix
		}
		return advice(reason, f.Value, p, ex)
	default:
		return advice(reason, f.Value, p, ex)
	}
	return explanation, fix
}

// corsCodeRan returns what in ex's response shows that CORS code ran, or ""
// if nothing does: a Vary naming Origin or Access-Control-Request-Method or
// -Headers (a CORS middleware adds them whatever it decides, so that caches
// keep one origin's answer from another: Fetch §3.2.6), or a CORS response
// header other than Access-Control-Allow-Origin.
func corsCodeRan(ex *Exchange) string {
	if ex == nil {
		return ""
	}
	vary := ex.Header[fetch.HeaderVary]
	for _, name := range []string{fetch.HeaderOrigin, fetch.HeaderRequestMethod, fetch.HeaderRequestHeaders} {
		if fetch.ListHas(vary, name) {
			return "the response carries Vary: " + name
		}
	}
	names := slices.Sorted(maps.Keys(ex.Header))
	if i := slices.IndexFunc(names, fetch.IsCORSResponseHeader); i >= 0 {
		return "the response carries " + names[i]
	}
	return ""
}
