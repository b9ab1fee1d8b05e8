package engine

import "strings"

// This file holds the words of Chromium's console: the line of
// third_party/blink/renderer/platform/loader/cors/cors_error_string.cc for
// a request blocked by CORS or by Local Network Access, and the
// network-error line Chromium's DevTools console shows for a request that
// failed below CORS. Every CORS text was compared with Chromium 156's
// console by the differential corpus, the Local Network Access ones by e2e
// TestLNA. A WebSocket's lines are in chromium_websocket.go.

const (
	chromiumPreflightPrefix = "Response to preflight request doesn't pass access control check: "
	// Chromium 156 appends this to the three "bad ACAO value" reasons for
	// fetch(); older builds appended a longer sentence ending in "…set the
	// request's mode to 'no-cors' to fetch the resource with CORS disabled."
	chromiumHaveServerSend = " Have the server send the header with a valid value."
	chromiumXHRCredentials = " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute."
)

// ChromiumCORSSchemes is the list Chromium 156's CorsDisabledScheme line
// names: the schemes its build lets a CORS request go to
// (url::GetCorsEnabledSchemes, joined as cors_error_string.cc does).
const ChromiumCORSSchemes = "chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, isolated-app"

// chromiumConsole is what Chromium logs for f: one line "Access to <kind>
// at '<url>' [(redirected from '<initial>') ]from origin '<page>' has been
// blocked by CORS policy: [Response to preflight request doesn't pass
// access control check: ]<reason>" (cors::GetErrorString), or, for a request
// that failed below CORS, the network line "Failed to load resource:
// net::ERR_…" (ChromiumNetError). A same-origin redirect to a URL with
// user:password fails with no line at all.
func chromiumConsole(f Failure) []string {
	if f.WebSocket {
		return []string{chromiumWebSocketConsole(f)}
	}
	if e := chromiumNetError(f); e != "" {
		return []string{"Failed to load resource: net::" + e}
	}
	switch {
	case f.Check == RedirectCredentials && f.SameOrigin:
		return nil
	case f.Check == ModeSameOrigin && f.Redirect:
		// A redirect to another origin is refused by the network
		// service without a console line.
		return nil
	case f.Check == ModeSameOrigin:
		// Blink's FetchManager, before any request is made.
		return []string{"Fetch API cannot load " + f.URL + ". Request mode is \"same-origin\" but the URL's origin is not same as the request origin " + f.Page + "."}
	}
	kind := ChromiumResourceKind(f.Dest)
	if kind == "" {
		kind = "fetch"
		if f.XHR {
			kind = "XMLHttpRequest"
		}
	}
	var b strings.Builder
	url := f.URL
	if f.Check == RedirectScheme {
		url = f.Location // the line names where the redirect pointed
	}
	b.WriteString("Access to " + kind + " at '" + url + "' ")
	if f.InitialURL != "" && f.InitialURL != url {
		b.WriteString("(redirected from '" + f.InitialURL + "') ")
	}
	b.WriteString("from origin '" + f.Page + "' has been blocked by CORS policy: ")
	if f.Preflight && chromiumPrefixed(f.Check) {
		b.WriteString(chromiumPreflightPrefix)
	}
	b.WriteString(chromiumReason(f, kind))
	return []string{b.String()}
}

// chromiumPrefixed reports whether a preflight's failure c gets the prefix
// "Response to preflight request doesn't pass access control check: ": the
// CORS check's failures, the status and the redirect do; the parse,
// method and header failures do not (IsPreflightError in
// cors_error_string.cc).
func chromiumPrefixed(c Check) bool {
	switch c {
	case MissingAllowOrigin, WildcardWithCredentials, MultipleAllowOrigin, InvalidAllowOrigin,
		AllowOriginMismatch, AllowCredentialsNotTrue, PreflightStatus, PreflightRedirect:
		return true
	}
	return false
}

// chromiumReason is the reason text of f's line; kind decides the
// sentence fetch() and XMLHttpRequest get after some of them (resources an
// element loads get none).
func chromiumReason(f Failure, kind string) string {
	fetchSuffix, xhrSuffix := "", ""
	switch kind {
	case "fetch":
		fetchSuffix = chromiumHaveServerSend
	case "XMLHttpRequest":
		xhrSuffix = chromiumXHRCredentials
	}
	hint := f.Value
	switch f.Check {
	case MissingAllowOrigin:
		return "No 'Access-Control-Allow-Origin' header is present on the requested resource."
	case WildcardWithCredentials:
		return "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'." + xhrSuffix
	case MultipleAllowOrigin:
		return "The 'Access-Control-Allow-Origin' header contains multiple values '" + hint + "', but only one is allowed." + fetchSuffix
	case InvalidAllowOrigin:
		return "The 'Access-Control-Allow-Origin' header contains the invalid value '" + hint + "'." + fetchSuffix
	case AllowOriginMismatch:
		return "The 'Access-Control-Allow-Origin' header has a value '" + hint + "' that is not equal to the supplied origin." + fetchSuffix
	case AllowCredentialsNotTrue:
		return "The value of the 'Access-Control-Allow-Credentials' header in the response is '" + hint + "' which must be 'true' when the request's credentials mode is 'include'." + xhrSuffix
	case PreflightStatus:
		return "It does not have HTTP ok status."
	case PreflightRedirect:
		return "Redirect is not allowed for a preflight request."
	case InvalidAllowMethods:
		return "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
	case InvalidAllowHeaders:
		return "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
	case MethodNotAllowed:
		return "Method " + hint + " is not allowed by Access-Control-Allow-Methods in preflight response."
	case HeaderNotAllowed:
		return "Request header field " + hint + " is not allowed by Access-Control-Allow-Headers in preflight response."
	case RedirectCredentials:
		// The location is left out: "Redirect location ''".
		return "Redirect location '' contains a username and password, which is disallowed for cross-origin requests."
	case RedirectScheme:
		return "Cross origin requests are only supported for protocol schemes: " + ChromiumCORSSchemes + "."
	// Local Network Access: CorsErrorStatus's LocalNetworkAccessPermissionDenied,
	// InsecureLocalNetwork and InvalidLocalNetworkAccess, with the
	// address spaces named as DevTools' IPAddressSpace does.
	case LocalNetworkPermissionDenied:
		return "Permission was denied for this request to access the `" + f.AddressSpace + "` address space."
	case LocalNetworkInsecure:
		return "The request client is not a secure context and the resource is in more-private address space `" + f.AddressSpace + "`."
	case LocalNetworkMismatch:
		return "Request had a target IP address space of `" + f.DeclaredAddressSpace + "` yet the resource is in address space `" + f.AddressSpace + "`."
	}
	return ""
}

// chromiumNetError is the net::ERR_ name Chromium fails f with when f is
// a network error rather than a CORS one, "" otherwise. A redirect's
// location that does not parse is ERR_INVALID_REDIRECT; one to data:,
// about:, file: or blob: is ERR_UNSAFE_REDIRECT
// (net::URLRequestHttpJob::IsSafeRedirect refuses them before the CORS
// code sees them), while any other scheme reaches CorsURLLoader and fails
// with CorsDisabledScheme; a 21st redirect is ERR_TOO_MANY_REDIRECTS.
// Seen in Chromium 156 for each scheme in the corpus. A WebSocket that
// Local Network Access refuses fails with
// ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS (seen in e2e TestLNA); a
// fetch() it refuses is a CORS error instead.
func chromiumNetError(f Failure) string {
	if f.WebSocket && f.Check.IsLocalNetwork() {
		return "ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS"
	}
	switch f.Check {
	case RedirectInvalid:
		return "ERR_INVALID_REDIRECT"
	case TooManyRedirects:
		return "ERR_TOO_MANY_REDIRECTS"
	case RedirectScheme:
		switch f.Scheme {
		case "data", "about", "file", "blob":
			return "ERR_UNSAFE_REDIRECT"
		}
	}
	return ""
}
